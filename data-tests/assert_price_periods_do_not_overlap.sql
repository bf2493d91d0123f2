{#
    Fails with every pair of price rows for the same provider, model and
    endpoint scope whose half-open periods [effective_from, effective_to)
    overlap: with two prices in effect at once a call's cost is ambiguous.
#}
with

prices as (

    select
        price_id,
        provider,
        model,
        endpoint_scope,
        coalesce(cast(effective_from as timestamp), cast('-infinity' as timestamp)) as valid_from,
        coalesce(cast(effective_to as timestamp), cast('infinity' as timestamp)) as valid_to
    from {{ ref('llm_prices') }}

),

overlapping_pairs as (

    select
        earlier.price_id,
        later.price_id as overlapping_price_id,
        earlier.provider,
        earlier.model,
        earlier.endpoint_scope
    from prices as earlier
    inner join prices as later
        on
            earlier.provider = later.provider
            and earlier.model = later.model
            and earlier.endpoint_scope = later.endpoint_scope
            and earlier.price_id < later.price_id
            and earlier.valid_from < later.valid_to
            and earlier.valid_to > later.valid_from

)

select * from overlapping_pairs
