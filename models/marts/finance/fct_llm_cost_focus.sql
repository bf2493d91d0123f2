{#-
    The computed, attributed cost in the shape of a FOCUS 1.2 Cost and
    Usage dataset, for FinOps tools that load FOCUS: one charge row per day,
    billing scope, team, service, route, environment, model and token type.
    Costs are computed from telemetry at price-book (list) prices, so
    BilledCost = EffectiveCost = ListCost = ContractedCost. Usage without a
    price in effect has cost 0 here (FOCUS costs cannot be null) and is
    flagged by `x_UnpricedTokens`. Columns beyond FOCUS start with `x_`.
-#}
with

token_costs as (

    select * from {{ ref('int_llm_token_costs_scoped') }}

),

providers as (

    select * from {{ ref('llm_providers') }}

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
        case
            when token_costs.token_type = 'request' then token_costs.call_count
            else token_costs.tokens
        end as "ConsumedQuantity",
        case when token_costs.token_type = 'request' then 'Requests' else 'Tokens' end
            as "ConsumedUnit",
        coalesce(token_costs.cost_usd, 0) as "ContractedCost",
        coalesce(token_costs.cost_usd, 0) as "EffectiveCost",
        providers.provider_name as "HostProviderName",
        providers.provider_name as "InvoiceIssuerName",
        coalesce(token_costs.cost_usd, 0) as "ListCost",
        'Standard' as "PricingCategory",
        cast(
            case
                when token_costs.token_type = 'request' then token_costs.call_count
                else token_costs.tokens * cast(0.000001 as decimal(7, 6))
            end as decimal(38, 12)
        ) as "PricingQuantity",
        case when token_costs.token_type = 'request' then 'Requests' else '1000000 Tokens' end
            as "PricingUnit",
        providers.provider_name as "ProviderName",
        providers.provider_name as "PublisherName",
        'AI and Machine Learning' as "ServiceCategory",
        providers.provider_name as "ServiceName",
        providers.provider_name as "ServiceProviderName",
        'Generative AI' as "ServiceSubcategory",
        token_costs.provider || ':' || token_costs.model || ':' || token_costs.token_type
            as "SkuId",
        token_costs.billing_scope_id as "SubAccountId",
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

)
-- noqa: enable=RF06

select * from final
