{#
    Fails when fct_llm_cost_spikes (per day and dimension) or
    fct_llm_route_unit_costs (per month) loses or invents calls or money:
    their totals must equal those of fct_llm_calls exactly.
#}
with

calls as (

    select
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        cost_usd
    from {{ ref('fct_llm_calls') }}

),

calls_by_day as (

    select
        usage_date,
        count(*) as call_count,
        coalesce(sum(cost_usd), 0) as cost_usd
    from calls
    group by usage_date

),

calls_by_month as (

    select
        usage_month,
        count(*) as call_count,
        coalesce(sum(cost_usd), 0) as cost_usd
    from calls
    group by usage_month

),

spikes_by_day as (

    select
        usage_date,
        dimension,
        sum(call_count) as call_count,
        sum(cost_usd) as cost_usd
    from {{ ref('fct_llm_cost_spikes') }}
    group by usage_date, dimension

),

unit_costs_by_month as (

    select
        usage_month,
        sum(call_count) as call_count,
        sum(cost_usd) as cost_usd
    from {{ ref('fct_llm_route_unit_costs') }}
    group by usage_month

),

spike_dimensions as (

    select distinct dimension from spikes_by_day

),

untied_spike_days as (

    select
        calls_by_day.usage_date as period_start,
        calls_by_day.call_count as expected_call_count,
        spikes_by_day.call_count as actual_call_count,
        calls_by_day.cost_usd as expected_cost_usd,
        spikes_by_day.cost_usd as actual_cost_usd,
        'fct_llm_cost_spikes ' || spike_dimensions.dimension as mart
    from calls_by_day
    cross join spike_dimensions
    left join spikes_by_day
        on
            calls_by_day.usage_date = spikes_by_day.usage_date
            and spike_dimensions.dimension = spikes_by_day.dimension
    where
        spikes_by_day.call_count is distinct from calls_by_day.call_count
        or spikes_by_day.cost_usd is distinct from calls_by_day.cost_usd

),

untied_unit_cost_months as (

    select
        calls_by_month.usage_month as period_start,
        calls_by_month.call_count as expected_call_count,
        unit_costs_by_month.call_count as actual_call_count,
        calls_by_month.cost_usd as expected_cost_usd,
        unit_costs_by_month.cost_usd as actual_cost_usd,
        'fct_llm_route_unit_costs' as mart
    from calls_by_month
    left join unit_costs_by_month
        on calls_by_month.usage_month = unit_costs_by_month.usage_month
    where
        unit_costs_by_month.call_count is distinct from calls_by_month.call_count
        or unit_costs_by_month.cost_usd is distinct from calls_by_month.cost_usd

)

select * from untied_spike_days
union all
select * from untied_unit_cost_months
