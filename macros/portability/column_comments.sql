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
