{#
    Conservation: for every source, the raw records read equal billed calls
    + duplicates + failed attempts + cache hits + non-LLM spans +
    quarantined records. Fails with each source whose numbers differ.
#}
with

raw_records as (

    select
        'app_logs' as source_system,
        count(*) as raw_record_count
    from {{ ref('stg_app__llm_calls') }}
    union all
    select
        'otlp_traces' as source_system,
        count(*) as raw_record_count
    from {{ ref('stg_otlp__spans') }}
    union all
    select
        'litellm_spend_logs' as source_system,
        count(*) as raw_record_count
    from {{ ref('stg_litellm__spend_logs') }}
    union all
    select
        'bedrock_invocation_logs' as source_system,
        count(*) as raw_record_count
    from {{ ref('stg_bedrock__invocations') }}

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
