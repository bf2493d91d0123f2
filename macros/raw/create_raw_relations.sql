{#
    The one place where raw export files are found and read.

    For every raw source this creates a view `raw.<relation>` with one row per
    raw record and the columns
        source_file       the file the record came from (absolute path)
        source_format     jsonl | csv
        record_text       the record as JSON text (a JSONL line, or a CSV row
                          converted to a JSON object)
        file_modified_at  the file's modification time (source freshness)
    Globs that match no file are left out, so an absent or empty folder gives
    an empty view instead of DuckDB's "No files found" error. Gzip-compressed
    files (`*.gz`) are decompressed transparently.
#}

{% macro raw_source_layout() %}
    {{ return({
        "app_llm_call_records": {
            "folder": "logs/app",
            "jsonl": ["**/*.jsonl", "**/*.jsonl.gz"],
            "csv": ["**/*.csv", "**/*.csv.gz"],
        },
        "otlp_trace_records": {
            "folder": "traces/otlp",
            "jsonl": ["**/*.jsonl", "**/*.jsonl.gz", "**/*.json", "**/*.json.gz"],
            "csv": [],
        },
        "litellm_spend_log_records": {
            "folder": "logs/litellm",
            "jsonl": ["**/*.jsonl", "**/*.jsonl.gz"],
            "csv": ["**/*.csv", "**/*.csv.gz"],
        },
        "bedrock_invocation_records": {
            "folder": "logs/bedrock",
            "jsonl": ["**/*.jsonl", "**/*.jsonl.gz", "**/*.json", "**/*.json.gz"],
            "csv": [],
        },
    }) }}
{% endmacro %}


{% macro raw_dir() %}
    {{ return(env_var("LLM_COST_RAW_DIR", "data/sample").rstrip("/")) }}
{% endmacro %}


{% macro matching_globs(folder, patterns) %}
    {% set matched = [] %}
    {% for pattern in patterns %}
        {% set full_glob = raw_dir() ~ "/" ~ folder ~ "/" ~ pattern %}
        {% set found = run_query(
            "select count(*) from glob(" ~ sql_string_literal(full_glob) ~ ")"
        ) %}
        {% if found.columns[0].values()[0] > 0 %}
            {% do matched.append(sql_string_literal(full_glob)) %}
        {% endif %}
    {% endfor %}
    {{ return(matched) }}
{% endmacro %}


{#
    The lines of text files as rows (filename, record_text): read_csv with a
    delimiter, quote and escape that never occur, so each line is one value
    and nothing in it is interpreted. Lines up to 256 MiB.
#}
{% macro raw_text_lines(globs) %}
    read_csv(
        [{{ globs | join(", ") }}],
        columns = {'record_text': 'VARCHAR'},
        header = false,
        auto_detect = false,
        delim = '\x01',
        quote = '',
        escape = '',
        filename = true,
        max_line_size = 268435456,
        buffer_size = 536870912
    )
{% endmacro %}


{% macro raw_jsonl_select(globs) %}
    select
        lines.filename as source_file,
        'jsonl' as source_format,
        lines.record_text,
        files.last_modified as file_modified_at
    from {{ raw_text_lines(globs) }} as lines
    left join read_blob([{{ globs | join(", ") }}]) as files
        on lines.filename = files.filename
    {#-
        Skips blank (all-space) lines. Same result as trim(record_text) <> ''
        alone: when the first character survives trim, so does the line, and
        only the rare line that starts with a space is trimmed whole (trim
        copies the line, which costs seconds on large OTLP batches).
    #}
    where trim(left(lines.record_text, 1)) <> '' or trim(lines.record_text) <> ''
{% endmacro %}


{% macro raw_csv_select(globs) %}
    select
        rows.filename as source_file,
        'csv' as source_format,
        cast(to_json(rows) as varchar) as record_text,
        files.last_modified as file_modified_at
    from read_csv(
        [{{ globs | join(", ") }}],
        header = true,
        all_varchar = true,
        union_by_name = true,
        null_padding = true,
        filename = true
    ) as rows
    left join read_blob([{{ globs | join(", ") }}]) as files
        on rows.filename = files.filename
{% endmacro %}


{#
    `create or replace view raw.<relation_name>` over the union (by column
    name) of `selects`, or an empty relation of the raw columns when no file
    matched.
#}
{% macro raw_view_statement(relation_name, selects) %}
    {% set body = selects if selects else [
        "select null::varchar as source_file, null::varchar as source_format,"
        ~ " null::varchar as record_text, null::timestamptz as file_modified_at"
        ~ " where false"
    ] %}
    {{ return("create or replace view raw." ~ relation_name ~ " as " ~ (body | join(" union all by name "))) }}
{% endmacro %}


{% macro create_raw_relations() %}
    {% if not execute %}{{ return("") }}{% endif %}
    {% set statements = ["create schema if not exists raw"] %}
    {% for relation_name, layout in raw_source_layout().items() %}
        {% set selects = [] %}
        {% set jsonl_globs = matching_globs(layout.folder, layout.jsonl) %}
        {% set csv_globs = matching_globs(layout.folder, layout.csv) %}
        {% if jsonl_globs %}{% do selects.append(raw_jsonl_select(jsonl_globs)) %}{% endif %}
        {% if csv_globs %}{% do selects.append(raw_csv_select(csv_globs)) %}{% endif %}
        {% do statements.append(raw_view_statement(relation_name, selects)) %}
    {% endfor %}
    {{ return(statements | join(";\n")) }}
{% endmacro %}
