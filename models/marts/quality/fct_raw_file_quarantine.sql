{#-
    Raw files that were never read because they cannot be read at all (not
    gzip, not UTF-8, a Parquet file that does not open, ...): quarantined by
    the pre-flight (scripts/raw_manifest.py) so the rest of the night loads.
    Their records are in no other mart; record_count says how many there are.
-#}
with

files as (

    select * from {{ ref('stg_raw_files__manifest') }}
    where file_status = 'quarantined'

),

final as (

    select
        source_file,
        source_system,
        relation_name,
        is_telemetry,
        file_format,
        quarantine_reason,
        cast(file_bytes as bigint) as file_bytes,
        cast(record_count as bigint) as record_count,
        file_modified_at,
        checked_at,
        checked_at = listed_at as is_new_in_latest_run
    from files

)

select * from final
