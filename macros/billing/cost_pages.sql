{#
    Expression used by the staging models of paginated vendor cost APIs
    (stg_openai__cost_lines, stg_anthropic__cost_lines), whose pages are
    `{"data": [{<bucket fields>, "results": [{<result fields>}, ...]}, ...]}`.
#}

{#- A field of a cost-page bucket or result as trimmed text; missing or
    empty = null. -#}
{% macro cost_page_field(json_column, json_path) %}
    nullif(trim({{ json_field_value(json_column, json_path) }}), '')
{% endmacro %}
