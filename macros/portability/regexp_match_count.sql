{#
    How many times `pattern` (a regular expression written in the template,
    not SQL) matches in the text, without overlaps; null for null text. The
    pattern goes in through sql_string_literal, so a backslash class such as
    `\s` reaches both engines' regular expressions intact (RE2 and Java
    agree on `\s` but for the vertical tab, which Java counts).
#}
{% macro regexp_match_count(text_expression, pattern) %}
    {{- return(adapter.dispatch("regexp_match_count", "llm_cost")(text_expression, pattern)) -}}
{% endmacro %}

{% macro duckdb__regexp_match_count(text_expression, pattern) -%}
    len(regexp_extract_all({{ text_expression }}, {{ sql_string_literal(pattern) }}))
{%- endmacro %}

{% macro spark__regexp_match_count(text_expression, pattern) -%}
    size(regexp_extract_all({{ text_expression }}, {{ sql_string_literal(pattern) }}, 0))
{%- endmacro %}
