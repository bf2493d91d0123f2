{#-
    The daily mart's cells without the environment, once per dimension the
    spikes watch (var `finops_spike_dimensions`), by route and model
    (fct_llm_cost_spikes): every group's daily totals and the routes and
    models it called each day are read from here. A table of its own so
    that Spark plans the spikes from these rows instead of inlining this
    fan-out at each of the mart's references to it (docs/benchmarks.md,
    Spark).
-#}
{%- set dimensions = var('finops_spike_dimensions') -%}
with

daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

dimension_days as (

    {#- each daily cell once per dimension watched -#}
    {% for dimension in dimensions %}
        select
            usage_date,
            '{{ dimension }}' as dimension,
            {{ dimension }} as dimension_value,
            route,
            provider || '/' || model as model_key,
            call_count,
            call_count - unpriced_call_count as priced_call_count,
            input_tokens + output_tokens as tokens,
            cost_usd
        from daily
        {{ "union all" if not loop.last }}
    {% endfor %}

),

day_cells as (

    select
        {{ surrogate_key(['usage_date', 'dimension', 'dimension_value', 'route', 'model_key']) }}
            as day_cell_id,
        usage_date,
        dimension,
        dimension_value,
        route,
        model_key,
        cast(sum(call_count) as bigint) as call_count,
        cast(sum(priced_call_count) as bigint) as priced_call_count,
        cast(sum(tokens) as bigint) as tokens,
        coalesce(sum(cost_usd), 0) as cost_usd
    from dimension_days
    group by usage_date, dimension, dimension_value, route, model_key

)

select * from day_cells
