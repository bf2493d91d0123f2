{#
    Conservation per invoice file, against an independent count: for every
    readable invoice export of the raw manifest, the records the pre-flight
    counted in it (scripts/raw_manifest.py: JSON pages, CSV rows, Parquet
    rows) equal the records its staging model holds from it (one or more
    lines per page, one per row), and every staged line is a row of
    fct_invoice_lines, whatever became of it (used, superseded,
    quarantined, out of scope). A staged file that is not readable in the
    manifest any more fails too.
#}
{{ config(severity='error') }}

with

manifest as (

    select * from {{ ref('stg_raw_files__manifest') }}
    where not is_telemetry and file_status = 'ok'

),

staged as (

    select
        source_file,
        count(distinct record_id) as record_count,
        count(*) as line_count
    from {{ ref('stg_openai__cost_lines') }}
    group by source_file
    union all
    select
        source_file,
        count(distinct record_id) as record_count,
        count(*) as line_count
    from {{ ref('stg_anthropic__cost_lines') }}
    group by source_file
    union all
    select
        source_file,
        count(*) as record_count,
        count(*) as line_count
    from {{ ref('stg_aws_cur__line_items') }}
    group by source_file
    union all
    select
        source_file,
        count(*) as record_count,
        count(*) as line_count
    from {{ ref('stg_focus__cost_lines') }}
    group by source_file

),

lines as (

    select
        source_file,
        count(*) as line_count
    from {{ ref('fct_invoice_lines') }}
    group by source_file

),

compared as (

    select
        manifest.source_system,
        coalesce(manifest.source_file, staged.source_file) as source_file,
        coalesce(manifest.record_count, 0) as file_record_count,
        coalesce(staged.record_count, 0) as staged_record_count,
        coalesce(staged.line_count, 0) as staged_line_count,
        coalesce(lines.line_count, 0) as mart_line_count
    from manifest
    full outer join staged
        on manifest.source_file = staged.source_file
    left join lines
        on coalesce(manifest.source_file, staged.source_file) = lines.source_file

)

select * from compared
where
    file_record_count is distinct from staged_record_count
    or staged_line_count != mart_line_count
