{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_incremental_files() }}"
    )
}}

{#-
    Flat app-log keys, as named in the design, and the column each lands in.
    Values stay text here; int_llm_call_records_validated casts them, so a
    bad value is quarantined with a reason instead of becoming null.
-#}
{%- set app_log_fields = {
    "event_timestamp_text": '$."timestamp"',
    "request_id": '$."request_id"',
    "team_id": '$."team.id"',
    "cost_center": '$."cost_center"',
    "service_name": '$."service.name"',
    "environment_raw": '$."deployment.environment"',
    "http_route": '$."http.route"',
    "job_name": '$."job.name"',
    "provider_raw": '$."llm.provider"',
    "model_raw": '$."llm.model"',
    "requested_model_raw": '$."llm.requested_model"',
    "input_tokens_text": '$."llm.input_tokens"',
    "output_tokens_text": '$."llm.output_tokens"',
    "cache_read_tokens_text": '$."llm.cache_read_tokens"',
    "cache_write_tokens_text": '$."llm.cache_write_tokens"',
    "cache_write_1h_tokens_text": '$."llm.cache_write_1h_tokens"',
    "reasoning_tokens_text": '$."llm.reasoning_tokens"',
    "service_tier_raw": '$."llm.service_tier"',
    "aws_account_id": '$."aws.account_id"',
    "aws_region": '$."aws.region"',
    "customer_tier": '$."customer_tier"',
} -%}

with

{{ json_record_ctes(source('app', 'llm_call_records'), app_log_fields) }}

select * from renamed
