{#-
    One line per provider and billing month: what the invoice exports add up
    to, split by charge type (model usage, non-token usage such as web
    search or code execution, tax, credits, adjustments, purchases), against
    what telemetry computes. Only model usage is compared with telemetry;
    the invoice total is what chargeback allocates to teams.
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}
    where line_status = 'used'

),

token_costs as (

    select * from {{ ref('int_llm_token_costs_scoped') }}

),

invoiced_totals as (

    select
        billing_month,
        provider,
        sum(billed_usd) as invoice_total_usd,
        {%- for charge_type in [
            "token_usage", "non_token_usage", "tax", "credit", "adjustment", "purchase"
        ] %}
            sum(case when charge_type = '{{ charge_type }}' then billed_usd else 0 end)
                as {{ charge_type }}_usd,
        {%- endfor %}
        sum(case when charge_type = 'token_usage' then invoiced_tokens end) as invoiced_tokens,
        bool_and(charge_type <> 'token_usage' or invoiced_tokens is not null)
            as has_token_quantities,
        count(case when charge_type = 'token_usage' then 1 end) as invoice_line_count,
        count(*) as all_invoice_line_count,
        {{ string_agg_sorted('service_tier', "', '", distinct=true) }} as invoice_service_tiers,
        bool_or(charge_type = 'token_usage' and not coalesce(is_known_model, true))
            as has_unknown_invoice_model
    from invoice_lines
    group by billing_month, provider

),

computed_totals as (

    select
        billing_month,
        provider,
        sum(cost_usd) as computed_usd,
        sum(tokens) as computed_tokens,
        sum(unpriced_tokens) as unpriced_tokens,
        sum(case when not is_attributed then cost_usd end) as unattributed_usd,
        sum(retried_call_count) as retried_call_count
    from token_costs
    group by billing_month, provider

),

provider_months as (

    select distinct
        billing_month,
        provider
    from (
        select
            billing_month,
            provider
        from invoiced_totals
        union all
        select
            billing_month,
            provider
        from computed_totals
    ) as both_sides

),

compared as (

    select
        provider_months.billing_month,
        provider_months.provider,
        computed_totals.computed_usd,
        invoiced_totals.invoice_service_tiers,
        cast(coalesce(computed_totals.computed_tokens, 0) as bigint) as computed_tokens,
        cast(coalesce(computed_totals.unpriced_tokens, 0) as bigint) as unpriced_tokens,
        cast(coalesce(computed_totals.retried_call_count, 0) as bigint) as retried_call_count,
        invoiced_totals.billing_month is not null as has_invoice,
        coalesce(invoiced_totals.invoice_total_usd, 0) as invoice_total_usd,
        coalesce(invoiced_totals.token_usage_usd, 0) as token_usage_usd,
        coalesce(invoiced_totals.non_token_usage_usd, 0) as non_token_usage_usd,
        coalesce(invoiced_totals.tax_usd, 0) as tax_usd,
        coalesce(invoiced_totals.credit_usd, 0) as credit_usd,
        coalesce(invoiced_totals.adjustment_usd, 0) as adjustment_usd,
        coalesce(invoiced_totals.purchase_usd, 0) as purchase_usd,
        coalesce(invoiced_totals.token_usage_usd, 0) - coalesce(computed_totals.computed_usd, 0)
            as delta_usd,
        case
            when invoiced_totals.has_token_quantities
                then cast(coalesce(invoiced_totals.invoiced_tokens, 0) as bigint)
        end as invoiced_tokens,
        coalesce(computed_totals.unattributed_usd, 0) as unattributed_usd,
        coalesce(invoiced_totals.invoice_line_count, 0) as invoice_line_count,
        coalesce(invoiced_totals.all_invoice_line_count, 0) as all_invoice_line_count,
        coalesce(invoiced_totals.has_unknown_invoice_model, false) as has_unknown_invoice_model
    from provider_months
    left join invoiced_totals
        on
            provider_months.billing_month = invoiced_totals.billing_month
            and provider_months.provider = invoiced_totals.provider
    left join computed_totals
        on
            provider_months.billing_month = computed_totals.billing_month
            and provider_months.provider = computed_totals.provider

),

judged as (

    select
        *,
        {{ reconciliation_tolerance('token_usage_usd') }} as tolerance_usd,
        {{ comparison_status(
            'invoice_line_count', 'token_usage_usd', 'invoiced_tokens', 'computed_tokens',
            'delta_usd', reconciliation_tolerance('token_usage_usd')
        ) }} as comparison_status
    from compared

),

final as (

    select
        {{ surrogate_key(['billing_month', 'provider']) }} as invoice_total_id,
        billing_month,
        provider,
        has_invoice,
        invoice_total_usd,
        cast(round(invoice_total_usd, 2) as decimal(18, 2)) as invoice_total_rounded_usd,
        token_usage_usd,
        non_token_usage_usd,
        tax_usd,
        credit_usd,
        adjustment_usd,
        purchase_usd,
        computed_usd,
        delta_usd,
        cast(delta_usd * 100 / nullif(token_usage_usd, 0) as decimal(18, 4)) as delta_pct,
        tolerance_usd,
        invoiced_tokens,
        computed_tokens,
        invoiced_tokens - computed_tokens as token_delta,
        unpriced_tokens,
        unattributed_usd,
        all_invoice_line_count as invoice_line_count,
        {{ reconciliation_status(dbt.dateadd('month', 1, 'billing_month')) }} as status,
        comparison_status,
        {{ reconciliation_explanation() }} as explanation
    from judged

)

select * from final
