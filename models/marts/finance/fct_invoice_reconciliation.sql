{#-
    Computed (telemetry) cost against invoiced cost per day, provider,
    billing scope, model and token type. The grain follows the invoice: a
    provider-month is compared by model and by token type only when every
    token-usage line of its invoice names them (else `all`). Only
    token-usage lines are compared; non-token charges, taxes and credits are
    in fct_invoice_totals_monthly and fct_invoice_lines.
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}
    where line_status = 'used' and charge_type = 'token_usage'

),

token_costs as (

    select * from {{ ref('int_llm_token_costs_scoped') }}

),

comparison_grains as (

    select
        provider,
        billing_month,
        bool_and(model <> 'all') as splits_models,
        bool_and(token_type <> 'all') as splits_token_types,
        bool_and(invoiced_tokens is not null) as has_token_quantities
    from invoice_lines
    group by provider, billing_month

),

invoice_lines_at_grain as (

    select
        invoice_lines.provider,
        invoice_lines.billing_scope_id,
        invoice_lines.billed_usd,
        invoice_lines.invoiced_tokens,
        invoice_lines.service_tier,
        invoice_lines.charge_date as usage_date,
        case when comparison_grains.splits_models then invoice_lines.model else 'all' end as model,
        case
            when comparison_grains.splits_token_types then invoice_lines.token_type else 'all'
        end as token_type,
        not coalesce(invoice_lines.is_known_model, true) as is_unknown_model
    from invoice_lines
    inner join comparison_grains
        on
            invoice_lines.provider = comparison_grains.provider
            and invoice_lines.billing_month = comparison_grains.billing_month

),

token_costs_at_grain as (

    select
        token_costs.usage_date,
        token_costs.provider,
        token_costs.billing_scope_id,
        token_costs.tokens,
        token_costs.cost_usd,
        token_costs.unpriced_tokens,
        token_costs.retried_call_count,
        case
            when coalesce(comparison_grains.splits_models, true) then token_costs.model else 'all'
        end as model,
        case
            when coalesce(comparison_grains.splits_token_types, true)
                then token_costs.token_type
            else 'all'
        end as token_type,
        case when not token_costs.is_attributed then token_costs.cost_usd end
            as unattributed_cost_usd
    from token_costs
    left join comparison_grains
        on
            token_costs.provider = comparison_grains.provider
            and token_costs.billing_month = comparison_grains.billing_month

),

invoiced_costs as (

    select
        usage_date,
        provider,
        billing_scope_id,
        model,
        token_type,
        count(*) as invoice_line_count,
        sum(billed_usd) as invoiced_usd,
        sum(invoiced_tokens) as line_tokens,
        {{ string_agg_sorted('service_tier', "', '", distinct=true) }} as invoice_service_tiers,
        bool_or(is_unknown_model) as has_unknown_invoice_model
    from invoice_lines_at_grain
    group by usage_date, provider, billing_scope_id, model, token_type

),

computed_costs as (

    select
        usage_date,
        provider,
        billing_scope_id,
        model,
        token_type,
        sum(tokens) as computed_tokens,
        sum(cost_usd) as computed_usd,
        sum(unpriced_tokens) as unpriced_tokens,
        sum(unattributed_cost_usd) as unattributed_usd,
        sum(retried_call_count) as retried_call_count
    from token_costs_at_grain
    group by usage_date, provider, billing_scope_id, model, token_type

),

comparison_keys as (

    select distinct
        usage_date,
        provider,
        billing_scope_id,
        model,
        token_type
    from (
        select
            usage_date,
            provider,
            billing_scope_id,
            model,
            token_type
        from invoiced_costs
        union all
        select
            usage_date,
            provider,
            billing_scope_id,
            model,
            token_type
        from computed_costs
    ) as both_sides

),

compared as (

    select
        comparison_keys.usage_date,
        comparison_keys.provider,
        comparison_keys.billing_scope_id,
        comparison_keys.model,
        comparison_keys.token_type,
        invoiced_costs.invoiced_usd,
        computed_costs.computed_usd,
        invoiced_costs.invoice_service_tiers,
        cast(invoiced_costs.line_tokens as bigint) as line_tokens,
        coalesce(invoiced_costs.invoiced_usd, 0) - coalesce(computed_costs.computed_usd, 0)
            as delta_usd,
        {{ reconciliation_tolerance('invoiced_costs.invoiced_usd') }} as tolerance_usd,
        coalesce(invoiced_costs.invoice_line_count, 0) as invoice_line_count,
        cast(coalesce(computed_costs.computed_tokens, 0) as bigint) as computed_tokens,
        cast(coalesce(computed_costs.unpriced_tokens, 0) as bigint) as unpriced_tokens,
        coalesce(computed_costs.unattributed_usd, 0) as unattributed_usd,
        cast(coalesce(computed_costs.retried_call_count, 0) as bigint) as retried_call_count,
        coalesce(invoiced_costs.has_unknown_invoice_model, false) as has_unknown_invoice_model
    from comparison_keys
    left join invoiced_costs
        on
            comparison_keys.usage_date = invoiced_costs.usage_date
            and comparison_keys.provider = invoiced_costs.provider
            and comparison_keys.billing_scope_id = invoiced_costs.billing_scope_id
            and comparison_keys.model = invoiced_costs.model
            and comparison_keys.token_type = invoiced_costs.token_type
    left join computed_costs
        on
            comparison_keys.usage_date = computed_costs.usage_date
            and comparison_keys.provider = computed_costs.provider
            and comparison_keys.billing_scope_id = computed_costs.billing_scope_id
            and comparison_keys.model = computed_costs.model
            and comparison_keys.token_type = computed_costs.token_type

),

with_token_quantities as (

    select
        compared.*,
        {#- a provider-month whose invoice counts tokens counts 0 where it has no line #}
        case
            when compared.line_tokens is not null then compared.line_tokens
            when comparison_grains.has_token_quantities then 0
        end as invoiced_tokens
    from compared
    left join comparison_grains
        on
            compared.provider = comparison_grains.provider
            and cast({{ dbt.date_trunc('month', 'compared.usage_date') }} as date)
            = comparison_grains.billing_month

),

judged as (

    select
        *,
        {{ comparison_status(
            'invoice_line_count', 'invoiced_usd', 'invoiced_tokens', 'computed_tokens',
            'delta_usd', 'tolerance_usd'
        ) }} as comparison_status
    from with_token_quantities

),

cache_split as (

    select
        *,
        {# input-side tokens of the day's model agree in total, not per bucket #}
        token_type in ('input', 'cache_read', 'cache_write')
        and invoiced_tokens <> computed_tokens
        and sum(case when token_type <> 'output' then invoiced_tokens end)
            over (partition by usage_date, provider, billing_scope_id, model)
        = sum(case when token_type <> 'output' then computed_tokens end)
            over (partition by usage_date, provider, billing_scope_id, model)
            as is_cache_token_difference
    from judged

),

final as (

    select
        {{ surrogate_key(['usage_date', 'provider', 'billing_scope_id', 'model', 'token_type']) }}
            as reconciliation_id,
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as billing_month,
        provider,
        billing_scope_id,
        model,
        token_type,
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
        {{ reconciliation_status(dbt.dateadd('day', 1, 'usage_date')) }} as status,
        comparison_status,
        {{ reconciliation_explanation('is_cache_token_difference') }} as explanation
    from cache_split

)

select * from final
