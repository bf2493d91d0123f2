{#
    Shared steps of every JSON-record staging model, so each source model only
    lists its fields.

    `json_object_check` is true when the text is a JSON object (anything else
    is quarantined as malformed). `json_field_values` extracts many fields in
    one parse, as a list of text values in the order of `fields` (a dict of
    column name -> JSON path); `json_field_columns` turns that list back into
    named, trimmed columns (empty string = null).
#}
{% macro json_object_check(text_column) %}
    coalesce(
        case when json_valid({{ text_column }}) then json_type({{ text_column }}) = 'OBJECT' end,
        false
    )
{% endmacro %}


{% macro json_field_values(text_column, fields) %}
    json_extract_string({{ text_column }}, [
        {%- for path in fields.values() %}
        '{{ path }}'{{ "," if not loop.last }}
        {%- endfor %}
    ])
{% endmacro %}


{% macro json_field_columns(values_column, fields) %}
    {%- for column_name in fields %}
    nullif(trim({{ values_column }}[{{ loop.index }}]), '') as {{ column_name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{% endmacro %}
