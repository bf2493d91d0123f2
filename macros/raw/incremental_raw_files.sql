{#
    The upstream of a raw-reading staging model in the incremental contract
    (macros/incremental/incremental_files.sql): the raw files that are new or
    have changed since they were loaded, found by listing the readable files
    of the raw manifest (file names and times only, no content) and comparing
    with the files already in the model: a different modification time, or a
    change the pre-flight saw after the load (`changed_at`: a different size,
    or first or last KiB, with the time kept). DuckDB prunes the other files
    from the scan, so each raw record is parsed once.
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


{# Load bookkeeping columns every raw-reading staging model carries. #}
{% macro load_columns() %}
    {{ processed_at() }} as loaded_at,
    '{{ invocation_id }}' as load_invocation_id
{% endmacro %}
