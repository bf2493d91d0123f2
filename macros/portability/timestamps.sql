{# A UTC `timestamp` from whole microseconds since 1970-01-01 (a bigint). #}
{% macro timestamp_from_epoch_micros(micros_expression) %}
    {{- return(adapter.dispatch("timestamp_from_epoch_micros", "llm_cost")(micros_expression)) -}}
{% endmacro %}

{% macro duckdb__timestamp_from_epoch_micros(micros_expression) -%}
    make_timestamp({{ micros_expression }})
{%- endmacro %}

{% macro spark__timestamp_from_epoch_micros(micros_expression) -%}
    timestamp_micros({{ micros_expression }})
{%- endmacro %}


{#
    A UTC `timestamp` from ISO-8601 text (offset applied; none means UTC), or
    null when the engine cannot read it. Callers check the text's shape
    first (parse_event_timestamp): what each engine accepts beyond ISO-8601
    differs. Needs the session time zone UTC (profiles/profiles.yml).
#}
{% macro utc_timestamp_from_iso_text(text_expression) %}
    {{- return(adapter.dispatch("utc_timestamp_from_iso_text", "llm_cost")(text_expression)) -}}
{% endmacro %}

{% macro duckdb__utc_timestamp_from_iso_text(text_expression) -%}
    cast(try_cast({{ text_expression }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro spark__utc_timestamp_from_iso_text(text_expression) -%}
    try_cast({{ text_expression }} as timestamp)
{%- endmacro %}


{#
    A `timestamptz` as the UTC wall-clock `timestamp` the models compare
    stamps with (processed_at()). Spark reads a timestamptz (a Parquet
    timestamp adjusted to UTC) as its `timestamp`, shown in the session time
    zone, UTC (profiles/profiles.yml).
#}
{% macro timestamptz_in_utc(expression) %}
    {{- return(adapter.dispatch("timestamptz_in_utc", "llm_cost")(expression)) -}}
{% endmacro %}

{% macro duckdb__timestamptz_in_utc(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{% macro spark__timestamptz_in_utc(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}
