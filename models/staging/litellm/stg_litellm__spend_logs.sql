{{ config(**incremental_contract()) }}

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
    "gateway_team_id": "$.team_id",
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
    "litellm_trace_id": "$.trace_id",
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
{#-
    The columns each step carries through unchanged, written once: the
    record's own, then the fields read above (less the JSON text that a later
    step reads and drops). `has_duplicate_key` and `request_tags_json` are
    named where they pass, since steps rewrite or drop them.
-#}
{%- set record_columns = [
    'record_id',
    'source_file',
    'source_format',
    'file_modified_at',
    'loaded_at',
    'load_invocation_id',
    'record_hash',
    'is_valid_json',
] -%}
{%- set spend_log_columns = spend_log_fields
    | reject('in', ['request_tags_json', 'metadata_json']) | list -%}
{%- set metadata_columns = metadata_fields
    | reject('equalto', 'spend_logs_metadata_json') | list -%}
{%- set caller_columns = caller_fields | list -%}

with

records as (

    select * from {{ source('litellm', 'spend_log_records') }}
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
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        case when is_valid_json then {{ json_field_values('record_text', spend_log_fields) }} end
            as field_values,
        case
            when is_valid_json then {{ json_read_object_keys('record_text', spend_log_fields) }}
        end as field_object_keys
    from identified

),

renamed as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        coalesce(
            {{ json_duplicate_key_check('field_object_keys', spend_log_fields, 'source_format') }},
            false
        ) as has_duplicate_key,
        {{ json_field_columns('field_values', spend_log_fields) }}
    from extracted

),

metadata_extracted as (

    select
        {%- for column in
            record_columns + ['has_duplicate_key'] + spend_log_columns + ['request_tags_json']
        %}
            {{ column }},
        {%- endfor %}
        case
            when {{ json_object_check('metadata_json') }}
                then {{ json_field_values('metadata_json', metadata_fields) }}
        end as field_values,
        case
            when {{ json_object_check('metadata_json') }}
                then {{ json_read_object_keys('metadata_json', metadata_fields) }}
        end as field_object_keys
    from renamed

),

metadata_renamed as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        has_duplicate_key
        or coalesce({{ json_duplicate_key_check('field_object_keys', metadata_fields) }}, false)
            as has_duplicate_key,
        {%- for column in spend_log_columns + ['request_tags_json'] %}
            {{ column }},
        {%- endfor %}
        {{ json_field_columns('field_values', metadata_fields) }}
    from metadata_extracted

),

caller_metadata_extracted as (

    select
        {%- for column in
            record_columns + ['has_duplicate_key'] + spend_log_columns + ['request_tags_json']
            + metadata_columns
        %}
            {{ column }},
        {%- endfor %}
        case
            when {{ json_object_check('spend_logs_metadata_json') }}
                then {{ json_field_values('spend_logs_metadata_json', caller_fields) }}
        end as field_values,
        case
            when {{ json_object_check('spend_logs_metadata_json') }}
                then {{ json_read_object_keys('spend_logs_metadata_json', caller_fields) }}
        end as field_object_keys
    from metadata_renamed

),

caller_metadata_renamed as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        has_duplicate_key
        or coalesce({{ json_duplicate_key_check('field_object_keys', caller_fields) }}, false)
            as has_duplicate_key,
        {%- for column in spend_log_columns + ['request_tags_json'] + metadata_columns %}
            {{ column }},
        {%- endfor %}
        {{ json_field_columns('field_values', caller_fields) }}
    from caller_metadata_extracted

),

request_tags_listed as (

    select
        {%- for column in
            record_columns + ['has_duplicate_key'] + spend_log_columns + metadata_columns
            + caller_columns
        %}
            {{ column }},
        {%- endfor %}
        {{ json_array_text_list('request_tags_json') }} as request_tags
    from caller_metadata_renamed

),

call_records as (

    {#-
        The shared call columns (int_llm_call_records_unioned), by name.
        LiteLLM's `prompt_tokens` meaning depends on its version: with
        `text_tokens` the input is recomputed from the parts
        (llm_usage_conventions).
    -#}
    select
        *,
        loaded_at as context_loaded_at,
        request_id as provider_request_id,
        start_time_text as event_timestamp_text,
        call_type as operation_name,
        model_group as requested_model_raw,
        completion_tokens_text as output_tokens_text,
        cache_creation_1h_tokens_text as cache_write_1h_tokens_text,
        spend_text as source_reported_cost_text,
        caller_cost_center as cost_center,
        caller_service as service_name,
        caller_route as http_route,
        caller_job_name as job_name,
        'litellm_spend_logs' as source_system,
        cast(null as boolean) as is_traces_data,
        cast(null as {{ dbt.type_string() }}) as trace_id,
        cast(null as {{ dbt.type_string() }}) as span_id,
        cast(null as {{ dbt.type_string() }}) as url_path,
        cast(null as {{ dbt.type_string() }}) as service_tier_raw,
        cast(null as {{ dbt.type_string() }}) as aws_account_id,
        cast(null as {{ dbt.type_string() }}) as aws_region,
        cast(null as {{ dbt.type_string() }}) as customer_tier,
        'litellm:' || coalesce(request_id, record_hash) as dedup_key,
        coalesce(litellm_trace_id, request_id) as logical_group_key,
        case when lower(status) = 'failure' then 'error' else 'ok' end as attempt_status,
        coalesce(lower(cache_hit) = 'true' or contains(request_id, '_cache_hit'), false)
            as is_proxy_cache_hit,
        case
            when text_tokens_text is not null then 'litellm_text_tokens'
            else 'litellm_prompt_tokens'
        end as usage_convention,
        coalesce(text_tokens_text, prompt_tokens_text) as input_tokens_text,
        coalesce(cache_read_input_tokens_text, cached_tokens_text) as cache_read_tokens_text,
        coalesce(cache_creation_input_tokens_text, cache_creation_tokens_text)
            as cache_write_tokens_text,
        coalesce(caller_team, team_alias, gateway_team_id, metadata_team_id) as team_id,
        case
            when caller_team is not null then 'request_metadata'
            when coalesce(team_alias, gateway_team_id, metadata_team_id) is not null
                then 'gateway_team'
        end as team_origin,
        coalesce(caller_environment, caller_deployment_environment) as environment_raw
    from request_tags_listed

)

select * from call_records
