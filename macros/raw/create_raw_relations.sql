{#
    The one place where raw export files are found and read.

    For every raw source this creates a view `raw.<relation>` with one row per
    raw record and the columns
        source_file       the file the record came from (absolute path)
        source_format     jsonl | csv
        record_text       the record as JSON text (a JSONL line, or a CSV row
                          converted to a JSON object)
        file_modified_at  the file's modification time (source freshness)
        record_hash       md5 of record_text
        copy_number       1, 2, ... among identical records of the file
    The raw sources are the telemetry entries of the source registry (var
    `llm_cost_sources`: folder, globs by format, relation name); invoice
    entries are read by create_raw_invoice_relations.
    The files read are those of `raw.file_manifest` with status `ok` (see
    manifest_read_paths): a file that cannot be read at all is quarantined
    there instead of failing the build. An absent or empty folder gives an
    empty view. Gzip-compressed files (`*.gz`) are decompressed
    transparently.
#}

{#
    The entries of the source registry (var `llm_cost_sources` in
    dbt_project.yml), keyed by source system, in the order written; with
    `is_telemetry` given, only the telemetry (true) or invoice (false) ones.
#}
{% macro llm_cost_sources(is_telemetry=none) %}
    {% set selected = {} %}
    {% for source_system, entry in var("llm_cost_sources").items() %}
        {% if is_telemetry is none or (entry.is_telemetry | default(false)) == is_telemetry %}
            {% do selected.update({source_system: entry}) %}
        {% endif %}
    {% endfor %}
    {{ return(selected) }}
{% endmacro %}


{#
    The files of a raw relation that may be read, by format, as reads: lists
    of files that one reader reads together. Files are those of
    `raw.file_manifest` with status `ok`. The manifest is written before dbt
    starts by scripts/raw_manifest.py (run by scripts/run_dbt.py), which
    lists the files of the registry's folders and globs and quarantines a
    file that cannot be read at all, so one bad file never reaches a reader.
    JSON-lines and JSON files are one read per format; CSV and Parquet files
    one read per read layout (the pre-flight's `read_layout`: the columns and
    types DuckDB reads from the file alone, `key=value` folders included, and
    a CSV file's dialect), so that a record holds its own file's columns only
    and the values it would have read alone, and a source
    of thousands of files is still a few reads (one read per file ran out of
    memory at 3,000 CSV files). Paths come as SQL literals of their DuckDB
    read path (glob characters escaped, quotes doubled), sorted.
#}
{% macro manifest_read_paths(relation_name) %}
    {% set manifest_exists = run_query(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        ~ " and schema_name = 'raw' and table_name = 'file_manifest'"
    ).columns[0].values()[0] %}
    {% if not manifest_exists %}
        {{ exceptions.raise_compiler_error(
            "raw.file_manifest is missing: run dbt through scripts/run_dbt.py, whose"
            ~ " pre-flight (scripts/raw_manifest.py) lists and checks the raw files"
        ) }}
    {% endif %}
    {% set found = run_query(
        "select file_format, coalesce(read_layout, ''), read_path from raw.file_manifest"
        ~ " where relation_name = " ~ sql_string_literal(relation_name)
        ~ " and file_status = 'ok' order by file_format, read_layout, source_file"
    ) %}
    {% set reads = {} %}
    {% for file_format, layout, read_path in found.rows %}
        {% do reads.setdefault(file_format, {}).setdefault(layout, []).append(sql_string_literal(read_path)) %}
    {% endfor %}
    {% set by_format = {} %}
    {% for file_format, by_layout in reads.items() %}
        {% do by_format.update({file_format: by_layout.values() | list}) %}
    {% endfor %}
    {{ return(by_format) }}
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


{#
    The read buffer of raw_csv_select, in bytes; the longest row it reads is
    half of it. DuckDB holds a buffer of that size for each gzipped CSV file
    a query reads, from the moment the query is planned until it ends
    (duckdb/duckdb#12389): two gzipped files with 512 MiB buffers ran out of
    the 2.4 GB memory_limit, so a CUR export of two months failed the night.
    The buffer is therefore the largest power of two from 4 MiB to 512 MiB
    that keeps the gzipped files' buffers within 768 MiB: rows up to 256 MiB
    with one gzipped file, 128 MiB with two or three, ... 2 MiB from 97 on.
    About 400 gzipped files at 4 MiB still fit (measured); more may not.
#}
{% macro raw_csv_buffer_bytes(read_paths) %}
    {%- set sizes = namespace(gzipped=0, buffer=536870912) -%}
    {%- for read_path in read_paths -%}
        {%- if read_path.lower().endswith(".gz'") %}{% set sizes.gzipped = sizes.gzipped + 1 %}{% endif -%}
    {%- endfor -%}
    {%- for _ in range(7) -%}
        {%- if sizes.buffer * sizes.gzipped > 805306368 %}{% set sizes.buffer = sizes.buffer // 2 %}{% endif -%}
    {%- endfor -%}
    {{- return(sizes.buffer) -}}
{% endmacro %}


{#
    CSV rows as JSON objects of text values, read from files of one read
    layout (manifest_read_paths): a record holds its own file's columns (an
    empty field null) and nothing of other files, since the files read
    together have the same columns (a record's text, and with it its id,
    never depends on which files were read beside it). The file's path is
    under the key `filename` (the record text, and the record id, are as
    when read_csv's own `filename = true` column was used), unless the CSV
    has a column of that name: then that column is kept as written. Rows up
    to half of `buffer_bytes` (raw_csv_buffer_bytes of every CSV file of the
    query). A quoted field may hold a newline (a multi-line prompt): DuckDB's
    parallel CSV scanner refuses one beside null_padding, so a file is read
    by one thread (several files still by several). A filter on source_file
    skips the other files.
#}
{% macro raw_csv_select(read_paths, buffer_bytes) %}
    select
        source_file,
        'csv' as source_format,
        case
            {#- "filename": only occurs in the JSON text as a key (a quote inside a value is escaped) #}
            when contains(json_text, '"filename":')
                then cast(json_merge_patch(json_text, '{"__raw_source_file": null}') as varchar)
            else replace(json_text, '"__raw_source_file":', '"filename":')
        end as record_text,
        file_modified_at
    from (
        select
            rows.__raw_source_file as source_file,
            cast(to_json(rows) as varchar) as json_text,
            files.last_modified as file_modified_at
        from read_csv(
            [{{ read_paths | join(", ") }}],
            header = true,
            all_varchar = true,
            null_padding = true,
            parallel = false,
            filename = '__raw_source_file',
            max_line_size = {{ buffer_bytes // 2 }},
            buffer_size = {{ buffer_bytes }}
        ) as rows
        left join read_blob([{{ read_paths | join(", ") }}]) as files
            on rows.__raw_source_file = files.filename
    )
{% endmacro %}


{#
    `create or replace view raw.<relation_name>` over the union (by column
    name) of `selects`, or an empty relation of the raw columns when no file
    matched, with two more columns for the record id (raw_record_id):
    `record_hash`, the md5 of the record text, and `copy_number`, 1, 2, ...
    among identical records of a file. Identical records are grouped and
    their copies expanded, so the view still has one row per record: a
    window numbering them would hold the text of every record in memory at
    once (more than 2 GiB for 1M OTLP calls). Each select is grouped on its
    own (a file is in one select only): one grouping fed by the JSON-lines
    read and thirty CSV reads ran out of the 2.4 GB memory_limit at 10M
    app-log calls, where a grouping per select spills and fits. A filter on
    source_file still prunes the files read.
#}
{% macro raw_view_statement(relation_name, selects) %}
    {{ return(adapter.dispatch("raw_view_statement", "llm_cost")(relation_name, selects)) }}
{% endmacro %}

{% macro duckdb__raw_view_statement(relation_name, selects) %}
    {% set body = selects if selects else [
        "select null::varchar as source_file, null::varchar as source_format,"
        ~ " null::varchar as record_text, null::timestamptz as file_modified_at"
        ~ " where false"
    ] %}
    {% set raw_columns = "source_file, source_format, record_text, file_modified_at" %}
    {% set numbered = [] %}
    {% for select in body %}
        {% do numbered.append(
            "select " ~ raw_columns ~ ", unnest(generate_series(1, count(*))) as copy_number"
            ~ " from (" ~ select ~ ") as records group by " ~ raw_columns
        ) %}
    {% endfor %}
    {{ return(
        "create or replace view raw." ~ relation_name ~ " as select " ~ raw_columns ~ ","
        ~ " md5(record_text) as record_hash, copy_number"
        ~ " from (" ~ (numbered | join(" union all by name ")) ~ ") as numbered"
    ) }}
{% endmacro %}

{#- Spark: every select has the raw columns in order; the copies expand in a lateral view. -#}
{% macro spark__raw_view_statement(relation_name, selects) %}
    {% set body = selects if selects else [
        "select cast(null as string) as source_file, cast(null as string) as source_format,"
        ~ " cast(null as string) as record_text, cast(null as timestamp) as file_modified_at"
        ~ " where false"
    ] %}
    {% set raw_columns = "source_file, source_format, record_text, file_modified_at" %}
    {{ return(
        "create or replace view raw." ~ relation_name ~ " as select " ~ raw_columns ~ ", record_hash, copy_number"
        ~ " from (select " ~ raw_columns ~ ", md5(record_text) as record_hash, count(*) as copies"
        ~ " from (" ~ (body | join(" union all ")) ~ ") as records group by " ~ raw_columns ~ ") as grouped"
        ~ " lateral view explode(sequence(cast(1 as bigint), copies)) as copy_number"
    ) }}
{% endmacro %}


{% macro create_raw_relations() %}
    {{ return(adapter.dispatch("create_raw_relations", "llm_cost")()) }}
{% endmacro %}

{% macro duckdb__create_raw_relations() %}
    {% if not execute %}{{ return("") }}{% endif %}
    {% set statements = ["create schema if not exists raw"] %}
    {% for entry in llm_cost_sources(is_telemetry=true).values() %}
        {% set relation_name = entry.relation %}
        {% set selects = [] %}
        {% set paths = manifest_read_paths(relation_name) %}
        {% set csv_buffer_bytes = raw_csv_buffer_bytes(paths.get("csv", []) | sum(start=[])) %}
        {% for read in paths.get("jsonl", []) %}{% do selects.append(raw_jsonl_select(read)) %}{% endfor %}
        {% for read in paths.get("csv", []) %}{% do selects.append(raw_csv_select(read, csv_buffer_bytes)) %}{% endfor %}
        {% do statements.append(raw_view_statement(relation_name, selects)) %}
    {% endfor %}
    {{ return(statements | join(";\n")) }}
{% endmacro %}


{#
    Spark: the pre-flight (scripts/raw_manifest.py, for the `spark` target)
    leaves the manifest as Parquet in the Spark warehouse; `raw.file_manifest`
    is a view of it. Each readable JSON-lines file is read with Spark's text
    reader (gzip by its `.gz` name), blank lines skipped; CSV files with
    spark_csv_rows_select (macros/raw/spark_raw_file_readers.sql). Parquet files are not read on Spark yet: a relation that has one is
    not created, and a run that selects a model reading it stops here.
#}
{% macro spark__create_raw_relations() %}
    {% if not execute %}{{ return("") }}{% endif %}
    {% set preflight_folder = env_var("LLM_COST_SPARK_WAREHOUSE") ~ "/llm_cost_preflight" %}
    {% do run_query("create schema if not exists raw") %}
    {% for table in ["file_manifest", "file_retractions"] %}
        {% do run_query(
            "create or replace view raw." ~ table ~ " as select * from parquet.`"
            ~ preflight_folder ~ "/" ~ table ~ ".parquet`"
        ) %}
    {% endfor %}
    {% for entry in llm_cost_sources(is_telemetry=true).values() %}
        {% set files = run_query(
            "select file_format, source_file, modified_at_ns from raw.file_manifest"
            ~ " where relation_name = " ~ sql_string_literal(entry.relation)
            ~ " and file_status = 'ok' order by source_file"
        ) %}
        {% set unread = files.rows | rejectattr(0, "in", ["jsonl", "csv"]) | list %}
        {% if unread %}
            {% do spark_refuse_readers_of(
                [entry.relation], unread[0][0] ~ " files (" ~ unread[0][1] ~ ", ...), which are not read on Spark yet"
            ) %}
        {% endif %}
        {% set selects = [] %}
        {#- a file's time from the manifest, to the microsecond as DuckDB reads it (Spark's
            _metadata.file_modification_time has milliseconds) -#}
        {% for file_format, source_file, modified_at_ns in files.rows if file_format == "jsonl" %}
            {% do selects.append(
                "select " ~ sql_string_literal(source_file) ~ " as source_file, 'jsonl' as source_format,"
                ~ " value as record_text, timestamp_micros(" ~ (modified_at_ns // 1000) ~ ") as file_modified_at"
                ~ " from text.`" ~ (spark_file_path(source_file) | replace("`", "``")) ~ "` where trim(value) <> ''"
            ) %}
        {% endfor %}
        {% set csv_select = spark_csv_rows_select(
            entry.relation, [] if unread else files.rows | selectattr(0, "equalto", "csv") | list
        ) %}
        {% if csv_select %}{% do selects.append(csv_select) %}{% endif %}
        {#- a relation that cannot be read whole is not created: reading it fails, never reads a part -#}
        {% do run_query(
            "drop view if exists raw." ~ entry.relation if unread else raw_view_statement(entry.relation, selects)
        ) %}
    {% endfor %}
    {{ return("") }}
{% endmacro %}


{#
    Spark, until a reader is ported: stops a run that selects a model
    reading one of `relations` (raw relation names), naming it and `why`,
    before anything is built; any other run (seeds, other models) goes on.
#}
{% macro spark_refuse_readers_of(relations, why) %}
    {% for unique_id in selected_resources if unique_id in graph.nodes %}
        {% for parent_id in graph.nodes[unique_id].depends_on.nodes
            if parent_id in graph.sources and graph.sources[parent_id].identifier in relations %}
            {{ exceptions.raise_compiler_error(
                unique_id ~ " reads " ~ parent_id ~ ": " ~ why ~ " (README, Running on Spark / Databricks)"
            ) }}
        {% endfor %}
    {% endfor %}
{% endmacro %}


{#
    The column names DuckDB's CSV reader gives a header line: the fields
    (quoted or not, a UTF-8 byte order mark dropped; an empty one is
    `column<position from 0>`), a name already taken (ignoring case)
    suffixed `_1`, `_2`, ... per name until it is free (`a,b,a,A,a_1` ->
    a, b, a_1, A_2, a_1_1).
#}
{% macro csv_column_names(header_line) %}
    {%- set names = [] -%}
    {%- set taken = [] -%}
    {%- set counters = {} -%}
    {%- for quoted, bare in modules.re.findall('(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))', header_line.lstrip("\ufeff")) -%}
        {%- set name = (quoted | replace('""', '"') if quoted else bare) or "column" ~ loop.index0 -%}
        {%- set candidate = namespace(text=name) -%}
        {%- for _ in range(names | length + 1) if candidate.text | lower in taken -%}
            {%- do counters.update({name | lower: counters.get(name | lower, 0) + 1}) -%}
            {%- set candidate.text = name ~ "_" ~ counters[name | lower] -%}
        {%- endfor -%}
        {%- do taken.append(candidate.text | lower) -%}
        {%- do names.append(candidate.text) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#
    A file's path as Spark reads it literally: glob characters escaped with
    a backslash (Hadoop globs every path it is given). Inside backquotes
    (text.`...`), a backquote is doubled too.
#}
{% macro spark_file_path(path) %}
    {%- set escaped = namespace(text="") -%}
    {%- for character in path -%}
        {%- set escaped.text = escaped.text ~ ("\\" if character in "{}[]*?\\" else "") ~ character -%}
    {%- endfor -%}
    {{ return(escaped.text) }}
{% endmacro %}
