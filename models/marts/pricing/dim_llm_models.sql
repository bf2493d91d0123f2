{#-
    For every model seen in traffic, which price rows applied and when: one
    row per provider, canonical model, endpoint scope, service tier and
    price row (no price row for traffic nothing priced), with the ids
    telemetry reported for it, the first and last call the row priced, and
    the row's prices and provenance.
-#}
with

calls as {{ cte_not_materialized() }} (

    {#- read more than once: DuckDB would otherwise copy the whole relation first -#}
    select * from {{ ref('fct_llm_calls') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

reported_ids as (

    select distinct
        provider,
        model,
        endpoint_scope,
        service_tier,
        price_id,
        reported_model
    from calls

),

reported_id_lists as (

    select
        provider,
        model,
        endpoint_scope,
        service_tier,
        price_id,
        {{ string_agg_sorted('reported_model', "', '") }} as reported_models
    from reported_ids
    group by provider, model, endpoint_scope, service_tier, price_id

),

usage_by_price_row as (

    select
        provider,
        model,
        endpoint_scope,
        service_tier,
        price_id,
        cast(count(*) as bigint) as call_count,
        cast(sum(case when is_long_context then 1 else 0 end) as bigint) as long_context_call_count,
        min(called_at) as first_called_at,
        max(called_at) as last_called_at,
        sum(cost_usd) as cost_usd
    from calls
    group by provider, model, endpoint_scope, service_tier, price_id

),

final as (

    select
        {{ surrogate_key([
            'usage_by_price_row.provider', 'usage_by_price_row.model',
            'usage_by_price_row.endpoint_scope', 'usage_by_price_row.service_tier',
            'usage_by_price_row.price_id'
        ]) }} as model_price_id,
        usage_by_price_row.provider,
        usage_by_price_row.model,
        usage_by_price_row.endpoint_scope,
        usage_by_price_row.service_tier,
        usage_by_price_row.price_id,
        usage_by_price_row.price_id is not null as is_priced,
        reported_id_lists.reported_models,
        usage_by_price_row.call_count,
        usage_by_price_row.long_context_call_count,
        usage_by_price_row.first_called_at,
        usage_by_price_row.last_called_at,
        usage_by_price_row.cost_usd,
        prices.effective_from,
        prices.effective_to,
        prices.utc_time_from,
        prices.utc_time_to,
        prices.input_usd_per_mtok,
        prices.output_usd_per_mtok,
        prices.cache_read_usd_per_mtok,
        prices.cache_write_5m_usd_per_mtok,
        prices.cache_write_1h_usd_per_mtok,
        prices.request_fee_usd,
        prices.long_context_threshold_tokens,
        prices.long_context_input_usd_per_mtok,
        prices.long_context_output_usd_per_mtok,
        prices.source as price_source,
        prices.checked_on as price_checked_on
    from usage_by_price_row
    inner join reported_id_lists
        on
            usage_by_price_row.provider = reported_id_lists.provider
            and usage_by_price_row.model = reported_id_lists.model
            and usage_by_price_row.endpoint_scope = reported_id_lists.endpoint_scope
            and usage_by_price_row.service_tier = reported_id_lists.service_tier
            and usage_by_price_row.price_id is not distinct from reported_id_lists.price_id
    left join prices
        on usage_by_price_row.price_id = prices.price_id

)

select * from final
