{#-
    The computed, attributed cost in the shape of a FOCUS 1.2 Cost and
    Usage dataset, for FinOps tools that load FOCUS: one charge row per day,
    billing scope, team, service, route, environment, model and token type.
    Costs are computed from telemetry at price-book (list) prices, so
    BilledCost = EffectiveCost = ListCost = ContractedCost. Usage without a
    price in effect has cost 0 here (FOCUS costs cannot be null) and is
    flagged by `x_UnpricedTokens`. Columns beyond FOCUS start with `x_`.

    It passes the FinOps Foundation's validator (focus-validator 1.0.0,
    `--validate-version 1.0`; tests/test_focus_validator.py), whose rule set
    names three columns as FOCUS 1.0-preview did: `InvoiceIssuer`,
    `Provider` and `Publisher` are carried beside the 1.2 names
    (`InvoiceIssuerName`, `ProviderName`, `PublisherName`), `ChargeType`
    beside `ChargeCategory`, and the resource id is spelled `ResourceID`
    (DuckDB resolves `"ResourceId"` too). What telemetry cannot know is
    null, as FOCUS allows: no commitment discounts (price-book prices), no
    invoice id (computed, not invoiced; the vendor's id is
    fct_invoice_lines.invoice_id), no region or resource at this grain.
-#}
with

token_costs as (

    select * from {{ ref('int_llm_token_costs_scoped') }}

),

providers as (

    select * from {{ ref('llm_providers') }}

),

unit_prices as (

    {#- USD per pricing unit (1M tokens, or a request): the row's cost over its
        quantity, i.e. the price-book price, or the average of the price rows
        that applied within the day; null when some usage is unpriced -#}
    select
        token_cost_id,
        cast(
            case
                when unpriced_tokens > 0 or cost_usd is null then null
                when token_type = 'request' then cost_usd / nullif(call_count, 0)
                else cost_usd * 1000000 / nullif(tokens, 0)
            end as decimal(38, 12)
        ) as list_unit_price
    from token_costs

),

-- FOCUS column ids are PascalCase: quoted, so engines that fold case keep them.
-- noqa: disable=RF06
final as (

    select
        coalesce(token_costs.cost_usd, 0) as {{ adapter.quote("BilledCost") }},
        token_costs.provider as {{ adapter.quote("BillingAccountId") }},
        providers.provider_name as {{ adapter.quote("BillingAccountName") }},
        'USD' as {{ adapter.quote("BillingCurrency") }},
        cast({{ dbt.dateadd('month', 1, 'token_costs.billing_month') }} as timestamp)
            as {{ adapter.quote("BillingPeriodEnd") }},
        cast(token_costs.billing_month as timestamp) as {{ adapter.quote("BillingPeriodStart") }},
        'Usage' as {{ adapter.quote("ChargeCategory") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("ChargeClass") }},
        case
            when token_costs.token_type = 'request' then token_costs.model || ' requests'
            else token_costs.model || ' ' || replace(token_costs.token_type, '_', ' ') || ' tokens'
        end as {{ adapter.quote("ChargeDescription") }},
        'Usage-Based' as {{ adapter.quote("ChargeFrequency") }},
        cast({{ dbt.dateadd('day', 1, 'token_costs.usage_date') }} as timestamp)
            as {{ adapter.quote("ChargePeriodEnd") }},
        cast(token_costs.usage_date as timestamp) as {{ adapter.quote("ChargePeriodStart") }},
        'Usage' as {{ adapter.quote("ChargeType") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("CommitmentDiscountCategory") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("CommitmentDiscountId") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("CommitmentDiscountName") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("CommitmentDiscountStatus") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("CommitmentDiscountType") }},
        cast(
            case
                when token_costs.token_type = 'request' then token_costs.call_count
                else token_costs.tokens
            end as decimal(38, 12)
        ) as {{ adapter.quote("ConsumedQuantity") }},
        case when token_costs.token_type = 'request' then 'Requests' else 'Tokens' end
            as {{ adapter.quote("ConsumedUnit") }},
        coalesce(token_costs.cost_usd, 0) as {{ adapter.quote("ContractedCost") }},
        unit_prices.list_unit_price as {{ adapter.quote("ContractedUnitPrice") }},
        coalesce(token_costs.cost_usd, 0) as {{ adapter.quote("EffectiveCost") }},
        providers.provider_name as {{ adapter.quote("HostProviderName") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("InvoiceId") }},
        providers.provider_name as {{ adapter.quote("InvoiceIssuer") }},
        providers.provider_name as {{ adapter.quote("InvoiceIssuerName") }},
        coalesce(token_costs.cost_usd, 0) as {{ adapter.quote("ListCost") }},
        unit_prices.list_unit_price as {{ adapter.quote("ListUnitPrice") }},
        'Standard' as {{ adapter.quote("PricingCategory") }},
        cast(
            case
                when token_costs.token_type = 'request' then token_costs.call_count
                else token_costs.tokens * cast(0.000001 as decimal(7, 6))
            end as decimal(38, 12)
        ) as {{ adapter.quote("PricingQuantity") }},
        case when token_costs.token_type = 'request' then 'Requests' else '1000000 Tokens' end
            as {{ adapter.quote("PricingUnit") }},
        providers.provider_name as {{ adapter.quote("Provider") }},
        providers.provider_name as {{ adapter.quote("ProviderName") }},
        providers.provider_name as {{ adapter.quote("Publisher") }},
        providers.provider_name as {{ adapter.quote("PublisherName") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("RegionId") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("RegionName") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("ResourceID") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("ResourceName") }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote("ResourceType") }},
        'AI and Machine Learning' as {{ adapter.quote("ServiceCategory") }},
        providers.provider_name as {{ adapter.quote("ServiceName") }},
        providers.provider_name as {{ adapter.quote("ServiceProviderName") }},
        'Generative AI' as {{ adapter.quote("ServiceSubcategory") }},
        token_costs.provider || ':' || token_costs.model || ':' || token_costs.token_type
            as {{ adapter.quote("SkuId") }},
        token_costs.provider || ':' || token_costs.model || ':' || token_costs.token_type || '@'
        || coalesce(cast(unit_prices.list_unit_price as {{ dbt.type_string() }}), 'unpriced')
            as {{ adapter.quote("SkuPriceId") }},
        token_costs.billing_scope_id as {{ adapter.quote("SubAccountId") }},
        token_costs.billing_scope_id as {{ adapter.quote("SubAccountName") }},
        {{ json_object_text({
            'team': 'token_costs.team',
            'service': 'token_costs.service',
            'route': 'token_costs.route',
            'environment': 'token_costs.environment',
        }) }} as {{ adapter.quote("Tags") }},
        token_costs.token_cost_id as {{ adapter.quote("x_CostRowId") }},
        token_costs.provider as {{ adapter.quote("x_Provider") }},
        token_costs.model as {{ adapter.quote("x_Model") }},
        token_costs.token_type as {{ adapter.quote("x_TokenType") }},
        token_costs.aws_account_id as {{ adapter.quote("x_AwsAccountId") }},
        token_costs.call_count as {{ adapter.quote("x_CallCount") }},
        token_costs.unpriced_tokens as {{ adapter.quote("x_UnpricedTokens") }},
        'telemetry' as {{ adapter.quote("x_CostSource") }}
    from token_costs
    inner join providers
        on token_costs.provider = providers.provider
    inner join unit_prices
        on token_costs.token_cost_id = unit_prices.token_cost_id

)
-- noqa: enable=RF06

select * from final
