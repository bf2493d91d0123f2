{#
    Fails with every billing scope that makes the scope of an invoice line
    or a call ambiguous: a second default scope for a provider, an invoice
    scope key used twice for a provider, or two rows with the same telemetry
    match (team and AWS account) for a provider. A row that neither is a
    default nor has any key could never be chosen, and fails too.
#}
{{ config(severity='error') }}

with

billing_scopes as (

    select * from {{ ref('billing_scopes') }}

),

duplicate_defaults as (

    select
        provider,
        'more than one default scope' as problem
    from billing_scopes
    where is_provider_default
    group by provider
    having count(*) > 1

),

duplicate_invoice_keys as (

    select
        provider,
        'invoice_scope_key ' || lower(invoice_scope_key) || ' used twice' as problem
    from billing_scopes
    where invoice_scope_key is not null
    group by provider, lower(invoice_scope_key)
    having count(*) > 1

),

duplicate_telemetry_matches as (

    select
        provider,
        'team ' || coalesce(team, '-') || ' and aws account ' || coalesce(aws_account_id, '-')
        || ' matched by two scopes' as problem
    from billing_scopes
    where team is not null or aws_account_id is not null
    group by provider, team, aws_account_id
    having count(*) > 1

),

unreachable_scopes as (

    select
        provider,
        'scope ' || billing_scope_id || ' has no key and is not a default' as problem
    from billing_scopes
    where
        not is_provider_default
        and invoice_scope_key is null
        and team is null
        and aws_account_id is null

),

problems as (

    select * from duplicate_defaults
    union all
    select * from duplicate_invoice_keys
    union all
    select * from duplicate_telemetry_matches
    union all
    select * from unreachable_scopes

)

select * from problems
