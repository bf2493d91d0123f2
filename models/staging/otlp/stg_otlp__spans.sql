{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail'
    )
}}

{#-
    One row per span in the OTLP export, plus one row per line that is not
    valid JSON (span columns null) so that it can be quarantined.

    Built for speed on large batch lines: each line is hashed once, the lines
    pass through one chain (a malformed line is decoded as a placeholder batch
    holding a single null span, so the lines are not kept twice for a second
    branch), and attributes are indexed once per list and then looked up per
    key (see otlp_attribute_index).
-#}
with

records as (

    select
        source_file,
        file_modified_at,
        record_text,
        {#- hashed once: the record id and its window use the hash, not the text #}
        md5(record_text) as record_hash
    from {{ source('otlp', 'trace_records') }}
    where {{ raw_files_to_load('otlp_trace_records') }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_hash') }} as record_id,
        source_file,
        file_modified_at,
        {{ load_columns() }},
        record_text,
        json_valid(record_text) as is_valid_json
    from records

),

decoded as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        is_valid_json,
        from_json(
            case
                when is_valid_json then record_text
                else '{"resourceSpans": [{"scopeSpans": [{"spans": [null]}]}]}'
            end,
            '{{ otlp_traces_data_structure() }}'
        ) as traces_data
    from identified

),

resource_spans as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        is_valid_json,
        unnest(traces_data.resourceSpans) as resource_span,
        generate_subscripts(traces_data.resourceSpans, 1) as resource_index
    from decoded

),

scope_spans as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        is_valid_json,
        resource_index,
        {{ otlp_attribute_index('resource_span.resource.attributes') }} as resource_attributes,
        unnest(resource_span.scopeSpans) as scope_span,
        generate_subscripts(resource_span.scopeSpans, 1) as scope_index
    from resource_spans

),

spans as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        is_valid_json,
        resource_index,
        scope_index,
        resource_attributes,
        scope_span.scope.name as scope_name,
        unnest(scope_span.spans) as span,
        generate_subscripts(scope_span.spans, 1) as span_index
    from scope_spans

),

indexed as (

    select
        *,
        {{ otlp_attribute_index('span.attributes') }} as span_attributes
    from spans

),

renamed as (

    select
        md5(
            record_id || ':' || case
                when is_valid_json then resource_index || ':' || scope_index || ':' || span_index
                else 'malformed'
            end
        ) as span_record_id,
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        is_valid_json,
        lower(nullif(span.traceId, '')) as trace_id,
        lower(nullif(span.spanId, '')) as span_id,
        lower(nullif(span.parentSpanId, '')) as parent_span_id,
        span.name as span_name,
        {#- the placeholder span of a malformed line has no kind or status #}
        case
            when is_valid_json then case upper(span.kind)
                    when '1' then 'INTERNAL'
                    when 'SPAN_KIND_INTERNAL' then 'INTERNAL'
                    when '2' then 'SERVER'
                    when 'SPAN_KIND_SERVER' then 'SERVER'
                    when '3' then 'CLIENT'
                    when 'SPAN_KIND_CLIENT' then 'CLIENT'
                    when '4' then 'PRODUCER'
                    when 'SPAN_KIND_PRODUCER' then 'PRODUCER'
                    when '5' then 'CONSUMER'
                    when 'SPAN_KIND_CONSUMER' then 'CONSUMER'
                    else 'UNSPECIFIED'
                end
        end as span_kind,
        case
            when is_valid_json then case upper(span.status.code)
                    when '1' then 'OK'
                    when 'STATUS_CODE_OK' then 'OK'
                    when '2' then 'ERROR'
                    when 'STATUS_CODE_ERROR' then 'ERROR'
                    else 'UNSET'
                end
        end as status_code,
        {%- for column_name in otlp_attribute_precedence() %}
            {{ otlp_attribute(column_name, 'span_attributes', 'resource_attributes') }}
                as {{ column_name }},
        {%- endfor %}
        {{ otlp_usage_convention('span_attributes', 'resource_attributes') }}
            as usage_convention,
        case
            when {{ otlp_attribute('team_id', 'span_attributes') }} is not null
                then 'llm_span'
            when {{ otlp_attribute('team_id', 'resource_attributes') }} is not null
                then 'resource'
        end as team_origin,
        scope_name,
        span.startTimeUnixNano as start_time_unix_nano_text,
        span.endTimeUnixNano as end_time_unix_nano_text
    from indexed

)

select * from renamed
