{#-
    Every invoice line read, whatever became of it: the detail behind the
    reconciliation and the place to see non-token charges, taxes and
    credits, quarantined lines and superseded deliveries.
-#}
with

lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

final as (

    select
        invoice_line_id,
        invoice_source,
        source_file,
        line_status,
        status_reason,
        provider,
        billing_scope_id,
        charge_type,
        charge_category,
        charge_description,
        model,
        model_text as invoice_model,
        token_type,
        service_tier,
        invoiced_tokens,
        quantity,
        quantity_unit,
        billed_usd,
        resource_key as invoice_resource_id,
        sub_account_key as invoice_sub_account_id,
        billing_account_key as invoice_billing_account_id,
        team_tag as invoice_team_tag,
        invoice_id,
        billing_month,
        charge_date
    from lines

)

select * from final
