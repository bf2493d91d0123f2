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

pages_identified as (

    select
        {{ raw_record_id('source_file', 'record_hash', 'copy_number') }} as record_id,
        source_file,
        file_modified_at,
        record_text,
        {{ json_object_check('record_text') }} as is_valid_json
    from pages

),

pages_shaped as (

    select
        *,
        coalesce(
            case when is_valid_json then {{ json_array_check('record_text', '$.data') }} end,
            false
        ) as has_page_shape
    from pages_identified

),

buckets as (

    select
        record_id,
        source_file,
        file_modified_at,
        {{ list_unnest_with_position(
            json_array_elements('record_text', '$.data'), 'bucket', 'bucket_index'
        ) }}
    from pages_shaped
    where has_page_shape

),

results as (

    select
        record_id,
        source_file,
        file_modified_at,
        bucket_index,
        {{ cost_page_field('bucket', '$.start_time') }} as bucket_start_time,
        {{ cost_page_field('bucket', '$.start_time_iso') }} as bucket_start_time_iso,
        {{ cost_page_field('bucket', '$.end_time') }} as bucket_end_time,
        {{ list_unnest_with_position(
            json_array_elements('bucket', '$.results'), 'result', 'result_index'
        ) }}
    from buckets

),

cost_lines as (

    select
        md5(record_id || ':' || bucket_index || ':' || result_index) as invoice_line_id,
        record_id,
        source_file,
        file_modified_at,
        true as is_valid_json,
        true as has_page_shape,
        bucket_start_time,
        bucket_start_time_iso,
        bucket_end_time,
        {{ cost_page_field('result', '$.amount.value') }} as amount_value_text,
        {{ cost_page_field('result', '$.amount.currency') }} as currency,
        {{ cost_page_field('result', '$.line_item') }} as line_item,
        {{ cost_page_field('result', '$.project_id') }} as project_id,
        {{ cost_page_field('result', '$.project_name') }} as project_name,
        {{ cost_page_field('result', '$.api_key_id') }} as api_key_id,
        {{ cost_page_field('result', '$.organization_id') }} as organization_id,
        {{ cost_page_field('result', '$.quantity') }} as quantity_text,
        {{ cost_page_field('result', '$.quantity_unit') }} as quantity_unit
    from results

),

line_items_split as (

    {#- `[ \t\n\r]` and `[|]`, not `\s` and `\|`: Spark unescapes a backslash class -#}
    select
        *,
        nullif(regexp_extract(line_item, '^(.+?)[ \t\n\r]*[|][ \t\n\r]*', 1), '')
            as line_item_surface,
        regexp_extract(
            regexp_replace(line_item, '^.*[|][ \t\n\r]*', ''), '^(.+),[ \t\n\r]*([^,]+)$', 1
        ) as line_item_model_text,
        regexp_extract(
            regexp_replace(line_item, '^.*[|][ \t\n\r]*', ''), '^(.+),[ \t\n\r]*([^,]+)$', 2
        ) as line_item_direction_text
    from cost_lines

),

line_items_parsed as (

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
        nullif(trim(line_item_model_text), '') as line_item_model,
        nullif(trim(regexp_replace(line_item_direction_text, '[(].*[)][ \t\n\r]*$', '')), '')
            as line_item_direction,
        nullif(regexp_extract(line_item_direction_text, '[(]([^)]+)[)][ \t\n\r]*$', 1), '')
            as line_item_service_tier,
        project_id,
        project_name,
        api_key_id,
        organization_id,
        quantity_text,
        quantity_unit
    from line_items_split

),

unreadable_pages as (

    select
        md5(record_id || ':page') as invoice_line_id,
        record_id,
        source_file,
        file_modified_at,
        is_valid_json,
        has_page_shape,
        cast(null as {{ dbt.type_string() }}) as bucket_start_time,
        cast(null as {{ dbt.type_string() }}) as bucket_start_time_iso,
        cast(null as {{ dbt.type_string() }}) as bucket_end_time,
        cast(null as {{ dbt.type_string() }}) as amount_value_text,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ dbt.type_string() }}) as line_item,
        cast(null as {{ dbt.type_string() }}) as line_item_surface,
        cast(null as {{ dbt.type_string() }}) as line_item_model,
        cast(null as {{ dbt.type_string() }}) as line_item_direction,
        cast(null as {{ dbt.type_string() }}) as line_item_service_tier,
        cast(null as {{ dbt.type_string() }}) as project_id,
        cast(null as {{ dbt.type_string() }}) as project_name,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        cast(null as {{ dbt.type_string() }}) as organization_id,
        cast(null as {{ dbt.type_string() }}) as quantity_text,
        cast(null as {{ dbt.type_string() }}) as quantity_unit
    from pages_shaped
    where not has_page_shape

)

{# unreadable pages have no line columns: null, in the same order #}
select * from line_items_parsed
union all
select * from unreadable_pages
