{#-
    fct_invoice_reconciliation rolled up to the billing month (token types
    summed), judged again with the same tolerance: small daily differences
    that cancel out match here, a missing day still shows.
-#}
with

daily as (

    select * from {{ ref('fct_invoice_reconciliation') }}

),

monthly as (

    select
        billing_month,
        provider,
        billing_scope_id,
        model,
        cast(sum(invoiced_tokens) as bigint) as invoiced_tokens,
        cast(sum(computed_tokens) as bigint) as computed_tokens,
        cast(sum(unpriced_tokens) as bigint) as unpriced_tokens,
        cast(sum(retried_call_count) as bigint) as retried_call_count,
        cast(sum(invoice_line_count) as bigint) as invoice_line_count,
        sum(invoiced_usd) as invoiced_usd,
        sum(computed_usd) as computed_usd,
        sum(delta_usd) as delta_usd,
        sum(unattributed_usd) as unattributed_usd,
        {{ string_agg_sorted('invoice_service_tiers', "', '", distinct=true) }}
            as invoice_service_tiers,
        bool_or(has_unknown_invoice_model) as has_unknown_invoice_model,
        count(distinct usage_date) as day_count,
        count(distinct case when comparison_status <> 'matched' then usage_date end)
            as unmatched_day_count
    from daily
    group by billing_month, provider, billing_scope_id, model

),

judged as (

    select
        *,
        {{ reconciliation_tolerance('invoiced_usd') }} as tolerance_usd,
        {{ comparison_status(
            'invoice_line_count', 'invoiced_usd', 'invoiced_tokens', 'computed_tokens',
            'delta_usd', reconciliation_tolerance('invoiced_usd')
        ) }} as comparison_status
    from monthly

),

final as (

    select
        {{ surrogate_key(['billing_month', 'provider', 'billing_scope_id', 'model']) }}
            as reconciliation_month_id,
        billing_month,
        provider,
        billing_scope_id,
        model,
        invoiced_usd,
        computed_usd,
        delta_usd,
        cast(delta_usd * 100 / nullif(invoiced_usd, 0) as decimal(18, 4)) as delta_pct,
        tolerance_usd,
        invoiced_tokens,
        computed_tokens,
        invoiced_tokens - computed_tokens as token_delta,
        cast(invoiced_usd / nullif(computed_usd, 0) as decimal(18, 6)) as implied_price_ratio,
        unpriced_tokens,
        unattributed_usd,
        retried_call_count,
        invoice_line_count,
        invoice_service_tiers,
        has_unknown_invoice_model,
        day_count,
        unmatched_day_count,
        {{ reconciliation_status(dbt.dateadd('month', 1, 'billing_month')) }} as status,
        comparison_status,
        {{ reconciliation_explanation() }} as explanation
    from judged

)

select * from final
