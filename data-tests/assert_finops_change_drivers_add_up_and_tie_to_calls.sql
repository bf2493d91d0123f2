{#
    Fails with every change-driver row whose volume, mix and price effects
    do not add up to its cost change exactly, and with every period grain,
    period and dimension whose current cost does not equal the period's cost
    in fct_llm_calls exactly.
#}
with

drivers as (

    select * from {{ ref('fct_llm_cost_change_drivers') }}

),

calls as (

    select
        usage_date,
        cost_usd
    from {{ ref('fct_llm_calls') }}

),

unbalanced_rows as (

    select
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cost_delta_usd as expected_usd,
        volume_effect_usd + mix_effect_usd + price_effect_usd as actual_usd,
        'volume + mix + price != delta' as problem
    from drivers
    where
        volume_effect_usd + mix_effect_usd + price_effect_usd != cost_delta_usd
        or cost_usd - previous_cost_usd != cost_delta_usd

),

calls_by_period as (

    select
        'month' as period_grain,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as period_start,
        coalesce(sum(cost_usd), 0) as cost_usd
    from calls
    group by cast({{ dbt.date_trunc('month', 'usage_date') }} as date)
    union all
    select
        'week' as period_grain,
        cast({{ dbt.date_trunc('week', 'usage_date') }} as date) as period_start,
        coalesce(sum(cost_usd), 0) as cost_usd
    from calls
    group by cast({{ dbt.date_trunc('week', 'usage_date') }} as date)

),

drivers_by_period as (

    select
        period_grain,
        period_start,
        dimension,
        sum(cost_usd) as cost_usd
    from drivers
    where cost_usd != 0 or call_count > 0
    group by period_grain, period_start, dimension

),

untied_periods as (

    select
        calls_by_period.period_grain,
        calls_by_period.period_start,
        drivers_by_period.dimension,
        cast(null as varchar) as dimension_value,
        calls_by_period.cost_usd as expected_usd,
        drivers_by_period.cost_usd as actual_usd,
        'period cost != fct_llm_calls' as problem
    from calls_by_period
    left join drivers_by_period
        on
            calls_by_period.period_grain = drivers_by_period.period_grain
            and calls_by_period.period_start = drivers_by_period.period_start
    where drivers_by_period.cost_usd is distinct from calls_by_period.cost_usd

)

select * from unbalanced_rows
union all
select * from untied_periods
