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


{#
    Select-list items (not one expression: DuckDB's unnest beside
    generate_subscripts, Spark's generator inline) that expand a list into
    one row per element: the column `element_name` and its 1-based position
    `position_name`. No row for an empty or null list. One per select.
#}
{% macro list_unnest_with_position(list_expression, element_name="element", position_name="position") %}
    {{- return(adapter.dispatch("list_unnest_with_position", "llm_cost")(
        list_expression, element_name, position_name
    )) -}}
{% endmacro %}

{% macro duckdb__list_unnest_with_position(list_expression, element_name, position_name) -%}
    unnest({{ list_expression }}) as {{ element_name }},
    generate_subscripts({{ list_expression }}, 1) as {{ position_name }}
{%- endmacro %}

{% macro spark__list_unnest_with_position(list_expression, element_name, position_name) -%}
    inline(transform(
        {{ list_expression }},
        (list_value, list_index) -> named_struct(
            '{{ element_name }}', list_value, '{{ position_name }}', cast(list_index + 1 as bigint)
        )
    ))
{%- endmacro %}
