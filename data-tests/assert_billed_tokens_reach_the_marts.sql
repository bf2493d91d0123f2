{#
    Token conservation: per source, the tokens of the records classified as
    billed equal the tokens of fct_llm_calls, bucket by bucket. Always over
    all history (not tested_rows): a retracted file's calls left in
    fct_llm_calls carry no new stamp on either side.
#}
with

billed_records as (

    select
        source_system,
        sum(input_tokens) as input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(output_tokens) as output_tokens
    from {{ ref('int_llm_call_records_classified') }}
    where record_outcome = 'billed'
    group by source_system

),

mart_calls as (

    select
        source_system,
        sum(input_tokens) as mart_input_tokens,
        sum(cache_read_tokens) as mart_cache_read_tokens,
        sum(cache_write_tokens) as mart_cache_write_tokens,
        sum(output_tokens) as mart_output_tokens
    from {{ ref('fct_llm_calls') }}
    group by source_system

),

compared as (

    select
        billed_records.*,
        mart_calls.mart_input_tokens,
        mart_calls.mart_cache_read_tokens,
        mart_calls.mart_cache_write_tokens,
        mart_calls.mart_output_tokens
    from billed_records
    full outer join mart_calls
        on billed_records.source_system = mart_calls.source_system

)

select * from compared
where
    input_tokens is distinct from mart_input_tokens
    or cache_read_tokens is distinct from mart_cache_read_tokens
    or cache_write_tokens is distinct from mart_cache_write_tokens
    or output_tokens is distinct from mart_output_tokens
