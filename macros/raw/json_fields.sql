{#
    Shared steps of every JSON-record staging model, so each source model only
    lists its fields.

    `json_object_check` is true when the text is a JSON object (anything else
    is quarantined as malformed). `json_field_values` extracts many fields in
    one parse, as a list of text values in the order of `fields` (a dict of
    column name -> JSON path); `json_field_columns` turns that list back into
    named, trimmed columns (empty string = null).

    JSON functions keep the first of two equal keys silently, so a record
    that names a key twice would be read with whichever value came first.
    `json_read_objects` lists the objects the paths of `fields` pass
    through and the keys read in each; `json_duplicate_key_check` tells,
    from `json_keys` of those objects (one more parse of the text), whether
    any key read is repeated in its object.
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
    The objects that the JSON paths of `fields` (`$.a.b`, `$."a.b"`) pass
    through, as an ordered dict: object path -> the keys read in it. For
    `$.input.inputTokenCount` that is `$` -> [input] and `$."input"` ->
    [inputTokenCount].
#}
{% macro json_read_objects(fields) %}
    {%- set objects = {} -%}
    {%- for path in fields.values() -%}
        {%- set segments = [] -%}
        {%- for quoted, bare in modules.re.findall('\\.(?:"([^"]*)"|([^."]+))', path) -%}
            {%- do segments.append(quoted or bare) -%}
        {%- endfor -%}
        {%- for index in range(segments | length) -%}
            {%- set ns = namespace(parent="$") -%}
            {%- for segment in segments[:index] -%}
                {%- set ns.parent = ns.parent ~ '."' ~ segment ~ '"' -%}
            {%- endfor -%}
            {%- if ns.parent not in objects -%}
                {%- do objects.update({ns.parent: []}) -%}
            {%- endif -%}
            {%- if segments[index] not in objects[ns.parent] -%}
                {%- do objects[ns.parent].append(segments[index]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(objects) }}
{% endmacro %}


{# json_keys of every object json_read_objects lists, in one parse: a list of key lists. #}
{% macro json_read_object_keys(text_column, fields) %}
    json_keys({{ text_column }}, [
        {%- for object_path in json_read_objects(fields) %}
        {{ sql_string_literal(object_path) }}{{ "," if not loop.last }}
        {%- endfor %}
    ])
{% endmacro %}


{#
    True when a key read (per json_read_objects) occurs twice in its object,
    given the key lists of json_read_object_keys; null when there are none.
    With `format_column`, a CSV row whose header named a read column twice
    counts too: DuckDB renames the second column `<name>_1`.
#}
{% macro json_duplicate_key_check(keys_column, fields, format_column=none) %}
    {%- set objects = json_read_objects(fields) -%}
    (
        {%- for object_path, keys in objects.items() %}
        {%- set object_keys = keys_column ~ "[" ~ loop.index ~ "]" %}
        {%- set literals = [] %}
        {%- for key in keys %}{% do literals.append(sql_string_literal(key)) %}{% endfor %}
        {#- any repeated key (cheap), then whether a repeated key is one read #}
        case
            when {{ list_has_repeated_element(object_keys) }}
                then
                    len(list_filter({{ object_keys }}, lambda k: k in ({{ literals | join(", ") }})))
                    > len(list_filter(
                        [{{ literals | join(", ") }}], lambda k: list_contains({{ object_keys }}, k)
                    ))
        end
        {{- " or" if not loop.last }}
        {%- endfor %}
        {%- if format_column %}
        {%- set renamed = [] %}
        {%- for key in objects["$"] %}{% do renamed.append(sql_string_literal(key ~ "_1")) %}{% endfor %}
        or case
            when {{ format_column }} = 'csv'
                then list_has_any({{ keys_column }}[1], [{{ renamed | join(", ") }}])
        end
        {%- endif %}
    )
{% endmacro %}


{#
    True when a list holds some element twice: each element's first position
    is compared with its own (cheaper than list_distinct). Null for an empty
    or null list.
#}
{% macro list_has_repeated_element(list_expression) %}
    list_bool_or(list_transform(
        range(1, len({{ list_expression }}) + 1),
        lambda i: list_position({{ list_expression }}, {{ list_expression }}[i]) <> i
    ))
{% endmacro %}


{#
    The common start of a staging model over a raw JSON-record relation: the
    records to load this run, their ids and validity, and the fields of
    `fields` as named text columns, with `has_duplicate_key`. Ends with a
    CTE named `renamed`; the raw record text is not kept.
#}
{% macro json_record_ctes(source_relation, fields) %}
records as (

    select * from {{ source_relation }}
    where {{ incremental_files() }}

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
        false as has_duplicate_key,
        record_text
    from hashed

),

{{ json_fields_ctes(
    'identified', 'record_text', fields, 'renamed',
    object_check='is_valid_json', format_column='source_format'
) }}
{% endmacro %}


{#
    Two CTEs that replace a JSON-text column of `input_cte` by the named text
    columns of `fields` (one parse per row for the values, one for the keys);
    the second is called `output_cte`. `input_cte` must have a boolean
    `has_duplicate_key`, which becomes true when a key read from this column
    is repeated. `object_check` names a column that already says whether the
    column holds a JSON object (else it is checked here); `format_column`
    also checks a CSV row's header (json_duplicate_key_check).
#}
{% macro json_fields_ctes(
    input_cte, json_column, fields, output_cte, object_check=none, format_column=none
) %}
{%- set is_object = object_check or json_object_check(json_column) %}
{{ output_cte }}_extracted as (

    select
        * exclude ({{ json_column }}),
        case when {{ is_object }} then {{ json_field_values(json_column, fields) }} end
            as field_values,
        case when {{ is_object }} then {{ json_read_object_keys(json_column, fields) }} end
            as field_object_keys
    from {{ input_cte }}

),

{{ output_cte }} as (

    select
        * exclude (field_values, field_object_keys) replace (
            has_duplicate_key
            or coalesce(
                {{ json_duplicate_key_check('field_object_keys', fields, format_column) }}, false
            ) as has_duplicate_key
        ),
        {{ json_field_columns('field_values', fields) }}
    from {{ output_cte }}_extracted

)
{% endmacro %}
