{# The integer quotient of two integers, truncated toward zero (DuckDB `//`, Spark `div`: -7, 2 gives -3). #}
{% macro integer_divide(dividend, divisor) %}
    {{- return(adapter.dispatch("integer_divide", "llm_cost")(dividend, divisor)) -}}
{% endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}


{# The value of `value_expression` on the row with the least `order_expression` of a group (DuckDB arg_min, Spark min_by). #}
{% macro value_at_min(value_expression, order_expression) %}
    {{- return(adapter.dispatch("value_at_min", "llm_cost")(value_expression, order_expression)) -}}
{% endmacro %}

{% macro duckdb__value_at_min(value_expression, order_expression) -%}
    arg_min({{ value_expression }}, {{ order_expression }})
{%- endmacro %}

{% macro spark__value_at_min(value_expression, order_expression) -%}
    min_by({{ value_expression }}, {{ order_expression }})
{%- endmacro %}
