{#
    The rules every reconciliation mart applies, so that a day, a month and
    a provider total are judged the same way.
#}

{# The day the pending window is measured from: var reconciliation_as_of_date, else today. #}
{% macro reconciliation_as_of_date() %}
    {%- if var("reconciliation_as_of_date") -%}
        cast('{{ var("reconciliation_as_of_date") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{% endmacro %}


{#
    True while a period's figures may still change: it ends (exclusive)
    fewer than `reconciliation_pending_days` days before the as-of date. A
    day is pending for that many days; a month until that many days after
    it closes.
#}
{% macro is_pending_period(period_end_expression) %}
    (
        {{ period_end_expression }}
        > {{ dbt.dateadd('day', -1 * var('reconciliation_pending_days'), reconciliation_as_of_date()) }}
    )
{% endmacro %}


{# Largest delta still called matched: max(absolute floor, percentage of the invoiced amount),
   as decimal(38, 12) on both engines (Spark keeps the product's scale, 24). #}
{% macro reconciliation_tolerance(invoiced_usd) %}
    cast(greatest(
        cast({{ var('reconciliation_tolerance_usd') }} as decimal(38, 12)),
        abs(coalesce({{ invoiced_usd }}, 0))
        * cast({{ var('reconciliation_tolerance_pct') }} as decimal(38, 12))
    ) as decimal(38, 12))
{% endmacro %}


{#
    Status of one comparison, before the pending window is applied.
    `delta_usd` is invoiced minus computed: `over` means the vendor billed
    more than telemetry explains, `under` less. A side with nothing at all is
    `missing_*`; an invoice line of $0 and no tokens needs no telemetry.
#}
{% macro comparison_status(
    invoice_line_count, invoiced_usd, invoiced_tokens, computed_tokens, delta_usd, tolerance_usd
) %}
    case
        when
            {{ computed_tokens }} = 0
            and ({{ invoiced_usd }} <> 0 or coalesce({{ invoiced_tokens }}, 0) <> 0)
            then 'missing_telemetry'
        when {{ invoice_line_count }} = 0 and {{ computed_tokens }} > 0 then 'missing_invoice'
        when abs({{ delta_usd }}) <= {{ tolerance_usd }} then 'matched'
        when {{ delta_usd }} > 0 then 'over'
        else 'under'
    end
{% endmacro %}


{#
    Why a comparison is off, as comma-separated reason codes (null when it
    matches), from the columns every reconciliation mart names alike:
    comparison_status, unpriced_tokens, unattributed_usd, retried_call_count,
    invoiced_tokens, computed_tokens, delta_usd, invoice_service_tiers,
    has_unknown_invoice_model. `cache_token_difference` is an expression
    that is true when the input-side token total agrees while the split
    between uncached input and cache reads/writes does not.
#}
{% macro reconciliation_explanation(cache_token_difference='false') %}
    case
        when comparison_status <> 'matched'
            then nullif(concat_ws(', ',
                case
                    when comparison_status = 'missing_telemetry' and has_unknown_invoice_model
                        then 'unknown_invoice_model'
                end,
                case when unpriced_tokens > 0 then 'unpriced_usage' end,
                case when unattributed_usd <> 0 then 'unattributed_usage' end,
                case
                    when
                        comparison_status in ('over', 'under')
                        and unpriced_tokens = 0
                        and invoiced_tokens = computed_tokens
                        then 'price_difference'
                end,
                case
                    when {{ cache_token_difference }} then 'cache_token_difference'
                    when comparison_status in ('over', 'under') and invoiced_tokens > computed_tokens
                        then 'telemetry_missing_tokens'
                    when comparison_status in ('over', 'under') and invoiced_tokens < computed_tokens
                        then 'telemetry_extra_tokens'
                end,
                case
                    when comparison_status = 'over' and retried_call_count > 0
                        then 'retried_calls'
                end,
                case
                    when
                        comparison_status = 'under'
                        and {{ regexp_matches_whole("coalesce(invoice_service_tiers, '')", '.*(batch|flex).*') }}
                        then 'discounted_service_tier'
                end
            ), '')
    end
{% endmacro %}


{# The status shown: `pending` while the period may still change, else the comparison's. #}
{% macro reconciliation_status(period_end_expression) %}
    case
        when {{ is_pending_period(period_end_expression) }} then 'pending'
        else comparison_status
    end
{% endmacro %}
