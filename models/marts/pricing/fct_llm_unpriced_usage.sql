{#-
    Usage the price book could not price, grouped by what would have to be
    added to price it: the reported model id (with what it resolved to), the
    endpoint scope and service tier, and the reason. Never $0: the tokens are
    listed with first and last sighting, and `estimated_cost_usd` says what
    they would cost at the provider's typical list price.
-#}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

unpriced_calls as (

    select * from calls
    where not is_priced

),

standard_prices as (

    select * from prices
    where service_tier = 'standard'

),

provider_typical_prices as (

    select
        provider,
        cast(percentile_disc(0.5) within group (order by input_usd_per_mtok) as decimal(18, 6))
            as input_usd_per_mtok,
        cast(percentile_disc(0.5) within group (order by output_usd_per_mtok) as decimal(18, 6))
            as output_usd_per_mtok
    from standard_prices
    group by provider

),

book_typical_prices as (

    {#- cast back to the price book's type: Spark's percentile_disc returns a double -#}
    select
        cast(percentile_disc(0.5) within group (order by input_usd_per_mtok) as decimal(18, 6))
            as input_usd_per_mtok,
        cast(percentile_disc(0.5) within group (order by output_usd_per_mtok) as decimal(18, 6))
            as output_usd_per_mtok
    from standard_prices

),

grouped as (

    select
        provider,
        reported_model,
        model,
        endpoint_scope,
        service_tier,
        unpriced_reason,
        cast(count(*) as bigint) as call_count,
        cast(count(distinct team) as bigint) as team_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(uncached_input_tokens) as bigint) as uncached_input_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_write_tokens) as bigint) as cache_write_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        min(called_at) as first_seen_at,
        max(called_at) as last_seen_at
    from unpriced_calls
    group by provider, reported_model, model, endpoint_scope, service_tier, unpriced_reason

),

estimated as (

    select
        {{ surrogate_key([
            'grouped.provider', 'grouped.reported_model', 'grouped.endpoint_scope',
            'grouped.service_tier', 'grouped.unpriced_reason'
        ]) }} as unpriced_usage_id,
        grouped.*,
        {{ token_cost(
            'grouped.input_tokens',
            'coalesce(provider_typical_prices.input_usd_per_mtok, book_typical_prices.input_usd_per_mtok)'
        ) }}
        + {{ token_cost(
            'grouped.output_tokens',
            'coalesce(provider_typical_prices.output_usd_per_mtok, book_typical_prices.output_usd_per_mtok)'
        ) }} as estimated_cost_usd
    from grouped
    cross join book_typical_prices
    left join provider_typical_prices
        on grouped.provider = provider_typical_prices.provider

)

select * from estimated
