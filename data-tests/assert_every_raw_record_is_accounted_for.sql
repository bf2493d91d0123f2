{#
    Conservation: for every source, the raw records read equal billed calls
    + duplicates + failed attempts + cache hits + non-LLM spans +
    quarantined records. Fails with each source whose numbers differ.
    Always over all history (not tested_rows): the accounting mart is
    rebuilt from every record each night, and a total cannot be split.
#}
with

raw_records as (

    {#- every telemetry source of the registry (var llm_cost_sources): its staged records -#}
    {%- for source_system, entry in llm_cost_sources(is_telemetry=true).items() %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            {{ sql_string_literal(source_system) }} as source_system,
            count(*) as raw_record_count
        from {{ ref(entry.staging_model) }}
    {%- endfor %}

),

accounted_records as (

    select
        source_system,
        sum(record_count) as accounted_record_count
    from {{ ref('fct_telemetry_record_accounting') }}
    group by source_system

),

compared as (

    select
        raw_records.source_system,
        raw_records.raw_record_count,
        coalesce(accounted_records.accounted_record_count, 0) as accounted_record_count
    from raw_records
    left join accounted_records
        on raw_records.source_system = accounted_records.source_system

)

select * from compared
where raw_record_count != accounted_record_count
