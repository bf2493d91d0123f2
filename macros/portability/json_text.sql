{#- JSON object text from keys and SQL expressions, in order, a null value written as null. -#}
{% macro json_object_text(fields) %}
    {{- return(adapter.dispatch('json_object_text', 'llm_cost')(fields)) -}}
{% endmacro %}

{% macro duckdb__json_object_text(fields) -%}
    cast(json_object(
        {%- for key, expression in fields.items() %}{{ sql_string_literal(key) }}, {{ expression }}{{ ', ' if not loop.last }}{% endfor -%}
    ) as varchar)
{%- endmacro %}

{#- Spark: to_json leaves out null fields unless told not to -#}
{% macro spark__json_object_text(fields) -%}
    to_json(named_struct(
        {%- for key, expression in fields.items() %}{{ sql_string_literal(key) }}, {{ expression }}{{ ', ' if not loop.last }}{% endfor -%}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}
