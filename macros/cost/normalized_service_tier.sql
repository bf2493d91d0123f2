{#
    The service tier a call was billed at, from the tier telemetry reports
    (OpenAI `service_tier`, Anthropic `usage.service_tier`, `llm.service_tier`):
    `default`/`on_demand` are standard, `fast` is priority, nothing or
    `auto` means the provider's default tier. Any other value is kept as
    written: no price row has it, so the call stays visibly unpriced.
#}
{% macro normalized_service_tier(service_tier_raw, default_service_tier) %}
    case
        when lower(trim({{ service_tier_raw }})) in ('standard', 'default', 'on_demand', 'on-demand')
            then 'standard'
        when lower(trim({{ service_tier_raw }})) in ('priority', 'fast') then 'priority'
        when
            trim({{ service_tier_raw }}) = ''
            or lower(trim({{ service_tier_raw }})) = 'auto'
            then {{ default_service_tier }}
        else coalesce(lower(trim({{ service_tier_raw }})), {{ default_service_tier }})
    end
{% endmacro %}
