{#-
    One row per result of the Anthropic cost report
    (`/v1/organizations/cost_report`): a daily bucket x workspace x cost line
    (description), plus one row per page that is not readable so it can be
    quarantined. The amount is in cents, as a decimal string.
-#}
with

pages as (

    select * from {{ source('anthropic', 'cost_pages') }}

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
        {{ cost_page_field('bucket', '$.starting_at') }} as bucket_starting_at,
        {{ cost_page_field('bucket', '$.ending_at') }} as bucket_ending_at,
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
        bucket_starting_at,
        bucket_ending_at,
        {{ cost_page_field('result', '$.amount') }} as amount_cents_text,
        {{ cost_page_field('result', '$.currency') }} as currency,
        {{ cost_page_field('result', '$.cost_type') }} as cost_type,
        {{ cost_page_field('result', '$.description') }} as description,
        {{ cost_page_field('result', '$.model') }} as model,
        {{ cost_page_field('result', '$.token_type') }} as token_type,
        {{ cost_page_field('result', '$.service_tier') }} as service_tier,
        {{ cost_page_field('result', '$.context_window') }} as context_window,
        {{ cost_page_field('result', '$.inference_geo') }} as inference_geo,
        {{ cost_page_field('result', '$.workspace_id') }} as workspace_id
    from results

),

unreadable_pages as (

    select
        md5(record_id || ':page') as invoice_line_id,
        record_id,
        source_file,
        file_modified_at,
        is_valid_json,
        has_page_shape,
        cast(null as {{ dbt.type_string() }}) as bucket_starting_at,
        cast(null as {{ dbt.type_string() }}) as bucket_ending_at,
        cast(null as {{ dbt.type_string() }}) as amount_cents_text,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ dbt.type_string() }}) as cost_type,
        cast(null as {{ dbt.type_string() }}) as description,
        cast(null as {{ dbt.type_string() }}) as model,
        cast(null as {{ dbt.type_string() }}) as token_type,
        cast(null as {{ dbt.type_string() }}) as service_tier,
        cast(null as {{ dbt.type_string() }}) as context_window,
        cast(null as {{ dbt.type_string() }}) as inference_geo,
        cast(null as {{ dbt.type_string() }}) as workspace_id
    from pages_shaped
    where not has_page_shape

)

{# unreadable pages have no line columns: null, in the same order #}
select * from cost_lines
union all
select * from unreadable_pages
