{#-
    Incremental by the one contract of macros/incremental/incremental_files.sql,
    with the day as its unit: a run recomputes the days of the calls
    fct_llm_calls computed since this model's last run, and the days whose
    call count changed (calls deleted there).
-#}
{{
    config(**incremental_contract(
        unit='usage_date', upstream='fct_llm_calls', upstream_stamp='computed_at',
        stamp='computed_at', upstream_row_count='call_count',
    ))
}}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ incremental_files() }}

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
        sum(cost_usd) as cost_usd,
        sum(cost_at_previous_month_prices_usd) as cost_at_previous_month_prices_usd,
        sum(cost_at_previous_week_prices_usd) as cost_at_previous_week_prices_usd,
        {{ processed_at() }} as computed_at
    from calls
    group by usage_date, team, service, route, environment, provider, model

)

select * from daily
