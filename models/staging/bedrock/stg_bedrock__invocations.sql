{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail'
    )
}}

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

with

records as (

    select * from {{ source('bedrock', 'invocation_records') }}
    where {{ raw_files_to_load('bedrock_invocation_records') }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_text') }} as record_id,
        source_file,
        file_modified_at,
        {{ load_columns() }},
        md5(record_text) as record_hash,
        {{ json_object_check('record_text') }} as is_valid_json,
        record_text
    from records

),

extracted as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        record_hash,
        is_valid_json,
        case
            when is_valid_json then {{ json_field_values('record_text', invocation_fields) }}
        end as field_values
    from identified

),

renamed as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        record_hash,
        is_valid_json,
        {{ json_field_columns('field_values', invocation_fields) }}
    from extracted

),

request_metadata_extracted as (

    select
        *,
        case
            when {{ json_object_check('request_metadata_json') }}
                then {{ json_field_values('request_metadata_json', request_metadata_fields) }}
        end as request_metadata_values
    from renamed

),

request_metadata_renamed as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        record_hash,
        is_valid_json,
        schema_type,
        event_timestamp_text,
        request_id,
        aws_account_id,
        aws_region,
        inference_region,
        operation,
        model_raw,
        identity_arn,
        error_code,
        input_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        output_tokens_text,
        {{ json_field_columns('request_metadata_values', request_metadata_fields) }}
    from request_metadata_extracted

)

select * from request_metadata_renamed
