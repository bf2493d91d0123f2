{#-
    Month-over-month and week-over-week cost change per team, service,
    route and model (and in total), split into volume, mix and price
    effects that add up to the change exactly. The formulas are in the
    model's description (_finops__docs.md, finops_change_drivers); each
    call's cost at the previous period's prices is priced with the call
    (fct_llm_calls.cost_at_previous_month_prices_usd / _week_), summed by
    day in fct_llm_cost_daily and by period and dimension in
    int_llm_cost_period_cells, which this model reads: a month is a few
    thousand rows there where it is millions of calls.
-#}
with

period_cells as (

    select * from {{ ref('int_llm_cost_period_cells') }}

),

group_periods as (

    select
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(sum(call_count) as bigint) as call_count,
        cast(sum(priced_call_count) as bigint) as priced_call_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        sum(cost_usd) as cost_usd,
        sum(cost_at_previous_prices_usd) as cost_at_previous_prices_usd
    from period_cells
    group by period_grain, period_start, dimension, dimension_value

),

group_periods_with_neighbours as (

    select
        *,
        cast(case
            when period_grain = 'month' then {{ dbt.dateadd('month', 1, 'period_start') }}
            else {{ dbt.dateadd('day', 7, 'period_start') }}
        end as date) as next_period_start,
        cast(case
            when period_grain = 'month' then {{ dbt.dateadd('month', -1, 'period_start') }}
            else {{ dbt.dateadd('day', -7, 'period_start') }}
        end as date) as previous_period_start
    from group_periods

),

grain_bounds as (

    select
        period_grain,
        min(period_start) as first_period_start,
        max(period_start) as last_period_start
    from group_periods
    group by period_grain

),

spine_candidates as (

    {#- every period a group had calls in, and the period after each (where
        it may have vanished) -#}
    select
        period_grain,
        period_start,
        dimension,
        dimension_value
    from group_periods_with_neighbours
    union
    select
        period_grain,
        next_period_start as period_start,
        dimension,
        dimension_value
    from group_periods_with_neighbours

),

group_spine as (

    {#- up to the last period with calls -#}
    select
        spine_candidates.period_grain,
        spine_candidates.period_start,
        spine_candidates.dimension,
        spine_candidates.dimension_value,
        cast(case
            when spine_candidates.period_grain = 'month'
                then {{ dbt.dateadd('month', -1, 'spine_candidates.period_start') }}
            else {{ dbt.dateadd('day', -7, 'spine_candidates.period_start') }}
        end as date) as previous_period_start,
        grain_bounds.first_period_start
    from spine_candidates
    inner join grain_bounds
        on
            spine_candidates.period_grain = grain_bounds.period_grain
            and spine_candidates.period_start <= grain_bounds.last_period_start

),

compared as (

    select
        group_spine.period_grain,
        group_spine.period_start,
        group_spine.previous_period_start,
        group_spine.dimension,
        group_spine.dimension_value,
        group_spine.previous_period_start >= group_spine.first_period_start
            as has_previous_period,
        coalesce(current_period.call_count, 0) as call_count,
        coalesce(previous_period.call_count, 0) as previous_call_count,
        coalesce(current_period.priced_call_count, 0) as priced_call_count,
        coalesce(previous_period.priced_call_count, 0) as previous_priced_call_count,
        coalesce(current_period.input_tokens, 0) as input_tokens,
        coalesce(previous_period.input_tokens, 0) as previous_input_tokens,
        coalesce(current_period.output_tokens, 0) as output_tokens,
        coalesce(previous_period.output_tokens, 0) as previous_output_tokens,
        coalesce(current_period.cost_usd, 0) as cost_usd,
        coalesce(previous_period.cost_usd, 0) as previous_cost_usd,
        coalesce(current_period.cost_at_previous_prices_usd, 0) as cost_at_previous_prices_usd
    from group_spine
    left join group_periods_with_neighbours as current_period
        on
            group_spine.period_grain = current_period.period_grain
            and group_spine.period_start = current_period.period_start
            and group_spine.dimension = current_period.dimension
            and group_spine.dimension_value = current_period.dimension_value
    left join group_periods_with_neighbours as previous_period
        on
            group_spine.period_grain = previous_period.period_grain
            and group_spine.period_start = previous_period.next_period_start
            and group_spine.dimension = previous_period.dimension
            and group_spine.dimension_value = previous_period.dimension_value

),

volume_and_price as (

    {#- volume: the change in priced calls at the previous period's cost per
        call (a group without priced calls then is all volume, at previous
        prices); price: this period's usage at this period's prices minus the
        same usage at the previous period's prices -#}
    select
        *,
        cost_usd - previous_cost_usd as cost_delta_usd,
        case
            when previous_priced_call_count = 0 then cost_at_previous_prices_usd
            else {{ allocate_share(
                'previous_cost_usd',
                'priced_call_count - previous_priced_call_count',
                'previous_priced_call_count'
            ) }}
        end as volume_effect_usd,
        cost_usd - cost_at_previous_prices_usd as price_effect_usd
    from compared

),

decomposed as (

    {#- mix: the rest, so that the three add up to the change exactly; it is
        C1@P0 - N1 x C0 / N0, the change in cost per call at constant prices
        (model mix, tokens per call) -#}
    select
        *,
        cost_delta_usd - volume_effect_usd - price_effect_usd as mix_effect_usd
    from volume_and_price

),

members as (

    {#- the routes and models each group had calls on, per period -#}
    select distinct
        period_grain,
        period_start,
        dimension,
        dimension_value,
        'route' as member_kind,
        route as member
    from period_cells
    union
    select distinct
        period_grain,
        period_start,
        dimension,
        dimension_value,
        'model' as member_kind,
        model_key as member
    from period_cells

),

member_changes as (

    select
        current_members.period_grain,
        current_members.period_start,
        current_members.dimension,
        current_members.dimension_value,
        current_members.member_kind,
        current_members.member,
        previous_members.member is null as is_new,
        false as is_vanished
    from members as current_members
    inner join group_periods_with_neighbours as current_period
        on
            current_members.period_grain = current_period.period_grain
            and current_members.period_start = current_period.period_start
            and current_members.dimension = current_period.dimension
            and current_members.dimension_value = current_period.dimension_value
    left join members as previous_members
        on
            current_members.period_grain = previous_members.period_grain
            and current_period.previous_period_start = previous_members.period_start
            and current_members.dimension = previous_members.dimension
            and current_members.dimension_value = previous_members.dimension_value
            and current_members.member_kind = previous_members.member_kind
            and current_members.member = previous_members.member
    union all
    select
        previous_members.period_grain,
        previous_period.next_period_start as period_start,
        previous_members.dimension,
        previous_members.dimension_value,
        previous_members.member_kind,
        previous_members.member,
        false as is_new,
        current_members.member is null as is_vanished
    from members as previous_members
    inner join group_periods_with_neighbours as previous_period
        on
            previous_members.period_grain = previous_period.period_grain
            and previous_members.period_start = previous_period.period_start
            and previous_members.dimension = previous_period.dimension
            and previous_members.dimension_value = previous_period.dimension_value
    left join members as current_members
        on
            previous_members.period_grain = current_members.period_grain
            and previous_period.next_period_start = current_members.period_start
            and previous_members.dimension = current_members.dimension
            and previous_members.dimension_value = current_members.dimension_value
            and previous_members.member_kind = current_members.member_kind
            and previous_members.member = current_members.member

),

member_lists as (

    select
        period_grain,
        period_start,
        dimension,
        dimension_value,
        {{ string_agg_sorted(
            'member', "', '", condition="member_kind = 'model' and is_new"
        ) }} as new_models,
        {{ string_agg_sorted(
            'member', "', '", condition="member_kind = 'model' and is_vanished"
        ) }} as vanished_models,
        {{ string_agg_sorted(
            'member', "', '", condition="member_kind = 'route' and is_new"
        ) }} as new_routes,
        {{ string_agg_sorted(
            'member', "', '", condition="member_kind = 'route' and is_vanished"
        ) }} as vanished_routes
    from member_changes
    group by period_grain, period_start, dimension, dimension_value

),

final as (

    select
        {{ surrogate_key([
            'decomposed.period_grain', 'decomposed.period_start',
            'decomposed.dimension', 'decomposed.dimension_value'
        ]) }} as change_driver_id,
        decomposed.period_grain,
        decomposed.period_start,
        decomposed.previous_period_start,
        decomposed.has_previous_period,
        decomposed.dimension,
        decomposed.dimension_value,
        decomposed.call_count,
        decomposed.previous_call_count,
        decomposed.priced_call_count,
        decomposed.previous_priced_call_count,
        decomposed.input_tokens,
        decomposed.previous_input_tokens,
        decomposed.output_tokens,
        decomposed.previous_output_tokens,
        decomposed.cost_usd,
        decomposed.previous_cost_usd,
        decomposed.cost_at_previous_prices_usd,
        decomposed.cost_delta_usd,
        decomposed.volume_effect_usd,
        decomposed.mix_effect_usd,
        decomposed.price_effect_usd,
        member_lists.new_models,
        member_lists.vanished_models,
        member_lists.new_routes,
        member_lists.vanished_routes
    from decomposed
    left join member_lists
        on
            decomposed.period_grain = member_lists.period_grain
            and decomposed.period_start = member_lists.period_start
            and decomposed.dimension = member_lists.dimension
            and decomposed.dimension_value = member_lists.dimension_value

)

select * from final
