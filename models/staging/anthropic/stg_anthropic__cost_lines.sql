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

{{ cost_page_ctes(
    'pages',
    {
        "bucket_starting_at": "$.starting_at",
        "bucket_ending_at": "$.ending_at",
    },
    {
        "amount_cents_text": "$.amount",
        "currency": "$.currency",
        "cost_type": "$.cost_type",
        "description": "$.description",
        "model": "$.model",
        "token_type": "$.token_type",
        "service_tier": "$.service_tier",
        "context_window": "$.context_window",
        "inference_geo": "$.inference_geo",
        "workspace_id": "$.workspace_id",
    },
) }},

renamed as (

    select
        invoice_line_id,
        record_id,
        source_file,
        file_modified_at,
        is_valid_json,
        has_page_shape,
        bucket_starting_at,
        bucket_ending_at,
        amount_cents_text,
        currency,
        cost_type,
        description,
        model,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        workspace_id
    from cost_page_lines

)

{# by name: unreadable pages have no line columns, which become null #}
select * from renamed  -- noqa: AM07
union all by name
select * from unreadable_cost_pages
