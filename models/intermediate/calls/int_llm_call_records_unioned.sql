{#-
    Every candidate LLM-call record from every telemetry source in one call
    schema. Values are still text as the source wrote them, and nothing is
    filtered here, so every record can be accounted for downstream. Where a
    source offers several fields for one column, the choice is made here, in
    the source's own CTE.

    A view: a renaming of the staged records, read once by
    int_llm_call_records_validated.
-#}
{{ config(materialized='view') }}
with

app_calls as (

    select * from {{ ref('stg_app__llm_calls') }}

),

otlp_llm_spans as (

    select * from {{ ref('int_otlp__llm_spans_in_context') }}

),

litellm_spend_logs as (

    select * from {{ ref('stg_litellm__spend_logs') }}

),

bedrock_invocations as (

    select * from {{ ref('stg_bedrock__invocations') }}

),

app_calls_conformed as (

    select
        record_id,
        'app_logs' as source_system,
        source_file,
        loaded_at,
        load_invocation_id,
        loaded_at as context_loaded_at,
        file_modified_at,
        is_valid_json,
        cast(null as boolean) as is_traces_data,
        has_duplicate_key,
        'app:' || record_hash as dedup_key,
        cast(null as varchar) as trace_id,
        cast(null as varchar) as span_id,
        request_id as logical_group_key,
        request_id as provider_request_id,
        'ok' as attempt_status,
        false as is_proxy_cache_hit,
        event_timestamp_text,
        provider_raw,
        cast(null as varchar) as operation_name,
        model_raw,
        requested_model_raw,
        'flat_llm' as usage_convention,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        cache_write_1h_tokens_text,
        reasoning_tokens_text,
        cast(null as varchar) as source_reported_cost_text,
        team_id,
        case when team_id is not null then 'log_record' end as team_origin,
        cost_center,
        service_name,
        environment_raw,
        http_route,
        cast(null as varchar) as url_path,
        job_name,
        service_tier_raw,
        aws_account_id,
        aws_region,
        customer_tier
    from app_calls

),

otlp_llm_spans_conformed as (

    select
        span_record_id as record_id,
        'otlp_traces' as source_system,
        source_file,
        loaded_at,
        load_invocation_id,
        context_loaded_at,
        file_modified_at,
        is_valid_json,
        is_traces_data,
        has_duplicate_key,
        'otlp:' || coalesce(trace_id || ':' || span_id, span_record_id) as dedup_key,
        trace_id,
        span_id,
        trace_id || ':' || coalesce(parent_span_id, span_id) as logical_group_key,
        coalesce(response_id, sibling_response_id) as provider_request_id,
        case when status_code = 'ERROR' or error_type is not null then 'error' else 'ok' end
            as attempt_status,
        false as is_proxy_cache_hit,
        start_time_unix_nano_text as event_timestamp_text,
        provider_raw,
        coalesce(operation_name, lower(openinference_span_kind)) as operation_name,
        coalesce(response_model, request_model) as model_raw,
        request_model as requested_model_raw,
        usage_convention,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        cache_write_1h_tokens_text,
        reasoning_tokens_text,
        cast(null as varchar) as source_reported_cost_text,
        coalesce(team_id, ancestor_team_id) as team_id,
        coalesce(team_origin, case when ancestor_team_id is not null then 'ancestor_span' end)
            as team_origin,
        coalesce(cost_center, ancestor_cost_center) as cost_center,
        service_name,
        coalesce(environment_raw, ancestor_environment_raw) as environment_raw,
        coalesce(http_route, ancestor_http_route) as http_route,
        coalesce(url_path, ancestor_url_path) as url_path,
        coalesce(job_name, ancestor_job_name) as job_name,
        service_tier_raw,
        aws_account_id,
        aws_region,
        customer_tier
    from otlp_llm_spans

),

litellm_spend_logs_conformed as (

    select
        record_id,
        'litellm_spend_logs' as source_system,
        source_file,
        loaded_at,
        load_invocation_id,
        loaded_at as context_loaded_at,
        file_modified_at,
        is_valid_json,
        cast(null as boolean) as is_traces_data,
        has_duplicate_key,
        'litellm:' || coalesce(request_id, record_hash) as dedup_key,
        cast(null as varchar) as trace_id,
        cast(null as varchar) as span_id,
        coalesce(trace_id, request_id) as logical_group_key,
        request_id as provider_request_id,
        case when lower(status) = 'failure' then 'error' else 'ok' end as attempt_status,
        coalesce(lower(cache_hit) = 'true' or request_id like '%\_cache\_hit%' escape '\', false)
            as is_proxy_cache_hit,
        start_time_text as event_timestamp_text,
        provider_raw,
        call_type as operation_name,
        model_raw,
        model_group as requested_model_raw,
        case
            when text_tokens_text is not null then 'litellm_text_tokens'
            else 'litellm_prompt_tokens'
        end as usage_convention,
        coalesce(text_tokens_text, prompt_tokens_text) as input_tokens_text,
        completion_tokens_text as output_tokens_text,
        coalesce(cache_read_input_tokens_text, cached_tokens_text) as cache_read_tokens_text,
        coalesce(cache_creation_input_tokens_text, cache_creation_tokens_text)
            as cache_write_tokens_text,
        cache_creation_1h_tokens_text as cache_write_1h_tokens_text,
        reasoning_tokens_text,
        spend_text as source_reported_cost_text,
        coalesce(caller_team, team_alias, team_id, metadata_team_id) as team_id,
        case
            when caller_team is not null then 'request_metadata'
            when coalesce(team_alias, team_id, metadata_team_id) is not null then 'gateway_team'
        end as team_origin,
        caller_cost_center as cost_center,
        caller_service as service_name,
        coalesce(caller_environment, caller_deployment_environment) as environment_raw,
        caller_route as http_route,
        cast(null as varchar) as url_path,
        caller_job_name as job_name,
        cast(null as varchar) as service_tier_raw,
        cast(null as varchar) as aws_account_id,
        cast(null as varchar) as aws_region,
        cast(null as varchar) as customer_tier
    from litellm_spend_logs

),

bedrock_invocations_conformed as (

    select
        record_id,
        'bedrock_invocation_logs' as source_system,
        source_file,
        loaded_at,
        load_invocation_id,
        loaded_at as context_loaded_at,
        file_modified_at,
        is_valid_json and schema_type = 'ModelInvocationLog' as is_valid_json,
        cast(null as boolean) as is_traces_data,
        has_duplicate_key,
        'bedrock:' || coalesce(request_id, record_hash) as dedup_key,
        cast(null as varchar) as trace_id,
        cast(null as varchar) as span_id,
        request_id as logical_group_key,
        request_id as provider_request_id,
        case when error_code is not null then 'error' else 'ok' end as attempt_status,
        false as is_proxy_cache_hit,
        event_timestamp_text,
        'aws.bedrock' as provider_raw,
        lower(operation) as operation_name,
        model_raw,
        cast(null as varchar) as requested_model_raw,
        'bedrock_invocation_log' as usage_convention,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        cast(null as varchar) as cache_write_1h_tokens_text,
        cast(null as varchar) as reasoning_tokens_text,
        cast(null as varchar) as source_reported_cost_text,
        tag_team as team_id,
        case when tag_team is not null then 'request_metadata' end as team_origin,
        tag_cost_center as cost_center,
        tag_service as service_name,
        coalesce(tag_environment, tag_env) as environment_raw,
        tag_route as http_route,
        cast(null as varchar) as url_path,
        tag_job_name as job_name,
        cast(null as varchar) as service_tier_raw,
        aws_account_id,
        aws_region,
        cast(null as varchar) as customer_tier
    from bedrock_invocations

),

unioned as (

    select * from app_calls_conformed
    union all
    select * from otlp_llm_spans_conformed
    union all
    select * from litellm_spend_logs_conformed
    union all
    select * from bedrock_invocations_conformed

)

select * from unioned
