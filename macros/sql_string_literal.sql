{#
    A SQL string literal of any text, so that a value (a raw file name, the
    raw root) can never end the literal and run as SQL. dbt.string_literal
    only wraps its argument in quotes. DuckDB doubles a quote; Spark reads
    `''` as two literals joined and unescapes backslashes, so there a quote
    and a backslash are escaped with a backslash.
#}
{% macro sql_string_literal(text) %}
    {{- return(adapter.dispatch("sql_string_literal", "llm_cost")(text | string)) -}}
{% endmacro %}

{% macro default__sql_string_literal(text) %}
    {{- return("'" ~ (text | replace("'", "''")) ~ "'") -}}
{% endmacro %}

{% macro spark__sql_string_literal(text) %}
    {{- return("'" ~ (text | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") -}}
{% endmacro %}
