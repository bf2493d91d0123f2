{#
    Fails with every pair of ownership rows for the same service whose
    half-open validity periods overlap: a call must have one owner.
#}
with

ownership as (

    select
        service_name,
        team,
        coalesce(cast(valid_from as timestamp), cast('-infinity' as timestamp)) as valid_from,
        coalesce(cast(valid_to as timestamp), cast('infinity' as timestamp)) as valid_to
    from {{ ref('service_ownership') }}

),

numbered as (

    select
        *,
        row_number()
            over (partition by service_name order by valid_from, team)
            as row_number_in_service
    from ownership

),

overlapping_pairs as (

    select
        earlier.service_name,
        earlier.team,
        later.team as overlapping_team
    from numbered as earlier
    inner join numbered as later
        on
            earlier.service_name = later.service_name
            and earlier.row_number_in_service < later.row_number_in_service
            and earlier.valid_from < later.valid_to
            and earlier.valid_to > later.valid_from

)

select * from overlapping_pairs
