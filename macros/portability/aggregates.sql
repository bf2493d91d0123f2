{#- The distinct or all non-null texts of a group, sorted, joined by a delimiter; null when none (aggregate). -#}
{% macro string_agg_sorted(expression, delimiter, distinct=false, condition=none) %}
    {{- return(adapter.dispatch('string_agg_sorted', 'llm_cost')(expression, delimiter, distinct, condition)) -}}
{% endmacro %}

{% macro duckdb__string_agg_sorted(expression, delimiter, distinct, condition) -%}
    string_agg({{ 'distinct ' if distinct }}{{ expression }}, {{ delimiter }} order by {{ expression }})
    {%- if condition %} filter (where {{ condition }}){% endif %}
{%- endmacro %}

{#- Spark: array_join of an empty list is '' where DuckDB gives null, hence the count -#}
{% macro spark__string_agg_sorted(expression, delimiter, distinct, condition) -%}
    {%- set filter_clause = ' filter (where ' ~ condition ~ ')' if condition else '' -%}
    case when count({{ expression }}){{ filter_clause }} > 0 then array_join(array_sort(
        {%- if distinct %}collect_set{% else %}collect_list{% endif %}({{ expression }}){{ filter_clause }}), {{ delimiter }}) end
{%- endmacro %}

{#- The group's non-null values as a list, sorted (aggregate). -#}
{% macro list_agg_sorted(expression) %}
    {{- return(adapter.dispatch('list_agg_sorted', 'llm_cost')(expression)) -}}
{% endmacro %}

{% macro duckdb__list_agg_sorted(expression) -%}
    list({{ expression }} order by {{ expression }}) filter (where {{ expression }} is not null)
{%- endmacro %}

{% macro spark__list_agg_sorted(expression) -%}
    array_sort(collect_list({{ expression }}))
{%- endmacro %}

{#- The median of a group of DECIMAL(38, scale) values from its two middle values, as DuckDB's `median`
    gives it (Spark's returns a double): the lower value plus half the difference rounded down to the scale,
    the difference (in units of the scale) halved in floating point as DuckDB halves it. -#}
{% macro decimal_median(lower_middle_value, upper_middle_value, scale) -%}
    cast(
        {{ lower_middle_value }}
        + cast(floor(
            cast(cast(
                ({{ upper_middle_value }} - {{ lower_middle_value }}) * {{ '1' ~ '0' * scale }} as decimal(38, 0)
            ) as double) * 0.5
        ) as decimal(38, 0)) * cast({{ '0.' ~ '0' * (scale - 1) ~ '1' }} as decimal({{ scale + 1 }}, {{ scale }}))
        as decimal(38, {{ scale }})
    )
{%- endmacro %}
