{#-
    Every candidate LLM-call record from every telemetry source in one call
    schema: the telemetry entries of the source registry (var
    `llm_cost_sources`), each read from its `call_records_model` by column
    name, so a source is added with a registry row and a staging model that
    emits these columns (README, "Adding a source"). Values are still text
    as the source wrote them (typed where the value cannot be wrong: flags,
    load times), and nothing is filtered here, so every record can be
    accounted for downstream. Where a source offers several fields for one
    column, the choice is made in its own model.

    A view, read once by int_llm_call_records_validated.
-#}
{{ config(materialized='view') }}
{%- set call_record_columns = [
    "record_id",
    "source_system",
    "source_file",
    "loaded_at",
    "load_invocation_id",
    "context_loaded_at",
    "file_modified_at",
    "is_valid_json",
    "is_traces_data",
    "has_duplicate_key",
    "dedup_key",
    "trace_id",
    "span_id",
    "logical_group_key",
    "provider_request_id",
    "attempt_status",
    "is_proxy_cache_hit",
    "event_timestamp_text",
    "provider_raw",
    "operation_name",
    "model_raw",
    "requested_model_raw",
    "usage_convention",
    "input_tokens_text",
    "output_tokens_text",
    "cache_read_tokens_text",
    "cache_write_tokens_text",
    "cache_write_1h_tokens_text",
    "reasoning_tokens_text",
    "source_reported_cost_text",
    "team_id",
    "team_origin",
    "cost_center",
    "service_name",
    "environment_raw",
    "http_route",
    "url_path",
    "job_name",
    "service_tier_raw",
    "aws_account_id",
    "aws_region",
    "customer_tier",
] -%}
with

unioned as (

    {#- one select per telemetry source of the registry, its columns by name #}
    {%- for entry in llm_cost_sources(is_telemetry=true).values() %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            {{ call_record_columns | join(",\n            ") }}
        from {{ ref(entry.call_records_model) }}
    {%- endfor %}

)

select * from unioned
