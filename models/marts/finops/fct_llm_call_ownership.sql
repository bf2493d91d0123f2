{#-
    Every billed call with its owner and where each ownership field came
    from: the call-level table the coverage marts read. fct_llm_calls
    records it for the team only (`attribution_rule`); for the service,
    route, environment and cost center it is read back from the records the
    call was built from: the billed record's own fields
    (int_llm_call_records_classified; for an OTLP span, before its ancestors'
    context was merged in: int_otlp__llm_spans_in_context), its ancestors'
    fields, and the other records of the same provider call.

    Incremental by the one contract of macros/incremental/incremental_files.sql:
    a run recomputes the files fct_llm_calls recomputed since its last run
    (which covers a changed seed and a changed record of the same call: both
    make fct_llm_calls reprice the call's file) and deletes the calls of a
    file that has none left there.
-#}
{{
    config(**incremental_contract(
        upstream='fct_llm_calls', upstream_stamp='computed_at',
        stamp='computed_at', sparse_upstream=true,
    ))
}}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ incremental_files() }}

),

call_records as {{ cte_not_materialized() }} (

    {#- read twice: DuckDB would otherwise copy the whole relation first -#}
    select * from {{ ref('int_llm_call_records_classified') }}

),

llm_spans as (

    select * from {{ ref('int_otlp__llm_spans_in_context') }}

),

billed_records as (

    select
        record_id,
        source_system,
        provider_call_key,
        service_name,
        cost_center,
        environment_raw,
        coalesce(http_route, url_path, job_name) as route_raw
    from call_records
    where record_outcome = 'billed'

),

own_span_fields as (

    {#- the LLM span's own and resource attributes, without its ancestors' -#}
    select
        span_record_id,
        cost_center,
        environment_raw,
        coalesce(http_route, url_path, job_name) as route_raw
    from llm_spans

),

other_records_with_cost_center as (

    {#- another record of the same provider call (another source, or a second
        instrumentation) that carries a cost center -#}
    select distinct provider_call_key
    from call_records
    where
        provider_call_key is not null
        and record_outcome in ('cross_source_duplicate', 'instrumentation_duplicate')
        and cost_center is not null

),

calls_with_records as (

    select
        calls.call_id,
        calls.usage_date,
        calls.source_system,
        calls.source_file,
        calls.team,
        calls.service,
        calls.route,
        calls.environment,
        calls.cost_center,
        calls.attribution_rule,
        calls.provider,
        calls.model,
        calls.input_tokens,
        calls.output_tokens,
        calls.is_priced,
        calls.cost_usd,
        billed_records.service_name as record_service,
        {#- an OTLP span's own fields; other sources have no ancestors -#}
        case
            when own_span_fields.span_record_id is not null then own_span_fields.route_raw
            else billed_records.route_raw
        end as own_route,
        case
            when own_span_fields.span_record_id is not null then own_span_fields.environment_raw
            else billed_records.environment_raw
        end as own_environment,
        case
            when own_span_fields.span_record_id is not null then own_span_fields.cost_center
            else billed_records.cost_center
        end as own_cost_center,
        billed_records.route_raw as record_route,
        billed_records.environment_raw as record_environment,
        billed_records.cost_center as record_cost_center,
        other_records_with_cost_center.provider_call_key is not null
            as has_other_record_cost_center
    from calls
    left join billed_records
        on
            calls.source_record_id = billed_records.record_id
            and calls.source_system = billed_records.source_system
    left join own_span_fields
        on
            calls.source_system = 'otlp_traces'
            and calls.source_record_id = own_span_fields.span_record_id
    left join other_records_with_cost_center
        on billed_records.provider_call_key = other_records_with_cost_center.provider_call_key

),

provenance as (

    select
        call_id,
        usage_date,
        source_system,
        source_file,
        team,
        service,
        route,
        environment,
        cost_center,
        provider,
        model,
        input_tokens,
        output_tokens,
        is_priced,
        cost_usd,
        case
            when attribution_rule = 'unattributed' then 'missing'
            when attribution_rule = 'service_ownership' then 'ownership_seed'
            when substr(attribution_rule, 1, 8) = 'matched_' then 'other_source'
            when attribution_rule = 'ancestor_span' then 'ancestor_span'
            else 'telemetry'
        end as team_provenance,
        case
            when service = '{{ var("unknown_value") }}' then 'missing'
            when record_service is not null then 'telemetry'
            else 'other_source'
        end as service_provenance,
        case
            when route = '{{ var("unknown_value") }}' then 'missing'
            when own_route is not null then 'telemetry'
            when record_route is not null then 'ancestor_span'
            else 'other_source'
        end as route_provenance,
        case
            when environment = '{{ var("unknown_value") }}' then 'missing'
            when own_environment is not null then 'telemetry'
            when record_environment is not null then 'ancestor_span'
            else 'other_source'
        end as environment_provenance,
        case
            when cost_center is null then 'missing'
            when own_cost_center is not null then 'telemetry'
            when record_cost_center is not null then 'ancestor_span'
            when has_other_record_cost_center then 'other_source'
            else 'ownership_seed'
        end as cost_center_provenance,
        {{ reference_version(incremental_seeds()) }} as reference_version,
        {{ processed_at() }} as computed_at
    from calls_with_records

)

select * from provenance
