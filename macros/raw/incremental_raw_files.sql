{#
    Incremental loading of raw exports, file by file. On an incremental run a
    staging model reads only the files that are new or have changed since
    they were loaded, found by listing the readable files of the raw manifest
    (file names and times only, no content) and comparing with the files
    already in the model: a different modification time, or a change the
    pre-flight saw after the load (`changed_at`: a different size, or first
    or last KiB, with the time kept). DuckDB prunes the other files from the scan,
    so each raw record is parsed once. A changed file replaces its earlier
    rows (delete+insert on source_file); a file that is no longer readable,
    because it was deleted from the raw folder or rewritten into a file the
    pre-flight quarantines, loses them (retract_unreadable_raw_files), as a
    full rebuild would never have read it.
#}
{% macro pending_raw_files(relation_name) %}
    {% set paths = manifest_read_paths(relation_name) %}
    {% set globs = paths.get("jsonl", []) + paths.get("csv", []) %}
    {% if not globs %}{{ return([]) }}{% endif %}
    {% set pending = run_query(
        "select files.filename from read_blob([" ~ (globs | join(", ")) ~ "]) as files"
        ~ " inner join raw.file_manifest as manifest on files.filename = manifest.source_file"
        ~ " where not exists (select 1 from " ~ this ~ " as loaded"
        ~ " where loaded.source_file = files.filename"
        ~ " and loaded.file_modified_at = files.last_modified"
        ~ " and (manifest.changed_at is null"
        ~ " or loaded.loaded_at >= date_trunc('second', cast(manifest.changed_at as timestamp))))"
        ~ " order by files.filename"
    ) %}
    {{ return(pending.columns[0].values() | list) }}
{% endmacro %}


{#
    The filter a raw-reading staging model applies: nothing on a full build,
    the pending files on an incremental run.
#}
{% macro raw_files_to_load(relation_name) %}
    {%- if is_incremental() and execute -%}
        {%- set files = pending_raw_files(relation_name) -%}
        {%- if files -%}
            source_file in ({% for file in files %}{{ sql_string_literal(file) }}{{ ", " if not loop.last }}{% endfor %})
        {%- else -%}
            false
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{# Load bookkeeping columns every raw-reading staging model carries. #}
{% macro load_columns() %}
    {{ processed_at() }} as loaded_at,
    '{{ invocation_id }}' as load_invocation_id
{% endmacro %}


{#
    Post-hook of every raw-reading incremental staging model: retract the
    rows of files that are no longer in the raw manifest as readable (deleted
    from the raw folder, or rewritten into a file the pre-flight quarantines).
    The pre-flight records each retraction in raw.file_retractions.
#}
{% macro retract_unreadable_raw_files() %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where source_file not in (
            select manifest.source_file from {{ source('raw_files', 'file_manifest') }} as manifest
            where manifest.file_status = 'ok'
        )
    {%- endif -%}
{% endmacro %}
