{#
    Seeds on Spark are read by Spark's own CSV reader, as DuckDB's are by
    COPY: every value is the file's text cast to the column's type, an empty
    field is null. dbt-spark's loader would bind agate's parsed values
    through the session cursor, which writes a null as the text 'None' and
    breaks on an apostrophe.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_types = model['config'].get('column_types', {}) -%}
    {%- set file_view = this.identifier ~ "__seed_file" -%}
    {%- set read_file -%}
        create or replace temporary view {{ file_view }} using csv options (
            path {{ sql_string_literal(model.root_path ~ "/" ~ model.original_file_path) }},
            header 'true', escape '"', multiLine 'true', mode 'FAILFAST'
        )
    {%- endset -%}
    {%- do adapter.add_query(read_file, auto_begin=false) -%}
    {%- set sql -%}
        insert into {{ this.render() }}
        select
            {%- for column_name in agate_table.column_names %}
            cast(`{{ column_name }}` as {{ column_types.get(column_name, adapter.convert_type(agate_table, loop.index0)) }})
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ file_view }}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {{ return(sql) }}
{% endmacro %}
