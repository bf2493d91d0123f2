with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

daily as (

    select
        {{ surrogate_key([
            'usage_date', 'team', 'service', 'route', 'environment', 'provider', 'model'
        ]) }} as cost_daily_id,
        usage_date,
        team,
        service,
        route,
        environment,
        provider,
        model,
        cast(count(*) as bigint) as call_count,
        cast(count(distinct logical_request_id) as bigint) as request_count,
        cast(count(*) filter (where not is_priced) as bigint) as unpriced_call_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(uncached_input_tokens) as bigint) as uncached_input_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_write_tokens) as bigint) as cache_write_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(reasoning_tokens) as bigint) as reasoning_tokens,
        sum(cost_usd) as cost_usd
    from calls
    group by usage_date, team, service, route, environment, provider, model

)

select * from daily
