{#-
    What a unit of work costs on each route, month by month: per logical
    request and per 1,000 tokens, next to the median of the route's peers
    (every route of the same month and environment), so that a route
    mispriced for its workload stands out.

    Incremental by the one contract of macros/incremental/incremental_files.sql,
    with the month as its unit (a month's peers are all in that month): a run
    recomputes the months of the calls fct_llm_calls computed since its last
    run and the months whose call count changed.
-#}
{{
    config(**incremental_contract(
        unit='usage_month', upstream='fct_llm_calls', upstream_stamp='computed_at',
        stamp='computed_at', upstream_row_count='call_count',
    ))
}}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

calls_with_month as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        environment,
        service,
        route,
        logical_request_id,
        is_priced,
        input_tokens,
        output_tokens,
        cost_usd,
        provider || '/' || model as model_key
    from calls

),

monthly_calls as (

    select * from calls_with_month
    where {{ incremental_files() }}

),

route_model_costs as (

    select
        usage_month,
        environment,
        service,
        route,
        model_key,
        coalesce(sum(cost_usd), 0) as cost_usd
    from monthly_calls
    group by usage_month, environment, service, route, model_key

),

route_models as (

    select
        usage_month,
        environment,
        service,
        route,
        {{ string_agg_sorted('model_key', "', '") }} as models
    from route_model_costs
    group by usage_month, environment, service, route

),

ranked_route_models as (

    select
        usage_month,
        environment,
        service,
        route,
        model_key,
        row_number() over (
            partition by usage_month, environment, service, route
            order by cost_usd desc, model_key asc
        ) as cost_rank
    from route_model_costs

),

top_models as (

    select
        usage_month,
        environment,
        service,
        route,
        model_key as top_model
    from ranked_route_models
    where cost_rank = 1

),

route_months as (

    select
        usage_month,
        environment,
        service,
        route,
        cast(count(*) as bigint) as call_count,
        cast(count(*) filter (where is_priced) as bigint) as priced_call_count,
        cast(count(distinct logical_request_id) as bigint) as request_count,
        cast(count(distinct logical_request_id) filter (where is_priced) as bigint)
            as priced_request_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(coalesce(sum(input_tokens + output_tokens) filter (where is_priced), 0) as bigint)
            as priced_tokens,
        coalesce(sum(cost_usd), 0) as cost_usd
    from monthly_calls
    group by usage_month, environment, service, route

),

unit_costs as (

    select
        *,
        case
            when priced_request_count > 0
                then {{ allocate_share('cost_usd', 1, 'priced_request_count') }}
        end as cost_per_request_usd,
        case
            when priced_tokens > 0
                then {{ allocate_share('cost_usd', 1000, 'priced_tokens') }}
        end as cost_per_1k_tokens_usd,
        cast(priced_tokens / nullif(priced_request_count, 0) as decimal(18, 1))
            as tokens_per_request
    from route_months

),

peers as (

    select
        *,
        cast(count(cost_per_request_usd) over peer_routes as bigint) as peer_route_count,
        cast(median(cost_per_request_usd) over peer_routes as decimal(38, 12))
            as peer_median_cost_per_request_usd,
        cast(median(cost_per_1k_tokens_usd) over peer_routes as decimal(38, 12))
            as peer_median_cost_per_1k_tokens_usd,
        cast(median(tokens_per_request) over peer_routes as decimal(18, 1))
            as peer_median_tokens_per_request
    from unit_costs
    window peer_routes as (partition by usage_month, environment)

),

final as (

    select
        {{ surrogate_key([
            'peers.usage_month', 'peers.environment', 'peers.service', 'peers.route'
        ]) }} as route_unit_cost_id,
        peers.usage_month,
        peers.environment,
        peers.service,
        peers.route,
        top_models.top_model,
        route_models.models,
        peers.call_count,
        peers.priced_call_count,
        peers.request_count,
        peers.priced_request_count,
        peers.input_tokens,
        peers.output_tokens,
        peers.priced_tokens,
        peers.cost_usd,
        peers.cost_per_request_usd,
        peers.cost_per_1k_tokens_usd,
        peers.tokens_per_request,
        peers.peer_route_count,
        peers.peer_median_cost_per_request_usd,
        peers.peer_median_cost_per_1k_tokens_usd,
        peers.peer_median_tokens_per_request,
        cast(
            peers.cost_per_request_usd / nullif(peers.peer_median_cost_per_request_usd, 0)
            as decimal(18, 4)
        ) as cost_per_request_vs_peers,
        cast(
            peers.cost_per_1k_tokens_usd / nullif(peers.peer_median_cost_per_1k_tokens_usd, 0)
            as decimal(18, 4)
        ) as cost_per_1k_tokens_vs_peers,
        case
            when peers.cost_per_request_usd is not null
                then cast(row_number() over (
                        partition by peers.usage_month, peers.environment
                        order by
                            peers.cost_per_request_usd desc nulls last,
                            peers.service asc,
                            peers.route asc
                    ) as bigint)
        end as cost_per_request_rank,
        coalesce(
            peers.peer_route_count >= {{ var('finops_unit_cost_min_peers') }}
            and peers.cost_per_request_usd
            >= {{ var('finops_unit_cost_outlier_ratio') }} * peers.peer_median_cost_per_request_usd,
            false
        ) as is_cost_per_request_outlier,
        coalesce(
            peers.peer_route_count >= {{ var('finops_unit_cost_min_peers') }}
            and peers.cost_per_1k_tokens_usd
            >= {{ var('finops_unit_cost_outlier_ratio') }}
            * peers.peer_median_cost_per_1k_tokens_usd,
            false
        ) as is_cost_per_1k_tokens_outlier,
        {{ processed_at() }} as computed_at
    from peers
    inner join top_models
        on
            peers.usage_month = top_models.usage_month
            and peers.environment = top_models.environment
            and peers.service = top_models.service
            and peers.route = top_models.route
    inner join route_models
        on
            peers.usage_month = route_models.usage_month
            and peers.environment = route_models.environment
            and peers.service = route_models.service
            and peers.route = route_models.route

)

select * from final
