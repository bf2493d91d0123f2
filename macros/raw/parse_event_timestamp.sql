{#
    Text timestamp -> UTC `timestamp`, or null when it cannot be read. Never
    raises, whatever the text.

    Accepts only:
    - epoch numbers (at most 19 digits, optional fraction), whose unit is told
      by magnitude: seconds (< 1e11), milliseconds (< 1e14), microseconds
      (< 1e17), otherwise nanoseconds (OTLP);
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
    {%- set epoch_pattern = "'\\d{1,19}(\\.\\d{1,9})?'" -%}
    {%- set iso_pattern = "'\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?"
        ~ "(Z|[+-]((0\\d|1[0-3])(:?[0-5]\\d)?|14(:?00)?))?'" -%}
    case
        when regexp_full_match({{ text }}, {{ epoch_pattern }})
            then
                make_timestamp(try_cast(
                    {{ epoch }}
                    * case
                        when {{ epoch }} < 1e11 then 1000000
                        when {{ epoch }} < 1e14 then 1000
                        when {{ epoch }} < 1e17 then 1
                        else 0.001
                    end
                    as bigint))
        when regexp_full_match({{ text }}, {{ iso_pattern }})
            then
                cast(
                    try_cast({{ text }} as timestamptz)
                    at time zone 'UTC' as timestamp
                )
    end
{% endmacro %}
