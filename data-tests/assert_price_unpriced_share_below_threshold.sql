{{ config(severity='warn') }}
{#
    Warns when unpriced usage may be more than the share
    `unpriced_spend_share_warn_threshold` (dbt_project.yml) of estimated
    spend, i.e. priced cost plus the estimated cost of unpriced usage
    (fct_llm_unpriced_usage). Add the missing prices or aliases it lists.
#}
with

unpriced_usage as (

    select * from {{ ref('fct_llm_unpriced_usage') }}

),

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

unpriced as (

    select coalesce(sum(estimated_cost_usd), 0) as estimated_unpriced_cost_usd
    from unpriced_usage

),

priced as (

    select coalesce(sum(cost_usd), 0) as priced_cost_usd
    from calls
    where is_priced

)

select
    unpriced.estimated_unpriced_cost_usd,
    priced.priced_cost_usd
from unpriced
cross join priced
where
    unpriced.estimated_unpriced_cost_usd
    > {{ var('unpriced_spend_share_warn_threshold') }}
    * (priced.priced_cost_usd + unpriced.estimated_unpriced_cost_usd)
