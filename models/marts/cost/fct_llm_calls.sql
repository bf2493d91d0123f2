{#-
    Incremental by the one contract of macros/incremental/incremental_files.sql:
    a run prices the billed calls of the files int_llm_call_records_classified
    reclassified since the last run (and drops a retracted file's), and every
    call when a seed it reads through the pricing views changed: a price,
    alias, mapping or ownership correction (`reference_version`).
-#}
{{
    config(**incremental_contract(
        upstream='int_llm_call_records_classified', upstream_stamp='classified_at',
        stamp='computed_at',
    ))
}}
-- depends_on: {{ ref('int_llm_call_records_classified') }}
with

calls as (

    select * from {{ ref('int_llm_calls_priced') }}
    where {{ incremental_files() }}

),

final as (

    select
        call_id,
        source_record_id,
        source_system,
        source_file,
        trace_id,
        span_id,
        request_id,
        logical_request_id,
        attempt_number,
        team,
        attributed_cost_center as cost_center,
        attribution_rule,
        coalesce(service_name, '{{ var("unknown_value") }}') as service,
        coalesce(route, '{{ var("unknown_value") }}') as route,
        coalesce(environment, '{{ var("unknown_value") }}') as environment,
        provider,
        model,
        model_raw as reported_model,
        requested_model_raw as requested_model,
        operation_name,
        model_resolution_rule,
        endpoint_scope,
        service_tier,
        aws_account_id,
        aws_region,
        price_id,
        is_long_context,
        input_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        cache_write_5m_cost_usd,
        cache_write_1h_cost_usd,
        output_cost_usd,
        request_cost_usd,
        cost_usd,
        cost_at_previous_month_prices_usd,
        cost_at_previous_week_prices_usd,
        source_reported_cost_usd,
        usage_rule,
        is_priced,
        unpriced_reason,
        cast(called_at as date) as usage_date,
        called_at,
        {{ reference_version(incremental_seeds()) }} as reference_version,
        {{ processed_at() }} as computed_at
    from calls

)

select * from final
