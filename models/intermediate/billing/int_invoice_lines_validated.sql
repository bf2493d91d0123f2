{#-
    Typed invoice lines with a verdict. Every rule that keeps an invoice line
    out of reconciliation lives here, once, for every source; the first
    failing rule is the reason. Lines that are not LLM spend (other AWS
    services in a CUR, other FOCUS service categories) are `out_of_scope`,
    not quarantined. Amounts are read as DECIMAL from numbers or decimal
    strings (scientific notation included), never through floating point.
    An amount or quantity of 10^12 or more (in the export's own unit) is no
    real invoice line and would overflow the sums and token counts
    downstream: `implausible_amount` / `implausible_quantity`. A charge
    dated before `earliest_plausible_call_date`, or after the day its export
    was last written (a day of grace for time zones), is
    `implausible_charge_date`: an export cannot bill a day that has not come.
-#}
with

lines as (

    select * from {{ ref('int_invoice_lines_unioned') }}

),

provider_names as (

    select * from {{ ref('invoice_provider_names') }}

),

typed as (

    select
        lines.*,
        provider_names.provider,
        cast({{ parse_event_timestamp('lines.charge_start_text') }} as date) as charge_date,
        {{ invoice_decimal('lines.amount_text') }} as amount,
        {{ invoice_decimal('lines.quantity_text') }} as read_quantity,
        {#- whitespace (RE2's \s: tab, newline, form feed, return, space) and `_` dropped #}
        case translate(
            lower(trim(lines.charge_category_text)),
            ' _' || chr(9) || chr(10) || chr(12) || chr(13),
            ''
        )
            when 'usage' then 'usage'
            when 'discountedusage' then 'usage'
            when 'savingsplancoveredusage' then 'usage'
            when 'tax' then 'tax'
            when 'credit' then 'credit'
            when 'refund' then 'credit'
            when 'adjustment' then 'adjustment'
            when 'discount' then 'adjustment'
            when 'edpdiscount' then 'adjustment'
            when 'privateratediscount' then 'adjustment'
            when 'bundleddiscount' then 'adjustment'
            when 'savingsplannegation' then 'adjustment'
            when 'purchase' then 'purchase'
            when 'fee' then 'purchase'
            when 'rifee' then 'purchase'
            when 'savingsplanupfrontfee' then 'purchase'
            when 'savingsplanrecurringfee' then 'purchase'
        end as charge_category
    from lines
    left join provider_names
        on lower(trim(lines.provider_name)) = provider_names.invoice_provider_name

),

bounded as (

    select
        *,
        abs(amount) >= 1e12 as is_implausible_amount,
        abs(read_quantity) >= 1e12 as is_implausible_quantity,
        coalesce(
            charge_date < cast('{{ var("earliest_plausible_call_date") }}' as date)
            or charge_date > cast({{ timestamptz_in_utc('file_modified_at') }} as date) + 1,
            false
        ) as is_implausible_charge_date,
        case
            when abs(amount) < 1e12
                then cast(amount * usd_per_amount_unit as decimal(38, 12))
        end as billed_usd,
        case when abs(read_quantity) < 1e12 then read_quantity end as quantity
    from typed

),

judged as (

    select
        *,
        case
            when not is_valid_json then 'malformed_json'
            when not has_page_shape then 'unexpected_page_shape'
            when not is_llm_spend then 'not_llm_spend'
            when charge_start_text is null then 'missing_charge_date'
            when charge_date is null then 'unreadable_charge_date'
            when is_implausible_charge_date then 'implausible_charge_date'
            when amount_text is null then 'missing_amount'
            when amount is null then 'unreadable_amount'
            when is_implausible_amount then 'implausible_amount'
            when quantity_text is not null and read_quantity is null then 'unreadable_quantity'
            when is_implausible_quantity then 'implausible_quantity'
            when lower(trim(currency)) <> 'usd' then 'unsupported_currency'
            when charge_category is null then 'unknown_charge_category'
            when provider is null then 'unknown_provider'
        end as exclusion_reason
    from bounded

),

verdicts as (

    select
        *,
        case
            when exclusion_reason is null then 'usable'
            when exclusion_reason = 'not_llm_spend' then 'out_of_scope'
            else 'quarantined'
        end as line_outcome
    from judged

)

select * from verdicts
