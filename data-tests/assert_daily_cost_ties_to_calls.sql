{#
    Fails when the daily mart loses or invents money or tokens: its totals
    must equal those of fct_llm_calls exactly.
#}
with

calls as (

    select
        count(*) as call_count,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cost_usd) as cost_usd
    from {{ ref('fct_llm_calls') }}

),

daily as (

    select
        sum(call_count) as daily_call_count,
        sum(input_tokens) as daily_input_tokens,
        sum(output_tokens) as daily_output_tokens,
        sum(cost_usd) as daily_cost_usd
    from {{ ref('fct_llm_cost_daily') }}

)

select
    calls.*,
    daily.*
from calls
cross join daily
where
    calls.call_count != daily.daily_call_count
    or calls.input_tokens != daily.daily_input_tokens
    or calls.output_tokens != daily.daily_output_tokens
    or calls.cost_usd is distinct from daily.daily_cost_usd
