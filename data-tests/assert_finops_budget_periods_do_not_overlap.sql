{#
    Fails with every budget row whose period does not start and end on the
    first day of a month, and with every pair of budget rows for the same
    team and service (or the same team as a whole) whose half-open periods
    overlap: a month must have one budget per scope.
#}
with

budgets as (

    select
        budget_id,
        team,
        valid_from,
        valid_to,
        coalesce(service, '') as service_scope,
        coalesce(cast(valid_from as timestamp), cast('-infinity' as timestamp)) as period_from,
        coalesce(cast(valid_to as timestamp), cast('infinity' as timestamp)) as period_to
    from {{ ref('team_budgets') }}

),

not_whole_months as (

    select
        budget_id,
        cast(null as varchar) as overlapping_budget_id,
        'period not on month boundaries' as problem
    from budgets
    where
        extract(day from valid_from) != 1
        or extract(day from valid_to) != 1
        or valid_to <= valid_from

),

overlapping_pairs as (

    select
        earlier.budget_id,
        later.budget_id as overlapping_budget_id,
        'overlapping periods' as problem
    from budgets as earlier
    inner join budgets as later
        on
            earlier.team = later.team
            and earlier.service_scope = later.service_scope
            and earlier.budget_id < later.budget_id
            and earlier.period_from < later.period_to
            and earlier.period_to > later.period_from

)

select * from not_whole_months
union all
select * from overlapping_pairs
