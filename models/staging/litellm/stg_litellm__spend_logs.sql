{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_incremental_files() }}"
    )
}}

{#-
    LiteLLM_SpendLogs columns read, and the column each lands in. `metadata`
    and `request_tags` arrive as JSON (JSONL export) or as JSON text (CSV
    export); both are kept as JSON text and read in a second step. Prompt and
    response bodies (`messages`, `response`, `proxy_server_request`) and the
    hashed `api_key` are never read.
-#}
{%- set spend_log_fields = {
    "request_id": "$.request_id",
    "call_type": "$.call_type",
    "status": "$.status",
    "start_time_text": "$.startTime",
    "model_raw": "$.model",
    "model_group": "$.model_group",
    "provider_raw": "$.custom_llm_provider",
    "api_base": "$.api_base",
    "prompt_tokens_text": "$.prompt_tokens",
    "completion_tokens_text": "$.completion_tokens",
    "total_tokens_text": "$.total_tokens",
    "spend_text": "$.spend",
    "team_id": "$.team_id",
    "end_user": "$.end_user",
    "session_id": "$.session_id",
    "cache_hit": "$.cache_hit",
    "request_tags_json": "$.request_tags",
    "metadata_json": "$.metadata",
} -%}
{%- set metadata_fields = {
    "team_alias": "$.user_api_key_team_alias",
    "metadata_team_id": "$.user_api_key_team_id",
    "api_key_alias": "$.user_api_key_alias",
    "spend_logs_metadata_json": "$.spend_logs_metadata",
    "trace_id": "$.trace_id",
    "text_tokens_text": "$.additional_usage_values.prompt_tokens_details.text_tokens",
    "cached_tokens_text": "$.additional_usage_values.prompt_tokens_details.cached_tokens",
    "cache_creation_tokens_text": "$.additional_usage_values.prompt_tokens_details.cache_creation_tokens",
    "cache_read_input_tokens_text": "$.additional_usage_values.cache_read_input_tokens",
    "cache_creation_input_tokens_text": "$.additional_usage_values.cache_creation_input_tokens",
    "cache_creation_1h_tokens_text": "$.additional_usage_values.cache_creation_input_token_details.ephemeral_1h_input_tokens",
    "reasoning_tokens_text": "$.additional_usage_values.completion_tokens_details.reasoning_tokens",
} -%}
{%- set caller_fields = {
    "caller_team": "$.team",
    "caller_service": "$.service",
    "caller_route": "$.route",
    "caller_environment": "$.env",
    "caller_deployment_environment": "$.environment",
    "caller_cost_center": "$.cost_center",
    "caller_job_name": "$.job",
} -%}

with

{{ json_record_ctes(source('litellm', 'spend_log_records'), spend_log_fields) }},

{{ json_fields_ctes('renamed', 'metadata_json', metadata_fields, 'metadata_renamed') }},

{{ json_fields_ctes(
    'metadata_renamed', 'spend_logs_metadata_json', caller_fields, 'caller_metadata_renamed'
) }},

request_tags_listed as (

    select
        * exclude (request_tags_json),
        case
            when json_valid(request_tags_json) and json_type(request_tags_json) = 'ARRAY'
                then cast(json_extract_string(request_tags_json, '$[*]') as varchar[])
        end as request_tags
    from caller_metadata_renamed

)

select * from request_tags_listed
