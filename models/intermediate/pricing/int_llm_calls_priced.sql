{#-
    Billed calls with their price. The model comes from the resolved model
    id; the endpoint scope from a deployment seed or the id (Bedrock
    `global.` and geo prefixes), else the provider default; the service tier
    from telemetry, else the provider default. The price row is the one for
    that provider, model, scope and tier whose period (effective_from
    inclusive, effective_to exclusive) and daily UTC window contain the
    call's timestamp. A call above the row's long-context threshold has every
    bucket priced at the long-context prices; a cache bucket without a price
    of its own is billed at the (long-context) input price. Calls with no
    price row keep null costs and say why in `unpriced_reason`. Every join is
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

    select
        calls.*,
        prices.price_id,
        prices.input_usd_per_mtok,
        prices.output_usd_per_mtok,
        prices.cache_read_usd_per_mtok,
        prices.cache_write_5m_usd_per_mtok,
        prices.cache_write_1h_usd_per_mtok,
        prices.request_fee_usd,
        prices.long_context_input_usd_per_mtok,
        prices.long_context_output_usd_per_mtok,
        prices.long_context_cache_read_usd_per_mtok,
        prices.long_context_cache_write_5m_usd_per_mtok,
        prices.long_context_cache_write_1h_usd_per_mtok,
        coalesce(
            prices.long_context_rule = 'all_input_above_threshold_whole_call'
            and calls.input_tokens > prices.long_context_threshold_tokens,
            false
        ) as is_long_context,
        price_keys.model is not null as has_price_for_scope_and_tier
    from calls_resolved as calls
    left join price_keys
        on
            calls.provider = price_keys.provider
            and calls.model = price_keys.model
            and calls.endpoint_scope = price_keys.endpoint_scope
            and calls.service_tier = price_keys.service_tier
    left join prices
        on
            calls.provider = prices.provider
            and calls.model = prices.model
            and calls.endpoint_scope = prices.endpoint_scope
            and calls.service_tier = prices.service_tier
            and calls.called_at
            >= coalesce(prices.effective_from, cast('-infinity' as timestamp))
            and calls.called_at
            < coalesce(prices.effective_to, cast('infinity' as timestamp))
            and {{ is_within_utc_time_window(
                'calls.called_at', 'prices.utc_time_from', 'prices.utc_time_to'
            ) }}

),

tier_prices as (

    select
        *,
        case
            when is_long_context then long_context_input_usd_per_mtok
            else input_usd_per_mtok
        end as tier_input_usd_per_mtok,
        case
            when is_long_context then long_context_cache_read_usd_per_mtok
            else cache_read_usd_per_mtok
        end as tier_cache_read_usd_per_mtok,
        case
            when is_long_context then long_context_cache_write_5m_usd_per_mtok
            else cache_write_5m_usd_per_mtok
        end as tier_cache_write_5m_usd_per_mtok,
        case
            when is_long_context then long_context_cache_write_1h_usd_per_mtok
            else cache_write_1h_usd_per_mtok
        end as tier_cache_write_1h_usd_per_mtok,
        case
            when is_long_context then long_context_output_usd_per_mtok
            else output_usd_per_mtok
        end as tier_output_usd_per_mtok
    from calls_with_price

),

bucket_rates as (

    select
        *,
        tier_input_usd_per_mtok as input_rate,
        tier_output_usd_per_mtok as output_rate,
        {# a cache bucket without a price of its own is billed at the input price #}
        coalesce(tier_cache_read_usd_per_mtok, tier_input_usd_per_mtok) as cache_read_rate,
        coalesce(tier_cache_write_5m_usd_per_mtok, tier_input_usd_per_mtok) as cache_write_5m_rate,
        coalesce(tier_cache_write_1h_usd_per_mtok, tier_input_usd_per_mtok) as cache_write_1h_rate
    from tier_prices

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
    from bucket_rates

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

)

select * from totalled
