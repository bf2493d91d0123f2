{#
    The source system a raw relation (a key of raw_source_layout or
    raw_invoice_layout) feeds, and whether it is telemetry.
#}
{% macro raw_relation_source_system(relation_name) %}
    case {{ relation_name }}
        when 'app_llm_call_records' then 'app_logs'
        when 'otlp_trace_records' then 'otlp_traces'
        when 'litellm_spend_log_records' then 'litellm_spend_logs'
        when 'bedrock_invocation_records' then 'bedrock_invocation_logs'
        when 'openai_invoice_pages' then 'openai_costs'
        when 'anthropic_invoice_pages' then 'anthropic_cost_report'
        when 'aws_cur_invoice_rows' then 'aws_cur'
        when 'focus_invoice_rows' then 'focus'
    end
{% endmacro %}


{% macro is_telemetry_relation(relation_name) %}
    {{ relation_name }} in (
        'app_llm_call_records',
        'otlp_trace_records',
        'litellm_spend_log_records',
        'bedrock_invocation_records'
    )
{% endmacro %}
