{#
    Conservation per file, against an independent count: for every readable
    telemetry file of the raw manifest, the records the pre-flight counted in
    it (scripts/raw_manifest.py, plain Python) equal the records its staging
    model holds from it (its distinct record ids: OTLP export batches, i.e.
    distinct lines), and
    every staged record has an outcome (OTLP: every span). A record lost
    between the file and the marts fails here with its file, and so does a
    staged file that is not readable in the manifest any more (deleted or
    quarantined since it was loaded: its rows must have been retracted). A
    quarantined file is in fct_raw_file_quarantine instead.

    Always over every file, never only tonight's (tested_rows): a file
    deleted or broken since it was loaded, whose old rows should have been
    retracted, has no new row, and the outcomes are rebuilt every night.
#}
{{ config(severity='error') }}

with

manifest as (

    select * from {{ ref('stg_raw_files__manifest') }}
    where is_telemetry and file_status = 'ok'

),

staged as (

    {#-
        every telemetry source of the registry (var llm_cost_sources): a
        record is a distinct record_id of its staging model (one row per
        record; OTLP: one row per span, its line's record_id repeated)
    -#}
    {%- for entry in llm_cost_sources(is_telemetry=true).values() %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            source_file,
            count(distinct record_id) as record_count,
            count(*) as unit_count
        from {{ ref(entry.staging_model) }}
        group by source_file
    {%- endfor %}

),

outcomes as (

    select
        source_file,
        count(*) as unit_count
    from {{ ref('int_telemetry_record_outcomes') }}
    group by source_file

),

compared as (

    select
        manifest.source_system,
        coalesce(manifest.source_file, staged.source_file) as source_file,
        coalesce(manifest.record_count, 0) as file_record_count,
        coalesce(staged.record_count, 0) as staged_record_count,
        coalesce(staged.unit_count, 0) as staged_unit_count,
        coalesce(outcomes.unit_count, 0) as accounted_unit_count
    from manifest
    full outer join staged
        on manifest.source_file = staged.source_file
    left join outcomes
        on coalesce(manifest.source_file, staged.source_file) = outcomes.source_file

)

select * from compared
where
    file_record_count is distinct from staged_record_count
    or staged_unit_count != accounted_unit_count
