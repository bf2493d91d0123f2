{#
    Folder schemas keep their bare names (`staging`, `intermediate`,
    `seeds`) and marts land in the target schema (`main`), so analysts query
    `fct_llm_cost_daily` without a prefix.
#}
{% macro generate_schema_name(custom_schema_name, node) %}
    {{- (custom_schema_name or target.schema) | trim -}}
{% endmacro %}
