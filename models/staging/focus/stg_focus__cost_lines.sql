{#-
    One row per row of a FOCUS 1.x Cost and Usage export (any provider, all
    services): FOCUS column ids renamed to snake_case, values as text.
    Which rows are LLM usage is decided downstream.
-#}
{%- set focus_columns = {
    "billed_cost_text": "BilledCost",
    "effective_cost_text": "EffectiveCost",
    "list_cost_text": "ListCost",
    "billing_currency": "BillingCurrency",
    "billing_account_id": "BillingAccountId",
    "billing_account_name": "BillingAccountName",
    "billing_period_start": "BillingPeriodStart",
    "charge_period_start": "ChargePeriodStart",
    "charge_period_end": "ChargePeriodEnd",
    "charge_category": "ChargeCategory",
    "charge_class": "ChargeClass",
    "charge_description": "ChargeDescription",
    "consumed_quantity_text": "ConsumedQuantity",
    "consumed_unit": "ConsumedUnit",
    "pricing_quantity_text": "PricingQuantity",
    "pricing_unit": "PricingUnit",
    "invoice_id": "InvoiceId",
    "invoice_issuer_name": "InvoiceIssuerName",
    "host_provider_name": "HostProviderName",
    "service_provider_name": "ServiceProviderName",
    "provider_name": "ProviderName",
    "publisher_name": "PublisherName",
    "region_id": "RegionId",
    "resource_id": "ResourceId",
    "resource_name": "ResourceName",
    "service_category": "ServiceCategory",
    "service_subcategory": "ServiceSubcategory",
    "service_name": "ServiceName",
    "sku_id": "SkuId",
    "sku_meter": "SkuMeter",
    "sub_account_id": "SubAccountId",
    "sub_account_name": "SubAccountName",
    "tags_text": "Tags",
    "x_model": "x_Model",
    "x_token_type": "x_TokenType",
    "x_service_tier": "x_ServiceTier",
} -%}
{%- set paths = {} -%}
{%- for column_name, focus_id in focus_columns.items() -%}
    {%- do paths.update({column_name: '$."' ~ focus_id ~ '"'}) -%}
{%- endfor -%}

with

records as (

    select * from {{ source('focus', 'cost_rows') }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_hash', 'copy_number') }} as record_id,
        source_file,
        source_format,
        file_modified_at,
        {{ json_field_values('record_text', paths) }} as field_values
    from records

),

renamed as (

    select
        record_id,
        source_file,
        source_format,
        file_modified_at,
        {{ json_field_columns('field_values', paths) }}
    from identified

),

{%- set tags_json = "case when " ~ json_text_check("tags_text") ~ " then tags_text end" %}

tags_extracted as (

    select
        *,
        coalesce(
            nullif(trim({{ json_field_value(tags_json, '$.team') }}), ''),
            nullif(trim({{ json_field_value(tags_json, '$."user:team"') }}), ''),
            nullif(trim({{ json_field_value(tags_json, '$.user_team') }}), '')
        ) as team_tag
    from renamed

)

select * from tags_extracted
