{#-
    Every candidate LLM-call record from every telemetry source in one call
    schema: the telemetry entries of the source registry (var
    `llm_cost_sources`), each read from its `call_records_model` by column
    name, so a source is added with a registry row and a staging model that
    emits these columns (README, "Adding a source"). Values are still text
    as the source wrote them (typed where the value cannot be wrong: flags,
    load times), and nothing is filtered here, so every record can be
    accounted for downstream. Where a source offers several fields for one
    column, the choice is made in its own model.

    A view, read once by int_llm_call_records_validated.
-#}
{{ config(materialized='view') }}
{%- set call_record_columns = call_record_columns() -%}
with

unioned as (

    {#- one select per telemetry source of the registry, its columns by name #}
    {%- for entry in llm_cost_sources(is_telemetry=true).values() %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            {{ call_record_columns | join(",\n            ") }}
        from {{ ref(entry.call_records_model) }}
    {%- endfor %}

)

select * from unioned
