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


{#
    The common start of a staging model over a raw JSON-record relation: the
    records to load this run, their ids and validity, and the fields of
    `fields` as named text columns. Ends with a CTE named `renamed`; the raw
    record text is not kept.
#}
{% macro json_record_ctes(source_relation, raw_relation_name, fields) %}
records as (

    select * from {{ source_relation }}
    where {{ raw_files_to_load(raw_relation_name) }}

),

hashed as (

    select
        *,
        md5(record_text) as record_hash
    from records

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_hash') }} as record_id,
        source_file,
        source_format,
        file_modified_at,
        {{ load_columns() }},
        record_hash,
        {{ json_object_check('record_text') }} as is_valid_json,
        record_text
    from hashed

),

{{ json_fields_ctes('identified', 'record_text', fields, 'renamed') }}
{% endmacro %}


{#
    Two CTEs that replace a JSON-text column of `input_cte` by the named text
    columns of `fields` (one parse per row); the second is called `output_cte`.
#}
{% macro json_fields_ctes(input_cte, json_column, fields, output_cte) %}
{{ output_cte }}_extracted as (

    select
        * exclude ({{ json_column }}),
        case
            when {{ json_object_check(json_column) }}
                then {{ json_field_values(json_column, fields) }}
        end as field_values
    from {{ input_cte }}

),

{{ output_cte }} as (

    select
        * exclude (field_values),
        {{ json_field_columns('field_values', fields) }}
    from {{ output_cte }}_extracted

)
{% endmacro %}
