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
    The bound of an open period: `'-infinity'` or `'infinity'` as a timestamp
    on DuckDB; Spark has no infinite timestamp (the cast is null), so its
    first and last representable microseconds.
#}
{% macro unbounded_timestamp(bound) %}
    {{- return(adapter.dispatch("unbounded_timestamp", "llm_cost")(bound)) -}}
{% endmacro %}

{% macro duckdb__unbounded_timestamp(bound) -%}
    cast('{{ bound }}' as timestamp)
{%- endmacro %}

{% macro spark__unbounded_timestamp(bound) -%}
    {%- if bound == '-infinity' -%}
        timestamp'0001-01-01 00:00:00'
    {%- else -%}
        timestamp'9999-12-31 23:59:59.999999'
    {%- endif -%}
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


{#
    The time of day of a UTC timestamp, comparable with the price book's
    daily windows: a `time` on DuckDB; on Spark, whose seeds hold the
    windows as 'HH:MM:SS' text, 'HH:MM:SS.ffffff' text (ordered as the
    times are against whole-second bounds).
#}
{% macro utc_time_of_day(timestamp_expression) %}
    {{- return(adapter.dispatch("utc_time_of_day", "llm_cost")(timestamp_expression)) -}}
{% endmacro %}

{% macro duckdb__utc_time_of_day(timestamp_expression) -%}
    cast({{ timestamp_expression }} as time)
{%- endmacro %}

{% macro spark__utc_time_of_day(timestamp_expression) -%}
    date_format({{ timestamp_expression }}, 'HH:mm:ss.SSSSSS')
{%- endmacro %}


{#
    Whole seconds since midnight of a time of day (the price book's daily
    windows: `time` on DuckDB, 'HH:MM:SS' text on Spark), as an integer.
#}
{% macro seconds_of_day(time_expression) %}
    {{- return(adapter.dispatch("seconds_of_day", "llm_cost")(time_expression)) -}}
{% endmacro %}

{% macro duckdb__seconds_of_day(time_expression) -%}
    cast(
        extract(hour from {{ time_expression }}) * 3600
        + extract(minute from {{ time_expression }}) * 60
        + extract(second from {{ time_expression }})
        as integer
    )
{%- endmacro %}

{% macro spark__seconds_of_day(time_expression) -%}
    cast(
        unix_timestamp(concat('1970-01-01 ', {{ time_expression }}), 'yyyy-MM-dd HH:mm:ss')
        as integer
    )
{%- endmacro %}
