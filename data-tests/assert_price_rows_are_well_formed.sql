{#
    Fails with every price row that cannot be applied as written: a negative
    price or fee, an empty or inverted period, a half-specified or empty
    daily window, or a long-context tier without its threshold, rule or
    input and output prices (or long-context prices without a tier).
#}
with

prices as (

    select * from {{ ref('llm_prices') }}

),

problems as (

    select
        price_id,
        case
            when
                input_usd_per_mtok < 0
                or output_usd_per_mtok < 0
                or cache_read_usd_per_mtok < 0
                or cache_write_5m_usd_per_mtok < 0
                or cache_write_1h_usd_per_mtok < 0
                or request_fee_usd < 0
                or long_context_input_usd_per_mtok < 0
                or long_context_output_usd_per_mtok < 0
                or long_context_cache_read_usd_per_mtok < 0
                or long_context_cache_write_5m_usd_per_mtok < 0
                or long_context_cache_write_1h_usd_per_mtok < 0
                then 'negative_price'
            when effective_from >= effective_to then 'empty_or_inverted_period'
            when (utc_time_from is null) != (utc_time_to is null) then 'half_specified_time_window'
            when utc_time_from = utc_time_to then 'empty_time_window'
            when
                long_context_threshold_tokens is not null
                and (
                    long_context_threshold_tokens <= 0
                    or long_context_rule is null
                    or long_context_input_usd_per_mtok is null
                    or long_context_output_usd_per_mtok is null
                )
                then 'incomplete_long_context_tier'
            when
                long_context_threshold_tokens is null
                and coalesce(
                    long_context_rule,
                    cast(long_context_input_usd_per_mtok as varchar),
                    cast(long_context_output_usd_per_mtok as varchar),
                    cast(long_context_cache_read_usd_per_mtok as varchar),
                    cast(long_context_cache_write_5m_usd_per_mtok as varchar),
                    cast(long_context_cache_write_1h_usd_per_mtok as varchar)
                ) is not null
                then 'long_context_prices_without_threshold'
        end as problem
    from prices

)

select *
from problems
where problem is not null
