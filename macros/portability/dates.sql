{#- One row per date from start to end, by a unit (select-list generator: a date per output row). -#}
{% macro unnest_date_series(start_date, end_date, unit) %}
    {{- return(adapter.dispatch('unnest_date_series', 'llm_cost')(start_date, end_date, unit)) -}}
{% endmacro %}

{% macro duckdb__unnest_date_series(start_date, end_date, unit) -%}
    cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 {{ unit }}
    )) as date)
{%- endmacro %}

{% macro spark__unnest_date_series(start_date, end_date, unit) -%}
    explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 {{ unit }}))
{%- endmacro %}
