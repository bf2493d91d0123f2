{#-
    Daily cost per team, service and route against a robust trailing
    baseline: the median and the median absolute deviation (MAD) of the
    group's daily cost over the `finops_spike_baseline_days` days before
    (days without calls count as $0, from the group's first day with calls
    on). The rule and the driver are in the model's description
    (_finops__docs.md, finops_cost_spikes). The daily cells of each
    dimension watched come from int_llm_cost_day_cells.

    The medians are written out, the same on every engine: each active day
    is joined to its baseline days, their values numbered in order, and the
    median read from the two middle ones (decimal_median: exactly DuckDB's
    median; Spark's is a double); the MAD is the median of the absolute
    deviations from that median, found the same way.
-#}
{%- set baseline_days = var('finops_spike_baseline_days') | int -%}
with

day_cells as (

    select * from {{ ref('int_llm_cost_day_cells') }}

),

group_days as (

    select
        usage_date,
        dimension,
        dimension_value,
        cast(sum(call_count) as bigint) as call_count,
        cast(sum(priced_call_count) as bigint) as priced_call_count,
        cast(sum(tokens) as bigint) as tokens,
        sum(cost_usd) as cost_usd
    from day_cells
    group by usage_date, dimension, dimension_value

),

group_first_days as (

    select
        dimension,
        dimension_value,
        min(usage_date) as first_usage_date
    from group_days
    group by dimension, dimension_value

),

date_bounds as (

    select
        min(usage_date) as first_usage_date,
        max(usage_date) as last_usage_date
    from day_cells

),

calendar as (

    {#- every day from the first to the last day with calls -#}
    select
        {{ unnest_date_series(
            'first_usage_date',
            'last_usage_date',
            'day'
        ) }} as usage_date
    from date_bounds

),

group_calendar as (

    {#- each group's days from its first day with calls, zero-filled -#}
    select
        calendar.usage_date,
        group_first_days.dimension,
        group_first_days.dimension_value,
        coalesce(group_days.call_count, 0) as call_count,
        coalesce(group_days.priced_call_count, 0) as priced_call_count,
        coalesce(group_days.tokens, 0) as tokens,
        coalesce(group_days.cost_usd, 0) as cost_usd
    from group_first_days
    inner join calendar
        on group_first_days.first_usage_date <= calendar.usage_date
    left join group_days
        on
            calendar.usage_date = group_days.usage_date
            and group_first_days.dimension = group_days.dimension
            and group_first_days.dimension_value = group_days.dimension_value

),

baselines as (

    select
        *,
        count(*) over baseline_window as baseline_days,
        sum(cost_usd) over baseline_window as baseline_cost_usd,
        sum(priced_call_count) over baseline_window as baseline_priced_call_count,
        sum(call_count) over baseline_window as baseline_call_count,
        sum(tokens) over baseline_window as baseline_tokens
    from group_calendar
    window baseline_window as (
        partition by dimension, dimension_value
        order by usage_date
        rows between {{ baseline_days }} preceding and 1 preceding
    )

),

active_days as (

    select * from baselines
    where call_count > 0

),

baseline_day_values as (

    {#- each active day's baseline days (the group's calendar days in the
        window, one row a day), numbered by cost and by priced calls -#}
    select
        active_days.usage_date,
        active_days.dimension,
        active_days.dimension_value,
        baseline_calendar.cost_usd,
        baseline_calendar.priced_call_count,
        count(*) over baseline_day as value_count,
        row_number() over (
            partition by active_days.usage_date, active_days.dimension, active_days.dimension_value
            order by baseline_calendar.cost_usd
        ) as cost_position,
        row_number() over (
            partition by active_days.usage_date, active_days.dimension, active_days.dimension_value
            order by baseline_calendar.priced_call_count
        ) as priced_call_count_position
    from active_days
    inner join group_calendar as baseline_calendar
        on
            active_days.dimension = baseline_calendar.dimension
            and active_days.dimension_value = baseline_calendar.dimension_value
            and active_days.usage_date > baseline_calendar.usage_date
            and baseline_calendar.usage_date
            >= {{ dbt.dateadd('day', -baseline_days, 'active_days.usage_date') }}
    window baseline_day as (
        partition by active_days.usage_date, active_days.dimension, active_days.dimension_value
    )

),

baseline_middle_values as (

    {#- the two middle values of each sorted baseline (the same one for an
        odd count of days) -#}
    select
        usage_date,
        dimension,
        dimension_value,
        max(case
            when cost_position = {{ integer_divide('value_count + 1', 2) }} then cost_usd
        end) as lower_middle_cost_usd,
        max(case
            when cost_position = {{ integer_divide('value_count', 2) }} + 1 then cost_usd
        end) as upper_middle_cost_usd,
        max(case
            when priced_call_count_position = {{ integer_divide('value_count + 1', 2) }}
                then priced_call_count
        end) as lower_middle_priced_call_count,
        max(case
            when priced_call_count_position = {{ integer_divide('value_count', 2) }} + 1
                then priced_call_count
        end) as upper_middle_priced_call_count
    from baseline_day_values
    group by usage_date, dimension, dimension_value

),

baseline_medians as (

    {#- medians as DuckDB's median gives them: of the costs a decimal, of the
        priced calls a double, halfway between the middle values -#}
    select
        usage_date,
        dimension,
        dimension_value,
        {{ decimal_median('lower_middle_cost_usd', 'upper_middle_cost_usd', 12) }}
            as baseline_median_cost_usd,
        cast(lower_middle_priced_call_count as double)
        + (
            cast(upper_middle_priced_call_count as double)
            - cast(lower_middle_priced_call_count as double)
        )
        * 0.5 as baseline_median_priced_call_count
    from baseline_middle_values

),

baseline_deviations as (

    {#- each baseline day's absolute deviation from the median, numbered -#}
    select
        baseline_day_values.usage_date,
        baseline_day_values.dimension,
        baseline_day_values.dimension_value,
        baseline_day_values.value_count,
        abs(baseline_day_values.cost_usd - baseline_medians.baseline_median_cost_usd)
            as absolute_deviation_usd,
        row_number() over (
            partition by
                baseline_day_values.usage_date,
                baseline_day_values.dimension,
                baseline_day_values.dimension_value
            order by abs(baseline_day_values.cost_usd - baseline_medians.baseline_median_cost_usd)
        ) as deviation_position
    from baseline_day_values
    inner join baseline_medians
        on
            baseline_day_values.usage_date = baseline_medians.usage_date
            and baseline_day_values.dimension = baseline_medians.dimension
            and baseline_day_values.dimension_value = baseline_medians.dimension_value

),

baseline_middle_deviations as (

    {#- the two middle absolute deviations, and their mean -#}
    select
        usage_date,
        dimension,
        dimension_value,
        max(case
            when deviation_position = {{ integer_divide('value_count + 1', 2) }}
                then absolute_deviation_usd
        end) as lower_middle_deviation_usd,
        max(case
            when deviation_position = {{ integer_divide('value_count', 2) }} + 1
                then absolute_deviation_usd
        end) as upper_middle_deviation_usd,
        {{ allocate_share('sum(absolute_deviation_usd)', 1, 'count(*)') }}
            as mean_abs_deviation_usd
    from baseline_deviations
    group by usage_date, dimension, dimension_value

),

baseline_mads as (

    {#- the median absolute deviation (MAD) -#}
    select
        usage_date,
        dimension,
        dimension_value,
        mean_abs_deviation_usd,
        {{ decimal_median('lower_middle_deviation_usd', 'upper_middle_deviation_usd', 12) }}
            as baseline_mad_cost_usd
    from baseline_middle_deviations

),

scaled as (

    {#- the robust standard deviation: 1.4826 x MAD, or 1.2533 x the mean
        absolute deviation from the median when MAD is 0 (more than half the
        baseline days equal; Iglewicz and Hoaglin); days without a baseline
        have null medians -#}
    select
        active_days.*,
        baseline_medians.baseline_median_cost_usd,
        baseline_medians.baseline_median_priced_call_count,
        baseline_mads.baseline_mad_cost_usd,
        cast(case
            when baseline_mads.baseline_mad_cost_usd > 0
                then 1.4826 * baseline_mads.baseline_mad_cost_usd
            when baseline_mads.baseline_mad_cost_usd = 0
                then 1.2533 * baseline_mads.mean_abs_deviation_usd
            else 0
        end as decimal(38, 12)) as baseline_scale_usd,
        case
            when baseline_mads.baseline_mad_cost_usd = 0 then baseline_mads.mean_abs_deviation_usd
        end as baseline_mean_abs_deviation_usd
    from active_days
    left join baseline_medians
        on
            active_days.usage_date = baseline_medians.usage_date
            and active_days.dimension = baseline_medians.dimension
            and active_days.dimension_value = baseline_medians.dimension_value
    left join baseline_mads
        on
            active_days.usage_date = baseline_mads.usage_date
            and active_days.dimension = baseline_mads.dimension
            and active_days.dimension_value = baseline_mads.dimension_value

),

thresholds as (

    select
        *,
        cost_usd - baseline_median_cost_usd as excess_cost_usd,
        cast(baseline_median_cost_usd + greatest(
            {{ var('finops_spike_robust_z_threshold') }} * baseline_scale_usd,
            {{ var('finops_spike_min_increase_usd') }},
            {{ var('finops_spike_min_increase_ratio') }} * baseline_median_cost_usd
        ) as decimal(38, 12)) as spike_threshold_usd,
        baseline_days >= {{ var('finops_spike_min_baseline_days') }} as has_baseline
    from scaled

),

member_days as (

    {#- the routes and models each group had calls on, per day -#}
    select
        usage_date,
        dimension,
        dimension_value,
        'route' as member_kind,
        route as member,
        sum(cost_usd) as cost_usd
    from day_cells
    group by usage_date, dimension, dimension_value, route
    union all
    select
        usage_date,
        dimension,
        dimension_value,
        'model' as member_kind,
        model_key as member,
        sum(cost_usd) as cost_usd
    from day_cells
    group by usage_date, dimension, dimension_value, model_key

),

member_recency as (

    select
        *,
        lag(usage_date) over (
            partition by dimension, dimension_value, member_kind, member
            order by usage_date
        ) as previous_usage_date
    from member_days

),

new_members as (

    {#- routes and models without calls in the group's baseline window -#}
    select
        usage_date,
        dimension,
        dimension_value,
        sum(cost_usd) filter (where member_kind = 'route') as new_route_cost_usd,
        {{ string_agg_sorted('member', "', '", condition="member_kind = 'route'") }}
            as new_routes,
        sum(cost_usd) filter (where member_kind = 'model') as new_model_cost_usd,
        {{ string_agg_sorted('member', "', '", condition="member_kind = 'model'") }}
            as new_models
    from member_recency
    where
        previous_usage_date is null
        or previous_usage_date < {{ dbt.dateadd('day', -baseline_days, 'usage_date') }}
    group by usage_date, dimension, dimension_value

),

flagged as (

    {#- growth factors of the day against the baseline window (ratios) -#}
    select
        thresholds.*,
        new_members.new_routes,
        new_members.new_models,
        coalesce(new_members.new_route_cost_usd, 0) as new_route_cost_usd,
        coalesce(new_members.new_model_cost_usd, 0) as new_model_cost_usd,
        thresholds.has_baseline
        and thresholds.cost_usd >= thresholds.spike_threshold_usd as is_spike,
        cast(thresholds.priced_call_count as double)
        / nullif(thresholds.baseline_median_priced_call_count, 0) as volume_factor,
        (cast(thresholds.cost_usd as double) / nullif(thresholds.priced_call_count, 0))
        / nullif(
            cast(thresholds.baseline_cost_usd as double)
            / nullif(thresholds.baseline_priced_call_count, 0),
            0
        ) as cost_per_call_factor,
        (cast(thresholds.tokens as double) / nullif(thresholds.call_count, 0))
        / nullif(
            cast(thresholds.baseline_tokens as double)
            / nullif(thresholds.baseline_call_count, 0),
            0
        ) as tokens_per_call_factor
    from thresholds
    left join new_members
        on
            thresholds.usage_date = new_members.usage_date
            and thresholds.dimension = new_members.dimension
            and thresholds.dimension_value = new_members.dimension_value

),

final as (

    select
        {{ surrogate_key(['usage_date', 'dimension', 'dimension_value']) }} as cost_spike_id,
        usage_date,
        dimension,
        dimension_value,
        call_count,
        priced_call_count,
        tokens,
        cost_usd,
        cast(baseline_days as bigint) as baseline_days,
        cast(baseline_median_cost_usd as decimal(38, 12)) as baseline_median_cost_usd,
        cast(baseline_mad_cost_usd as decimal(38, 12)) as baseline_mad_cost_usd,
        baseline_mean_abs_deviation_usd,
        baseline_scale_usd,
        spike_threshold_usd,
        cast(excess_cost_usd as decimal(38, 12)) as excess_cost_usd,
        cast(
            cast(excess_cost_usd as double) / nullif(baseline_scale_usd, 0) as decimal(18, 4)
        ) as robust_z_score,
        cast(baseline_median_priced_call_count as decimal(18, 1))
            as baseline_median_priced_call_count,
        cast(volume_factor as decimal(18, 4)) as volume_factor,
        cast(cost_per_call_factor as decimal(18, 4)) as cost_per_call_factor,
        cast(tokens_per_call_factor as decimal(18, 4)) as tokens_per_call_factor,
        new_route_cost_usd,
        new_routes,
        new_model_cost_usd,
        new_models,
        has_baseline,
        is_spike,
        case
            when not is_spike then null
            when new_route_cost_usd * 2 >= excess_cost_usd then 'new_route'
            when new_model_cost_usd * 2 >= excess_cost_usd then 'model_change'
            when coalesce(volume_factor >= cost_per_call_factor, true) then 'volume'
            when tokens_per_call_factor >= cost_per_call_factor / nullif(tokens_per_call_factor, 0)
                then 'tokens_per_call'
            else 'model_change'
        end as probable_driver
    from flagged

)

select * from final
