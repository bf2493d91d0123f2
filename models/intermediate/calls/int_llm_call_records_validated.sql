{#-
    Typed call records with a verdict. Every rule that makes a record
    unusable lives here, once, for every source; the first failing rule is
    the quarantine reason. LLM spans that ended in error without reporting
    usage are failed attempts: they cost nothing and are not quarantined.
-#}
with

records as (

    select * from {{ ref('int_llm_call_records_unioned') }}

),

provider_aliases as (

    select * from {{ ref('llm_provider_aliases') }}

),

typed as (

    select
        records.*,
        provider_aliases.provider,
        {{ parse_event_timestamp('records.event_timestamp_text') }} as called_at,
        {{ parse_token_count('records.input_tokens_text') }} as input_tokens,
        {{ parse_token_count('records.output_tokens_text') }} as output_tokens,
        coalesce({{ parse_token_count('records.cache_read_tokens_text') }}, 0)
            as cache_read_tokens,
        coalesce({{ parse_token_count('records.cache_write_tokens_text') }}, 0)
            as cache_write_tokens,
        coalesce({{ parse_token_count('records.reasoning_tokens_text') }}, 0)
            as reasoning_tokens,
        {{ is_invalid_token_count('records.input_tokens_text') }}
        or {{ is_invalid_token_count('records.output_tokens_text') }}
        or {{ is_invalid_token_count('records.cache_read_tokens_text') }}
        or {{ is_invalid_token_count('records.cache_write_tokens_text') }}
        or {{ is_invalid_token_count('records.reasoning_tokens_text') }}
            as has_invalid_token_count
    from records
    left join provider_aliases
        on lower(trim(records.provider_raw)) = provider_aliases.provider_alias

),

judged as (

    select
        *,
        case
            when not is_valid_json then 'malformed_json'
            when event_timestamp_text is null then 'missing_timestamp'
            when called_at is null then 'invalid_timestamp'
            when provider_raw is null then 'missing_provider'
            when provider is null then 'unknown_provider'
            when model_raw is null then 'missing_model'
            when has_invalid_token_count then 'invalid_token_count'
            when
                span_status = 'ERROR'
                and input_tokens_text is null
                and output_tokens_text is null
                then null
            when input_tokens_text is null or output_tokens_text is null
                then 'missing_token_count'
            when cache_read_tokens + cache_write_tokens > input_tokens
                then 'cache_tokens_exceed_input'
        end as quarantine_reason
    from typed

),

classified as (

    select
        *,
        case
            when quarantine_reason is not null then 'quarantined'
            when input_tokens is null then 'failed_attempt'
            else 'usable'
        end as record_outcome
    from judged

)

select * from classified
