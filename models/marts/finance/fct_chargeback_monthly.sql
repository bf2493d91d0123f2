{#-
    Chargeback: each provider's invoiced amount of a month allocated to
    teams, to the cent. A team is first charged what telemetry measured for
    it (attributed, priced cost); the rest of the invoice (usage telemetry
    could not attribute or price, gaps, price differences, non-token
    charges, tax, credits) is spread over the provider's teams by
    var('chargeback_allocation_rule'): `proportional` to measured cost (the
    default; evenly when nothing is measured) or `even`. A provider-month
    without any attributed team is charged to `unattributed`. Without an
    invoice (no export for that provider) the computed cost is allocated the
    same way, and the line says so (`chargeback_basis`).
-#}
with

invoice_totals as (

    select * from {{ ref('fct_invoice_totals_monthly') }}

),

token_costs as (

    select * from {{ ref('int_llm_token_costs_scoped') }}

),

provider_months as (

    select
        billing_month,
        provider,
        status,
        case when has_invoice then 'invoice' else 'computed' end as chargeback_basis,
        case
            when has_invoice then invoice_total_usd else coalesce(computed_usd, 0)
        end as provider_total_usd
    from invoice_totals

),

measured_teams as (

    select
        billing_month,
        provider,
        team,
        coalesce(sum(cost_usd), 0) as measured_usd
    from token_costs
    where is_attributed
    group by billing_month, provider, team

),

teams_or_unattributed as (

    select
        provider_months.*,
        coalesce(measured_teams.team, '{{ var("unattributed_team") }}') as team,
        coalesce(measured_teams.measured_usd, 0) as measured_usd,
        measured_teams.team is not null as is_measured_team
    from provider_months
    left join measured_teams
        on
            provider_months.billing_month = measured_teams.billing_month
            and provider_months.provider = measured_teams.provider

),

weighted as (

    select
        *,
        {#- weights at micro-dollar precision, so their total is exact #}
        cast(round(measured_usd, 6) as decimal(38, 6)) as measured_weight,
        provider_total_usd
        - sum(measured_usd) over (partition by billing_month, provider) as remainder_usd
    from teams_or_unattributed

),

ruled as (

    select
        *,
        case
            when not is_measured_team then 'unattributed'
            when
                '{{ var("chargeback_allocation_rule") }}' = 'even'
                or sum(measured_weight) over (partition by billing_month, provider) = 0
                then 'even'
            else 'proportional'
        end as allocation_rule
    from weighted

),

allocated as (

    select
        *,
        case when allocation_rule = 'proportional' then measured_weight else 1 end
            as allocation_weight,
        sum(case when allocation_rule = 'proportional' then measured_weight else 1 end)
            over (partition by billing_month, provider) as total_allocation_weight
    from ruled

),

shared as (

    select
        *,
        {{ allocate_share('remainder_usd', 'allocation_weight', 'total_allocation_weight') }}
            as allocated_usd
    from allocated

),

final as (

    select
        {{ surrogate_key(['billing_month', 'provider', 'team']) }} as chargeback_id,
        billing_month,
        provider,
        team,
        chargeback_basis,
        allocation_rule,
        measured_usd,
        allocated_usd,
        measured_usd + allocated_usd as chargeback_exact_usd,
        {{ allocate_cents(
            'measured_usd + allocated_usd', 'provider_total_usd',
            'billing_month, provider', 'team'
        ) }} as chargeback_usd,
        {{ allocate_share(1, 'allocation_weight', 'total_allocation_weight') }}
            as allocation_share,
        provider_total_usd,
        cast(round(provider_total_usd, 2) as decimal(18, 2)) as provider_total_rounded_usd,
        status = 'pending' as is_provisional
    from shared

)

select * from final
