{#-
    One row per retraction of a raw file by the pre-flight
    (scripts/raw_manifest.py), with the source system it fed.
-#}
with

retractions as (

    select * from {{ source('raw_files', 'file_retractions') }}

),

renamed as (

    select
        {{ surrogate_key(['source_file', 'retracted_at']) }} as retraction_id,
        source_file,
        relation_name,
        {{ raw_relation_source_system('relation_name') }} as source_system,
        {{ is_telemetry_relation('relation_name') }} as is_telemetry,
        split_part(retraction_reason, ':', 1) as retraction_kind,
        retraction_reason,
        record_count,
        billed_calls,
        billed_cost_usd,
        cast(retracted_at as timestamp) as retracted_at,
        nightly_run_id
    from retractions

)

select * from renamed
