{#-
    Computed cost per day, owner, context, model and token type, in the
    billing scope the calls belong to: the computed side of invoice
    reconciliation, chargeback and the FOCUS export. Token types are the
    price book's buckets: input (uncached), cache_read, cache_write, output
    (reasoning included), plus `request` for per-call fees (no tokens). A
    bucket row exists when some of its calls have tokens (or a fee) in it,
    so the buckets add up to the calls' cost_usd.

    A call belongs to the scope row of its provider (seed billing_scopes)
    that names its team and AWS account, else its team, else its AWS
    account; else to the provider's default scope, else to
    `<provider>/default`. Matching runs once per distinct provider, account
    and team, not per call.
-#}
{#- the grain of the daily groups, and each bucket's tokens and cost columns in
    fct_llm_calls (`request` has no tokens) -#}
{%- set daily_group_columns = [
    "usage_date", "provider", "aws_account_id", "team", "service", "route", "environment", "model",
] -%}
{%- set token_buckets = {
    "input": {"tokens": "uncached_input_tokens", "cost": "input_cost_usd"},
    "cache_read": {"tokens": "cache_read_tokens", "cost": "cache_read_cost_usd"},
    "cache_write": {"tokens": "cache_write_tokens", "cost": "cache_write_cost_usd"},
    "output": {"tokens": "output_tokens", "cost": "output_cost_usd"},
    "request": {"tokens": none, "cost": "request_cost_usd"},
} -%}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

billing_scopes as (

    select * from {{ ref('billing_scopes') }}

),

daily_groups as (

    select
        {{ daily_group_columns | join(",\n        ") }},
    {% for token_type, bucket in token_buckets.items() %}
        {% set has_usage = (bucket.tokens or bucket.cost) ~ " > 0" %}
        {% set unpriced_tokens = "sum(case when not is_priced then " ~ bucket.tokens ~ " end)"
            if bucket.tokens else "0" %}
        sum({{ bucket.tokens or 0 }}) as {{ token_type }}_tokens,
        sum({{ bucket.cost }}) as {{ token_type }}_cost_usd,
        count(case when {{ has_usage }} then 1 end) as {{ token_type }}_call_count,
        {{ unpriced_tokens }} as {{ token_type }}_unpriced_tokens,
        count(case when {{ has_usage }} and attempt_number > 1 then 1 end)
            as {{ token_type }}_retried_call_count
        {{ "," if not loop.last }}
    {% endfor %}
    from calls
    group by {{ daily_group_columns | join(", ") }}

),

{# one row per token type (price-book bucket) of each daily group #}
token_costs as (

    {% for token_type in token_buckets %}
        select
            {{ daily_group_columns | join(",\n            ") }},
            '{{ token_type }}' as token_type,
            cast({{ token_type }}_tokens as bigint) as tokens,
            {{ token_type }}_cost_usd as cost_usd,
            {{ token_type }}_call_count as call_count,
            cast({{ token_type }}_unpriced_tokens as bigint) as unpriced_tokens,
            {{ token_type }}_retried_call_count as retried_call_count
        from daily_groups
        {{ "union all" if not loop.last }}
    {% endfor %}

),

owners as (

    select distinct
        provider,
        aws_account_id,
        team
    from daily_groups

),

owner_scope_candidates as (

    select
        owners.provider,
        owners.aws_account_id,
        owners.team,
        billing_scopes.billing_scope_id,
        row_number() over (
            partition by owners.provider, owners.aws_account_id, owners.team
            order by
                case when billing_scopes.team is not null then 2 else 0 end
                + case when billing_scopes.aws_account_id is not null then 1 else 0 end desc,
                billing_scopes.billing_scope_id asc
        ) as match_rank
    from owners
    inner join billing_scopes
        on
            owners.provider = billing_scopes.provider
            and (billing_scopes.team is not null or billing_scopes.aws_account_id is not null)
            and (billing_scopes.team is null or owners.team = billing_scopes.team)
            and (
                billing_scopes.aws_account_id is null
                or owners.aws_account_id = billing_scopes.aws_account_id
            )

),

owner_scopes as (

    select
        owners.provider,
        owners.aws_account_id,
        owners.team,
        coalesce(
            owner_scope_candidates.billing_scope_id,
            provider_default.billing_scope_id,
            owners.provider || '/default'
        ) as billing_scope_id
    from owners
    left join owner_scope_candidates
        on
            owners.provider = owner_scope_candidates.provider
            and owners.aws_account_id is not distinct from owner_scope_candidates.aws_account_id
            and owners.team = owner_scope_candidates.team
            and owner_scope_candidates.match_rank = 1
    left join billing_scopes as provider_default
        on
            owners.provider = provider_default.provider
            and provider_default.is_provider_default

),

scoped as (

    select
        {{ surrogate_key([
            'token_costs.usage_date', 'token_costs.provider', 'token_costs.aws_account_id',
            'token_costs.team', 'token_costs.service', 'token_costs.route',
            'token_costs.environment', 'token_costs.model', 'token_costs.token_type',
        ]) }} as token_cost_id,
        token_costs.usage_date,
        cast({{ dbt.date_trunc('month', 'token_costs.usage_date') }} as date) as billing_month,
        token_costs.provider,
        owner_scopes.billing_scope_id,
        token_costs.aws_account_id,
        token_costs.team,
        token_costs.team <> '{{ var("unattributed_team") }}' as is_attributed,
        token_costs.service,
        token_costs.route,
        token_costs.environment,
        token_costs.model,
        token_costs.token_type,
        token_costs.tokens,
        token_costs.cost_usd,
        token_costs.call_count,
        coalesce(token_costs.unpriced_tokens, 0) as unpriced_tokens,
        token_costs.retried_call_count
    from token_costs
    inner join owner_scopes
        on
            token_costs.provider = owner_scopes.provider
            and token_costs.aws_account_id is not distinct from owner_scopes.aws_account_id
            and token_costs.team = owner_scopes.team
    where token_costs.call_count > 0

)

select * from scoped
