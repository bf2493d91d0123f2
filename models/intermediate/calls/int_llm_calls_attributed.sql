{#-
    Billed calls with an owner. The team comes from telemetry when the call
    carries one (its own record, its span's resource, an ancestor span, or a
    record of another source that saw the same call), else from the
    service-ownership seed row in effect when the call was made, else the
    explicit unattributed value. `attribution_rule` records which applied.

    A view: the billed calls are stored once, in fct_llm_calls.
-#}
{{ config(materialized='view') }}
with

calls as (

    select * from {{ ref('int_llm_calls_normalized') }}

),

service_ownership as (

    select * from {{ ref('service_ownership') }}

),

calls_with_owner as (

    select
        calls.*,
        service_ownership.team as owner_team,
        service_ownership.cost_center as owner_cost_center
    from calls
    left join service_ownership
        on
            calls.service_name = service_ownership.service_name
            and calls.called_at
            >= coalesce(
                cast(service_ownership.valid_from as timestamp),
                {{ unbounded_timestamp('-infinity') }}
            )
            and calls.called_at
            < coalesce(
                cast(service_ownership.valid_to as timestamp), {{ unbounded_timestamp('infinity') }}
            )

),

attributed as (

    select
        *,
        coalesce(team_id, owner_team, '{{ var("unattributed_team") }}') as team,
        coalesce(cost_center, owner_cost_center) as attributed_cost_center,
        case
            when team_id is not null then team_origin
            when owner_team is not null then 'service_ownership'
            else 'unattributed'
        end as attribution_rule
    from calls_with_owner

)

select * from attributed
