{#
    Text token count -> bigint, or null when it is not a non-negative whole
    number of at most 18 digits ("12", "12.0"), so that it always fits a
    bigint and sums of a record's counts cannot overflow. Never raises.
    Missing values stay null; the caller decides whether null means zero or
    a quarantined record, and whether a count is plausible.
#}
{% macro parse_token_count(text_expression) %}
    case
        when {{ regexp_matches_whole("trim(" ~ text_expression ~ ")", "[0-9]{1,18}([.]0*)?") }}
            then try_cast(try_cast(trim({{ text_expression }}) as decimal(38, 1)) as bigint)
    end
{% endmacro %}


{# True when a token count is present but not a whole number parse_token_count reads. #}
{% macro is_invalid_token_count(text_expression) %}
    ({{ text_expression }} is not null and {{ parse_token_count(text_expression) }} is null)
{% endmacro %}
