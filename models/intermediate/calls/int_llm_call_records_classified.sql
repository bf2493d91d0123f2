{#-
    Every validated record with its final fate, so that each raw record is
    accounted for exactly once:
      exact_duplicate         the same record delivered twice (same dedup_key)
      cross_source_duplicate  the same provider call seen by a source ranked
                              higher (same provider + provider request id)
      billed                  a call that cost money
    plus the outcomes decided upstream (quarantined, failed_attempt,
    proxy_cache_hit). Retries are grouped into logical requests: attempts
    share a logical group (OTLP: trace + parent span; app logs: request_id;
    LiteLLM: trace id, else request id; Bedrock: request id) and a new logical
    request starts after each attempt that carried usage.
-#}
with

records as (

    select * from {{ ref('int_llm_call_records_validated') }}

),

source_ranks as (

    {#- Closest to the vendor's meter first: it keeps its tokens on a match. -#}
    select
        col0 as source_system,
        col1 as source_rank
    from (
        values
        ('bedrock_invocation_logs', 1),
        ('litellm_spend_logs', 2),
        ('otlp_traces', 3),
        ('app_logs', 4)
    )

),

exact_duplicates_marked as (

    select
        records.*,
        source_ranks.source_rank,
        row_number() over (
            partition by records.dedup_key order by records.record_id
        ) > 1 as is_exact_duplicate
    from records
    inner join source_ranks
        on records.source_system = source_ranks.source_system

),

cross_source_duplicates_marked as (

    select
        *,
        provider || ':' || provider_request_id as provider_call_key,
        source_rank > min(source_rank) over (
            partition by provider, provider_request_id
        ) as is_cross_source_duplicate
    from exact_duplicates_marked
    where
        record_outcome in ('usable', 'failed_attempt')
        and not is_exact_duplicate
        and provider_request_id is not null

),

outcomes as (

    select
        exact_duplicates_marked.* replace (
            case
                when exact_duplicates_marked.record_outcome not in ('usable', 'failed_attempt')
                    then exact_duplicates_marked.record_outcome
                when exact_duplicates_marked.is_exact_duplicate then 'exact_duplicate'
                when cross_source_duplicates_marked.is_cross_source_duplicate
                    then 'cross_source_duplicate'
                when exact_duplicates_marked.record_outcome = 'usable' then 'billed'
                else exact_duplicates_marked.record_outcome
            end as record_outcome
        ),
        cross_source_duplicates_marked.provider_call_key
    from exact_duplicates_marked
    left join cross_source_duplicates_marked
        on exact_duplicates_marked.record_id = cross_source_duplicates_marked.record_id

),

attempts as (

    select
        record_id,
        source_system,
        called_at,
        record_outcome,
        coalesce(logical_group_key, record_id) as group_key
    from outcomes
    where record_outcome in ('billed', 'failed_attempt')

),

attempts_ordered as (

    select
        *,
        coalesce(
            count(*) filter (where record_outcome = 'billed') over (
                partition by source_system, group_key
                order by called_at, record_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as successful_attempts_before
    from attempts

),

attempts_numbered as (

    select
        record_id,
        md5(
            source_system || ':' || group_key || ':' || cast(successful_attempts_before as varchar)
        ) as logical_request_id,
        row_number() over (
            partition by source_system, group_key, successful_attempts_before
            order by called_at, record_id
        ) as attempt_number
    from attempts_ordered

),

classified as (

    select
        outcomes.*,
        attempts_numbered.logical_request_id,
        attempts_numbered.attempt_number
    from outcomes
    left join attempts_numbered
        on outcomes.record_id = attempts_numbered.record_id

)

select * from classified
