{#-
    Every validated record with its final fate, so that each raw record is
    accounted for exactly once:
      exact_duplicate         the same record delivered twice (same dedup_key)
      cross_source_duplicate  the same provider call seen by a source ranked
                              higher (same provider + provider request id)
      instrumentation_duplicate  the same provider call recorded by a second
                              span of the OTLP export (same provider +
                              response id): an SDK's own span and an
                              instrumentation library's, in one trace or not
      billed                  a call that cost money
    plus the outcomes decided upstream (quarantined, failed_attempt,
    proxy_cache_hit). Retries are grouped into logical requests: attempts
    share a logical group (OTLP: trace + parent span; app logs: request_id;
    LiteLLM: trace id, else request id; Bedrock: request id) and a new logical
    request starts after each attempt that carried usage.

    Only the records that share a key with another record are ranked: three
    groupings over the few key columns of every record (`record_keys`) find
    the dedup keys, provider calls and logical groups seen more than once (a
    few percent of the records), the windows run over those records alone,
    and the full records are joined to that small set's verdicts once at the
    end; a record that shares no key is billed when usable and otherwise
    keeps its validated outcome. Joining the verdicts of every record back
    to the full records spilled gigabytes at 10M records (app logs, 10M
    calls: the whole model 87 s -> 42 s, the same rows).

    Incremental by the one contract of macros/incremental/incremental_files.sql,
    around the days that changed: records that share a key (duplicates, the
    same call in two sources, the attempts of one request) are assumed to lie
    within `call_key_lookback_days` of each other. A run reclassifies every
    file with a record within that many days of a day whose records changed
    (or were retracted), reading the records within that many days around
    them as context for the windows. Most of those context files come out
    as they were: a row equal to the one it replaces keeps its
    `classified_at`, so fct_llm_calls and what follows recompute only the
    files whose rows changed (about half of a nightly's call-level work
    at 30 days).
-#}
{{
    config(**incremental_contract(
        upstream='int_llm_call_records_validated', upstream_stamp='validated_at',
        stamp='classified_at', context='call_days', keep_unchanged_stamps=true,
    ))
}}
{%- set lookback_days = var('call_key_lookback_days') | int -%}
{%- set files_to_classify = incremental_files() -%}
{#- the columns of int_llm_call_records_validated before its record_outcome -#}
{%- set validated_columns = call_record_columns() + [
    "provider", "called_at", "file_written_at", "reported_input_tokens", "reported_output_tokens",
    "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens",
    "source_reported_cost_usd", "has_invalid_token_count", "input_includes_cache_read",
    "input_includes_cache_write", "output_includes_reasoning", "is_input_evidently_exclusive",
    "is_output_evidently_exclusive", "input_tokens", "output_tokens", "usage_rule",
    "is_implausible_call_time", "has_implausible_token_count", "quarantine_reason",
] -%}
with

validated as {{ cte_not_materialized() }} (

    {#- read more than once: DuckDB would otherwise copy the whole relation first -#}
    select * from {{ ref('int_llm_call_records_validated') }}

),

{% if files_to_classify != 'true' %}
context_days as (

    {#- the records that can share a key with a record being classified -#}
    select distinct
        cast(validated.called_at as date) + cast(day_offsets.day_offset as integer) as call_date
    from validated
    cross join range(-{{ lookback_days }}, {{ lookback_days }} + 1) as day_offsets (day_offset)
    where {{ files_to_classify }} and validated.called_at is not null

),

{% endif %}
source_ranks as (

    {#-
        Closest to the vendor's meter first (`meter_rank` of the source
        registry, var llm_cost_sources): it keeps its tokens on a match.
    -#}
    {%- for source_system, entry in llm_cost_sources(is_telemetry=true).items() %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            {{ sql_string_literal(source_system) }} as source_system,
            {{ entry.meter_rank | int }} as source_rank
    {%- endfor %}

),

record_keys as (

    {#- the records to classify, and on a nightly run the records around them -#}
    select
        validated.record_id,
        validated.source_system,
        source_ranks.source_rank,
        validated.dedup_key,
        validated.provider,
        validated.provider_request_id,
        validated.logical_group_key,
        validated.called_at,
        validated.record_outcome as validated_outcome,
        {#- how many usage buckets the record reports: the richer recording of a call is kept -#}
        
        case when validated.input_tokens_text is not null then 1 else 0 end
        + case when validated.output_tokens_text is not null then 1 else 0 end
        + case when validated.cache_read_tokens_text is not null then 1 else 0 end
        + case when validated.cache_write_tokens_text is not null then 1 else 0 end
        + case when validated.cache_write_1h_tokens_text is not null then 1 else 0 end
        + case when validated.reasoning_tokens_text is not null then 1 else 0 end
            as usage_field_count,
        {{ files_to_classify }} as is_to_classify
    from validated
    inner join source_ranks
        on validated.source_system = source_ranks.source_system
    {% if files_to_classify != 'true' -%}
        where
            {{ files_to_classify }}
            or cast(validated.called_at as date) in (
                select context_days.call_date from context_days
            )
    {%- endif %}

),

repeated_dedup_keys as (

    {#- the dedup keys delivered more than once (a few percent of the records) -#}
    select dedup_key
    from record_keys
    group by dedup_key
    having count(*) > 1

),

repeated_provider_calls as (

    {#- the provider calls that more than one record may report (a few) -#}
    select
        provider,
        provider_request_id
    from record_keys
    where
        validated_outcome in ('usable', 'failed_attempt')
        and provider_request_id is not null
    group by provider, provider_request_id
    having count(*) > 1

),

repeated_attempt_groups as (

    {#- the logical groups that may hold more than one attempt (a few) -#}
    select
        source_system,
        coalesce(logical_group_key, record_id) as group_key
    from record_keys
    where validated_outcome in ('usable', 'failed_attempt')
    group by source_system, coalesce(logical_group_key, record_id)
    having count(*) > 1

),

shared_key_records as (

    {#-
        The records that share a key with another record: every record of
        every group ranked below, so the ranking over them equals a ranking
        over all records. Every other record keeps its own verdict
        (`classified`).
    -#}
    select record_keys.*
    from record_keys
    left join repeated_dedup_keys
        on record_keys.dedup_key = repeated_dedup_keys.dedup_key
    left join repeated_provider_calls
        on
            record_keys.provider is not distinct from repeated_provider_calls.provider
            and record_keys.provider_request_id = repeated_provider_calls.provider_request_id
            and record_keys.validated_outcome in ('usable', 'failed_attempt')
    left join repeated_attempt_groups
        on
            record_keys.source_system = repeated_attempt_groups.source_system
            and coalesce(record_keys.logical_group_key, record_keys.record_id)
            = repeated_attempt_groups.group_key
            and record_keys.validated_outcome in ('usable', 'failed_attempt')
    where
        repeated_dedup_keys.dedup_key is not null
        or repeated_provider_calls.provider_request_id is not null
        or repeated_attempt_groups.group_key is not null

),

exact_duplicate_keys as (

    {#- the dedup keys delivered more than once: the first record by id is kept -#}
    select
        dedup_key,
        min(record_id) as kept_record_id
    from shared_key_records
    group by dedup_key
    having count(*) > 1

),

exact_duplicates_marked as (

    select
        shared_key_records.*,
        coalesce(shared_key_records.record_id <> exact_duplicate_keys.kept_record_id, false)
            as is_exact_duplicate
    from shared_key_records
    left join exact_duplicate_keys
        on shared_key_records.dedup_key = exact_duplicate_keys.dedup_key

),

provider_call_records as (

    select
        record_id,
        source_rank,
        validated_outcome,
        usage_field_count,
        provider,
        provider_request_id
    from exact_duplicates_marked
    where
        validated_outcome in ('usable', 'failed_attempt')
        and not is_exact_duplicate
        and provider_request_id is not null

),

matched_provider_calls as (

    {#- the provider calls that more than one record reports, exact duplicates set aside -#}
    select
        provider,
        provider_request_id
    from provider_call_records
    group by provider, provider_request_id
    having count(*) > 1

),

provider_calls as (

    {#-
        Records that report the same provider call (provider + request id).
        The one kept is the record of the source nearest the vendor's meter,
        then the one with the most usage fields, then the first by id; the
        others are duplicates. Two spans of one OTLP export with the same
        response id are one call recorded by two instrumentations (an SDK's
        own span and an instrumentation library's): response ids are unique
        per call. The other sources' request ids are not (an app log's
        request id can cover several calls), so within them only sources
        are compared. Only matched calls are ranked: a call reported once
        keeps its record.
    -#}
    select
        provider_call_records.record_id,
        provider_call_records.source_rank,
        min(provider_call_records.source_rank) over (
            partition by provider_call_records.provider, provider_call_records.provider_request_id
        ) as kept_source_rank,
        row_number() over (
            partition by provider_call_records.provider, provider_call_records.provider_request_id
            order by
                provider_call_records.source_rank asc,
                case when provider_call_records.validated_outcome = 'usable' then 0 else 1 end asc,
                provider_call_records.usage_field_count desc,
                provider_call_records.record_id asc
        ) as call_record_rank,
        provider_call_records.provider || ':' || provider_call_records.provider_request_id
            as provider_call_key
    from provider_call_records
    inner join matched_provider_calls
        on
            provider_call_records.provider is not distinct from matched_provider_calls.provider
            and provider_call_records.provider_request_id
            = matched_provider_calls.provider_request_id

),

outcomes as (

    select
        exact_duplicates_marked.*,
        provider_calls.provider_call_key,
        provider_calls.call_record_rank,
        case
            when exact_duplicates_marked.validated_outcome not in ('usable', 'failed_attempt')
                then exact_duplicates_marked.validated_outcome
            when exact_duplicates_marked.is_exact_duplicate then 'exact_duplicate'
            when provider_calls.source_rank > provider_calls.kept_source_rank
                then 'cross_source_duplicate'
            when
                exact_duplicates_marked.source_system = 'otlp_traces'
                and exact_duplicates_marked.validated_outcome = 'usable'
                and provider_calls.call_record_rank > 1
                then 'instrumentation_duplicate'
            when exact_duplicates_marked.validated_outcome = 'usable' then 'billed'
            else exact_duplicates_marked.validated_outcome
        end as record_outcome
    from exact_duplicates_marked
    left join provider_calls
        on exact_duplicates_marked.record_id = provider_calls.record_id

),

attempts_ordered as (

    select
        record_id,
        source_system,
        called_at,
        coalesce(logical_group_key, record_id) as group_key,
        count(case when record_outcome = 'billed' then 1 end) over (
            partition by source_system, coalesce(logical_group_key, record_id)
            order by called_at, record_id
            rows between unbounded preceding and 1 preceding
        ) as successful_attempts_before
    from outcomes
    where record_outcome in ('billed', 'failed_attempt')

),

attempts_numbered as (

    select
        record_id,
        successful_attempts_before,
        cast(row_number() over (
            partition by source_system, group_key, successful_attempts_before
            order by called_at, record_id
        ) as {{ dbt.type_bigint() }}) as attempt_number
    from attempts_ordered

),

shared_key_verdicts as (

    select
        outcomes.record_id,
        outcomes.is_exact_duplicate,
        outcomes.provider_call_key,
        outcomes.call_record_rank,
        outcomes.record_outcome,
        attempts_numbered.successful_attempts_before,
        attempts_numbered.attempt_number
    from outcomes
    left join attempts_numbered
        on outcomes.record_id = attempts_numbered.record_id
    where outcomes.is_to_classify

),

verdicts as (

    {#-
        Every record to classify with its verdict: a record that shares no
        key is billed when usable and otherwise keeps the outcome
        validation gave it.
    -#}
    select
        {%- for column in validated_columns %}
            validated.{{ column }},
        {%- endfor %}
        case
            when shared_key_verdicts.record_id is not null then shared_key_verdicts.record_outcome
            when validated.record_outcome = 'usable' then 'billed'
            else validated.record_outcome
        end as record_outcome,
        validated.reference_version,
        validated.validated_at,
        source_ranks.source_rank,
        coalesce(shared_key_verdicts.is_exact_duplicate, false) as is_exact_duplicate,
        shared_key_verdicts.provider_call_key,
        shared_key_verdicts.call_record_rank,
        coalesce(shared_key_verdicts.successful_attempts_before, 0) as successful_attempts_before,
        coalesce(shared_key_verdicts.attempt_number, 1) as retried_attempt_number
    from validated
    inner join source_ranks
        on validated.source_system = source_ranks.source_system
    left join shared_key_verdicts
        on validated.record_id = shared_key_verdicts.record_id
    where {{ files_to_classify }}

),

classified as (

    {#-
        An attempt's logical request: its group and the number of billed
        attempts before it (none for a group of one attempt, the first
        attempt of its request).
    -#}
    select
        {%- for column in validated_columns %}
            {{ column }},
        {%- endfor %}
        record_outcome,
        reference_version,
        validated_at,
        source_rank,
        is_exact_duplicate,
        provider_call_key,
        call_record_rank,
        case
            when record_outcome in ('billed', 'failed_attempt')
                then md5(
                        source_system
                        || ':'
                        || coalesce(logical_group_key, record_id)
                        || ':'
                        || cast(successful_attempts_before as {{ dbt.type_string() }})
                    )
        end as logical_request_id,
        case
            when record_outcome in ('billed', 'failed_attempt') then retried_attempt_number
        end as attempt_number,
        {{ processed_at() }} as classified_at
    from verdicts

)
{%- if is_incremental() %},

{#- every column but the stamp, as classified writes them #}
{%- set classified_columns = validated_columns + [
    "record_outcome", "reference_version", "validated_at", "source_rank", "is_exact_duplicate",
    "provider_call_key", "call_record_rank", "logical_request_id", "attempt_number",
] %}

restamped as (

    {#- a row whose columns (all but the stamp) fingerprint as a row of the
        recomputed files did before this run keeps that row's stamp -#}
    select
        {%- for column in classified_columns %}
            classified.{{ column }},
        {%- endfor %}
        coalesce(replaced.classified_at, classified.classified_at) as classified_at
    from classified
    left join {{ replaced_rows() }} as replaced
        on {{ stamped_row_fingerprint(classified_columns, 'classified') }} = replaced.row_fingerprint

)
{%- endif %}

select * from {{ 'restamped' if is_incremental() else 'classified' }}
