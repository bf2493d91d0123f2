{#
    Fails with every day and provider whose computed cost, as reconciliation
    and chargeback see it (split by token type and billing scope), differs
    from the cost of the billed calls in fct_llm_calls: no bucket may be lost
    or counted twice on the way.
#}
{{ config(severity='error') }}

with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

token_costs as (

    select * from {{ ref('int_llm_token_costs_scoped') }}

),

call_costs as (

    select
        usage_date,
        provider,
        coalesce(sum(cost_usd), 0) as cost_usd
    from calls
    group by usage_date, provider

),

bucket_costs as (

    select
        usage_date,
        provider,
        coalesce(sum(cost_usd), 0) as cost_usd
    from token_costs
    group by usage_date, provider

),

mismatches as (

    select
        call_costs.usage_date,
        call_costs.provider,
        call_costs.cost_usd as call_cost_usd,
        bucket_costs.cost_usd as bucket_cost_usd
    from call_costs
    left join bucket_costs
        on
            call_costs.usage_date = bucket_costs.usage_date
            and call_costs.provider = bucket_costs.provider
    where coalesce(bucket_costs.cost_usd, 0) <> call_costs.cost_usd

)

select * from mismatches
