{#-
    Every invoice line with what reconciliation needs to know about it, and
    its final status:
    - charge_type: `token_usage` (a model's tokens, or a day's cost the
      export does not split by model), `non_token_usage` (web search, code
      execution, tool calls, storage), or the charge category (`tax`,
      `credit`, `adjustment`, `purchase`);
    - the canonical model and token type (`all` when the export does not
      split by them) and the token count, when the quantity is in tokens;
    - the billing scope (seed billing_scopes, rule in its description);
    - line_status: `used`, `superseded` (an older delivery of lines a newer
      file holds again, or a FOCUS line of a provider-month that a vendor's
      own export covers), `quarantined` or `out_of_scope`.
-#}
with

lines as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

resolved_models as (

    select * from {{ ref('int_invoice_models_resolved') }}

),

billing_scopes as (

    select * from {{ ref('billing_scopes') }}

),

classified as (

    select
        lines.*,
        {{ invoice_token_type('lines.token_type_text') }} as parsed_token_type,
        {{ tokens_per_unit('lines.quantity_unit') }} as unit_tokens,
        resolved_models.model as resolved_model,
        resolved_models.is_known_model,
        cast({{ dbt.date_trunc('month', 'lines.charge_date') }} as date) as billing_month
    from lines
    left join resolved_models
        on
            lines.provider = resolved_models.provider
            and lines.model_text = resolved_models.model_text

),

typed_charges as (

    select
        *,
        case
            when line_outcome <> 'usable' then null
            when charge_category <> 'usage' then charge_category
            when is_unsplit_usage then 'token_usage'
            when
                parsed_token_type is not null
                and (quantity is null or unit_tokens is not null)
                then 'token_usage'
            else 'non_token_usage'
        end as charge_type
    from classified

),

tokenized as (

    select
        *,
        case
            when charge_type = 'token_usage' then coalesce(resolved_model, 'all')
        end as model,
        case
            when charge_type = 'token_usage' then coalesce(parsed_token_type, 'all')
        end as token_type,
        case
            when charge_type = 'token_usage'
                then cast(round(quantity * unit_tokens) as bigint)
        end as invoiced_tokens
    from typed_charges

),

scoped as (

    select
        tokenized.*,
        coalesce(
            by_resource.billing_scope_id,
            by_sub_account.billing_scope_id,
            by_billing_account.billing_scope_id,
            provider_default.billing_scope_id,
            tokenized.provider || '/default'
        ) as billing_scope_id
    from tokenized
    left join billing_scopes as by_resource
        on
            tokenized.provider = by_resource.provider
            and lower(tokenized.resource_key) = lower(by_resource.invoice_scope_key)
    left join billing_scopes as by_sub_account
        on
            tokenized.provider = by_sub_account.provider
            and lower(tokenized.sub_account_key) = lower(by_sub_account.invoice_scope_key)
    left join billing_scopes as by_billing_account
        on
            tokenized.provider = by_billing_account.provider
            and lower(tokenized.billing_account_key) = lower(by_billing_account.invoice_scope_key)
    left join billing_scopes as provider_default
        on
            tokenized.provider = provider_default.provider
            and provider_default.is_provider_default

),

deliveries_ranked as (

    select
        *,
        first_value(source_file) over (
            partition by delivery_group_key
            order by
                case when line_outcome = 'usable' then 0 else 1 end,
                file_modified_at desc nulls last,
                source_file desc
            rows between unbounded preceding and unbounded following
        ) as newest_delivery_file,
        bool_or(line_outcome = 'usable' and invoice_source <> 'focus') over (
            partition by provider, billing_month
        ) as has_vendor_export
    from scoped

),

final as (

    select
        *,
        case
            when line_outcome <> 'usable' then line_outcome
            when source_file <> newest_delivery_file then 'superseded'
            when invoice_source = 'focus' and has_vendor_export then 'superseded'
            else 'used'
        end as line_status,
        case
            when line_outcome <> 'usable' then exclusion_reason
            when source_file <> newest_delivery_file then 'newer_delivery'
            when invoice_source = 'focus' and has_vendor_export then 'vendor_export_preferred'
        end as status_reason
    from deliveries_ranked

)

select * from final
