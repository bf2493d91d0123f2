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
        count(*) as call_count,
        count(*) filter (where not is_priced) as unpriced_call_count,
        sum(input_tokens) as input_tokens,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(output_tokens) as output_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        sum(cost_usd) as cost_usd
    from calls
    group by usage_date, team, service, route, environment, provider, model

)

select * from daily
