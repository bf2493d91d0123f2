{#-
    The daily mart's cells summed by month and by week, once per dimension
    the change drivers break a change down by (fct_llm_cost_change_drivers):
    every group's period totals and the routes and models it called are read
    from here. A table of its own so that Spark plans the change drivers
    from a few thousand rows instead of inlining this fan-out at each of the
    mart's references to it (docs/benchmarks.md, Spark).
-#}
{%- set dimensions = {
    'total': "'all'",
    'team': 'team',
    'service': 'service',
    'route': 'route',
    'model': "provider || '/' || model",
} -%}
with

daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

period_grains as (

    select 'month' as period_grain
    union all
    select 'week' as period_grain

),

day_periods as (

    {#- every day cell once per period grain: its period, and its cost at the
        previous period's prices -#}
    select
        period_grains.period_grain,
        case
            when period_grains.period_grain = 'month'
                then cast({{ dbt.date_trunc('month', 'daily.usage_date') }} as date)
            else cast({{ dbt.date_trunc('week', 'daily.usage_date') }} as date)
        end as period_start,
        daily.team,
        daily.service,
        daily.route,
        daily.provider,
        daily.model,
        daily.call_count,
        daily.call_count - daily.unpriced_call_count as priced_call_count,
        daily.input_tokens,
        daily.output_tokens,
        daily.cost_usd,
        case
            when period_grains.period_grain = 'month' then daily.cost_at_previous_month_prices_usd
            else daily.cost_at_previous_week_prices_usd
        end as cost_at_previous_prices_usd
    from daily
    cross join period_grains

),

dimension_days as (

    {#- each day cell once per dimension it is reported by -#}
    {% for dimension, value in dimensions.items() %}
        select
            period_grain,
            period_start,
            '{{ dimension }}' as dimension,
            {{ value }} as dimension_value,
            route,
            provider || '/' || model as model_key,
            call_count,
            priced_call_count,
            input_tokens,
            output_tokens,
            cost_usd,
            cost_at_previous_prices_usd
        from day_periods
        {{ "union all" if not loop.last }}
    {% endfor %}

),

period_cells as (

    select
        {{ surrogate_key([
            'period_grain', 'period_start', 'dimension', 'dimension_value', 'route', 'model_key'
        ]) }} as period_cell_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        route,
        model_key,
        cast(sum(call_count) as bigint) as call_count,
        cast(sum(priced_call_count) as bigint) as priced_call_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        coalesce(sum(cost_usd), 0) as cost_usd,
        coalesce(sum(cost_at_previous_prices_usd), 0) as cost_at_previous_prices_usd
    from dimension_days
    group by period_grain, period_start, dimension, dimension_value, route, model_key

)

select * from period_cells
