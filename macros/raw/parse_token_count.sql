{#
    Text token count -> bigint, or null when it is not a non-negative whole
    number ("12", "12.0"). Missing values stay null; the caller decides
    whether null means zero or a quarantined record.
#}
{% macro parse_token_count(text_expression) %}
    case
        when regexp_full_match(trim({{ text_expression }}), '\d{1,15}(\.0*)?')
            then cast(cast(trim({{ text_expression }}) as decimal(18, 1)) as bigint)
    end
{% endmacro %}


{# True when a token count is present but not a non-negative whole number. #}
{% macro is_invalid_token_count(text_expression) %}
    ({{ text_expression }} is not null and {{ parse_token_count(text_expression) }} is null)
{% endmacro %}
