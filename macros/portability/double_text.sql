{#
    A double as DuckDB writes it (cast to varchar): the shortest digits that
    read back as the same double, in plain notation from 1e-4 up to 1e16
    (`0.0003264`, `10000000.0`), otherwise `1.5e-07`, `1e+16`; `nan`, `inf`.
    Spark's cast writes Java's form (`3.264E-4`, `1.0E7`), plain only from
    1e-3 up to 1e7; its digits are rewritten into DuckDB's form. Java 17
    writes a few doubles with more digits than the shortest (the smallest
    subnormal, `4.9E-324`, DuckDB `5e-324`).
#}
{% macro double_text(double_expression) %}
    {{- return(adapter.dispatch("double_text", "llm_cost")(double_expression)) -}}
{% endmacro %}

{% macro duckdb__double_text(double_expression) -%}
    cast({{ double_expression }} as varchar)
{%- endmacro %}

{% macro spark__double_text(double_expression) -%}
    {%- set java_text = "cast(" ~ double_expression ~ " as string)" -%}
    {%- set scientific = "'^(-?)([0-9])[.]([0-9]*)E(-?[0-9]+)$'" -%}
    case
        when isnan({{ double_expression }}) then 'nan'
        when {{ double_expression }} = cast('Infinity' as double) then 'inf'
        when {{ double_expression }} = cast('-Infinity' as double) then '-inf'
        when {{ java_text }} not like '%E%' then {{ java_text }}
        when abs({{ double_expression }}) >= 1e-4 and abs({{ double_expression }}) < 1e16
            then regexp_replace(
                regexp_replace(
                    cast(cast({{ java_text }} as decimal(38, 20)) as string), '0+$', ''
                ),
                '[.]$', '.0'
            )
        else
            regexp_extract({{ java_text }}, {{ scientific }}, 1)
            || regexp_extract({{ java_text }}, {{ scientific }}, 2)
            || nvl2(
                nullif(regexp_replace(regexp_extract({{ java_text }}, {{ scientific }}, 3), '0+$', ''), ''),
                '.' || regexp_replace(regexp_extract({{ java_text }}, {{ scientific }}, 3), '0+$', ''),
                ''
            )
            || 'e'
            || case when regexp_extract({{ java_text }}, {{ scientific }}, 4) like '-%' then '-' else '+' end
            || lpad(replace(regexp_extract({{ java_text }}, {{ scientific }}, 4), '-', ''), 2, '0')
    end
{%- endmacro %}
