{#
    Where vendor invoice exports are found and read (the telemetry sources
    are read by create_raw_relations, with the same conventions).

    For every invoice entry of the source registry (var `llm_cost_sources`,
    `is_telemetry: false`) this creates a view `raw.<relation>` with one
    row per raw record and the columns
        source_file       the file the record came from (absolute path)
        source_format     json | csv | parquet
        record_text       the record as JSON text: one API page (a whole
                          pretty-printed file, or one line of a JSON-lines
                          file), or one CSV / Parquet row as a JSON object
        file_modified_at  the file's modification time (source freshness)
        record_hash       md5 of record_text
        copy_number       1, 2, ... among identical records of the file
    The files read are those of `raw.file_manifest` with status `ok` (a
    file that cannot be read at all is quarantined there), so an absent or
    empty folder gives an empty view. Gzip-compressed files (`*.gz`) are
    decompressed transparently. A page that is not valid JSON is kept as text, to be
    quarantined downstream, instead of failing the read.
#}


{#
    API pages. Each file is read line by line (so gzip and any size work, and
    nothing fails on bad JSON), then put back together in file order. A file
    that is valid JSON as a whole is one page (pretty-printed or not); else,
    when some of its lines are JSON objects, it is JSON lines and each
    non-blank line is a page; else the whole file is one malformed record.
#}
{% macro raw_json_pages_select(globs) %}
    with

    lines as (
        select
            filename as source_file,
            record_text,
            row_number() over () as line_number
        from {{ raw_text_lines(globs) }}
    ),

    files as (
        select
            source_file,
            string_agg(record_text, chr(10) order by line_number) as file_text,
            count(*) filter (where {{ json_object_check('record_text') }}) as object_line_count
        from lines
        group by source_file
    ),

    pages as (
        select source_file, file_text as record_text
        from files
        where json_valid(file_text) or object_line_count = 0
        union all
        select lines.source_file, lines.record_text
        from lines
        inner join files on lines.source_file = files.source_file
        where
            not json_valid(files.file_text)
            and files.object_line_count > 0
            and trim(lines.record_text) <> ''
    )

    select
        pages.source_file,
        'json' as source_format,
        pages.record_text,
        blobs.last_modified as file_modified_at
    from pages
    left join read_blob([{{ globs | join(", ") }}]) as blobs
        on pages.source_file = blobs.filename
{% endmacro %}


{#
    Parquet rows as JSON objects, read from files of one read layout
    (manifest_read_paths: the same column names and types, `key=value`
    folders included): a record holds
    its own file's columns, with its own types, and nothing of other files.
    Numbers are turned into text first, so a DECIMAL or DOUBLE amount keeps
    every digit it was written with (a JSON number would be read back
    through a double).
#}
{% macro raw_parquet_select(read_paths) %}
    {% set files = "[" ~ (read_paths | join(", ")) ~ "]" %}
    {% set described = run_query("describe select * from read_parquet(" ~ read_paths[0] ~ ")") %}
    {% set columns = [] %}
    {% set names = described.columns[0].values() | list %}
    {% for row in described.rows %}
        {% set quoted = adapter.quote(row[0]) %}
        {% if row[1].upper().startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")) %}
            {% do columns.append("cast(" ~ quoted ~ " as varchar) as " ~ quoted) %}
        {% else %}
            {% do columns.append(quoted) %}
        {% endif %}
    {% endfor %}
    {#- the path is the key `filename` of the JSON, unless a column has that name #}
    {% set path_key = "__raw_source_file" if "filename" in names else "filename" %}
    select
        rows.{{ path_key }} as source_file,
        'parquet' as source_format,
        {% if path_key == "filename" -%}
            cast(to_json(rows) as varchar)
        {%- else -%}
            cast(json_merge_patch(to_json(rows), '{"__raw_source_file": null}') as varchar)
        {%- endif %} as record_text,
        files.last_modified as file_modified_at
    from (
        select {{ columns | join(", ") }}, __raw_source_file as {{ path_key }}
        from read_parquet({{ files }}, filename = '__raw_source_file')
    ) as rows
    left join read_blob({{ files }}) as files
        on rows.{{ path_key }} = files.filename
{% endmacro %}


{% macro create_raw_invoice_relations() %}
    {{ return(adapter.dispatch("create_raw_invoice_relations", "llm_cost")()) }}
{% endmacro %}

{% macro duckdb__create_raw_invoice_relations() %}
    {% if not execute %}{{ return("") }}{% endif %}
    {% set statements = ["create schema if not exists raw"] %}
    {% for entry in llm_cost_sources(is_telemetry=false).values() %}
        {% set relation_name = entry.relation %}
        {% set selects = [] %}
        {% set paths = manifest_read_paths(relation_name) %}
        {% set csv_buffer_bytes = raw_csv_buffer_bytes(paths.get("csv", []) | sum(start=[])) %}
        {% for read in paths.get("json", []) %}{% do selects.append("(" ~ raw_json_pages_select(read) ~ ")") %}{% endfor %}
        {% for read in paths.get("csv", []) %}{% do selects.append(raw_csv_select(read, csv_buffer_bytes)) %}{% endfor %}
        {% for read in paths.get("parquet", []) %}{% do selects.append(raw_parquet_select(read)) %}{% endfor %}
        {% do statements.append(raw_view_statement(relation_name, selects)) %}
    {% endfor %}
    {{ return(statements | join(";\n")) }}
{% endmacro %}


{#
    Spark: the same views, from the readers of macros/raw/spark_raw_file_readers.sql
    (the manifest view is created by spark__create_raw_relations, which runs first).
#}
{% macro spark__create_raw_invoice_relations() %}
    {% if not execute %}{{ return("") }}{% endif %}
    {% for entry in llm_cost_sources(is_telemetry=false).values() %}
        {% set files = run_query(
            "select file_format, source_file, modified_at_ns from raw.file_manifest"
            ~ " where relation_name = " ~ sql_string_literal(entry.relation)
            ~ " and file_status = 'ok' order by source_file"
        ) %}
        {% set selects = [] %}
        {% set json_files = files.rows | selectattr(0, "equalto", "json") | list %}
        {% if json_files %}{% do selects.append(spark_json_pages_select(json_files)) %}{% endif %}
        {% set csv_select = spark_csv_rows_select(entry.relation, files.rows | selectattr(0, "equalto", "csv") | list) %}
        {% if csv_select %}{% do selects.append(csv_select) %}{% endif %}
        {% set parquet_files = files.rows | selectattr(0, "equalto", "parquet") | list %}
        {% if parquet_files %}{% do selects.append(spark_parquet_rows_select(parquet_files)) %}{% endif %}
        {% do run_query(raw_view_statement(entry.relation, selects)) %}
    {% endfor %}
    {{ return("") }}
{% endmacro %}
