{#-
    Month-to-date spend against each budget of seeds/team_budgets.csv, a
    forecast to month end and the day the budget runs out (or is projected
    to). The rules are in the model's description (_finops__docs.md,
    finops_budget_status).
-#}
{%- set run_rate_days = var('finops_budget_run_rate_days') | int -%}
with

daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

budgets as (

    select * from {{ ref('team_budgets') }}

),

date_bounds as (

    select
        min(usage_date) as first_usage_date,
        {% if var('finops_as_of_date') -%}
            cast('{{ var("finops_as_of_date") }}' as date) as as_of_date
        {%- else -%}
            max(usage_date) as as_of_date
        {%- endif %}
    from daily

),

run_rate_window as (

    {#- the trailing days the run rate is measured over, within the data -#}
    select
        first_usage_date,
        as_of_date,
        greatest(
            first_usage_date,
            cast({{ dbt.dateadd('day', 1 - run_rate_days, 'as_of_date') }} as date)
        ) as run_rate_from_date
    from date_bounds

),

run_rate_days as (

    select
        *,
        cast(
            {{ dbt.datediff('run_rate_from_date', 'as_of_date', 'day') }}
            + 1 as bigint
        ) as run_rate_days
    from run_rate_window

),

months as (

    {#- every month from the first with calls to the as-of month -#}
    select
        {{ unnest_date_series(
            dbt.date_trunc('month', 'first_usage_date'),
            dbt.date_trunc('month', 'as_of_date'),
            'month'
        ) }} as budget_month
    from date_bounds

),

month_days as (

    select
        budget_month,
        {{ unnest_date_series(
            'budget_month',
            dbt.last_day('budget_month', 'month'),
            'day'
        ) }} as usage_date
    from months

),

budget_months as (

    {#- the months each budget is in effect -#}
    select
        budgets.budget_id,
        budgets.team,
        budgets.service,
        budgets.monthly_budget_usd,
        months.budget_month,
        cast({{ dbt.last_day('months.budget_month', 'month') }} as date) as month_end_date
    from budgets
    inner join months
        on
            (budgets.valid_from is null or budgets.valid_from <= months.budget_month)
            and (budgets.valid_to is null or budgets.valid_to > months.budget_month)

),

scope_daily as (

    select
        usage_date,
        team,
        service,
        cast(sum(unpriced_call_count) as bigint) as unpriced_call_count,
        coalesce(sum(cost_usd), 0) as cost_usd
    from daily
    group by usage_date, team, service

),

budget_days as (

    {#- every day of every budget month, with the spend in the budget's scope -#}
    select
        budget_months.budget_id,
        budget_months.budget_month,
        month_days.usage_date,
        coalesce(sum(scope_daily.unpriced_call_count), 0) as unpriced_call_count,
        coalesce(sum(scope_daily.cost_usd), 0) as cost_usd
    from budget_months
    inner join month_days
        on budget_months.budget_month = month_days.budget_month
    left join scope_daily
        on
            month_days.usage_date = scope_daily.usage_date
            and budget_months.team = scope_daily.team
            and (budget_months.service is null or budget_months.service = scope_daily.service)
    group by budget_months.budget_id, budget_months.budget_month, month_days.usage_date

),

budget_days_cumulative as (

    select
        budget_days.*,
        budget_days.usage_date <= run_rate_days.as_of_date as is_elapsed,
        sum(budget_days.cost_usd) over (
            partition by budget_days.budget_id, budget_days.budget_month
            order by budget_days.usage_date
            rows between unbounded preceding and current row
        ) as cumulative_cost_usd
    from budget_days
    cross join run_rate_days

),

run_rates as (

    {#- each budget's spend over the trailing run-rate days, whatever month -#}
    select
        budgets.budget_id,
        coalesce(sum(scope_daily.cost_usd), 0) as run_rate_cost_usd
    from budgets
    cross join run_rate_days
    left join scope_daily
        on
            budgets.team = scope_daily.team
            and (budgets.service is null or budgets.service = scope_daily.service)
            and run_rate_days.run_rate_from_date <= scope_daily.usage_date
            and run_rate_days.as_of_date >= scope_daily.usage_date
    group by budgets.budget_id

),

month_to_date as (

    select
        budget_id,
        budget_month,
        cast(coalesce(sum(unpriced_call_count) filter (where is_elapsed), 0) as bigint)
            as month_to_date_unpriced_call_count,
        cast(count(*) filter (where is_elapsed) as bigint) as days_elapsed,
        cast(count(*) as bigint) as days_in_month,
        coalesce(sum(cost_usd) filter (where is_elapsed), 0) as month_to_date_cost_usd
    from budget_days_cumulative
    group by budget_id, budget_month

),

statused as (

    select
        budget_months.budget_id,
        budget_months.team,
        budget_months.service,
        budget_months.budget_month,
        budget_months.month_end_date,
        budget_months.monthly_budget_usd,
        month_to_date.days_in_month,
        month_to_date.days_elapsed,
        month_to_date.month_to_date_cost_usd,
        month_to_date.month_to_date_unpriced_call_count,
        run_rate_days.run_rate_days,
        run_rates.run_rate_cost_usd,
        least(budget_months.month_end_date, run_rate_days.as_of_date) as as_of_date,
        run_rate_days.as_of_date >= budget_months.month_end_date as is_month_closed,
        cast(greatest(
            {{ dbt.datediff('run_rate_days.as_of_date', 'budget_months.month_end_date', 'day') }},
            0
        ) as bigint) as days_remaining
    from budget_months
    cross join run_rate_days
    inner join month_to_date
        on
            budget_months.budget_id = month_to_date.budget_id
            and budget_months.budget_month = month_to_date.budget_month
    inner join run_rates
        on budget_months.budget_id = run_rates.budget_id

),

run_out_days as (

    {#- exhausted: the first elapsed day the month's spend reached the budget;
        projected: the first later day of an open month on which month to date
        + run rate x days ahead reaches it, compared multiplied out:
        (mtd - budget) x run_rate_days + run_rate_cost x days_ahead >= 0 -#}
    select
        statused.budget_id,
        statused.budget_month,
        min(budget_days_cumulative.usage_date) filter (
            where budget_days_cumulative.is_elapsed
            and budget_days_cumulative.cumulative_cost_usd >= statused.monthly_budget_usd
        ) as exhausted_on,
        min(budget_days_cumulative.usage_date) filter (
            where not budget_days_cumulative.is_elapsed
            and (statused.month_to_date_cost_usd - statused.monthly_budget_usd)
            * statused.run_rate_days
            + statused.run_rate_cost_usd
            * {{ dbt.datediff('statused.as_of_date', 'budget_days_cumulative.usage_date', 'day') }}
            >= 0
        ) as first_projected_run_out_on
    from statused
    inner join budget_days_cumulative
        on
            statused.budget_id = budget_days_cumulative.budget_id
            and statused.budget_month = budget_days_cumulative.budget_month
    group by statused.budget_id, statused.budget_month

),

forecast as (

    {#- forecast: month to date + run-rate spend x days remaining / run-rate days -#}
    select
        statused.*,
        run_out_days.exhausted_on,
        {{ allocate_share('statused.run_rate_cost_usd', 1, 'statused.run_rate_days') }}
            as run_rate_usd_per_day,
        statused.month_to_date_cost_usd
        + {{ allocate_share(
            'statused.run_rate_cost_usd', 'statused.days_remaining', 'statused.run_rate_days'
        ) }} as forecast_month_end_cost_usd,
        case
            when run_out_days.exhausted_on is null
                then run_out_days.first_projected_run_out_on
        end as projected_run_out_on
    from statused
    inner join run_out_days
        on
            statused.budget_id = run_out_days.budget_id
            and statused.budget_month = run_out_days.budget_month

),

final as (

    select
        {{ surrogate_key(['budget_id', 'budget_month']) }} as budget_status_id,
        budget_id,
        team,
        service,
        budget_month,
        monthly_budget_usd,
        as_of_date,
        is_month_closed,
        days_in_month,
        days_elapsed,
        month_to_date_cost_usd,
        month_to_date_unpriced_call_count,
        exhausted_on,
        projected_run_out_on,
        forecast_month_end_cost_usd,
        monthly_budget_usd - month_to_date_cost_usd as budget_remaining_usd,
        cast(
            month_to_date_cost_usd * 100 / nullif(monthly_budget_usd, 0) as decimal(18, 2)
        ) as budget_used_pct,
        case when not is_month_closed then run_rate_days end as run_rate_days,
        case when not is_month_closed then run_rate_cost_usd end as run_rate_cost_usd,
        case when not is_month_closed then run_rate_usd_per_day end as run_rate_usd_per_day,
        forecast_month_end_cost_usd - monthly_budget_usd as forecast_over_budget_usd,
        case
            when exhausted_on is not null then 'exhausted'
            when projected_run_out_on is not null then 'projected_to_run_out'
            else 'within_budget'
        end as budget_status
    from forecast

)

select * from final
