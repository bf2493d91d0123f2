{{ config(**incremental_contract()) }}

{#-
    Bedrock ModelInvocationLog fields read, and the column each lands in.
    Request and response bodies (`input.inputBodyJson`, `output.outputBodyJson`)
    are never read. `requestMetadata` holds the caller's own tags.
-#}
{%- set invocation_fields = {
    "schema_type": "$.schemaType",
    "event_timestamp_text": "$.timestamp",
    "request_id": "$.requestId",
    "aws_account_id": "$.accountId",
    "aws_region": "$.region",
    "inference_region": "$.inferenceRegion",
    "operation": "$.operation",
    "model_raw": "$.modelId",
    "identity_arn": "$.identity.arn",
    "error_code": "$.errorCode",
    "input_tokens_text": "$.input.inputTokenCount",
    "cache_read_tokens_text": "$.input.cacheReadInputTokenCount",
    "cache_write_tokens_text": "$.input.cacheWriteInputTokenCount",
    "output_tokens_text": "$.output.outputTokenCount",
    "request_metadata_json": "$.requestMetadata",
} -%}
{%- set request_metadata_fields = {
    "tag_team": "$.team",
    "tag_service": "$.service",
    "tag_environment": "$.environment",
    "tag_env": "$.env",
    "tag_route": "$.route",
    "tag_cost_center": "$.cost_center",
    "tag_job_name": "$.job",
} -%}
{#-
    The columns each step carries through unchanged, written once: the
    record's own, then the fields read above (less `request_metadata_json`,
    which the tags step reads and drops). `has_duplicate_key` is named where
    it passes, since the tags step rewrites it.
-#}
{%- set record_columns = [
    'record_id',
    'source_file',
    'source_format',
    'file_modified_at',
    'loaded_at',
    'load_invocation_id',
    'record_hash',
    'is_json_object',
] -%}
{%- set invocation_columns = invocation_fields
    | reject('equalto', 'request_metadata_json') | list -%}

with

records as (

    select * from {{ source('bedrock', 'invocation_records') }}
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
        {{ json_object_check('record_text') }} as is_json_object,
        record_text
    from records

),

extracted as (

    {#- one parse for the values, one for the keys of the objects they are read from -#}
    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        case when is_json_object then {{ json_field_values('record_text', invocation_fields) }} end
            as field_values,
        case
            when is_json_object then {{ json_read_object_keys('record_text', invocation_fields) }}
        end as field_object_keys
    from identified

),

renamed as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        coalesce(
            {{ json_duplicate_key_check('field_object_keys', invocation_fields, 'source_format') }},
            false
        ) as has_duplicate_key,
        {{ json_field_columns('field_values', invocation_fields) }}
    from extracted

),

tags_extracted as (

    select
        {%- for column in record_columns + ['has_duplicate_key'] + invocation_columns %}
            {{ column }},
        {%- endfor %}
        case
            when {{ json_object_check('request_metadata_json') }}
                then {{ json_field_values('request_metadata_json', request_metadata_fields) }}
        end as field_values,
        case
            when {{ json_object_check('request_metadata_json') }}
                then {{ json_read_object_keys('request_metadata_json', request_metadata_fields) }}
        end as field_object_keys
    from renamed

),

tags_renamed as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        has_duplicate_key
        or coalesce(
            {{ json_duplicate_key_check('field_object_keys', request_metadata_fields) }}, false
        ) as has_duplicate_key,
        {%- for column in invocation_columns %}
            {{ column }},
        {%- endfor %}
        {{ json_field_columns('field_values', request_metadata_fields) }}
    from tags_extracted

),

call_records as (

    {#-
        The shared call columns (int_llm_call_records_unioned), by name. A
        JSON object that is not a ModelInvocationLog (or does not say) is not
        a valid record.
    -#}
    select
        *,
        loaded_at as context_loaded_at,
        request_id as logical_group_key,
        request_id as provider_request_id,
        tag_team as team_id,
        tag_cost_center as cost_center,
        tag_service as service_name,
        tag_route as http_route,
        tag_job_name as job_name,
        'bedrock_invocation_logs' as source_system,
        cast(null as boolean) as is_traces_data,
        cast(null as {{ dbt.type_string() }}) as trace_id,
        cast(null as {{ dbt.type_string() }}) as span_id,
        false as is_proxy_cache_hit,
        'aws.bedrock' as provider_raw,
        cast(null as {{ dbt.type_string() }}) as requested_model_raw,
        'bedrock_invocation_log' as usage_convention,
        cast(null as {{ dbt.type_string() }}) as cache_write_1h_tokens_text,
        cast(null as {{ dbt.type_string() }}) as reasoning_tokens_text,
        cast(null as {{ dbt.type_string() }}) as source_reported_cost_text,
        cast(null as {{ dbt.type_string() }}) as url_path,
        cast(null as {{ dbt.type_string() }}) as service_tier_raw,
        cast(null as {{ dbt.type_string() }}) as customer_tier,
        is_json_object and coalesce(schema_type = 'ModelInvocationLog', false) as is_valid_json,
        'bedrock:' || coalesce(request_id, record_hash) as dedup_key,
        case when error_code is not null then 'error' else 'ok' end as attempt_status,
        lower(operation) as operation_name,
        case when tag_team is not null then 'request_metadata' end as team_origin,
        coalesce(tag_environment, tag_env) as environment_raw
    from tags_renamed

)

select * from call_records
