{#
    dbt-spark's column comment clause (persist_docs), with the comment cut to
    its first 256 characters: the local session's Derby metastore stores a
    column comment in a VARCHAR(256) and fails the whole create statement on
    a longer one. The description in the docs stays whole.
#}
{% macro get_column_comment_sql(column_name, column_dict) -%}
    {%- if column_name in column_dict and column_dict[column_name]["description"] -%}
        {%- set description = column_dict[column_name]["description"][:256] -%}
        {%- set column_comment_clause = "comment " ~ sql_string_literal(description) -%}
    {%- endif -%}
    {{ adapter.quote(column_name) }} {{ column_comment_clause }}
{%- endmacro %}


{#
    DuckDB: dbt-duckdb's column comments (persist_docs), written as it writes
    them, without first listing the relation's columns from the catalog to
    skip the documented ones it lacks: that listing cost about 50 ms per
    model and seed, a third of a nightly's dbt time on a small raw folder
    (the sample: 9.9 s -> 6.5-7.0 s). A documented column the relation lacks
    (a stale YAML entry) now fails the build instead of going unnoticed.
#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
    {%- for column_name in column_dict if column_dict[column_name]['description'] %}
        comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }}
            is {{ duckdb_escape_comment(column_dict[column_name]['description']) }};
    {%- endfor %}
{% endmacro %}
