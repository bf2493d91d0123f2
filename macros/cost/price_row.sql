{#
    The price rules applied to one price row, as expressions: which row is in
    effect at a moment, the rate of each token bucket under the row's
    long-context rule, and a call's cost at that row. int_llm_calls_priced
    prices every call with them, at the call's own moment and one month and
    seven days earlier (the change drivers' price effect), so the rules are
    written once.
#}

{#- The price row `prices` applies to the call `calls` at `moment`: same
    provider, model, endpoint scope and service tier, its period
    (effective_from inclusive, effective_to exclusive) and its daily UTC
    window contain the moment. #}
{% macro price_row_in_effect(prices, calls, moment) %}
    {{ calls }}.provider = {{ prices }}.provider
    and {{ calls }}.model = {{ prices }}.model
    and {{ calls }}.endpoint_scope = {{ prices }}.endpoint_scope
    and {{ calls }}.service_tier = {{ prices }}.service_tier
    and {{ moment }} >= coalesce({{ prices }}.effective_from, {{ unbounded_timestamp('-infinity') }})
    and {{ moment }} < coalesce({{ prices }}.effective_to, {{ unbounded_timestamp('infinity') }})
    and {{ is_within_utc_time_window(moment, prices ~ '.utc_time_from', prices ~ '.utc_time_to') }}
{% endmacro %}


{#- A call of `input_tokens` is priced at the row's long-context prices: the
    row's rule prices the whole call above its threshold. #}
{% macro is_long_context_call(prices, input_tokens) %}
    coalesce(
        {{ prices }}.long_context_rule = 'all_input_above_threshold_whole_call'
        and {{ input_tokens }} > {{ prices }}.long_context_threshold_tokens,
        false
    )
{% endmacro %}


{#- USD per million tokens of `bucket` (input, output, cache_read,
    cache_write_5m, cache_write_1h) at the row: its long-context price when
    the call is long-context; a cache bucket without a price of its own is
    billed at the (long-context) input price. #}
{% macro price_bucket_rate(prices, bucket, input_tokens) %}
    {%- set long_context = is_long_context_call(prices, input_tokens) -%}
    {%- set tier_rate -%}
        case
            when {{ long_context }} then {{ prices }}.long_context_{{ bucket }}_usd_per_mtok
            else {{ prices }}.{{ bucket }}_usd_per_mtok
        end
    {%- endset -%}
    {%- if bucket in ('input', 'output') -%}
        {{ tier_rate }}
    {%- else -%}
        coalesce({{ tier_rate }}, {{ price_bucket_rate(prices, 'input', input_tokens) }})
    {%- endif -%}
{% endmacro %}


{#- The cost of the call `calls` (its token buckets) at the row `prices`:
    every bucket at its rate plus the row's request fee; null without a row. #}
{% macro cost_at_price_row(prices, calls) %}
    case
        when {{ prices }}.price_id is not null then
            {%- for bucket, tokens in [
                ('input', 'uncached_input_tokens'), ('cache_read', 'cache_read_tokens'),
                ('cache_write_5m', 'cache_write_5m_tokens'), ('cache_write_1h', 'cache_write_1h_tokens'),
                ('output', 'output_tokens'),
            ] %}
            {{ token_cost(calls ~ '.' ~ tokens, price_bucket_rate(prices, bucket, calls ~ '.input_tokens')) }} +
            {%- endfor %}
            cast(coalesce({{ prices }}.request_fee_usd, 0) as decimal(38, 12))
    end
{% endmacro %}
