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


{# How many elements a list has (null for a null list). #}
{% macro list_length(list_expression) %}
    {{- return(adapter.dispatch("list_length", "llm_cost")(list_expression)) -}}
{% endmacro %}

{% macro duckdb__list_length(list_expression) -%}
    len({{ list_expression }})
{%- endmacro %}

{#- Spark: size() of a null array is null under ANSI (the spark target), as DuckDB's len(). -#}
{% macro spark__list_length(list_expression) -%}
    size({{ list_expression }})
{%- endmacro %}


{#
    The sum of `expression` over the elements of a list, written over the
    element `variable`, as DuckDB's list_sum: null elements are skipped, and
    null when no element gives a value (an empty or null list included).
#}
{% macro list_sum_of(list_expression, variable, expression) %}
    {{- return(adapter.dispatch("list_sum_of", "llm_cost")(list_expression, variable, expression)) -}}
{% endmacro %}

{% macro duckdb__list_sum_of(list_expression, variable, expression) -%}
    list_sum(list_transform({{ list_expression }}, lambda {{ variable }}: {{ expression }}))
{%- endmacro %}

{% macro spark__list_sum_of(list_expression, variable, expression) -%}
    aggregate(
        transform({{ list_expression }}, {{ variable }} -> {{ expression }}),
        cast(null as bigint),
        (total, term) -> case when term is null then total else coalesce(total, 0) + term end
    )
{%- endmacro %}


{#
    Select items, not an expression: one row per element of a list, the
    element as `element_name` and its 1-based position as `position_name`
    (DuckDB unnest and generate_subscripts; Spark inline over the list's
    elements paired with their positions, posexplode's 0-based positions
    being one off). A null or empty list gives no row. At most one per
    select on Spark (one generator per select).
#}
{% macro list_unnest_with_position(list_expression, element_name="element", position_name="position") %}
    {{- return(adapter.dispatch("list_unnest_with_position", "llm_cost")(
        list_expression, element_name, position_name)) -}}
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


{# The parts of a text split at every occurrence of a one-character delimiter (empty parts kept). #}
{% macro split_text(text_expression, delimiter) %}
    {%- if delimiter | length != 1 or delimiter in "\\]^-'" -%}
        {{ exceptions.raise_compiler_error("split_text: one plain character as delimiter: " ~ delimiter) }}
    {%- endif -%}
    {{- return(adapter.dispatch("split_text", "llm_cost")(text_expression, delimiter)) -}}
{% endmacro %}

{% macro duckdb__split_text(text_expression, delimiter) -%}
    string_split({{ text_expression }}, '{{ delimiter }}')
{%- endmacro %}

{% macro spark__split_text(text_expression, delimiter) -%}
    split({{ text_expression }}, '[{{ delimiter }}]', -1)
{%- endmacro %}


{# The elements of a list of text joined by a separator. #}
{% macro join_list(list_expression, separator) %}
    {{- return(adapter.dispatch("join_list", "llm_cost")(list_expression, separator)) -}}
{% endmacro %}

{% macro duckdb__join_list(list_expression, separator) -%}
    array_to_string({{ list_expression }}, {{ separator }})
{%- endmacro %}

{% macro spark__join_list(list_expression, separator) -%}
    array_join({{ list_expression }}, {{ separator }})
{%- endmacro %}


{# Every element of a list transformed by `expression`, written over the element `variable`. #}
{% macro list_transform_each(list_expression, variable, expression) %}
    {{- return(adapter.dispatch("list_transform_each", "llm_cost")(list_expression, variable, expression)) -}}
{% endmacro %}

{% macro duckdb__list_transform_each(list_expression, variable, expression) -%}
    list_transform({{ list_expression }}, lambda {{ variable }}: {{ expression }})
{%- endmacro %}

{% macro spark__list_transform_each(list_expression, variable, expression) -%}
    transform({{ list_expression }}, {{ variable }} -> {{ expression }})
{%- endmacro %}
