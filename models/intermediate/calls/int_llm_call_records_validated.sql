{#-
    Typed call records with a verdict. Every rule that makes a record
    unusable lives here, once, for every source; the first failing rule is
    the quarantine reason. Token counts are brought to one meaning here, by
    the record's usage convention (seed llm_usage_conventions): input counts
    all input tokens, cache reads and writes included; output includes
    reasoning. When the counts contradict the declared convention (cache
    larger than input, reasoning larger than output) they can only be
    exclusive, and are read so; `usage_rule` records what was applied.

    Plausibility: a readable time before `earliest_plausible_call_date`, or
    more than `max_call_hours_after_file_written` after its file was last
    written (or loaded, if earlier: a call cannot be recorded before it
    happens), is `implausible_timestamp`; the bound depends only on the
    file, so a nightly run and a full rebuild judge a record alike. A call
    whose input (cache included) and output tokens exceed
    `max_plausible_tokens_per_call` is `implausible_token_count`, and its
    token counts are kept out of every sum (null).

    Incremental by the one contract of macros/incremental/incremental_files.sql:
    a run revalidates the files with a record whose context changed since
    its last run (its own load; for an OTLP span, the run that last put it
    in context: int_otlp__llm_spans_in_context recomputes the spans whose
    trace or sibling recordings changed, every span when an OTLP file was
    retracted), the retracted files, and every file when a seed it reads
    changed.
-#}
{{
    config(**incremental_contract(
        upstream='int_llm_call_records_unioned', upstream_stamp='context_loaded_at',
        stamp='validated_at',
    ))
}}
{#- the token counts of one meaning, and whether they are implausibly many -#}
{%- set input_tokens -%}
    (
        reported_input_tokens
        + case
            when input_includes_cache_read and not is_input_evidently_exclusive then 0
            else cache_read_tokens
        end
        + case
            when input_includes_cache_write and not is_input_evidently_exclusive then 0
            else cache_write_tokens
        end
    )
{%- endset -%}
{%- set output_tokens -%}
    (
        reported_output_tokens
        + case
            when output_includes_reasoning and not is_output_evidently_exclusive then 0
            else reasoning_tokens
        end
    )
{%- endset -%}
{%- set has_implausible_token_count -%}
    coalesce(
        {{ input_tokens }} + coalesce({{ output_tokens }}, 0) > {{ var("max_plausible_tokens_per_call") }},
        false
    )
{%- endset %}
with

records as (

    select * from {{ ref('int_llm_call_records_unioned') }}
    where {{ incremental_files() }}

),

provider_aliases as (

    select * from {{ ref('llm_provider_aliases') }}

),

usage_conventions as (

    select * from {{ ref('llm_usage_conventions') }}

),

typed as (

    select
        records.*,
        provider_aliases.provider,
        {{ parse_event_timestamp('records.event_timestamp_text') }} as called_at,
        coalesce(
            least({{ timestamptz_in_utc('records.file_modified_at') }}, records.loaded_at),
            {{ processed_at() }}
        ) as file_written_at,
        {{ parse_token_count('records.input_tokens_text') }} as reported_input_tokens,
        {{ parse_token_count('records.output_tokens_text') }} as reported_output_tokens,
        coalesce({{ parse_token_count('records.cache_read_tokens_text') }}, 0)
            as cache_read_tokens,
        coalesce({{ parse_token_count('records.cache_write_tokens_text') }}, 0)
            as cache_write_tokens,
        coalesce({{ parse_token_count('records.cache_write_1h_tokens_text') }}, 0)
            as cache_write_1h_tokens,
        coalesce({{ parse_token_count('records.reasoning_tokens_text') }}, 0)
            as reasoning_tokens,
        {#- shown only, never billed: a value that is not a plain amount is dropped #}
        case
            when {{ regexp_matches_whole(
                'trim(records.source_reported_cost_text)', '[0-9]{1,15}([.][0-9]+)?'
            ) }}
                then try_cast(trim(records.source_reported_cost_text) as decimal(38, 12))
        end as source_reported_cost_usd,
        {{ is_invalid_token_count('records.input_tokens_text') }}
        or {{ is_invalid_token_count('records.output_tokens_text') }}
        or {{ is_invalid_token_count('records.cache_read_tokens_text') }}
        or {{ is_invalid_token_count('records.cache_write_tokens_text') }}
        or {{ is_invalid_token_count('records.cache_write_1h_tokens_text') }}
        or {{ is_invalid_token_count('records.reasoning_tokens_text') }}
            as has_invalid_token_count
    from records
    left join provider_aliases
        on lower(trim(records.provider_raw)) = provider_aliases.provider_alias

),

with_convention as (

    select
        typed.*,
        coalesce(
            provider_convention.input_includes_cache_read,
            default_convention.input_includes_cache_read
        ) as input_includes_cache_read,
        coalesce(
            provider_convention.input_includes_cache_write,
            default_convention.input_includes_cache_write
        ) as input_includes_cache_write,
        coalesce(
            provider_convention.output_includes_reasoning,
            default_convention.output_includes_reasoning
        ) as output_includes_reasoning
    from typed
    left join usage_conventions as provider_convention
        on
            typed.usage_convention = provider_convention.usage_convention
            and typed.provider = provider_convention.provider
    left join usage_conventions as default_convention
        on
            typed.usage_convention = default_convention.usage_convention
            and default_convention.provider = '*'

),

semantics_checked as (

    select
        *,
        input_includes_cache_read and input_includes_cache_write
        and cache_read_tokens + cache_write_tokens > reported_input_tokens
            as is_input_evidently_exclusive,
        output_includes_reasoning and reasoning_tokens > reported_output_tokens
            as is_output_evidently_exclusive
    from with_convention

),

usage_normalized as (

    {#- a call of implausibly many tokens keeps them out of every sum (null) -#}
    select
        *,
        case
            when not {{ has_implausible_token_count }} then {{ input_tokens }}
        end as input_tokens,
        case
            when not {{ has_implausible_token_count }} then coalesce({{ output_tokens }}, 0)
        end as output_tokens,
        usage_convention
        || case when is_input_evidently_exclusive then '+input_excludes_cache' else '' end
        || case when is_output_evidently_exclusive then '+output_excludes_reasoning' else '' end
            as usage_rule
    from semantics_checked

),

plausibility_checked as (

    select
        *,
        coalesce(
            called_at < cast('{{ var("earliest_plausible_call_date") }}' as timestamp)
            or called_at > file_written_at
            + interval '{{ var("max_call_hours_after_file_written") | int }}' hour,
            false
        ) as is_implausible_call_time,
        {{ has_implausible_token_count }} as has_implausible_token_count
    from usage_normalized

),

judged as (

    select
        *,
        case
            when not is_valid_json then 'malformed_json'
            when not coalesce(is_traces_data, true) then 'not_traces_data'
            when has_duplicate_key then 'duplicate_key'
            when event_timestamp_text is null then 'missing_timestamp'
            when called_at is null then 'invalid_timestamp'
            when is_implausible_call_time then 'implausible_timestamp'
            when provider_raw is null then 'missing_provider'
            when provider is null then 'unknown_provider'
            when model_raw is null and attempt_status = 'ok' then 'missing_model'
            when has_invalid_token_count then 'invalid_token_count'
            when has_implausible_token_count then 'implausible_token_count'
            when attempt_status = 'error' or is_proxy_cache_hit then null
            when input_tokens_text is null then 'missing_token_count'
            when
                output_tokens_text is null
                and coalesce(operation_name, '') not in ('embeddings', 'embedding', 'aembedding')
                then 'missing_token_count'
            when cache_write_1h_tokens > cache_write_tokens
                then 'cache_write_breakdown_exceeds_total'
        end as quarantine_reason
    from plausibility_checked

),

classified as (

    select
        *,
        case
            when quarantine_reason is not null then 'quarantined'
            when is_proxy_cache_hit then 'proxy_cache_hit'
            when
                attempt_status = 'error'
                and coalesce(input_tokens, 0) + coalesce(output_tokens, 0) = 0
                then 'failed_attempt'
            else 'usable'
        end as record_outcome,
        {{ reference_version(incremental_seeds()) }} as reference_version,
        {{ processed_at() }} as validated_at
    from judged

)

select * from classified
