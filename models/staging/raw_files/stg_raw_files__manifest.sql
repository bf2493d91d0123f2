{#-
    One row per raw file of the latest pre-flight (scripts/raw_manifest.py),
    with the source system it feeds, so the quality marts and the
    reconciliation tests can say what became of every file.
-#}
with

manifest as (

    select * from {{ source('raw_files', 'file_manifest') }}

),

renamed as (

    select
        source_file,
        relation_name,
        file_format,
        file_bytes,
        record_count,
        file_status,
        quarantine_reason,
        cast(checked_at as timestamp) as checked_at,
        cast(listed_at as timestamp) as listed_at,
        {{ raw_relation_source_system('relation_name') }} as source_system,
        {{ is_telemetry_relation('relation_name') }} as is_telemetry,
        {{ timestamp_from_epoch_micros(integer_divide('modified_at_ns', 1000)) }}
            as file_modified_at
    from manifest

)

select * from renamed
