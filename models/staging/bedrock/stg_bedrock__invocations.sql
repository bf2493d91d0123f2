{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_incremental_files() }}"
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

{{ json_record_ctes(source('bedrock', 'invocation_records'), invocation_fields) }},

{{ json_fields_ctes('renamed', 'request_metadata_json', request_metadata_fields, 'tags_renamed') }}

select * from tags_renamed
