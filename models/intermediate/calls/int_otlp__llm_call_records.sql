{#-
    The LLM spans of the OTLP export (with the context of their trace,
    int_otlp__llm_spans_in_context) as call records: the shared call columns
    that int_llm_call_records_unioned reads by name. OTLP is the one source
    whose call columns need more than its own row (ancestors, sibling
    recordings), so this step is an intermediate model; the other sources'
    staging models emit the shared columns themselves. Where the span offers
    several fields for one column, the choice is made here.
-#}
{{ config(materialized='view') }}
with

otlp_llm_spans as (

    select * from {{ ref('int_otlp__llm_spans_in_context') }}

),

call_records as (

    select
        span_record_id as record_id,
        source_file,
        loaded_at,
        load_invocation_id,
        {#- recomputed when the span's trace or a sibling recording changed -#}
        in_context_at as context_loaded_at,
        file_modified_at,
        is_valid_json,
        is_traces_data,
        has_duplicate_key,
        trace_id,
        span_id,
        start_time_unix_nano_text as event_timestamp_text,
        provider_raw,
        request_model as requested_model_raw,
        usage_convention,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        cache_write_1h_tokens_text,
        reasoning_tokens_text,
        service_name,
        service_tier_raw,
        aws_account_id,
        aws_region,
        customer_tier,
        'otlp_traces' as source_system,
        false as is_proxy_cache_hit,
        cast(null as {{ dbt.type_string() }}) as source_reported_cost_text,
        'otlp:' || coalesce(trace_id || ':' || span_id, span_record_id) as dedup_key,
        trace_id || ':' || coalesce(parent_span_id, span_id) as logical_group_key,
        coalesce(response_id, sibling_response_id) as provider_request_id,
        case when status_code = 'ERROR' or error_type is not null then 'error' else 'ok' end
            as attempt_status,
        coalesce(operation_name, lower(openinference_span_kind)) as operation_name,
        coalesce(response_model, request_model) as model_raw,
        coalesce(team_id, ancestor_team_id) as team_id,
        coalesce(team_origin, case when ancestor_team_id is not null then 'ancestor_span' end)
            as team_origin,
        coalesce(cost_center, ancestor_cost_center) as cost_center,
        coalesce(environment_raw, ancestor_environment_raw) as environment_raw,
        coalesce(http_route, ancestor_http_route) as http_route,
        coalesce(url_path, ancestor_url_path) as url_path,
        coalesce(job_name, ancestor_job_name) as job_name
    from otlp_llm_spans

)

select * from call_records
