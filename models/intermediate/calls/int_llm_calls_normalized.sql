{#-
    One row per billed LLM call: usable records with exact duplicates removed
    (the same log line or span delivered twice), environment normalised, and
    tokens split into billable buckets that never count a token twice. The
    model id is resolved to a price key in the pricing area, not here.
-#}
with

records as (

    select * from {{ ref('int_llm_call_records_validated') }}
    where record_outcome = 'usable'

),

environment_aliases as (

    select * from {{ ref('environment_aliases') }}

),

deduplicated as (

    select *
    from records
    qualify row_number() over (partition by dedup_key order by record_id) = 1

),

normalized as (

    select
        deduplicated.*,
        coalesce(
            environment_aliases.environment,
            lower(trim(deduplicated.environment_raw))
        ) as environment
    from deduplicated
    left join environment_aliases
        on lower(trim(deduplicated.environment_raw)) = environment_aliases.environment_alias

),

bucketed as (

    select
        md5(dedup_key) as call_id,
        record_id as source_record_id,
        source_system,
        source_file,
        trace_id,
        span_id,
        request_id,
        called_at,
        provider,
        model_raw,
        requested_model_raw,
        service_tier_raw,
        aws_account_id,
        aws_region,
        team_id,
        cost_center,
        service_name,
        environment,
        coalesce(http_route, job_name) as route,
        {# input includes cache reads and writes (OTel GenAI convention) #}
        input_tokens,
        input_tokens - cache_read_tokens - cache_write_tokens as uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        {# the TTL of cache writes is not reported yet: all count as 5-minute writes #}
        cache_write_tokens as cache_write_5m_tokens,
        0 as cache_write_1h_tokens,
        {# output includes reasoning; reasoning is kept for reporting only #}
        output_tokens,
        reasoning_tokens
    from normalized

)

select * from bucketed
