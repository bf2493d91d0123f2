{#-
    One row per row of an AWS Cost and Usage Report (CUR 2.0 column names;
    legacy CUR `lineItem/...` names are read too), all services included:
    which rows are Amazon Bedrock is decided downstream. Values stay text;
    the `product` and `resource_tags` maps (JSON in CSV exports, maps in
    Parquet) are flattened to the keys used.
-#}
{%- set cur_columns = {
    "identity_line_item_id": ["identity_line_item_id", "identity/LineItemId"],
    "identity_time_interval": ["identity_time_interval", "identity/TimeInterval"],
    "bill_invoice_id": ["bill_invoice_id", "bill/InvoiceId"],
    "bill_billing_entity": ["bill_billing_entity", "bill/BillingEntity"],
    "bill_payer_account_id": ["bill_payer_account_id", "bill/PayerAccountId"],
    "line_item_usage_account_id": ["line_item_usage_account_id", "lineItem/UsageAccountId"],
    "line_item_line_item_type": ["line_item_line_item_type", "lineItem/LineItemType"],
    "line_item_usage_start_date": ["line_item_usage_start_date", "lineItem/UsageStartDate"],
    "line_item_product_code": ["line_item_product_code", "lineItem/ProductCode"],
    "line_item_usage_type": ["line_item_usage_type", "lineItem/UsageType"],
    "line_item_operation": ["line_item_operation", "lineItem/Operation"],
    "line_item_resource_id": ["line_item_resource_id", "lineItem/ResourceId"],
    "line_item_usage_amount_text": ["line_item_usage_amount", "lineItem/UsageAmount"],
    "line_item_currency_code": ["line_item_currency_code", "lineItem/CurrencyCode"],
    "line_item_unblended_cost_text": ["line_item_unblended_cost", "lineItem/UnblendedCost"],
    "line_item_line_item_description": [
        "line_item_line_item_description", "lineItem/LineItemDescription"
    ],
    "line_item_iam_principal": ["line_item_iam_principal"],
    "product_product_family": ["product_product_family", "product/productFamily"],
    "product_servicecode": ["product_servicecode", "product/servicecode"],
    "product_region_code": ["product_region_code", "product/regionCode"],
    "pricing_unit": ["pricing_unit", "pricing/unit"],
    "product_map_text": ["product"],
    "resource_tags_text": ["resource_tags"],
    "legacy_team_tag": ["resourceTags/user:team"],
} -%}
{%- set product_keys = {
    "product_name": "$.product_name",
    "product_model": "$.model",
    "product_provider": "$.provider",
    "product_inference_type": "$.inference_type",
    "product_feature": "$.feature",
} -%}
{%- set map_columns = ["product_map_text", "resource_tags_text", "legacy_team_tag"] -%}
{%- set paths = {} -%}
{%- for column_name, keys in cur_columns.items() -%}
    {%- for key in keys -%}
        {%- do paths.update({column_name ~ "__" ~ loop.index: '$."' ~ key ~ '"'}) -%}
    {%- endfor -%}
{%- endfor -%}

with

records as (

    select * from {{ source('aws_cur', 'cur_rows') }}

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

extracted as (

    select
        record_id,
        source_file,
        source_format,
        file_modified_at,
        {{ json_field_columns('field_values', paths) }}
    from identified

),

coalesced as (

    select
        record_id,
        source_file,
        source_format,
        {%- for column_name, keys in cur_columns.items() %}
            {%- set alternatives = [] %}
            {%- for key in keys %}
                {%- do alternatives.append(column_name ~ "__" ~ loop.index) %}
            {%- endfor %}
            coalesce({{ alternatives | join(", ") }}) as {{ column_name }},
        {%- endfor %}
        file_modified_at
    from extracted

),

maps_extracted as (

    select
        *,
        case
            when {{ json_text_check('product_map_text') }}
                then {{ json_field_values('product_map_text', product_keys) }}
        end as product_values,
        case
            when {{ json_text_check('resource_tags_text') }}
                then {{ json_field_value('resource_tags_text', '$.user_team') }}
        end as resource_tags_team
    from coalesced

),

renamed as (

    select
        record_id,
        source_file,
        source_format,
        file_modified_at,
        {%- for column_name in cur_columns if column_name not in map_columns %}
            {{ column_name }},
        {%- endfor %}
        {{ json_field_columns('product_values', product_keys) }},
        coalesce(nullif(trim(resource_tags_team), ''), legacy_team_tag) as resource_team_tag
    from maps_extracted

)

select * from renamed
