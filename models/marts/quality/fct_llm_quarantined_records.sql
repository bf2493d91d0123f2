with

records as (

    select * from {{ ref('int_llm_call_records_validated') }}
    where record_outcome = 'quarantined'

),

final as (

    select
        record_id,
        source_system,
        source_file,
        quarantine_reason,
        trace_id,
        span_id,
        provider_request_id as request_id,
        event_timestamp_text,
        provider_raw,
        model_raw,
        called_at
    from records

)

select * from final
