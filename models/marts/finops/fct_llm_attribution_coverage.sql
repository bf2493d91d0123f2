with

call_provenance as (

    select * from {{ ref('fct_llm_call_ownership') }}

),

field_provenance as (

    {#- one row per call and ownership field -#}
    {% for field in ['team', 'service', 'route', 'environment', 'cost_center'] %}
        select
            usage_date,
            source_system,
            service,
            environment,
            '{{ field }}' as ownership_field,
            {{ field }}_provenance as provenance,
            is_priced,
            cost_usd
        from call_provenance
        {{ "union all" if not loop.last }}
    {% endfor %}

),

coverage as (

    select
        {{ surrogate_key([
            'usage_date', 'source_system', 'service', 'environment',
            'ownership_field', 'provenance'
        ]) }} as coverage_id,
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        source_system,
        service,
        environment,
        ownership_field,
        provenance,
        cast(count(*) as bigint) as call_count,
        cast(count(*) filter (where not is_priced) as bigint) as unpriced_call_count,
        sum(cost_usd) as cost_usd
    from field_provenance
    group by
        usage_date, source_system, service, environment, ownership_field, provenance

)

select * from coverage
