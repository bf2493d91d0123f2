{#
    Fails with every price row that is followed, for the same provider,
    model, endpoint scope, service tier and daily window, by a row that does
    not start where it ends: a model's history must be continuous (a gap
    would leave its calls unpriced for a while). A closed last row is
    allowed: the model was retired.
#}
with

prices as (

    select * from {{ ref('llm_prices') }}

),

successions as (

    select
        price_id,
        provider,
        model,
        endpoint_scope,
        service_tier,
        utc_time_from,
        effective_to,
        lead(price_id) over price_history as next_price_id,
        lead(effective_from) over price_history as next_effective_from
    from prices
    window price_history as (
        partition by provider, model, endpoint_scope, service_tier, utc_time_from
        order by coalesce(effective_from, cast('-infinity' as timestamp))
    )

),

gaps as (

    select *
    from successions
    where
        next_price_id is not null
        and effective_to is distinct from next_effective_from

)

select * from gaps
