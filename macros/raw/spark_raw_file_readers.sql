{#
    Spark's readers of raw files, each giving the rows (source_file,
    source_format, record_text, file_modified_at) that DuckDB's reader of
    the same format gives (create_raw_relations, create_raw_invoice_relations):
    the same record text, so the same record hash and record id. `files`
    are rows of `raw.file_manifest` (file_format, source_file,
    modified_at_ns), sorted by source_file.
#}


{#
    The `key=value` folders of a file's path, as DuckDB's readers add them
    to every row of a file read on its own (hive partitioning; a CUR
    export's `BILLING_PERIOD=2026-11/`): [(key, SQL value)], keys sorted; a
    value of digits is a BIGINT (a JSON number), any other text.
#}
{% macro duckdb_hive_partitions(source_file) %}
    {%- set pairs = {} -%}
    {%- for key, value in modules.re.findall("/([^/=]+)=([^/]*)(?=/)", source_file) -%}
        {%- do pairs.update({key: value}) -%}
    {%- endfor -%}
    {%- set columns = [] -%}
    {%- for key in pairs | sort -%}
        {%- set value = pairs[key] -%}
        {%- do columns.append((key, (
            "cast(" ~ (value | int) ~ " as bigint)" if modules.re.fullmatch("-?[0-9]{1,18}", value)
            else sql_string_literal(value)
        ))) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{#
    The named_struct arguments of a row's JSON object: `columns` (name -> SQL
    value, in order), a hive partition replacing a column of its name (any
    case) in place and the others added after the path key `filename`
    (CSV) or before it (Parquet), which is left out when a column has that
    name.
#}
{% macro spark_record_fields(columns, source_file, partitions, partitions_first) %}
    {%- set values = {} -%}
    {%- for name, value in columns.items() -%}{%- do values.update({name: value}) -%}{%- endfor -%}
    {%- set added = [] -%}
    {%- for key, value in partitions -%}
        {%- set same = [] -%}
        {%- for name in values if name | lower == key | lower %}{% do same.append(name) %}{% endfor -%}
        {%- if same -%}
            {%- do values.update({same[0]: value}) -%}
        {%- else -%}
            {%- do added.append((key, value)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set path = [] if "filename" in values else [("filename", sql_string_literal(source_file))] -%}
    {%- set fields = [] -%}
    {%- for name, value in values.items() -%}
        {%- do fields.append(sql_string_literal(name) ~ ", " ~ value) -%}
    {%- endfor -%}
    {%- for name, value in (added + path if partitions_first else path + added) -%}
        {%- do fields.append(sql_string_literal(name) ~ ", " ~ value) -%}
    {%- endfor -%}
    {{ return(fields) }}
{% endmacro %}


{#
    CSV files with Spark's CSV reader, every value as text (an empty field,
    quoted or not, is null, as DuckDB reads it); each row becomes the JSON
    text DuckDB's reader gives it: its file's columns in order, then the
    file's path under `filename` unless the file has such a column, then
    the hive partitions. A view cannot read the per-file CSV readers
    (temporary views), so the rows are kept in the table
    `raw.<relation>__csv_rows`, one partition per file (`file_key`, a hash
    of its path), which the returned select reads. A run reads only the
    files whose read is not there: each partition carries `read_key`, a
    hash of the SQL that read it (the file's path and time, its columns,
    this reader's expressions), so a new or rewritten file, or one whose
    read would differ (other columns, a changed reader), is read again and
    its old rows dropped; the rows of a file no longer in `files` are
    dropped. A file of no rows holds no partition and is read every run.
    `--full-refresh` reads every file again, and a table without
    `read_key` (an older version of this reader) is dropped first. The
    header line is read once per read layout (the pre-flight's
    `read_layout`: files of one layout have the columns DuckDB names from
    the header alike).
#}
{% macro spark_csv_rows_select(relation_name, files) %}
    {% set csv_table = "raw." ~ relation_name ~ "__csv_rows" %}
    {% set kept = adapter.get_relation(database=none, schema="raw", identifier=relation_name ~ "__csv_rows") %}
    {% if kept is not none and (flags.FULL_REFRESH or not files or "read_key" not in (
        adapter.get_columns_in_relation(kept) | map(attribute="name") | list)) %}
        {% do run_query("drop table " ~ csv_table) %}
    {% endif %}
    {% if not files %}{{ return(none) }}{% endif %}
    {% do run_query(
        "create table if not exists " ~ csv_table ~ " (source_file string, source_format string,"
        ~ " record_text string, file_modified_at timestamp, read_key string, file_key string)"
        ~ " using parquet partitioned by (file_key)"
    ) %}
    {% set held = {} %}
    {% for file_key, read_key in run_query("select distinct file_key, read_key from " ~ csv_table).rows %}
        {% do held.update({file_key: read_key}) %}
    {% endfor %}
    {% set layouts = {} %}
    {% for source_file, read_layout in run_query(
        "select source_file, read_layout from raw.file_manifest where relation_name = "
        ~ sql_string_literal(relation_name) ~ " and file_format = 'csv' and read_layout is not null"
    ).rows %}
        {% do layouts.update({source_file: read_layout}) %}
    {% endfor %}
    {% set header_columns = {} %}
    {% set current = [] %}
    {% set reads = [] %}
    {% for _, source_file, modified_at_ns in files %}
        {#- the header line, named as DuckDB names it (Spark renames a repeated column its own way) -#}
        {% set layout = layouts.get(source_file) or source_file %}
        {% if layout not in header_columns %}
            {% do header_columns.update({layout: csv_column_names(run_query(
                "select value from text.`" ~ (spark_file_path(source_file) | replace("`", "``")) ~ "` limit 1"
            ).columns[0].values()[0])}) %}
        {% endif %}
        {#- the rows below it, every field as text, by position: _c0, _c1, ... -#}
        {% set positions = [] %}
        {% set values = {} %}
        {% for column in header_columns[layout] %}
            {% do positions.append("_c" ~ loop.index0 ~ " string") %}
            {% do values.update({column: "_c" ~ loop.index0}) %}
        {% endfor %}
        {% set reader = " (" ~ (positions | join(", ")) ~ ") using csv options (path "
            ~ sql_string_literal(spark_file_path(source_file))
            ~ ", header 'true', escape '\"', multiLine 'true', mode 'PERMISSIVE')" %}
        {% set fields = spark_record_fields(values, source_file, duckdb_hive_partitions(source_file), false) %}
        {% set columns = "select " ~ sql_string_literal(source_file) ~ " as source_file, 'csv' as source_format,"
            ~ " to_json(named_struct(" ~ (fields | join(", ")) ~ "), map('ignoreNullFields', 'false'))"
            ~ " as record_text, timestamp_micros(" ~ (modified_at_ns // 1000) ~ ") as file_modified_at" %}
        {% set file_key, read_key = local_md5(source_file), local_md5(reader ~ columns) %}
        {% do current.append(file_key) %}
        {% if held.get(file_key) != read_key %}
            {% set file_view = relation_name ~ "__csv_" ~ loop.index %}
            {% do run_query("create or replace temporary view " ~ file_view ~ reader) %}
            {% do reads.append((file_key, columns ~ ", " ~ sql_string_literal(read_key) ~ " as read_key, "
                ~ sql_string_literal(file_key) ~ " as file_key from " ~ file_view)) %}
        {% endif %}
    {% endfor %}
    {#- the rows of files gone, rewritten or to be read again -#}
    {% set read_files = reads | map(attribute=0) | list %}
    {% for file_key in held if file_key not in current or file_key in read_files %}
        {% do run_query(
            "alter table " ~ csv_table ~ " drop if exists partition (file_key = " ~ sql_string_literal(file_key) ~ ")"
        ) %}
    {% endfor %}
    {% if reads %}
        {% do run_query("insert into " ~ csv_table ~ " " ~ (reads | map(attribute=1) | join(" union all "))) %}
    {% endif %}
    {{ return("select source_file, source_format, record_text, file_modified_at from " ~ csv_table) }}
{% endmacro %}


{#
    API pages (raw_json_pages_select): each file read line by line with
    Spark's text reader (gzip by its `.gz` name), empty lines dropped (DuckDB
    reads them as null, which string_agg skips), put back together in file
    order (a file of empty lines is one null page, as on DuckDB). A file that is
    valid JSON as a whole is one page; else, when some of its lines are JSON
    objects, each non-blank line is a page; else the whole file is one
    malformed record. An empty file has no page.
#}
{% macro spark_json_pages_select(files) %}
    {% set selects = [] %}
    {% for _, source_file, modified_at_ns in files %}
        {% set select %}
            select
                {{ sql_string_literal(source_file) }} as source_file,
                'json' as source_format,
                pages.record_text,
                timestamp_micros({{ modified_at_ns // 1000 }}) as file_modified_at
            from (
                select
                    nullif(array_join(lines, chr(10)), '') as file_text,
                    filter(lines, line -> trim(line) <> '') as page_lines,
                    object_line_count
                from (
                    select
                        transform(
                            filter(array_sort(collect_list(struct(line_number, value))), line -> line.value <> ''),
                            line -> line.value
                        ) as lines,
                        count_if({{ json_object_check("value") }}) as object_line_count
                    from (
                        select value, monotonically_increasing_id() as line_number
                        from text.`{{ spark_file_path(source_file) | replace("`", "``") }}`
                    ) as numbered
                    having count(*) > 0
                ) as file_lines
            ) as files
            lateral view explode(
                case
                    when {{ json_text_check("file_text") }} or object_line_count = 0 then array(file_text)
                    else page_lines
                end
            ) pages as record_text
        {% endset %}
        {% do selects.append(select) %}
    {% endfor %}
    {{ return(selects | join(" union all ")) }}
{% endmacro %}


{#
    Parquet rows as the JSON objects raw_parquet_select makes on DuckDB: the
    file's own columns, the hive partitions, then the path under `filename`
    (unless a column has that name). Decimals, dates and times as text
    (as DuckDB prints them: a time zone's `+00`); a DOUBLE or FLOAT as DuckDB
    writes it (double_text: `0.0003264`, `5.0`, `1.5e-05`). Values inside
    maps, structs and lists are left to to_json.
#}
{% macro spark_parquet_rows_select(files) %}
    {% set selects = [] %}
    {% for _, source_file, modified_at_ns in files %}
        {% set parquet_path = "parquet.`" ~ (spark_file_path(source_file) | replace("`", "``")) ~ "`" %}
        {% set described = run_query("describe select * from " ~ parquet_path) %}
        {% set values = {} %}
        {% for row in described.rows if row[0] and not row[0].startswith("#") %}
            {% set column, column_type = row[0], row[1] %}
            {% set quoted = "`" ~ (column | replace("`", "``")) ~ "`" %}
            {% if column_type.startswith(("double", "float")) %}
                {% set value = double_text(quoted) %}
            {% elif column_type.startswith("timestamp_ntz") or column_type.startswith(("decimal", "date")) %}
                {% set value = "cast(" ~ quoted ~ " as string)" %}
            {% elif column_type.startswith("timestamp") %}
                {% set value = "cast(" ~ quoted ~ " as string) || '+00'" %}
            {% else %}
                {% set value = quoted %}
            {% endif %}
            {% do values.update({column: value}) %}
        {% endfor %}
        {% set fields = spark_record_fields(values, source_file, duckdb_hive_partitions(source_file), true) %}
        {% do selects.append(
            "select " ~ sql_string_literal(source_file) ~ " as source_file, 'parquet' as source_format,"
            ~ " to_json(named_struct(" ~ (fields | join(", ")) ~ "), map('ignoreNullFields', 'false'))"
            ~ " as record_text, timestamp_micros(" ~ (modified_at_ns // 1000) ~ ") as file_modified_at"
            ~ " from " ~ parquet_path
        ) %}
    {% endfor %}
    {{ return(selects | join(" union all ")) }}
{% endmacro %}
