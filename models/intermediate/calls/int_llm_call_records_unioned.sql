{#-
    Every candidate LLM-call record from every telemetry source in one call
    schema. Values are still text as the source wrote them; nothing is
    filtered here, so every record can be accounted for downstream.
-#}
with

app_calls as (

    select * from {{ ref('stg_app__llm_calls') }}

),

otlp_llm_spans as (

    select * from {{ ref('int_otlp__llm_spans_routed') }}

),

app_calls_conformed as (

    select
        record_id,
        'app_logs' as source_system,
        source_file,
        is_valid_json,
        'app:' || record_hash as dedup_key,
        cast(null as varchar) as trace_id,
        cast(null as varchar) as span_id,
        request_id,
        cast(null as varchar) as span_status,
        event_timestamp_text,
        provider_raw,
        model_raw,
        requested_model_raw,
        team_id,
        cost_center,
        service_name,
        environment_raw,
        http_route,
        job_name,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        reasoning_tokens_text,
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
        is_valid_json,
        'otlp:' || coalesce(trace_id || ':' || span_id, span_record_id) as dedup_key,
        trace_id,
        span_id,
        response_id as request_id,
        status_code as span_status,
        start_time_unix_nano_text as event_timestamp_text,
        provider_raw,
        coalesce(response_model, request_model) as model_raw,
        request_model as requested_model_raw,
        team_id,
        cast(null as varchar) as cost_center,
        service_name,
        environment_raw,
        coalesce(http_route, server_http_route) as http_route,
        cast(null as varchar) as job_name,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        reasoning_tokens_text,
        cast(null as varchar) as service_tier_raw,
        cast(null as varchar) as aws_account_id,
        cast(null as varchar) as aws_region,
        cast(null as varchar) as customer_tier
    from otlp_llm_spans

),

unioned as (

    select * from app_calls_conformed
    union all
    select * from otlp_llm_spans_conformed

)

select * from unioned
