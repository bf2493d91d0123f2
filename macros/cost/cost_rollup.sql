{#
    Daily cost rolled up from fct_llm_cost_daily to one dimension
    (team, service, route or environment): the body of the fct_llm_cost_by_*
    views, which differ only in the dimension they keep.
#}
{% macro cost_rollup(dimension) %}
with

cost_daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

rolled_up as (

    select
        {{ surrogate_key(['usage_date', dimension]) }} as cost_id,
        usage_date,
        {{ dimension }},
        cast(sum(call_count) as bigint) as call_count,
        cast(sum(unpriced_call_count) as bigint) as unpriced_call_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        sum(cost_usd) as cost_usd
    from cost_daily
    group by usage_date, {{ dimension }}

)

select * from rolled_up
{% endmacro %}
