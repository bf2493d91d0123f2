{#-
    Billed calls with their price. The model comes from the resolved model
    id; the endpoint scope from a deployment seed or the id (Bedrock
    `global.` and geo prefixes), else the provider default; the service tier
    from telemetry, else the provider default. The price row is the one for
    that provider, model, scope and tier whose period (effective_from
    inclusive, effective_to exclusive) and daily UTC window contain the
    call's timestamp. A call above the row's long-context threshold has every
    bucket priced at the long-context prices; a cache bucket without a price
    of its own is billed at the (long-context) input price (these rules:
    macros/cost/price_row.sql). Each priced call is also costed at the rows
    of its key in effect one calendar month and seven days earlier (its own
    cost when the key had no row then). Calls with no price row keep null
    costs and say why in `unpriced_reason`. Every join is
    a left join: no call is dropped here (a call without a resolved model or
    known provider fails the not_null tests of fct_llm_calls instead).

    A view: pricing is a cheap join recomputed by every build, so a price
    correction reaches every historical call, and only fct_llm_calls stores
    the priced rows (materialising both doubled the write time).
-#}
{{ config(materialized='view') }}
with

calls as (

    select * from {{ ref('int_llm_calls_attributed') }}

),

model_ids as (

    select * from {{ ref('int_llm_model_ids_resolved') }}

),

providers as (

    select * from {{ ref('llm_providers') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

price_keys as (

    select distinct
        provider,
        model,
        endpoint_scope,
        service_tier
    from prices

),

calls_resolved as (

    select
        calls.*,
        model_ids.model,
        model_ids.resolution_rule as model_resolution_rule,
        model_ids.is_resolved as is_model_resolved,
        coalesce(model_ids.id_endpoint_scope, providers.default_endpoint_scope)
            as endpoint_scope,
        {{ normalized_service_tier('calls.service_tier_raw', 'providers.default_service_tier') }}
            as service_tier
    from calls
    left join model_ids
        on
            calls.provider = model_ids.provider
            and calls.model_raw = model_ids.model_raw
    left join providers
        on calls.provider = providers.provider

),

calls_with_price as (

    {#- the price rules are in macros/cost/price_row.sql; every call is also
        costed at the rows in effect one calendar month and seven days
        earlier (the price effect of fct_llm_cost_change_drivers) -#}
    select
        calls.*,
        prices.price_id,
        prices.request_fee_usd,
        {{ is_long_context_call('prices', 'calls.input_tokens') }} as is_long_context,
        {{ price_bucket_rate('prices', 'input', 'calls.input_tokens') }} as input_rate,
        {{ price_bucket_rate('prices', 'cache_read', 'calls.input_tokens') }} as cache_read_rate,
        {{ price_bucket_rate('prices', 'cache_write_5m', 'calls.input_tokens') }}
            as cache_write_5m_rate,
        {{ price_bucket_rate('prices', 'cache_write_1h', 'calls.input_tokens') }}
            as cache_write_1h_rate,
        {{ price_bucket_rate('prices', 'output', 'calls.input_tokens') }} as output_rate,
        price_keys.model is not null as has_price_for_scope_and_tier,
        {{ cost_at_price_row('month_before_prices', 'calls') }} as month_before_row_cost_usd,
        {{ cost_at_price_row('week_before_prices', 'calls') }} as week_before_row_cost_usd
    from calls_resolved as calls
    left join price_keys
        on
            calls.provider = price_keys.provider
            and calls.model = price_keys.model
            and calls.endpoint_scope = price_keys.endpoint_scope
            and calls.service_tier = price_keys.service_tier
    left join prices
        on {{ price_row_in_effect('prices', 'calls', 'calls.called_at') }}
    left join prices as month_before_prices
        on {{ price_row_in_effect(
            'month_before_prices', 'calls', "calls.called_at - interval '1' month"
        ) }}
    left join prices as week_before_prices
        on {{ price_row_in_effect(
            'week_before_prices', 'calls', "calls.called_at - interval '7' day"
        ) }}

),

costed as (

    select
        *,
        {{ token_cost('uncached_input_tokens', 'input_rate') }} as input_cost_usd,
        {{ token_cost('cache_read_tokens', 'cache_read_rate') }} as cache_read_cost_usd,
        {{ token_cost('cache_write_5m_tokens', 'cache_write_5m_rate') }} as cache_write_5m_cost_usd,
        {{ token_cost('cache_write_1h_tokens', 'cache_write_1h_rate') }} as cache_write_1h_cost_usd,
        {{ token_cost('output_tokens', 'output_rate') }} as output_cost_usd,
        case
            when price_id is not null then cast(coalesce(request_fee_usd, 0) as decimal(38, 12))
        end as request_cost_usd,
        price_id is not null as is_priced
    from calls_with_price

),

totalled as (

    select
        *,
        cache_write_5m_cost_usd + cache_write_1h_cost_usd as cache_write_cost_usd,
        input_cost_usd
        + cache_read_cost_usd
        + cache_write_5m_cost_usd
        + cache_write_1h_cost_usd
        + output_cost_usd
        + request_cost_usd as cost_usd,
        case
            when is_priced then null
            when not is_model_resolved then 'unresolved_model'
            when not has_price_for_scope_and_tier then 'no_price_for_endpoint_scope_or_tier'
            else 'no_price_in_effect_at_call_time'
        end as unpriced_reason
    from costed

),

final as (

    {#- a priced call whose key had no row a period earlier keeps its own cost -#}
    select
        *,
        case
            when is_priced then coalesce(month_before_row_cost_usd, cost_usd)
        end as cost_at_previous_month_prices_usd,
        case
            when is_priced then coalesce(week_before_row_cost_usd, cost_usd)
        end as cost_at_previous_week_prices_usd
    from totalled

)

select * from final
