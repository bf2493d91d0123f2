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


{#
    A 64-bit hash of a row's columns, in the order given, nulls included (a
    null and a value, or a value moved to another column, hash differently):
    DuckDB `hash`, Spark `xxhash64` (which skips a null, so each column's
    nullness is hashed beside it). For comparing a row with the row it
    replaces in the same run, on the same engine; never stored.
#}
{% macro row_fingerprint(columns, relation_alias=none) %}
    {{- return(adapter.dispatch("row_fingerprint", "llm_cost")(columns, relation_alias)) -}}
{% endmacro %}

{% macro duckdb__row_fingerprint(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ "." if relation_alias else "" -%}
    hash(
        {%- for column in columns %}
        {{ prefix }}{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro spark__row_fingerprint(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ "." if relation_alias else "" -%}
    xxhash64(
        {%- for column in columns %}
        {{ prefix }}{{ column }}, isnull({{ prefix }}{{ column }}){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
