with

record_outcomes as (

    select * from {{ ref('int_telemetry_record_outcomes') }}

),

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

outcomes_with_cost as (

    select
        record_outcomes.*,
        calls.cost_usd
    from record_outcomes
    left join calls
        on record_outcomes.record_id = calls.source_record_id

),

loads as (

    select
        {{ surrogate_key(['load_invocation_id', 'source_system']) }} as pipeline_load_id,
        load_invocation_id,
        source_system,
        min(loaded_at) as loaded_at,
        cast(count(distinct source_file) as bigint) as file_count,
        list(distinct source_file order by source_file) as source_files,
        cast(count(*) as bigint) as record_count,
        cast(count(*) filter (where record_outcome = 'billed') as bigint) as billed_call_count,
        cast(
            count(*) filter (
                where record_outcome in ('exact_duplicate', 'cross_source_duplicate')
            ) as bigint
        ) as duplicate_count,
        cast(count(*) filter (where record_outcome = 'failed_attempt') as bigint)
            as failed_attempt_count,
        cast(count(*) filter (where record_outcome = 'proxy_cache_hit') as bigint)
            as proxy_cache_hit_count,
        cast(count(*) filter (where record_outcome = 'non_llm_span') as bigint)
            as non_llm_span_count,
        cast(count(*) filter (where record_outcome = 'quarantined') as bigint) as quarantined_count,
        cast(sum(input_tokens) filter (where record_outcome = 'billed') as bigint)
            as input_tokens,
        cast(sum(output_tokens) filter (where record_outcome = 'billed') as bigint)
            as output_tokens,
        sum(cost_usd) as cost_usd,
        min(called_at) as first_called_at,
        max(called_at) as last_called_at
    from outcomes_with_cost
    group by load_invocation_id, source_system

)

select * from loads
