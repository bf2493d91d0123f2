{#-
    Flat app-log keys, as named in the design, and the column each lands in.
    Values stay text here; int_llm_call_records_validated casts them, so a
    bad value is quarantined with a reason instead of becoming null.
-#}
{%- set app_log_keys = {
    "timestamp": "event_timestamp_text",
    "request_id": "request_id",
    "team.id": "team_id",
    "cost_center": "cost_center",
    "service.name": "service_name",
    "deployment.environment": "environment_raw",
    "http.route": "http_route",
    "job.name": "job_name",
    "llm.provider": "provider_raw",
    "llm.model": "model_raw",
    "llm.requested_model": "requested_model_raw",
    "llm.input_tokens": "input_tokens_text",
    "llm.output_tokens": "output_tokens_text",
    "llm.cache_read_tokens": "cache_read_tokens_text",
    "llm.cache_write_tokens": "cache_write_tokens_text",
    "llm.reasoning_tokens": "reasoning_tokens_text",
    "llm.service_tier": "service_tier_raw",
    "aws.account_id": "aws_account_id",
    "aws.region": "aws_region",
    "customer_tier": "customer_tier",
} -%}

with

records as (

    select * from {{ source('app', 'llm_call_records') }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_text') }} as record_id,
        source_file,
        source_format,
        md5(record_text) as record_hash,
        coalesce(
            case when json_valid(record_text) then json_type(record_text) = 'OBJECT' end,
            false
        ) as is_valid_json,
        record_text
    from records

),

extracted as (

    select
        record_id,
        source_file,
        source_format,
        record_hash,
        is_valid_json,
        case
            when is_valid_json
                then json_extract_string(record_text, [
                        {%- for key in app_log_keys %}
                            '$."{{ key }}"'{{ "," if not loop.last }}
                        {%- endfor %}
                    ])
        end as key_values
    from identified

),

renamed as (

    select
        record_id,
        source_file,
        source_format,
        {%- for column_name in app_log_keys.values() %}
            nullif(trim(key_values[{{ loop.index }}]), '') as {{ column_name }},
        {%- endfor %}
        record_hash,
        is_valid_json
    from extracted

)

select * from renamed
