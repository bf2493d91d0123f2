{#
    Fails with every provider-month whose chargeback lines, in cents, do not
    add up exactly to the provider total rounded to the cent (the invoice
    total, or the computed total without invoice), or whose exact lines do
    not add up to the exact total within a millionth of a cent.
#}
{{ config(severity='error') }}

with

chargeback as (

    select * from {{ ref('fct_chargeback_monthly') }}

),

provider_months as (

    select
        billing_month,
        provider,
        min(provider_total_usd) as provider_total_usd,
        min(provider_total_rounded_usd) as provider_total_rounded_usd,
        sum(chargeback_usd) as chargeback_usd,
        sum(chargeback_exact_usd) as chargeback_exact_usd
    from chargeback
    group by billing_month, provider

),

mismatches as (

    select *
    from provider_months
    where
        chargeback_usd <> provider_total_rounded_usd
        or abs(chargeback_exact_usd - provider_total_usd) > 0.00000001

)

select * from mismatches
