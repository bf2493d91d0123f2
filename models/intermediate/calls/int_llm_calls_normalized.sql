{#-
    One row per billed LLM call. Ownership fields the billed record lacks are
    filled from the other records of the same provider call (another
    source's, nearest to the vendor first, or a second instrumentation's
    span); the environment is normalised; the route
    is the `http.route` template, else a template derived from the URL path,
    else the job or workflow name; and tokens are split into billable buckets
    that never count a token twice. The model id is resolved to a price key in
    the pricing area, not here.

    A view, like int_llm_calls_attributed and int_llm_calls_priced: the
    billed calls are stored once, in fct_llm_calls.
-#}
{{ config(materialized='view') }}
with

records as {{ cte_not_materialized() }} (

    {#- read more than once: DuckDB would otherwise copy the whole relation first -#}
    select * from {{ ref('int_llm_call_records_classified') }}

),

environment_aliases as (

    select * from {{ ref('environment_aliases') }}

),

billed as (

    select * from records
    where record_outcome = 'billed'

),

matched_context as (

    select
        provider_call_key,
        {{ value_at_min('team_id', 'call_record_rank') }} filter (where team_id is not null)
            as team_id,
        {{ value_at_min('source_system', 'call_record_rank') }} filter (where team_id is not null)
            as team_source_system,
        {{ value_at_min('cost_center', 'call_record_rank') }} filter (where cost_center is not null)
            as cost_center,
        {{ value_at_min('service_name', 'call_record_rank') }} filter (
            where service_name is not null
        )
            as service_name,
        {{ value_at_min('environment_raw', 'call_record_rank') }} filter (
            where environment_raw is not null
        )
            as environment_raw,
        {{ value_at_min('http_route', 'call_record_rank') }} filter (where http_route is not null)
            as http_route,
        {{ value_at_min('url_path', 'call_record_rank') }} filter (where url_path is not null)
            as url_path,
        {{ value_at_min('job_name', 'call_record_rank') }} filter (where job_name is not null)
            as job_name
    from records
    where
        provider_call_key is not null
        and record_outcome in ('billed', 'cross_source_duplicate', 'instrumentation_duplicate')
    group by provider_call_key

),

context_merged as (

    select
        {%- for column in [
            "record_id", "dedup_key", "source_system", "source_file", "trace_id", "span_id",
            "provider_request_id", "logical_request_id", "attempt_number", "called_at", "provider",
            "operation_name", "model_raw", "requested_model_raw", "service_tier_raw",
            "aws_account_id", "aws_region", "customer_tier", "usage_rule", "source_reported_cost_usd",
            "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
            "output_tokens", "reasoning_tokens",
        ] %}
            billed.{{ column }},
        {%- endfor %}
        coalesce(billed.team_id, matched_context.team_id) as team_id,
        coalesce(
            billed.team_origin,
            'matched_' || matched_context.team_source_system
        ) as team_origin,
        coalesce(billed.cost_center, matched_context.cost_center) as cost_center,
        coalesce(billed.service_name, matched_context.service_name) as service_name,
        coalesce(billed.environment_raw, matched_context.environment_raw) as environment_raw,
        coalesce(billed.http_route, matched_context.http_route) as http_route,
        coalesce(billed.url_path, matched_context.url_path) as url_path,
        coalesce(billed.job_name, matched_context.job_name) as job_name
    from billed
    left join matched_context
        on billed.provider_call_key = matched_context.provider_call_key

),

normalized as (

    select
        context_merged.*,
        coalesce(
            environment_aliases.environment,
            lower(trim(context_merged.environment_raw))
        ) as environment,
        coalesce(
            context_merged.http_route,
            {{ route_template('context_merged.url_path') }},
            context_merged.job_name
        ) as route
    from context_merged
    left join environment_aliases
        on lower(trim(context_merged.environment_raw)) = environment_aliases.environment_alias

),

bucketed as (

    select
        md5(dedup_key) as call_id,
        record_id as source_record_id,
        source_system,
        source_file,
        trace_id,
        span_id,
        provider_request_id as request_id,
        logical_request_id,
        attempt_number,
        called_at,
        provider,
        operation_name,
        model_raw,
        requested_model_raw,
        service_tier_raw,
        aws_account_id,
        aws_region,
        team_id,
        team_origin,
        cost_center,
        service_name,
        environment,
        route,
        customer_tier,
        usage_rule,
        source_reported_cost_usd,
        {# all input tokens, cache reads and writes included #}
        input_tokens,
        input_tokens - cache_read_tokens - cache_write_tokens as uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_tokens - cache_write_1h_tokens as cache_write_5m_tokens,
        cache_write_1h_tokens,
        {# output includes reasoning; reasoning is kept for reporting only #}
        output_tokens,
        reasoning_tokens
    from normalized

)

select * from bucketed
