{# The element at 1-based `position` of a list (DuckDB list, Spark array); null past the end. #}
{% macro list_element(list_expression, position) %}
    {{- return(adapter.dispatch("list_element", "llm_cost")(list_expression, position)) -}}
{% endmacro %}

{% macro duckdb__list_element(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_element(list_expression, position) -%}
    try_element_at({{ list_expression }}, {{ position }})
{%- endmacro %}
