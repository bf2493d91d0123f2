{#
    Fails with every day and ownership field whose coverage rows do not add
    up to that day's calls and cost in fct_llm_calls exactly: each call is
    counted once per field, under one provenance.
#}
with

calls as (

    select
        usage_date,
        count(*) as call_count,
        sum(cost_usd) as cost_usd
    from {{ ref('fct_llm_calls') }}
    group by usage_date

),

coverage as (

    select
        usage_date,
        ownership_field,
        sum(call_count) as call_count,
        sum(cost_usd) as cost_usd
    from {{ ref('fct_llm_attribution_coverage') }}
    group by usage_date, ownership_field

),

fields as (

    select distinct ownership_field from coverage

),

expected as (

    select
        calls.usage_date,
        fields.ownership_field,
        calls.call_count,
        calls.cost_usd
    from calls
    cross join fields

),

mismatches as (

    select
        expected.call_count as calls_call_count,
        coverage.call_count as coverage_call_count,
        expected.cost_usd as calls_cost_usd,
        coverage.cost_usd as coverage_cost_usd,
        coalesce(expected.usage_date, coverage.usage_date) as usage_date,
        coalesce(expected.ownership_field, coverage.ownership_field) as ownership_field
    from expected
    full outer join coverage
        on
            expected.usage_date = coverage.usage_date
            and expected.ownership_field = coverage.ownership_field
    where
        expected.call_count is distinct from coverage.call_count
        or expected.cost_usd is distinct from coverage.cost_usd

)

select * from mismatches
