{#
    The keyword that keeps a CTE read more than once from being copied
    first: DuckDB `not materialized` (it would otherwise materialize it);
    Spark always inlines a CTE and has no such keyword, so nothing.
    Written between `as` and the CTE's parenthesis.
#}
{% macro cte_not_materialized() %}
    {{- return(adapter.dispatch("cte_not_materialized", "llm_cost")()) -}}
{% endmacro %}

{% macro duckdb__cte_not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__cte_not_materialized() -%}
{%- endmacro %}
