{#-
    One row per result of the OpenAI Costs API (`/v1/organization/costs`):
    a daily bucket x project x line item (x API key), plus one row per page
    that is not readable so it can be quarantined. The line item
    `"[<surface> | ]<model snapshot>, <direction>[ (<tier>)]"` is split into
    its parts; line items without a direction (`web search tool calls`) keep
    null parts.
-#}
with

pages as (

    select * from {{ source('openai', 'cost_pages') }}

),

{{ cost_page_ctes(
    'pages',
    {
        "bucket_start_time": "$.start_time",
        "bucket_start_time_iso": "$.start_time_iso",
        "bucket_end_time": "$.end_time",
    },
    {
        "amount_value_text": "$.amount.value",
        "currency": "$.amount.currency",
        "line_item": "$.line_item",
        "project_id": "$.project_id",
        "project_name": "$.project_name",
        "api_key_id": "$.api_key_id",
        "organization_id": "$.organization_id",
        "quantity_text": "$.quantity",
        "quantity_unit": "$.quantity_unit",
    },
) }},

line_items_split as (

    select
        *,
        nullif(regexp_extract(line_item, '^(.+?)\s*\|\s*', 1), '') as line_item_surface,
        regexp_extract(
            regexp_replace(line_item, '^.*\|\s*', ''), '^(.+),\s*([^,]+)$', ['model', 'direction']
        ) as line_item_parts
    from cost_page_lines

),

renamed as (

    select
        invoice_line_id,
        record_id,
        source_file,
        file_modified_at,
        is_valid_json,
        has_page_shape,
        bucket_start_time,
        bucket_start_time_iso,
        bucket_end_time,
        amount_value_text,
        currency,
        line_item,
        line_item_surface,
        nullif(trim(line_item_parts.model), '') as line_item_model,
        nullif(trim(regexp_replace(line_item_parts.direction, '\(.*\)\s*$', '')), '')
            as line_item_direction,
        nullif(regexp_extract(line_item_parts.direction, '\(([^)]+)\)\s*$', 1), '')
            as line_item_service_tier,
        project_id,
        project_name,
        api_key_id,
        organization_id,
        quantity_text,
        quantity_unit
    from line_items_split

)

{# by name: unreadable pages have no line columns, which become null #}
select * from renamed  -- noqa: AM07
union all by name
select * from unreadable_cost_pages
