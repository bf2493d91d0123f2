{#
    Text timestamp -> UTC `timestamp`, or null when it cannot be read.
    Accepts ISO-8601 with or without offset (no offset means UTC) and epoch
    numbers, whose unit is told by magnitude: seconds (< 1e11), milliseconds
    (< 1e14), microseconds (< 1e17), otherwise nanoseconds (OTLP).
#}
{% macro parse_event_timestamp(text_expression) %}
    case
        when regexp_full_match(trim({{ text_expression }}), '\d+(\.\d+)?')
            then
                make_timestamp(cast(
                    cast(trim({{ text_expression }}) as decimal(38, 6))
                    * case
                        when cast(trim({{ text_expression }}) as double) < 1e11 then 1000000
                        when cast(trim({{ text_expression }}) as double) < 1e14 then 1000
                        when cast(trim({{ text_expression }}) as double) < 1e17 then 1
                        else 0.001
                    end
                    as bigint))
        else
            cast(
                try_cast(trim({{ text_expression }}) as timestamptz)
                at time zone 'UTC' as timestamp
            )
    end
{% endmacro %}
