{#-
    Raw files whose calls were retracted: readable and loaded once, then
    deleted from the raw folder, emptied (rewritten without a record), or
    rewritten into a file the pre-flight quarantines. Their rows left staging, so their calls are no longer
    billed, as in a full rebuild; this mart keeps what they had billed, for
    finance to see why an earlier total changed.
-#}
with

retractions as (

    select * from {{ ref('stg_raw_files__retractions') }}

),

final as (

    select
        retraction_id,
        source_file,
        retracted_at,
        source_system,
        relation_name,
        is_telemetry,
        retraction_kind,
        retraction_reason,
        cast(record_count as bigint) as record_count,
        cast(billed_calls as bigint) as billed_calls,
        cast(billed_cost_usd as decimal(38, 12)) as billed_cost_usd,
        nightly_run_id
    from retractions

)

select * from final
