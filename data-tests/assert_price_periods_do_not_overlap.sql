{#
    Fails with every pair of price rows for the same provider, model,
    endpoint scope and service tier whose half-open periods
    [effective_from, effective_to) and daily UTC windows overlap: with two
    prices in effect at once a call's cost is ambiguous.
#}
with

price_windows as (

    select * from {{ ref('int_llm_price_windows') }}

),

overlapping_pairs as (

    select
        earlier.price_id,
        later.price_id as overlapping_price_id,
        earlier.provider,
        earlier.model,
        earlier.endpoint_scope,
        earlier.service_tier
    from price_windows as earlier
    inner join price_windows as later
        on
            earlier.provider = later.provider
            and earlier.model = later.model
            and earlier.endpoint_scope = later.endpoint_scope
            and earlier.service_tier = later.service_tier
            and earlier.price_id < later.price_id
            and earlier.valid_from < later.valid_to
            and earlier.valid_to > later.valid_from
            and earlier.segment_start_second < later.segment_end_second
            and earlier.segment_end_second > later.segment_start_second

)

select distinct * from overlapping_pairs
