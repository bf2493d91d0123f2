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
    {{- return(adapter.dispatch("pending_raw_files", "llm_cost")(relation_name)) -}}
{% endmacro %}

{% macro duckdb__pending_raw_files(relation_name) %}
    {% set paths = manifest_read_paths(relation_name) %}
    {% set globs = (paths.get("jsonl", []) + paths.get("csv", [])) | sum(start=[]) %}
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

{#-
    Spark: from the manifest alone (no file listing in SQL): the readable
    files that the model has no row of loaded after the pre-flight last saw
    them change (`changed_at`: any change of size, time or first or last
    KiB; null for a file new since the previous pre-flight, which has no
    rows yet). The pre-flight runs right before dbt, so a file changed
    between the two is loaded by the next run.
-#}
{% macro spark__pending_raw_files(relation_name) %}
    {% set pending = run_query(
        "select manifest.source_file from raw.file_manifest as manifest"
        ~ " left anti join " ~ this ~ " as loaded on loaded.source_file = manifest.source_file"
        ~ " and (manifest.changed_at is null"
        ~ " or loaded.loaded_at >= date_trunc('second', " ~ timestamptz_in_utc("manifest.changed_at") ~ "))"
        ~ " where manifest.relation_name = " ~ sql_string_literal(relation_name)
        ~ " and manifest.file_status = 'ok' and manifest.file_format in ('jsonl', 'csv')"
        ~ " order by manifest.source_file"
    ) %}
    {{ return(pending.columns[0].values() | list) }}
{% endmacro %}


{# Load bookkeeping columns every raw-reading staging model carries. #}
{% macro load_columns() %}
    {{ processed_at() }} as loaded_at,
    '{{ invocation_id }}' as load_invocation_id
{% endmacro %}
