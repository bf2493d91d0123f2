{{ config(**incremental_contract()) }}

{#-
    One row per span in the OTLP export, plus one row per line that is not
    valid JSON or not an OTLP TracesData object (span columns null) so that
    it can be quarantined: `42`, `[1, 2]`, `null`, `{"resourceSpans": "oops"}`,
    `{"resourceLogs": [...]}`, or a batch whose lists are of the wrong type
    (`"scopeSpans": {...}`), which DuckDB would decode as null, losing its
    spans. The last case is found by counting the spans written in the text
    (the `"startTimeUnixNano":` keys, a key no other OTLP object has) against
    the spans decoded. A TracesData line that holds no span (`{}`,
    `{"resourceSpans": []}`) is a legitimate, empty export: it gives one row
    too (span columns null, not an LLM span: `non_llm_span`), so that every
    line of a file has at least one row.

    Built for speed on large batch lines: each line is hashed once, the lines
    pass through one chain (a line that is malformed or not TracesData is
    replaced by a placeholder batch holding a single null span, so the lines
    are not kept twice for a second branch), and attributes are indexed once per list and then looked up per
    key (see otlp_attribute_index).
-#}
{%- set unreadable_line_batch = sql_string_literal(
    '{"resourceSpans": [{"scopeSpans": [{"spans": [null]}]}]}'
) -%}
{#- the line's columns, which every step carries through unchanged -#}
{%- set record_columns = [
    'record_id',
    'source_file',
    'file_modified_at',
    'loaded_at',
    'load_invocation_id',
    'is_valid_json',
] -%}
with

records as (

    select
        source_file,
        file_modified_at,
        record_text,
        record_hash,
        copy_number
    from {{ source('otlp', 'trace_records') }}
    where {{ incremental_files() }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_hash', 'copy_number') }} as record_id,
        source_file,
        file_modified_at,
        {{ load_columns() }},
        record_text,
        {{ json_text_check('record_text') }} as is_valid_json
    from records

),

decoded as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        record_text,
        case
            when is_valid_json then {{ otlp_traces_data('record_text') }}
        end as traces_data,
        case
            when is_valid_json
                then {{ regexp_match_count('record_text', '"startTimeUnixNano"\\s*:') }}
        end as written_span_count
    from identified

),

counted as (

    select
        *,
        {{ list_sum_of(
            'traces_data.resourceSpans',
            'resource_span',
            list_sum_of('resource_span.scopeSpans', 'scope_span', list_length('scope_span.spans')),
        ) }} as decoded_span_count
    from decoded

),

shaped as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        traces_data,
        coalesce(decoded_span_count, 0) > 0 as has_spans,
        case
            when traces_data.resourceSpans is not null
                then written_span_count <= coalesce(decoded_span_count, 0)
            {#- `{}` with JSON whitespace (space, tab, line feed, carriage return) around #}
            when is_valid_json
                then translate(record_text, ' ' || chr(9) || chr(10) || chr(13), '') = '{}'
            else false
        end as is_traces_data
    from counted

),

batches as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        is_traces_data,
        is_traces_data and has_spans as has_spans,
        {#-
            a line that is not TracesData, or holds no span, becomes a batch
            holding a single null span: every line is accounted for
        #}
        case
            when is_traces_data and has_spans then traces_data
            else {{ otlp_traces_data(unreadable_line_batch) }}
        end as traces_data
    from shaped

),

resource_spans as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        is_traces_data,
        has_spans,
        {{ list_unnest_with_position(
            'traces_data.resourceSpans', 'resource_span', 'resource_index'
        ) }}
    from batches

),

scope_spans as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        is_traces_data,
        has_spans,
        resource_index,
        {{ otlp_attribute_index('resource_span.resource.attributes') }} as resource_attributes,
        {{ list_unnest_with_position('resource_span.scopeSpans', 'scope_span', 'scope_index') }}
    from resource_spans

),

spans as (

    select
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        is_traces_data,
        has_spans,
        resource_index,
        scope_index,
        resource_attributes,
        scope_span.scope.name as scope_name,
        {{ list_unnest_with_position('scope_span.spans', 'span', 'span_index') }}
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
                when has_spans then resource_index || ':' || scope_index || ':' || span_index
                when is_traces_data then 'empty'
                else 'malformed'
            end
        ) as span_record_id,
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        is_traces_data,
        lower(nullif(span.traceId, '')) as trace_id,
        lower(nullif(span.spanId, '')) as span_id,
        lower(nullif(span.parentSpanId, '')) as parent_span_id,
        span.name as span_name,
        {#- the placeholder span of an unreadable or empty line has no kind or status #}
        case
            when has_spans then case upper(span.kind)
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
            when has_spans then case upper(span.status.code)
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
        span.endTimeUnixNano as end_time_unix_nano_text,
        span_attributes,
        resource_attributes
    from indexed

),

duplicates_checked as (

    {#-
        A key read twice in an attribute list with two values is ambiguous
        (lookups take the first). Checked on LLM-call spans only, the ones
        that are validated; the others are not billed.
    -#}
    select
        span_record_id,
        {%- for column in record_columns %}
            {{ column }},
        {%- endfor %}
        is_traces_data,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        span_kind,
        status_code,
        {% for column_name in otlp_attribute_precedence() -%}
            {{ column_name }},
        {% endfor -%}
        usage_convention,
        team_origin,
        scope_name,
        start_time_unix_nano_text,
        end_time_unix_nano_text,
        coalesce(
            case
                when
                    provider_raw is not null
                    or operation_name is not null
                    or openinference_span_kind in ('LLM', 'EMBEDDING')
                    then
                        {{ otlp_has_conflicting_key('span_attributes') }}
                        or {{ otlp_has_conflicting_key('resource_attributes') }}
            end,
            false
        ) as has_duplicate_key
    from renamed

)

select * from duplicates_checked
