{#-
    Every billed call once per period grain (month, week): the period it
    falls in, and what it would have cost at the prices of the period before.
    The re-pricing uses the price-book row in effect for the call's price key
    (provider, model, endpoint scope, service tier) at the same moment one
    calendar month, or seven days, earlier, with the long-context rule and
    cache fall-backs of int_llm_calls_priced; a call whose key had no row
    then keeps its own cost (no price effect). Read by the change drivers and
    the unit-cost marts.
-#}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

period_grains as (

    select 'month' as period_grain
    union all
    select 'week' as period_grain

),

calls_by_grain as (

    {#- every call once per period grain, with its period and the same
        moment one period earlier -#}
    select
        calls.call_id,
        calls.usage_date,
        calls.logical_request_id,
        calls.environment,
        calls.provider,
        calls.model,
        calls.team,
        calls.service,
        calls.route,
        calls.endpoint_scope,
        calls.service_tier,
        calls.is_priced,
        calls.price_id,
        calls.called_at,
        calls.input_tokens,
        calls.uncached_input_tokens,
        calls.cache_read_tokens,
        calls.cache_write_5m_tokens,
        calls.cache_write_1h_tokens,
        calls.output_tokens,
        calls.cost_usd,
        period_grains.period_grain,
        case
            when period_grains.period_grain = 'month'
                then cast({{ dbt.date_trunc('month', 'calls.usage_date') }} as date)
            else cast({{ dbt.date_trunc('week', 'calls.usage_date') }} as date)
        end as period_start,
        case
            when period_grains.period_grain = 'month'
                then {{ dbt.dateadd('month', -1, 'calls.called_at') }}
            else {{ dbt.dateadd('day', -7, 'calls.called_at') }}
        end as previous_period_called_at
    from calls
    cross join period_grains

),

previous_price_rows as (

    {#- the row of each priced call's price key in effect one period earlier -#}
    select
        calls_by_grain.call_id,
        calls_by_grain.period_grain,
        calls_by_grain.price_id,
        calls_by_grain.cost_usd,
        calls_by_grain.uncached_input_tokens,
        calls_by_grain.cache_read_tokens,
        calls_by_grain.cache_write_5m_tokens,
        calls_by_grain.cache_write_1h_tokens,
        calls_by_grain.output_tokens,
        prices.price_id as previous_price_id,
        prices.request_fee_usd,
        prices.input_usd_per_mtok,
        prices.output_usd_per_mtok,
        prices.cache_read_usd_per_mtok,
        prices.cache_write_5m_usd_per_mtok,
        prices.cache_write_1h_usd_per_mtok,
        prices.long_context_input_usd_per_mtok,
        prices.long_context_output_usd_per_mtok,
        prices.long_context_cache_read_usd_per_mtok,
        prices.long_context_cache_write_5m_usd_per_mtok,
        prices.long_context_cache_write_1h_usd_per_mtok,
        coalesce(
            prices.long_context_rule = 'all_input_above_threshold_whole_call'
            and calls_by_grain.input_tokens > prices.long_context_threshold_tokens,
            false
        ) as is_long_context
    from calls_by_grain
    left join prices
        on
            calls_by_grain.provider = prices.provider
            and calls_by_grain.model = prices.model
            and calls_by_grain.endpoint_scope = prices.endpoint_scope
            and calls_by_grain.service_tier = prices.service_tier
            and calls_by_grain.previous_period_called_at
            >= coalesce(prices.effective_from, cast('-infinity' as timestamp))
            and calls_by_grain.previous_period_called_at
            < coalesce(prices.effective_to, cast('infinity' as timestamp))
            and {{ is_within_utc_time_window(
                'calls_by_grain.previous_period_called_at',
                'prices.utc_time_from',
                'prices.utc_time_to'
            ) }}
    where calls_by_grain.is_priced

),

previous_tier_rates as (

    select
        call_id,
        period_grain,
        price_id,
        cost_usd,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        previous_price_id,
        request_fee_usd,
        case
            when is_long_context then long_context_input_usd_per_mtok else input_usd_per_mtok
        end as input_rate,
        case
            when is_long_context then long_context_output_usd_per_mtok else output_usd_per_mtok
        end as output_rate,
        case
            when is_long_context then long_context_cache_read_usd_per_mtok
            else cache_read_usd_per_mtok
        end as tier_cache_read_rate,
        case
            when is_long_context then long_context_cache_write_5m_usd_per_mtok
            else cache_write_5m_usd_per_mtok
        end as tier_cache_write_5m_rate,
        case
            when is_long_context then long_context_cache_write_1h_usd_per_mtok
            else cache_write_1h_usd_per_mtok
        end as tier_cache_write_1h_rate
    from previous_price_rows

),

previous_rates as (

    {#- a cache bucket without a price of its own is billed at the input price -#}
    select
        call_id,
        period_grain,
        price_id,
        cost_usd,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        previous_price_id,
        request_fee_usd,
        input_rate,
        output_rate,
        coalesce(tier_cache_read_rate, input_rate) as cache_read_rate,
        coalesce(tier_cache_write_5m_rate, input_rate) as cache_write_5m_rate,
        coalesce(tier_cache_write_1h_rate, input_rate) as cache_write_1h_rate
    from previous_tier_rates

),

previous_costs as (

    select
        call_id,
        period_grain,
        previous_price_id,
        cast(case
            when previous_price_id is null or previous_price_id = price_id then cost_usd
            else
                {{ token_cost('uncached_input_tokens', 'input_rate') }}
                + {{ token_cost('cache_read_tokens', 'cache_read_rate') }}
                + {{ token_cost('cache_write_5m_tokens', 'cache_write_5m_rate') }}
                + {{ token_cost('cache_write_1h_tokens', 'cache_write_1h_rate') }}
                + {{ token_cost('output_tokens', 'output_rate') }}
                + cast(coalesce(request_fee_usd, 0) as decimal(38, 12))
        end as decimal(38, 12)) as cost_at_previous_prices_usd
    from previous_rates

),

final as (

    select
        {{ surrogate_key(['calls_by_grain.call_id', 'calls_by_grain.period_grain']) }}
            as call_period_id,
        calls_by_grain.call_id,
        calls_by_grain.period_grain,
        calls_by_grain.period_start,
        calls_by_grain.usage_date,
        calls_by_grain.called_at,
        calls_by_grain.logical_request_id,
        calls_by_grain.team,
        calls_by_grain.service,
        calls_by_grain.route,
        calls_by_grain.environment,
        calls_by_grain.provider,
        calls_by_grain.model,
        calls_by_grain.input_tokens,
        calls_by_grain.output_tokens,
        calls_by_grain.is_priced,
        calls_by_grain.price_id,
        calls_by_grain.cost_usd,
        previous_costs.previous_price_id,
        previous_costs.cost_at_previous_prices_usd
    from calls_by_grain
    left join previous_costs
        on
            calls_by_grain.call_id = previous_costs.call_id
            and calls_by_grain.period_grain = previous_costs.period_grain

)

select * from final
