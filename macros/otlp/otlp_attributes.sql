{#
    Which OTLP attribute feeds which staged column, in order of precedence.
    This is the single place where attribute names are chosen: to read a new
    convention, add its attribute key to the list of the column it feeds.
    For each key, the span's own attribute wins over its resource's.
#}
{% macro otlp_attribute_precedence() %}
    {{ return({
        "provider_raw": ["gen_ai.provider.name", "gen_ai.system"],
        "operation_name": ["gen_ai.operation.name"],
        "request_model": ["gen_ai.request.model"],
        "response_model": ["gen_ai.response.model"],
        "response_id": ["gen_ai.response.id"],
        "input_tokens_text": ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
        "output_tokens_text": ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
        "cache_read_tokens_text": [
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_read_input_tokens",
        ],
        "cache_write_tokens_text": [
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
        ],
        "reasoning_tokens_text": ["gen_ai.usage.reasoning.output_tokens"],
        "service_name": ["service.name"],
        "environment_raw": ["deployment.environment.name", "deployment.environment"],
        "team_id": ["team.id"],
        "http_route": ["http.route"],
    }) }}
{% endmacro %}


{#
    The value of the first attribute present, by the precedence above.
    `span_attributes` and `resource_attributes` are lists of
    struct(key, value) with the value already rendered as text.
#}
{% macro otlp_attribute(column_name, span_attributes, resource_attributes) %}
    coalesce(
        {%- for key in otlp_attribute_precedence()[column_name] %}
        {{ span_attributes }}.list_filter(lambda a: a.key = '{{ key }}')[1].value,
        {{ resource_attributes }}.list_filter(lambda a: a.key = '{{ key }}')[1].value
        {{- "," if not loop.last }}
        {%- endfor %}
    )
{% endmacro %}


{#
    The part of the OTLP JSON encoding (TracesData) that we read, as a DuckDB
    JSON structure. Unknown fields are ignored; int64 values arrive as
    decimal strings and are kept as text.
#}
{% macro otlp_traces_data_structure() %}
    {%- set attributes = '[{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR", "doubleValue": "DOUBLE", "boolValue": "BOOLEAN"}}]' -%}
    {{- return(
        '{"resourceSpans": [{"resource": {"attributes": ' ~ attributes ~ '},'
        ~ ' "scopeSpans": [{"scope": {"name": "VARCHAR", "version": "VARCHAR"},'
        ~ ' "spans": [{"traceId": "VARCHAR", "spanId": "VARCHAR",'
        ~ ' "parentSpanId": "VARCHAR", "name": "VARCHAR", "kind": "VARCHAR",'
        ~ ' "startTimeUnixNano": "VARCHAR", "endTimeUnixNano": "VARCHAR",'
        ~ ' "attributes": ' ~ attributes ~ ','
        ~ ' "status": {"code": "VARCHAR", "message": "VARCHAR"}}]}]}]}'
    ) -}}
{% endmacro %}


{# OTLP AnyValue struct -> text (string, int64, double or bool). #}
{% macro otlp_any_value_text(value) %}
    coalesce(
        {{ value }}.stringValue,
        {{ value }}.intValue,
        cast({{ value }}.doubleValue as varchar),
        cast({{ value }}.boolValue as varchar)
    )
{% endmacro %}
