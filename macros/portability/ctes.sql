{#- The hint that keeps a CTE read more than once from being copied first (DuckDB `not materialized`); nothing on Spark, which inlines CTEs. -#}
{% macro cte_not_materialized() %}
    {{- return(adapter.dispatch('cte_not_materialized', 'llm_cost')()) -}}
{% endmacro %}

{% macro duckdb__cte_not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__cte_not_materialized() -%}
{%- endmacro %}
