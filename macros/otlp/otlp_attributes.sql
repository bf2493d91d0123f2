{#
    Which OTLP attribute feeds which staged column, in order of precedence.
    This is the single place where attribute names are chosen: to read a new
    convention, add its key to the list of the column it feeds. For each key,
    the span's own attribute wins over its resource's. An entry
    ["metadata", "$.team"] reads a JSON path inside a JSON-text attribute
    (OpenInference `metadata`).

    Conventions covered: OTel GenAI current (>= 1.37) and deprecated names,
    OpenLLMetry / Traceloop, OpenInference, and the flat `llm.*` app-log keys
    set as span attributes.
#}
{% macro otlp_attribute_precedence() %}
    {{ return({
        "provider_raw": [
            "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system",
        ],
        "operation_name": ["gen_ai.operation.name", "llm.request.type"],
        "openinference_span_kind": ["openinference.span.kind"],
        "request_model": [
            "gen_ai.request.model", "llm.request.model_name", "llm.requested_model",
        ],
        "response_model": [
            "gen_ai.response.model", "llm.response.model_name", "llm.model_name", "llm.model",
        ],
        "response_id": ["gen_ai.response.id"],
        "error_type": ["error.type"],
        "input_tokens_text": otlp_usage_conventions().keys() | list,
        "output_tokens_text": [
            "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
            "llm.token_count.completion", "llm.output_tokens",
        ],
        "cache_read_tokens_text": [
            "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
            "gen_ai.usage.input_tokens.cached", "llm.token_count.prompt_details.cache_read",
            "llm.cache_read_tokens",
        ],
        "cache_write_tokens_text": [
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_write.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
            "gen_ai.usage.input_tokens.cache_write",
            "llm.token_count.prompt_details.cache_write", "llm.cache_write_tokens",
        ],
        "cache_write_1h_tokens_text": [
            "anthropic.usage.cache_creation.ephemeral_1h_input_tokens", "llm.cache_write_1h_tokens",
        ],
        "reasoning_tokens_text": [
            "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
            "llm.usage.reasoning_tokens", "llm.token_count.completion_details.reasoning",
            "llm.reasoning_tokens",
        ],
        "total_tokens_text": [
            "gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total",
        ],
        "service_tier_raw": [
            "openai.response.service_tier", "gen_ai.openai.response.service_tier",
            "openai.request.service_tier", "gen_ai.openai.request.service_tier",
            "anthropic.response.service_tier", "llm.service_tier",
        ],
        "service_name": ["service.name"],
        "environment_raw": [
            "deployment.environment.name", "deployment.environment",
            ["metadata", "$.environment"], ["metadata", "$.env"],
            "traceloop.association.properties.environment",
            "traceloop.association.properties.env",
        ],
        "team_id": [
            "team.id", ["metadata", "$.team"],
            "traceloop.association.properties.team",
            "traceloop.association.properties.team_id",
        ],
        "cost_center": [
            "cost_center", ["metadata", "$.cost_center"],
            "traceloop.association.properties.cost_center",
        ],
        "http_route": ["http.route"],
        "app_route": [["metadata", "$.route"], "traceloop.association.properties.route"],
        "url_path": ["url.path", "http.target"],
        "job_name": ["job.name", "traceloop.workflow.name"],
        "aws_account_id": ["aws.account_id", "cloud.account.id"],
        "aws_region": ["aws.region", "cloud.region"],
        "customer_tier": ["customer_tier", "traceloop.association.properties.customer_tier"],
    }) }}
{% endmacro %}


{#
    The attribute that carries input tokens names the usage convention of the
    span, which tells how its token counts relate (see seed
    llm_usage_conventions). Listed in order of precedence.
#}
{% macro otlp_usage_conventions() %}
    {{ return({
        "gen_ai.usage.input_tokens": "otel_genai",
        "gen_ai.usage.prompt_tokens": "otel_genai_legacy",
        "llm.token_count.prompt": "openinference",
        "llm.input_tokens": "flat_llm",
    }) }}
{% endmacro %}


{#
    An attribute list (list of OTLP KeyValue) made ready for lookups, in one
    pass: struct(keys, value_texts), the keys and the values rendered as text,
    in list order. Each lookup is then a plain list position over the keys
    instead of a lambda over the whole list.
#}
{% macro otlp_attribute_index(attributes) %}
    {{- return(adapter.dispatch("otlp_attribute_index", "llm_cost")(attributes)) -}}
{% endmacro %}

{% macro duckdb__otlp_attribute_index(attributes) %}
    struct_pack(
        keys := list_transform({{ attributes }}, lambda a: a.key),
        value_texts := list_transform({{ attributes }}, lambda a: {{ otlp_any_value_text('a.value') }})
    )
{% endmacro %}

{% macro spark__otlp_attribute_index(attributes) %}
    named_struct(
        'keys', transform({{ attributes }}, a -> a.key),
        'value_texts', transform({{ attributes }}, a -> {{ otlp_any_value_text('a.value') }})
    )
{% endmacro %}


{#
    The text value of the first entry of an attribute index whose key is
    `key_literal` (a SQL string literal); null when absent.
#}
{% macro otlp_indexed_value(attribute_index, key_literal) %}
    {{- return(adapter.dispatch("otlp_indexed_value", "llm_cost")(attribute_index, key_literal)) -}}
{% endmacro %}

{% macro duckdb__otlp_indexed_value(attribute_index, key_literal) -%}
    {{ attribute_index }}.value_texts[list_position({{ attribute_index }}.keys, {{ key_literal }})]
{%- endmacro %}

{#- Spark: array_position is a bigint, 0 when absent, and element_at takes an int, failing on 0 -#}
{% macro spark__otlp_indexed_value(attribute_index, key_literal) -%}
    element_at(
        {{ attribute_index }}.value_texts,
        cast(nullif(array_position({{ attribute_index }}.keys, {{ key_literal }}), 0) as int)
    )
{%- endmacro %}


{#
    One attribute's text value from an attribute index (otlp_attribute_index);
    null when absent. The first entry with the key counts, even when its value
    is null. A [key, json_path] pair reads a path inside a JSON-text attribute.
    The list_contains guard is cheaper than extracting a null element for the
    many keys a span does not have.
#}
{% macro otlp_attribute_lookup(attribute_index, key) %}
    {%- set attribute_key = sql_string_literal(key if key is string else key[0]) -%}
    {%- set value_text -%}
        case
            when {{ list_contains_value(attribute_index ~ ".keys", attribute_key) }}
                then {{ otlp_indexed_value(attribute_index, attribute_key) }}
        end
    {%- endset -%}
    {%- if key is string -%}
        {{ value_text }}
    {%- else -%}
        case
            when {{ json_text_check(value_text) }}
                then {{ list_element(json_field_values(value_text, {"value": key[1]}), 1) }}
        end
    {%- endif -%}
{% endmacro %}


{#
    The value of the first present attribute for a staged column, by the
    precedence above; span attributes before resource attributes per key.
    Pass resource_attributes=none to read the span's own attributes only.
#}
{% macro otlp_attribute(column_name, span_attributes, resource_attributes=none) %}
    coalesce(
        {%- for key in otlp_attribute_precedence()[column_name] %}
        {{ otlp_attribute_lookup(span_attributes, key) }}
        {%- if resource_attributes %},
        {{ otlp_attribute_lookup(resource_attributes, key) }}
        {%- endif %}
        {{- "," if not loop.last }}
        {%- endfor %}
    )
{% endmacro %}


{# The usage convention of the span: that of the first input-token key present. #}
{% macro otlp_usage_convention(span_attributes, resource_attributes) %}
    case
        {%- for key, convention in otlp_usage_conventions().items() %}
        when
            {{ otlp_attribute_lookup(span_attributes, key) }} is not null
            or {{ otlp_attribute_lookup(resource_attributes, key) }} is not null
            then '{{ convention }}'
        {%- endfor %}
    end
{% endmacro %}


{#
    The part of the OTLP JSON encoding (TracesData) that we read, decoded
    from JSON text: only the fields the staging model uses, since every field
    costs time to convert. Unknown fields are ignored, and a field of the
    wrong type is null (on Spark, with spark.sql.json.enablePartialResults,
    profiles/profiles.yml); int64 values arrive as decimal strings (or
    numbers) and are kept as text. Spark reads doubles and bools as text too
    (its reader nulls a double or bool written as a string, DuckDB's
    converts it), and otlp_any_value_text converts them.
#}
{% macro otlp_traces_data(text) %}
    {{- return(adapter.dispatch("otlp_traces_data", "llm_cost")(text)) -}}
{% endmacro %}

{% macro duckdb__otlp_traces_data(text) %}
    from_json({{ text }}, '{{ otlp_traces_data_structure() }}')
{% endmacro %}

{% macro spark__otlp_traces_data(text) %}
    {%- set attributes = "array<struct<key: string, value: struct<stringValue: string, intValue: string,"
        ~ " doubleValue: string, boolValue: string>>>" -%}
    from_json({{ text }}, '{{
        "struct<resourceSpans: array<struct<resource: struct<attributes: " ~ attributes ~ ">,"
        ~ " scopeSpans: array<struct<scope: struct<name: string>,"
        ~ " spans: array<struct<traceId: string, spanId: string,"
        ~ " parentSpanId: string, name: string, kind: string,"
        ~ " startTimeUnixNano: string, endTimeUnixNano: string,"
        ~ " attributes: " ~ attributes ~ ","
        ~ " status: struct<code: string>>>>>>>>"
    }}')
{% endmacro %}


{# The DuckDB JSON structure of otlp_traces_data. #}
{% macro otlp_traces_data_structure() %}
    {%- set attributes = '[{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR", "doubleValue": "DOUBLE", "boolValue": "BOOLEAN"}}]' -%}
    {{- return(
        '{"resourceSpans": [{"resource": {"attributes": ' ~ attributes ~ '},'
        ~ ' "scopeSpans": [{"scope": {"name": "VARCHAR"},'
        ~ ' "spans": [{"traceId": "VARCHAR", "spanId": "VARCHAR",'
        ~ ' "parentSpanId": "VARCHAR", "name": "VARCHAR", "kind": "VARCHAR",'
        ~ ' "startTimeUnixNano": "VARCHAR", "endTimeUnixNano": "VARCHAR",'
        ~ ' "attributes": ' ~ attributes ~ ','
        ~ ' "status": {"code": "VARCHAR"}}]}]}]}'
    ) -}}
{% endmacro %}


{#
    OTLP AnyValue struct -> text (string, int64, double or bool); a double
    as DuckDB writes it (double_text). Spark decodes doubles and bools as
    text (otlp_traces_data) and converts them here: a value that is not
    one is null, as in DuckDB's reader.
#}
{% macro otlp_any_value_text(value) %}
    {{- return(adapter.dispatch("otlp_any_value_text", "llm_cost")(value)) -}}
{% endmacro %}

{% macro duckdb__otlp_any_value_text(value) %}
    coalesce(
        {{ value }}.stringValue,
        {{ value }}.intValue,
        cast({{ value }}.doubleValue as varchar),
        cast({{ value }}.boolValue as varchar)
    )
{% endmacro %}

{% macro spark__otlp_any_value_text(value) %}
    coalesce(
        {{ value }}.stringValue,
        {{ value }}.intValue,
        {{ double_text("try_cast(" ~ value ~ ".doubleValue as double)") }},
        cast(try_cast({{ value }}.boolValue as boolean) as string)
    )
{% endmacro %}
