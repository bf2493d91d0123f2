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
-#}
with

records as (

    select * from {{ source('otlp', 'trace_records') }}
    where {{ raw_files_to_load('otlp_trace_records') }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'md5(record_text)') }} as record_id,
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
        from_json(record_text, '{{ otlp_traces_data_structure() }}') as traces_data
    from identified
    where is_valid_json

),

resource_spans as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
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
        resource_index,
        resource_span.resource.attributes as resource_attributes,
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
        resource_index,
        scope_index,
        resource_attributes,
        scope_span.scope.name as scope_name,
        unnest(scope_span.spans) as span,
        generate_subscripts(scope_span.spans, 1) as span_index
    from scope_spans

),

attributes_as_text as (

    select
        *,
        list_transform(
            span.attributes,
            lambda a: struct_pack(key := a.key, value := {{ otlp_any_value_text('a.value') }})
        ) as span_attribute_list,
        list_transform(
            resource_attributes,
            lambda a: struct_pack(key := a.key, value := {{ otlp_any_value_text('a.value') }})
        ) as resource_attribute_list
    from spans

),

renamed as (

    select
        md5(record_id || ':' || resource_index || ':' || scope_index || ':' || span_index)
            as span_record_id,
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        true as is_valid_json,
        lower(nullif(span.traceId, '')) as trace_id,
        lower(nullif(span.spanId, '')) as span_id,
        lower(nullif(span.parentSpanId, '')) as parent_span_id,
        span.name as span_name,
        case upper(span.kind)
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
        end as span_kind,
        case upper(span.status.code)
            when '1' then 'OK'
            when 'STATUS_CODE_OK' then 'OK'
            when '2' then 'ERROR'
            when 'STATUS_CODE_ERROR' then 'ERROR'
            else 'UNSET'
        end as status_code,
        {%- for column_name in otlp_attribute_precedence() %}
            {{ otlp_attribute(column_name, 'span_attribute_list', 'resource_attribute_list') }}
                as {{ column_name }},
        {%- endfor %}
        {{ otlp_usage_convention('span_attribute_list', 'resource_attribute_list') }}
            as usage_convention,
        case
            when {{ otlp_attribute('team_id', 'span_attribute_list') }} is not null
                then 'llm_span'
            when {{ otlp_attribute('team_id', 'resource_attribute_list') }} is not null
                then 'resource'
        end as team_origin,
        scope_name,
        span.startTimeUnixNano as start_time_unix_nano_text
    from attributes_as_text

),

malformed_lines as (

    select
        md5(record_id || ':malformed') as span_record_id,
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        false as is_valid_json
    from identified
    where not is_valid_json

)

{# by name: malformed lines have no span columns, which become null #}
select * from renamed  -- noqa: AM07
union all by name
select * from malformed_lines
