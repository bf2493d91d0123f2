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
        coalesce(token_costs.cost_usd, 0) as "BilledCost",
        token_costs.provider as "BillingAccountId",
        providers.provider_name as "BillingAccountName",
        'USD' as "BillingCurrency",
        cast({{ dbt.dateadd('month', 1, 'token_costs.billing_month') }} as timestamp)
            as "BillingPeriodEnd",
        cast(token_costs.billing_month as timestamp) as "BillingPeriodStart",
        'Usage' as "ChargeCategory",
        cast(null as varchar) as "ChargeClass",
        case
            when token_costs.token_type = 'request' then token_costs.model || ' requests'
            else token_costs.model || ' ' || replace(token_costs.token_type, '_', ' ') || ' tokens'
        end as "ChargeDescription",
        'Usage-Based' as "ChargeFrequency",
        cast({{ dbt.dateadd('day', 1, 'token_costs.usage_date') }} as timestamp)
            as "ChargePeriodEnd",
        cast(token_costs.usage_date as timestamp) as "ChargePeriodStart",
        'Usage' as "ChargeType",
        cast(null as varchar) as "CommitmentDiscountCategory",
        cast(null as varchar) as "CommitmentDiscountId",
        cast(null as varchar) as "CommitmentDiscountName",
        cast(null as varchar) as "CommitmentDiscountStatus",
        cast(null as varchar) as "CommitmentDiscountType",
        cast(
            case
                when token_costs.token_type = 'request' then token_costs.call_count
                else token_costs.tokens
            end as decimal(38, 12)
        ) as "ConsumedQuantity",
        case when token_costs.token_type = 'request' then 'Requests' else 'Tokens' end
            as "ConsumedUnit",
        coalesce(token_costs.cost_usd, 0) as "ContractedCost",
        unit_prices.list_unit_price as "ContractedUnitPrice",
        coalesce(token_costs.cost_usd, 0) as "EffectiveCost",
        providers.provider_name as "HostProviderName",
        cast(null as varchar) as "InvoiceId",
        providers.provider_name as "InvoiceIssuer",
        providers.provider_name as "InvoiceIssuerName",
        coalesce(token_costs.cost_usd, 0) as "ListCost",
        unit_prices.list_unit_price as "ListUnitPrice",
        'Standard' as "PricingCategory",
        cast(
            case
                when token_costs.token_type = 'request' then token_costs.call_count
                else token_costs.tokens * cast(0.000001 as decimal(7, 6))
            end as decimal(38, 12)
        ) as "PricingQuantity",
        case when token_costs.token_type = 'request' then 'Requests' else '1000000 Tokens' end
            as "PricingUnit",
        providers.provider_name as "Provider",
        providers.provider_name as "ProviderName",
        providers.provider_name as "Publisher",
        providers.provider_name as "PublisherName",
        cast(null as varchar) as "RegionId",
        cast(null as varchar) as "RegionName",
        cast(null as varchar) as "ResourceID",
        cast(null as varchar) as "ResourceName",
        cast(null as varchar) as "ResourceType",
        'AI and Machine Learning' as "ServiceCategory",
        providers.provider_name as "ServiceName",
        providers.provider_name as "ServiceProviderName",
        'Generative AI' as "ServiceSubcategory",
        token_costs.provider || ':' || token_costs.model || ':' || token_costs.token_type
            as "SkuId",
        token_costs.provider || ':' || token_costs.model || ':' || token_costs.token_type || '@'
        || coalesce(cast(unit_prices.list_unit_price as varchar), 'unpriced') as "SkuPriceId",
        token_costs.billing_scope_id as "SubAccountId",
        token_costs.billing_scope_id as "SubAccountName",
        cast(json_object(
            'team', token_costs.team,
            'service', token_costs.service,
            'route', token_costs.route,
            'environment', token_costs.environment
        ) as varchar) as "Tags",
        token_costs.token_cost_id as "x_CostRowId",
        token_costs.provider as "x_Provider",
        token_costs.model as "x_Model",
        token_costs.token_type as "x_TokenType",
        token_costs.aws_account_id as "x_AwsAccountId",
        token_costs.call_count as "x_CallCount",
        token_costs.unpriced_tokens as "x_UnpricedTokens",
        'telemetry' as "x_CostSource"
    from token_costs
    inner join providers
        on token_costs.provider = providers.provider
    inner join unit_prices
        on token_costs.token_cost_id = unit_prices.token_cost_id

)
-- noqa: enable=RF06

select * from final
