{#
    Fails with every priced call whose total is not exactly the sum of its
    bucket costs and request fee, or whose cache-write cost is not the sum
    of its 5-minute and 1-hour parts. A property of each row: tests the calls
    computed since the last fully tested run (tested_rows), every call with
    LLM_COST_FULL_TESTS=1.
#}
select
    call_id,
    cost_usd,
    cache_write_cost_usd,
    input_cost_usd
    + cache_read_cost_usd
    + cache_write_cost_usd
    + output_cost_usd
    + request_cost_usd as sum_of_components,
    cache_write_5m_cost_usd + cache_write_1h_cost_usd as sum_of_cache_write_parts
from {{ ref('fct_llm_calls') }}
where
    {{ tested_rows('computed_at') }}
    and is_priced
    and (
        cost_usd
        != input_cost_usd
        + cache_read_cost_usd
        + cache_write_cost_usd
        + output_cost_usd
        + request_cost_usd
        or cache_write_cost_usd != cache_write_5m_cost_usd + cache_write_1h_cost_usd
    )
