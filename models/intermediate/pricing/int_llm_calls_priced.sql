{#-
    Billed calls with the reported model id resolved to a price-book model
    and endpoint scope, joined to the price row in effect at the call's timestamp
    (effective_from inclusive, effective_to exclusive) for its provider,
    model and endpoint scope, with the cost of each token bucket. A bucket
    without a price of its own (e.g. cache writes at OpenAI) is billed at the
    uncached input price. Calls with no price row keep null costs.
-#}
with

calls as (

    select * from {{ ref('int_llm_calls_attributed') }}

),

providers as (

    select * from {{ ref('llm_providers') }}

),

model_aliases as (

    select * from {{ ref('llm_model_aliases') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

calls_resolved as (

    select
        calls.*,
        coalesce(model_aliases.model, lower(trim(calls.model_raw))) as model,
        coalesce(model_aliases.endpoint_scope, providers.default_endpoint_scope)
            as endpoint_scope
    from calls
    inner join providers
        on calls.provider = providers.provider
    left join model_aliases
        on
            calls.provider = model_aliases.provider
            and lower(trim(calls.model_raw)) = model_aliases.model_alias

),

calls_with_price as (

    select
        calls.*,
        prices.price_id,
        prices.input_usd_per_mtok,
        prices.output_usd_per_mtok,
        coalesce(prices.cache_read_usd_per_mtok, prices.input_usd_per_mtok)
            as cache_read_usd_per_mtok,
        coalesce(prices.cache_write_usd_per_mtok, prices.input_usd_per_mtok)
            as cache_write_usd_per_mtok
    from calls_resolved as calls
    left join prices
        on
            calls.provider = prices.provider
            and calls.model = prices.model
            and calls.endpoint_scope = prices.endpoint_scope
            and calls.called_at
            >= coalesce(cast(prices.effective_from as timestamp), cast('-infinity' as timestamp))
            and calls.called_at
            < coalesce(cast(prices.effective_to as timestamp), cast('infinity' as timestamp))

),

costed as (

    select
        *,
        {{ token_cost('uncached_input_tokens', 'input_usd_per_mtok') }} as input_cost_usd,
        {{ token_cost('cache_read_tokens', 'cache_read_usd_per_mtok') }} as cache_read_cost_usd,
        {{ token_cost('cache_write_tokens', 'cache_write_usd_per_mtok') }} as cache_write_cost_usd,
        {{ token_cost('output_tokens', 'output_usd_per_mtok') }} as output_cost_usd,
        price_id is not null as is_priced
    from calls_with_price

),

totalled as (

    select
        *,
        input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd
            as cost_usd
    from costed

)

select * from totalled
