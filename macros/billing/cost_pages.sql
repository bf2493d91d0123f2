{#
    CTEs shared by the staging models of paginated vendor cost APIs (OpenAI
    Costs API, Anthropic cost report): both return pages of daily buckets,
    `{"data": [{<bucket fields>, "results": [{<result fields>}, ...]}, ...]}`.

    Defines `cost_page_lines` (one row per result of every bucket, with the
    requested bucket and result fields as trimmed text, empty = null) and
    `unreadable_cost_pages` (one row per record that is not a JSON object with
    a `data` array, line fields null, so it can be quarantined). Both carry
    invoice_line_id, record_id, source_file, file_modified_at, is_valid_json
    and has_page_shape. `fields` dicts map column name -> JSON path.
#}
{% macro cost_page_ctes(pages_relation, bucket_fields, result_fields) %}

    identified_pages as (

        select
            {{ raw_record_id('source_file', 'md5(record_text)') }} as record_id,
            source_file,
            file_modified_at,
            record_text,
            {{ json_object_check('record_text') }} as is_valid_json
        from {{ pages_relation }}

    ),

    shaped_pages as (

        select
            *,
            coalesce(
                case when is_valid_json then json_type(record_text, '$.data') = 'ARRAY' end,
                false
            ) as has_page_shape
        from identified_pages

    ),

    page_buckets as (

        select
            record_id,
            source_file,
            file_modified_at,
            unnest(json_extract(record_text, '$.data[*]')) as bucket,
            generate_subscripts(json_extract(record_text, '$.data[*]'), 1) as bucket_index
        from shaped_pages
        where has_page_shape

    ),

    bucket_results as (

        select
            record_id,
            source_file,
            file_modified_at,
            bucket_index,
            {{ json_field_values('bucket', bucket_fields) }} as bucket_values,
            unnest(json_extract(bucket, '$.results[*]')) as result,
            generate_subscripts(json_extract(bucket, '$.results[*]'), 1) as result_index
        from page_buckets

    ),

    result_values as (

        select
            *,
            {{ json_field_values('result', result_fields) }} as result_values
        from bucket_results

    ),

    cost_page_lines as (

        select
            md5(record_id || ':' || bucket_index || ':' || result_index) as invoice_line_id,
            record_id,
            source_file,
            file_modified_at,
            true as is_valid_json,
            true as has_page_shape,
            {{ json_field_columns('bucket_values', bucket_fields) }},
            {{ json_field_columns('result_values', result_fields) }}
        from result_values

    ),

    unreadable_cost_pages as (

        select
            md5(record_id || ':page') as invoice_line_id,
            record_id,
            source_file,
            file_modified_at,
            is_valid_json,
            has_page_shape
        from shaped_pages
        where not has_page_shape

    )

{% endmacro %}
