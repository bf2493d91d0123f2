{#-
    One row per raw file of the latest pre-flight (scripts/raw_manifest.py),
    with the source system it feeds, so the quality marts and the
    reconciliation tests can say what became of every file.
-#}
with

manifest as (

    select * from {{ source('raw_files', 'file_manifest') }}

),

renamed as (

    select
        source_file,
        relation_name,
        file_format,
        file_bytes,
        record_count,
        file_status,
        quarantine_reason,
        cast(checked_at as timestamp) as checked_at,
        cast(listed_at as timestamp) as listed_at,
        case relation_name
            when 'app_llm_call_records' then 'app_logs'
            when 'otlp_trace_records' then 'otlp_traces'
            when 'litellm_spend_log_records' then 'litellm_spend_logs'
            when 'bedrock_invocation_records' then 'bedrock_invocation_logs'
            when 'openai_invoice_pages' then 'openai_costs'
            when 'anthropic_invoice_pages' then 'anthropic_cost_report'
            when 'aws_cur_invoice_rows' then 'aws_cur'
            when 'focus_invoice_rows' then 'focus'
        end as source_system,
        relation_name in (
            'app_llm_call_records',
            'otlp_trace_records',
            'litellm_spend_log_records',
            'bedrock_invocation_records'
        ) as is_telemetry,
        make_timestamp(modified_at_ns // 1000) as file_modified_at
    from manifest

)

select * from renamed
