{#-
    One row per billed LLM call: usable records with exact duplicates removed
    (the same log line or span delivered twice), provider, model and
    environment normalised, and tokens split into billable buckets that never
    count a token twice.
-#}
with

records as (

    select * from {{ ref('int_llm_call_records_validated') }}
    where record_outcome = 'usable'

),

providers as (

    select * from {{ ref('llm_providers') }}

),

model_aliases as (

    select * from {{ ref('llm_model_aliases') }}

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
        coalesce(model_aliases.model, lower(trim(deduplicated.model_raw))) as model,
        coalesce(model_aliases.endpoint_scope, providers.default_endpoint_scope)
            as endpoint_scope,
        coalesce(
            environment_aliases.environment,
            lower(trim(deduplicated.environment_raw))
        ) as environment
    from deduplicated
    inner join providers
        on deduplicated.provider = providers.provider
    left join model_aliases
        on
            deduplicated.provider = model_aliases.provider
            and lower(trim(deduplicated.model_raw)) = model_aliases.model_alias
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
        model,
        model_raw,
        requested_model_raw,
        endpoint_scope,
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
        {# output includes reasoning; reasoning is kept for reporting only #}
        output_tokens,
        reasoning_tokens
    from normalized

)

select * from bucketed
