{#
    Where vendor invoice exports are found and read (the telemetry sources
    are read by create_raw_relations, with the same conventions).

    For every invoice source this creates a view `raw.<relation>` with one
    row per raw record and the columns
        source_file       the file the record came from (absolute path)
        source_format     json | csv | parquet
        record_text       the record as JSON text: one API page (a whole
                          pretty-printed file, or one line of a JSON-lines
                          file), or one CSV / Parquet row as a JSON object
        file_modified_at  the file's modification time (source freshness)
    Globs that match no file are left out, so an absent or empty folder gives
    an empty view. Gzip-compressed files (`*.gz`) are decompressed
    transparently. A page that is not valid JSON is kept as text, to be
    quarantined downstream, instead of failing the read.
#}

{% macro raw_invoice_layout() %}
    {{ return({
        "openai_invoice_pages": {
            "folder": "invoices/openai",
            "json": ["**/*.json", "**/*.json.gz", "**/*.jsonl", "**/*.jsonl.gz"],
            "csv": [],
            "parquet": [],
        },
        "anthropic_invoice_pages": {
            "folder": "invoices/anthropic",
            "json": ["**/*.json", "**/*.json.gz", "**/*.jsonl", "**/*.jsonl.gz"],
            "csv": [],
            "parquet": [],
        },
        "aws_cur_invoice_rows": {
            "folder": "invoices/aws_cur",
            "json": [],
            "csv": ["**/*.csv", "**/*.csv.gz"],
            "parquet": ["**/*.parquet"],
        },
        "focus_invoice_rows": {
            "folder": "invoices/focus",
            "json": [],
            "csv": ["**/*.csv", "**/*.csv.gz"],
            "parquet": ["**/*.parquet"],
        },
    }) }}
{% endmacro %}


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
    Parquet rows as JSON objects. Numbers are turned into text first, so a
    DECIMAL or DOUBLE amount keeps every digit it was written with (a JSON
    number would be read back through a double).
#}
{% macro raw_parquet_select(globs) %}
    {% set described = run_query(
        "describe select * from read_parquet([" ~ (globs | join(", "))
        ~ "], union_by_name = true)"
    ) %}
    {% set columns = [] %}
    {% for row in described.rows %}
        {% set quoted = adapter.quote(row[0]) %}
        {% if row[1].upper().startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")) %}
            {% do columns.append("cast(" ~ quoted ~ " as varchar) as " ~ quoted) %}
        {% else %}
            {% do columns.append(quoted) %}
        {% endif %}
    {% endfor %}
    select
        rows.filename as source_file,
        'parquet' as source_format,
        cast(to_json(rows) as varchar) as record_text,
        files.last_modified as file_modified_at
    from (
        select {{ columns | join(", ") }}, filename
        from read_parquet([{{ globs | join(", ") }}], union_by_name = true, filename = true)
    ) as rows
    left join read_blob([{{ globs | join(", ") }}]) as files
        on rows.filename = files.filename
{% endmacro %}


{% macro create_raw_invoice_relations() %}
    {% if not execute %}{{ return("") }}{% endif %}
    {% set statements = ["create schema if not exists raw"] %}
    {% for relation_name, layout in raw_invoice_layout().items() %}
        {% set selects = [] %}
        {% set json_globs = matching_globs(layout.folder, layout.json) %}
        {% set csv_globs = matching_globs(layout.folder, layout.csv) %}
        {% set parquet_globs = matching_globs(layout.folder, layout.parquet) %}
        {% if json_globs %}
            {% do selects.append("(" ~ raw_json_pages_select(json_globs) ~ ")") %}
        {% endif %}
        {% if csv_globs %}{% do selects.append(raw_csv_select(csv_globs)) %}{% endif %}
        {% if parquet_globs %}{% do selects.append(raw_parquet_select(parquet_globs)) %}{% endif %}
        {% do statements.append(raw_view_statement(relation_name, selects)) %}
    {% endfor %}
    {{ return(statements | join(";\n")) }}
{% endmacro %}
