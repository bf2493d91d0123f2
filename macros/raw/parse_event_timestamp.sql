{#
    Text timestamp -> UTC `timestamp`, or null when it cannot be read. Never
    raises, whatever the text.

    Accepts only:
    - epoch numbers (at most 19 digits, optional fraction), whose unit is told
      by magnitude: seconds (< 1e11), milliseconds (< 1e14), microseconds
      (< 1e17), otherwise nanoseconds (OTLP); rounded to the microsecond;
    - ISO-8601 / RFC 3339 text: a 4-digit year, `YYYY-MM-DD`, optionally a
      time (`T` or a space, `HH:MM`, seconds, fraction) and an offset `Z`,
      `+HH`, `+HHMM` or `+HH:MM` within +-14:00 (no offset means UTC).
    Everything else is null: DuckDB's special values (`infinity`,
    `-infinity`, `epoch`), BC or 5-digit years, named time zones, offsets
    beyond +-14:00 or with 60+ minutes, impossible dates. Whether a readable
    time is plausible is decided in int_llm_call_records_validated.
#}
{% macro parse_event_timestamp(text_expression) %}
    {%- set text = "trim(" ~ text_expression ~ ")" -%}
    {%- set epoch = "try_cast(" ~ text ~ " as decimal(38, 9))" -%}
    {%- set epoch_pattern = "[0-9]{1,19}([.][0-9]{1,9})?" -%}
    {%- set iso_pattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?"
        ~ "(Z|[+-]((0[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?))?" -%}
    {%- set micros -%}
        try_cast(round(
            {{ epoch }}
            * case
                when {{ epoch }} < 1e11 then 1000000
                when {{ epoch }} < 1e14 then 1000
                when {{ epoch }} < 1e17 then 1
                else 0.001
            end
        ) as bigint)
    {%- endset %}
    case
        when {{ regexp_matches_whole(text, epoch_pattern) }}
            then {{ timestamp_from_epoch_micros(micros) }}
        when {{ regexp_matches_whole(text, iso_pattern) }}
            then {{ utc_timestamp_from_iso_text(text) }}
    end
{% endmacro %}
