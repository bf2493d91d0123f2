{#-
    What a unit of work costs on each route, month by month: per logical
    request and per 1,000 tokens, next to the median of the route's peers
    (every route of the same month and environment), so that a route
    mispriced for its workload stands out.

    Incremental by the one contract of macros/incremental/incremental_files.sql,
    with the month as its unit (a month's peers are all in that month): a run
    recomputes the months of the calls fct_llm_calls computed since its last
    run and the months whose call count changed.

    The peer medians are written out, the same on every engine: the routes
    numbered by each unit cost and the median read from the two middle ones
    (decimal_median: exactly DuckDB's median; Spark's is a double).
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

peer_positions as (

    {#- each route numbered among its peers (every route of the month and
        environment, itself included) by each unit cost, routes without one
        last -#}
    select
        usage_month,
        environment,
        cost_per_request_usd,
        cost_per_1k_tokens_usd,
        tokens_per_request,
        count(cost_per_request_usd) over peer_routes as cost_per_request_count,
        count(cost_per_1k_tokens_usd) over peer_routes as cost_per_1k_tokens_count,
        count(tokens_per_request) over peer_routes as tokens_per_request_count,
        row_number() over (
            partition by usage_month, environment
            order by cost_per_request_usd asc nulls last
        ) as cost_per_request_position,
        row_number() over (
            partition by usage_month, environment
            order by cost_per_1k_tokens_usd asc nulls last
        ) as cost_per_1k_tokens_position,
        row_number() over (
            partition by usage_month, environment
            order by tokens_per_request asc nulls last
        ) as tokens_per_request_position
    from unit_costs
    window peer_routes as (partition by usage_month, environment)

),

peer_middle_values as (

    {#- the two middle values of each sorted unit cost (the same one for an
        odd count of routes) -#}
    select
        usage_month,
        environment,
        cast(count(cost_per_request_usd) as bigint) as peer_route_count,
        max(case
            when
                cost_per_request_position
                = {{ integer_divide('cost_per_request_count + 1', 2) }}
                then cost_per_request_usd
        end) as lower_middle_cost_per_request_usd,
        max(case
            when
                cost_per_request_position
                = {{ integer_divide('cost_per_request_count', 2) }} + 1
                then cost_per_request_usd
        end) as upper_middle_cost_per_request_usd,
        max(case
            when
                cost_per_1k_tokens_position
                = {{ integer_divide('cost_per_1k_tokens_count + 1', 2) }}
                then cost_per_1k_tokens_usd
        end) as lower_middle_cost_per_1k_tokens_usd,
        max(case
            when
                cost_per_1k_tokens_position
                = {{ integer_divide('cost_per_1k_tokens_count', 2) }} + 1
                then cost_per_1k_tokens_usd
        end) as upper_middle_cost_per_1k_tokens_usd,
        max(case
            when
                tokens_per_request_position
                = {{ integer_divide('tokens_per_request_count + 1', 2) }}
                then tokens_per_request
        end) as lower_middle_tokens_per_request,
        max(case
            when
                tokens_per_request_position
                = {{ integer_divide('tokens_per_request_count', 2) }} + 1
                then tokens_per_request
        end) as upper_middle_tokens_per_request
    from peer_positions
    group by usage_month, environment

),

peer_medians as (

    {#- the peer medians as DuckDB's median gives them (tokens per request
        are never negative: DuckDB's rounding of a decimal(18, 1) median
        toward zero is then decimal_median's rounding down) -#}
    select
        usage_month,
        environment,
        peer_route_count,
        {{ decimal_median(
            'lower_middle_cost_per_request_usd', 'upper_middle_cost_per_request_usd', 12
        ) }} as peer_median_cost_per_request_usd,
        {{ decimal_median(
            'lower_middle_cost_per_1k_tokens_usd', 'upper_middle_cost_per_1k_tokens_usd', 12
        ) }} as peer_median_cost_per_1k_tokens_usd,
        cast({{ decimal_median(
            'lower_middle_tokens_per_request', 'upper_middle_tokens_per_request', 1
        ) }} as decimal(18, 1)) as peer_median_tokens_per_request
    from peer_middle_values

),

peers as (

    select
        unit_costs.*,
        peer_medians.peer_route_count,
        peer_medians.peer_median_cost_per_request_usd,
        peer_medians.peer_median_cost_per_1k_tokens_usd,
        peer_medians.peer_median_tokens_per_request
    from unit_costs
    inner join peer_medians
        on
            unit_costs.usage_month = peer_medians.usage_month
            and unit_costs.environment = peer_medians.environment

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
