{#
    The source system a raw relation (the `relation` of a source registry
    entry, var `llm_cost_sources`) feeds, and whether it is telemetry.
#}
{% macro raw_relation_source_system(relation_name) %}
    case {{ relation_name }}
        {%- for source_system, entry in llm_cost_sources().items() %}
        when {{ sql_string_literal(entry.relation) }} then {{ sql_string_literal(source_system) }}
        {%- endfor %}
    end
{% endmacro %}


{% macro is_telemetry_relation(relation_name) %}
    {%- set relations = [] -%}
    {%- for entry in llm_cost_sources(is_telemetry=true).values() -%}
        {%- do relations.append(sql_string_literal(entry.relation)) -%}
    {%- endfor -%}
    {{ relation_name }} in ({{ relations | join(", ") }})
{% endmacro %}


{#
    The telemetry source systems of the source registry, as a list (for
    accepted_values tests: `values: "{{ telemetry_source_systems() }}"`).
#}
{% macro telemetry_source_systems() %}
    {{ return(llm_cost_sources(is_telemetry=true).keys() | list) }}
{% endmacro %}
