{#-
    Every line of every invoice source in one line schema, values still text
    as the vendor wrote them and nothing filtered. Each source's own CTE
    decides what its fields mean: which column is the amount and in which
    unit, where the model and the token type are written, which ids scope
    the line (resource, sub-account, billing account), which lines are LLM
    spend at all, and which lines are re-deliveries of one another
    (`delivery_group_key`: of the lines sharing it, only the newest file's
    are used). The four are stacked by column name, and the enforced
    contract (_billing__models.yml) fails the build when a source's CTE
    names a column the line schema does not have; every CTE lists every
    column, `cast(null as ...)` where its source has no such field.
-#}
with

openai_lines as (

    select * from {{ ref('stg_openai__cost_lines') }}

),

anthropic_lines as (

    select * from {{ ref('stg_anthropic__cost_lines') }}

),

aws_cur_lines as (

    select * from {{ ref('stg_aws_cur__line_items') }}

),

focus_lines as (

    select * from {{ ref('stg_focus__cost_lines') }}

),

openai_lines_conformed as (

    select
        invoice_line_id,
        'openai_costs' as invoice_source,
        record_id,
        source_file,
        file_modified_at,
        is_valid_json,
        has_page_shape,
        true as is_llm_spend,
        'openai' as provider_name,
        coalesce(bucket_start_time, bucket_start_time_iso) as charge_start_text,
        amount_value_text as amount_text,
        cast(1 as decimal(3, 2)) as usd_per_amount_unit,
        currency,
        quantity_text,
        quantity_unit,
        'usage' as charge_category_text,
        line_item as charge_description,
        line_item_model as model_text,
        line_item_direction as token_type_text,
        {# not grouped by line item: the day's whole cost, not split by model #}
        line_item is null as is_unsplit_usage,
        line_item_service_tier as service_tier,
        cast(null as {{ dbt.type_string() }}) as resource_key,
        project_id as sub_account_key,
        organization_id as billing_account_key,
        cast(null as {{ dbt.type_string() }}) as team_tag,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        'openai_costs|' || coalesce(bucket_start_time, bucket_start_time_iso, '')
        || '|' || coalesce(project_id, '') as delivery_group_key
    from openai_lines

),

anthropic_lines_conformed as (

    select
        invoice_line_id,
        'anthropic_cost_report' as invoice_source,
        record_id,
        source_file,
        file_modified_at,
        is_valid_json,
        has_page_shape,
        true as is_llm_spend,
        'anthropic' as provider_name,
        bucket_starting_at as charge_start_text,
        amount_cents_text as amount_text,
        cast(0.01 as decimal(3, 2)) as usd_per_amount_unit,
        currency,
        cast(null as {{ dbt.type_string() }}) as quantity_text,
        cast(null as {{ dbt.type_string() }}) as quantity_unit,
        'usage' as charge_category_text,
        coalesce(description, cost_type) as charge_description,
        model as model_text,
        case when cost_type = 'tokens' then token_type end as token_type_text,
        {# not grouped by description: the day's whole cost, not split by model #}
        cost_type is null and description is null and model is null as is_unsplit_usage,
        service_tier,
        cast(null as {{ dbt.type_string() }}) as resource_key,
        workspace_id as sub_account_key,
        cast(null as {{ dbt.type_string() }}) as billing_account_key,
        cast(null as {{ dbt.type_string() }}) as team_tag,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        'anthropic_cost_report|' || coalesce(bucket_starting_at, '')
        || '|' || coalesce(workspace_id, '') as delivery_group_key
    from anthropic_lines

),

aws_cur_lines_conformed as (

    select
        record_id as invoice_line_id,
        'aws_cur' as invoice_source,
        record_id,
        source_file,
        file_modified_at,
        true as is_valid_json,
        true as has_page_shape,
        {# both Bedrock billing paths: AmazonBedrock and AWS Marketplace model listings #}
        coalesce(
            product_product_family = 'Amazon Bedrock'
            or line_item_product_code = 'AmazonBedrock'
            or product_servicecode = 'AmazonBedrock'
            or product_name ilike '%Amazon Bedrock%',
            false
        ) as is_llm_spend,
        'aws' as provider_name,
        line_item_usage_start_date as charge_start_text,
        line_item_unblended_cost_text as amount_text,
        cast(1 as decimal(3, 2)) as usd_per_amount_unit,
        line_item_currency_code as currency,
        line_item_usage_amount_text as quantity_text,
        coalesce(
            pricing_unit, case when line_item_usage_type like '%-Units' then 'Units' end
        ) as quantity_unit,
        line_item_line_item_type as charge_category_text,
        line_item_line_item_description as charge_description,
        coalesce(product_model, line_item_line_item_description) as model_text,
        coalesce(line_item_usage_type, '') || ' ' || coalesce(product_inference_type, '')
            as token_type_text,
        false as is_unsplit_usage,
        case
            when
                line_item_usage_type ilike '%batch%' or product_feature ilike '%batch%'
                then 'batch'
        end as service_tier,
        line_item_resource_id as resource_key,
        line_item_usage_account_id as sub_account_key,
        bill_payer_account_id as billing_account_key,
        resource_team_tag as team_tag,
        bill_invoice_id as invoice_id,
        'aws_cur|' || coalesce(identity_line_item_id || '|' || identity_time_interval, record_id)
            as delivery_group_key
    from aws_cur_lines

),

focus_lines_conformed as (

    select
        record_id as invoice_line_id,
        'focus' as invoice_source,
        record_id,
        source_file,
        file_modified_at,
        true as is_valid_json,
        true as has_page_shape,
        coalesce(
            service_category = 'AI and Machine Learning'
            and coalesce(service_subcategory, 'Generative AI') = 'Generative AI',
            false
        ) as is_llm_spend,
        {# the host bills the usage: Claude through AWS Marketplace is Bedrock spend #}
        coalesce(
            nullif(host_provider_name, 'Not Applicable'), provider_name, invoice_issuer_name
        ) as provider_name,
        charge_period_start as charge_start_text,
        billed_cost_text as amount_text,
        cast(1 as decimal(3, 2)) as usd_per_amount_unit,
        billing_currency as currency,
        coalesce(consumed_quantity_text, pricing_quantity_text) as quantity_text,
        case when consumed_quantity_text is not null then consumed_unit else pricing_unit end
            as quantity_unit,
        charge_category as charge_category_text,
        charge_description,
        coalesce(x_model, charge_description, sku_meter) as model_text,
        coalesce(x_token_type, sku_meter, charge_description) as token_type_text,
        false as is_unsplit_usage,
        x_service_tier as service_tier,
        resource_id as resource_key,
        sub_account_id as sub_account_key,
        billing_account_id as billing_account_key,
        team_tag,
        invoice_id,
        'focus|' || record_id as delivery_group_key
    from focus_lines

),

unioned as (

    {#- by name, so a column listed out of place cannot shift values into its neighbour #}
    {%- set line_columns = [
        "invoice_line_id", "invoice_source", "record_id", "source_file", "file_modified_at",
        "is_valid_json", "has_page_shape", "is_llm_spend", "provider_name", "charge_start_text",
        "amount_text", "usd_per_amount_unit", "currency", "quantity_text", "quantity_unit",
        "charge_category_text", "charge_description", "model_text", "token_type_text",
        "is_unsplit_usage", "service_tier", "resource_key", "sub_account_key",
        "billing_account_key", "team_tag", "invoice_id", "delivery_group_key",
    ] %}
    {%- for source in ["openai", "anthropic", "aws_cur", "focus"] %}
        select
            {{ line_columns | join(",\n            ") }}
        from {{ source }}_lines_conformed
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select * from unioned
