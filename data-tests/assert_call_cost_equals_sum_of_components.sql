{# Fails with every priced call whose total is not exactly the sum of its bucket costs. #}
select
    call_id,
    cost_usd,
    input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd
        as sum_of_components
from {{ ref('fct_llm_calls') }}
where
    is_priced
    and cost_usd
    != input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd
