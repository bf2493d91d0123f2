with

record_outcomes as (

    select * from {{ ref('int_telemetry_record_outcomes') }}

),

accounted as (

    select
        {{ surrogate_key(['source_system', 'record_outcome']) }} as accounting_id,
        source_system,
        record_outcome,
        cast(count(*) as bigint) as record_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        min(called_at) as first_called_at,
        max(called_at) as last_called_at
    from record_outcomes
    group by source_system, record_outcome

)

select * from accounted
