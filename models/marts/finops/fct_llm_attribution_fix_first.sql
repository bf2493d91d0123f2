{%- set fix_hints = {
    'team': "set team.id on the service's telemetry (resource or log key, LiteLLM or Bedrock request metadata `team`), or add the service to seeds/ownership/service_ownership.csv",
    'service': "set service.name on the telemetry (resource, log key, or request metadata `service`)",
    'route': "set http.route on the SERVER span (job.name for batch work, or request metadata `route`)",
    'environment': "set deployment.environment on the service's resource, log rows or request metadata",
    'cost_center': "set cost_center on the service's telemetry, or give its row in seeds/ownership/service_ownership.csv a cost_center",
} -%}
with

coverage as (

    select * from {{ ref('fct_llm_attribution_coverage') }}

),

service_months as (

    select
        usage_month,
        service,
        ownership_field,
        cast(sum(call_count) as bigint) as service_call_count,
        cast(sum(call_count) filter (where provenance = 'missing') as bigint)
            as missing_call_count,
        cast(sum(unpriced_call_count) filter (where provenance = 'missing') as bigint)
            as missing_unpriced_call_count,
        coalesce(sum(cost_usd), 0) as service_cost_usd,
        coalesce(sum(cost_usd) filter (where provenance = 'ownership_seed'), 0)
            as seed_filled_cost_usd,
        coalesce(sum(cost_usd) filter (where provenance = 'missing'), 0) as missing_cost_usd,
        {{ string_agg_sorted(
            'source_system', "', '", distinct=true, condition="provenance = 'missing'"
        ) }} as missing_in_sources,
        min(usage_date) filter (where provenance = 'missing') as first_missing_date,
        max(usage_date) filter (where provenance = 'missing') as last_missing_date
    from coverage
    group by usage_month, service, ownership_field

),

missing_only as (

    select * from service_months
    where missing_call_count > 0

),

ranked as (

    select
        {{ surrogate_key(['usage_month', 'service', 'ownership_field']) }} as fix_first_id,
        usage_month,
        cast(row_number() over (
            partition by usage_month
            order by
                missing_cost_usd desc, missing_call_count desc, service asc, ownership_field asc
        ) as bigint) as fix_rank,
        service,
        ownership_field,
        missing_in_sources,
        missing_call_count,
        missing_unpriced_call_count,
        missing_cost_usd,
        cast(
            missing_cost_usd * 100 / nullif(sum(missing_cost_usd) over (
                partition by usage_month, ownership_field
            ), 0) as decimal(9, 4)
        ) as pct_of_field_missing_cost,
        service_call_count,
        service_cost_usd,
        seed_filled_cost_usd,
        first_missing_date,
        last_missing_date,
        case ownership_field
            {%- for field, hint in fix_hints.items() %}
                when '{{ field }}' then {{ sql_string_literal(hint) }}
            {%- endfor %}
        end as how_to_fix
    from missing_only

)

select * from ranked
