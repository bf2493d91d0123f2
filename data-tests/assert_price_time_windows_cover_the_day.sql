{#
    Fails with every provider, model, endpoint scope, service tier and
    period whose daily UTC windows do not add up to exactly one day: with
    the overlap test this means every second of the day has one price.
    Windows of one key must therefore share their periods.
#}
with

price_windows as (

    select * from {{ ref('int_llm_price_windows') }}

),

coverage as (

    select
        provider,
        model,
        endpoint_scope,
        service_tier,
        valid_from,
        valid_to,
        sum(segment_end_second - segment_start_second) as covered_seconds
    from price_windows
    group by provider, model, endpoint_scope, service_tier, valid_from, valid_to

)

select *
from coverage
where covered_seconds != 86400
