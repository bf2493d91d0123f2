with

record_outcomes as (

    select * from {{ ref('int_telemetry_record_outcomes') }}

),

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

{# a file is loaded by one run, so costs can be summed per file and joined on it #}
file_costs as (

    select
        source_file,
        sum(cost_usd) as cost_usd
    from calls
    group by source_file

),

file_loads as (

    select
        load_invocation_id,
        source_system,
        source_file,
        min(loaded_at) as loaded_at,
        count(*) as record_count,
        count(*) filter (where record_outcome = 'billed') as billed_call_count,
        count(*) filter (
            where
            record_outcome in (
                'exact_duplicate', 'cross_source_duplicate', 'instrumentation_duplicate'
            )
        ) as duplicate_count,
        count(*) filter (where record_outcome = 'failed_attempt') as failed_attempt_count,
        count(*) filter (where record_outcome = 'proxy_cache_hit') as proxy_cache_hit_count,
        count(*) filter (where record_outcome = 'non_llm_span') as non_llm_span_count,
        count(*) filter (where record_outcome = 'quarantined') as quarantined_count,
        sum(input_tokens) filter (where record_outcome = 'billed') as input_tokens,
        sum(output_tokens) filter (where record_outcome = 'billed') as output_tokens,
        min(called_at) as first_called_at,
        max(called_at) as last_called_at
    from record_outcomes
    group by load_invocation_id, source_system, source_file

),

loads as (

    select
        {{ surrogate_key(['file_loads.load_invocation_id', 'file_loads.source_system']) }}
            as pipeline_load_id,
        file_loads.load_invocation_id,
        file_loads.source_system,
        min(file_loads.loaded_at) as loaded_at,
        cast(count(*) as bigint) as file_count,
        {{ list_agg_sorted("file_loads.source_file") }} as source_files,
        cast(sum(file_loads.record_count) as bigint) as record_count,
        cast(sum(file_loads.billed_call_count) as bigint) as billed_call_count,
        cast(sum(file_loads.duplicate_count) as bigint) as duplicate_count,
        cast(sum(file_loads.failed_attempt_count) as bigint) as failed_attempt_count,
        cast(sum(file_loads.proxy_cache_hit_count) as bigint) as proxy_cache_hit_count,
        cast(sum(file_loads.non_llm_span_count) as bigint) as non_llm_span_count,
        cast(sum(file_loads.quarantined_count) as bigint) as quarantined_count,
        cast(sum(file_loads.input_tokens) as bigint) as input_tokens,
        cast(sum(file_loads.output_tokens) as bigint) as output_tokens,
        sum(file_costs.cost_usd) as cost_usd,
        min(file_loads.first_called_at) as first_called_at,
        max(file_loads.last_called_at) as last_called_at
    from file_loads
    left join file_costs
        on file_loads.source_file = file_costs.source_file
    group by file_loads.load_invocation_id, file_loads.source_system

)

select * from loads
