{#-
    MetricFlow's time spine (time_spine: in _cost__models.yml): one row per
    day from the first to the last usage date of fct_llm_cost_daily, so that
    metrics can be queried by day, week, month, quarter or year, with days
    without calls present.
-#}
with

daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

bounds as (

    select
        min(usage_date) as first_date,
        max(usage_date) as last_date
    from daily

),

days as (

    select
        {{ unnest_date_series(
            'first_date',
            'last_date',
            'day'
        ) }} as date_day
    from bounds
    where first_date is not null

)

select * from days
