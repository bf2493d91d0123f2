{{ config(**incremental_contract()) }}

{#-
    Flat app-log keys, as named in the design, and the column each lands in.
    Values stay text here; int_llm_call_records_validated casts them, so a
    bad value is quarantined with a reason instead of becoming null.
-#}
{%- set app_log_fields = {
    "event_timestamp_text": '$."timestamp"',
    "request_id": '$."request_id"',
    "team_id": '$."team.id"',
    "cost_center": '$."cost_center"',
    "service_name": '$."service.name"',
    "environment_raw": '$."deployment.environment"',
    "http_route": '$."http.route"',
    "job_name": '$."job.name"',
    "provider_raw": '$."llm.provider"',
    "model_raw": '$."llm.model"',
    "requested_model_raw": '$."llm.requested_model"',
    "input_tokens_text": '$."llm.input_tokens"',
    "output_tokens_text": '$."llm.output_tokens"',
    "cache_read_tokens_text": '$."llm.cache_read_tokens"',
    "cache_write_tokens_text": '$."llm.cache_write_tokens"',
    "cache_write_1h_tokens_text": '$."llm.cache_write_1h_tokens"',
    "reasoning_tokens_text": '$."llm.reasoning_tokens"',
    "service_tier_raw": '$."llm.service_tier"',
    "aws_account_id": '$."aws.account_id"',
    "aws_region": '$."aws.region"',
    "customer_tier": '$."customer_tier"',
} -%}

with

records as (

    select * from {{ source('app', 'llm_call_records') }}
    where {{ incremental_files() }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_hash', 'copy_number') }} as record_id,
        source_file,
        source_format,
        file_modified_at,
        {{ load_columns() }},
        record_hash,
        {{ json_object_check('record_text') }} as is_valid_json,
        record_text
    from records

),

extracted as (

    {#- one parse for the values, one for the keys of the objects they are read from -#}
    select
        record_id,
        source_file,
        source_format,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        record_hash,
        is_valid_json,
        case when is_valid_json then {{ json_field_values('record_text', app_log_fields) }} end
            as field_values,
        case when is_valid_json then {{ json_read_object_keys('record_text', app_log_fields) }} end
            as field_object_keys
    from identified

),

renamed as (

    select
        record_id,
        source_file,
        source_format,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        record_hash,
        is_valid_json,
        coalesce(
            {{ json_duplicate_key_check('field_object_keys', app_log_fields, 'source_format') }},
            false
        ) as has_duplicate_key,
        {{ json_field_columns('field_values', app_log_fields) }}
    from extracted

),

call_records as (

    {#- the shared call columns (int_llm_call_records_unioned), by name -#}
    select
        *,
        loaded_at as context_loaded_at,
        request_id as logical_group_key,
        request_id as provider_request_id,
        'app_logs' as source_system,
        cast(null as boolean) as is_traces_data,
        cast(null as {{ dbt.type_string() }}) as trace_id,
        cast(null as {{ dbt.type_string() }}) as span_id,
        'ok' as attempt_status,
        false as is_proxy_cache_hit,
        cast(null as {{ dbt.type_string() }}) as operation_name,
        'flat_llm' as usage_convention,
        cast(null as {{ dbt.type_string() }}) as source_reported_cost_text,
        cast(null as {{ dbt.type_string() }}) as url_path,
        'app:' || record_hash as dedup_key,
        case when team_id is not null then 'log_record' end as team_origin
    from renamed

)

select * from call_records
