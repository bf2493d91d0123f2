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


{# A list of the given SQL expressions (DuckDB `[a, b]`, Spark `array(a, b)`). #}
{% macro list_of(expressions) %}
    {{- return(adapter.dispatch("list_of", "llm_cost")(expressions)) -}}
{% endmacro %}

{% macro duckdb__list_of(expressions) -%}
    [{{ expressions | join(", ") }}]
{%- endmacro %}

{% macro spark__list_of(expressions) -%}
    array({{ expressions | join(", ") }})
{%- endmacro %}


{# How many elements of a list meet `condition`, written over the element `variable`. #}
{% macro list_count(list_expression, variable, condition) %}
    {{- return(adapter.dispatch("list_count", "llm_cost")(list_expression, variable, condition)) -}}
{% endmacro %}

{% macro duckdb__list_count(list_expression, variable, condition) -%}
    len(list_filter({{ list_expression }}, lambda {{ variable }}: {{ condition }}))
{%- endmacro %}

{% macro spark__list_count(list_expression, variable, condition) -%}
    size(filter({{ list_expression }}, {{ variable }} -> {{ condition }}))
{%- endmacro %}


{# True when a list holds the value. #}
{% macro list_contains_value(list_expression, value) %}
    {{- return(adapter.dispatch("list_contains_value", "llm_cost")(list_expression, value)) -}}
{% endmacro %}

{% macro duckdb__list_contains_value(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro spark__list_contains_value(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}
