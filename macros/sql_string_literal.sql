{#
    A SQL string literal of any text, quotes doubled, so that a value (a raw
    file name, the raw root) can never end the literal and run as SQL.
    dbt.string_literal only wraps its argument in quotes.
#}
{% macro sql_string_literal(text) %}
    {{- return("'" ~ (text | string | replace("'", "''")) ~ "'") -}}
{% endmacro %}
