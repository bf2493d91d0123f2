{#
    Expressions that every JSON-record staging model uses in its own CTEs
    (records, identified, extracted, renamed): each model lists its fields
    as a dict of column name -> JSON path.

    `json_object_check` is true when the text is a JSON object (anything else
    is quarantined as malformed). The engines differ at the margins of JSON:
    DuckDB accepts a trailing comma and NaN, Spark (from_json) text after
    the object's closing brace (tests/test_spark_portability.py). `json_field_values` extracts many fields in
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
    {{- return(adapter.dispatch("json_object_check", "llm_cost")(text_column)) -}}
{% endmacro %}

{% macro duckdb__json_object_check(text_column) %}
    coalesce(
        case when json_valid({{ text_column }}) then json_type({{ text_column }}) = 'OBJECT' end,
        false
    )
{% endmacro %}

{% macro spark__json_object_check(text_column) %}
    coalesce(
        from_json(
            {{ text_column }}, 'map<string,string>',
            map('allowSingleQuotes', 'false', 'allowNonNumericNumbers', 'false')
        ) is not null,
        false
    )
{% endmacro %}


{#-
    True when the text is valid JSON of any kind (a whole API page). Spark
    has no validity check: the text is wrapped in an array that must hold
    exactly one element.
#}
{% macro json_text_check(text_column) %}
    {{- return(adapter.dispatch("json_text_check", "llm_cost")(text_column)) -}}
{% endmacro %}

{% macro duckdb__json_text_check(text_column) %}
    coalesce(json_valid({{ text_column }}), false)
{% endmacro %}

{% macro spark__json_text_check(text_column) %}
    coalesce(json_array_length('[' || {{ text_column }} || ']') = 1, false)
{% endmacro %}


{#-
    One field of JSON text by path (`$.a.b`, `$."a.b"`), as text (a string
    unquoted, anything else as JSON text); null when absent or not JSON.
    DuckDB's json_extract_string fails on text that is not JSON: guard it
    with json_text_check.
#}
{% macro json_field_value(text_column, path) %}
    {{- return(adapter.dispatch("json_field_value", "llm_cost")(text_column, path)) -}}
{% endmacro %}

{% macro duckdb__json_field_value(text_column, path) -%}
    json_extract_string({{ text_column }}, {{ sql_string_literal(path) }})
{%- endmacro %}

{% macro spark__json_field_value(text_column, path) -%}
    get_json_object({{ text_column }}, {{ sql_string_literal(spark_json_path(path)) }})
{%- endmacro %}


{# True when the value at `path` (`$.data`) of JSON text is an array; null when the text is not JSON. #}
{% macro json_array_check(text_column, path) %}
    {{- return(adapter.dispatch("json_array_check", "llm_cost")(text_column, path)) -}}
{% endmacro %}

{% macro duckdb__json_array_check(text_column, path) -%}
    json_type({{ text_column }}, {{ sql_string_literal(path) }}) = 'ARRAY'
{%- endmacro %}

{% macro spark__json_array_check(text_column, path) -%}
    coalesce(json_array_length(get_json_object({{ text_column }}, {{ sql_string_literal(spark_json_path(path)) }})) >= 0, false)
{%- endmacro %}


{#-
    The elements of the array at `path` (`$.data`) of JSON text, as a list
    of JSON texts in order (list_unnest_with_position expands it); null
    when it is not an array.
#}
{% macro json_array_elements(text_column, path) %}
    {{- return(adapter.dispatch("json_array_elements", "llm_cost")(text_column, path)) -}}
{% endmacro %}

{% macro duckdb__json_array_elements(text_column, path) -%}
    json_extract({{ text_column }}, {{ sql_string_literal(path ~ "[*]") }})
{%- endmacro %}

{% macro spark__json_array_elements(text_column, path) -%}
    from_json(get_json_object({{ text_column }}, {{ sql_string_literal(spark_json_path(path)) }}), 'array<string>')
{%- endmacro %}


{% macro json_field_values(text_column, fields) %}
    {{- return(adapter.dispatch("json_field_values", "llm_cost")(text_column, fields)) -}}
{% endmacro %}

{% macro duckdb__json_field_values(text_column, fields) %}
    json_extract_string({{ text_column }}, [
        {%- for path in fields.values() %}
        '{{ path }}'{{ "," if not loop.last }}
        {%- endfor %}
    ])
{% endmacro %}

{% macro spark__json_field_values(text_column, fields) %}
    array(
        {%- for path in fields.values() %}
        get_json_object({{ text_column }}, {{ sql_string_literal(spark_json_path(path)) }}){{ "," if not loop.last }}
        {%- endfor %}
    )
{% endmacro %}


{#- A JSON path as Spark's get_json_object writes it: a key holding a dot as `['team.id']`, not `."team.id"`. #}
{% macro spark_json_path(path) %}
    {%- set spark_path = namespace(text="$") -%}
    {%- for segment in json_path_segments(path) -%}
        {%- set spark_path.text = spark_path.text ~ ("['" ~ segment ~ "']" if "." in segment else "." ~ segment) -%}
    {%- endfor -%}
    {{ return(spark_path.text) }}
{% endmacro %}


{% macro json_field_columns(values_column, fields) %}
    {%- for column_name in fields %}
    nullif(trim({{ list_element(values_column, loop.index) }}), '') as {{ column_name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{% endmacro %}


{# The keys a JSON path (`$.a.b`, `$."a.b".c`) goes through: [a, b], [a.b, c]. #}
{% macro json_path_segments(path) %}
    {%- set segments = [] -%}
    {%- for quoted, bare in modules.re.findall('\\.(?:"([^"]*)"|([^."]+))', path) -%}
        {%- do segments.append(quoted or bare) -%}
    {%- endfor -%}
    {{ return(segments) }}
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
        {%- set segments = json_path_segments(path) -%}
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
    {{- return(adapter.dispatch("json_read_object_keys", "llm_cost")(text_column, fields)) -}}
{% endmacro %}

{% macro duckdb__json_read_object_keys(text_column, fields) %}
    json_keys({{ text_column }}, [
        {%- for object_path in json_read_objects(fields) %}
        {{ sql_string_literal(object_path) }}{{ "," if not loop.last }}
        {%- endfor %}
    ])
{% endmacro %}

{% macro spark__json_read_object_keys(text_column, fields) %}
    array(
        {%- for object_path in json_read_objects(fields) %}
        {%- if object_path == "$" %}
        json_object_keys({{ text_column }}){{ "," if not loop.last }}
        {%- else %}
        json_object_keys(get_json_object(
            {{ text_column }}, {{ sql_string_literal(spark_json_path(object_path)) }}
        )){{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    )
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
        {%- set object_keys = list_element(keys_column, loop.index) %}
        {%- set literals = [] %}
        {%- for key in keys %}{% do literals.append(sql_string_literal(key)) %}{% endfor %}
        {#- any repeated key (cheap), then whether a repeated key is one read #}
        case
            when {{ list_has_repeated_element(object_keys) }}
                then
                    {{ list_count(object_keys, "k", "k in (" ~ (literals | join(", ")) ~ ")") }}
                    > {{ list_count(list_of(literals), "k", list_contains_value(object_keys, "k")) }}
        end
        {{- " or" if not loop.last }}
        {%- endfor %}
        {%- if format_column %}
        {%- set renamed = [] %}
        {%- for key in objects["$"] %}{% do renamed.append(sql_string_literal(key ~ "_1")) %}{% endfor %}
        or case
            when {{ format_column }} = 'csv'
                then {{ list_count(list_element(keys_column, 1), "k", "k in (" ~ (renamed | join(", ")) ~ ")") }} > 0
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
    {{- return(adapter.dispatch("list_has_repeated_element", "llm_cost")(list_expression)) -}}
{% endmacro %}

{% macro duckdb__list_has_repeated_element(list_expression) %}
    list_bool_or(list_transform(
        range(1, len({{ list_expression }}) + 1),
        lambda i: list_position({{ list_expression }}, {{ list_expression }}[i]) <> i
    ))
{% endmacro %}

{#- Spark: null for a null list; false, not null, for an empty one (no caller tells them apart). -#}
{% macro spark__list_has_repeated_element(list_expression) %}
    (size(array_distinct({{ list_expression }})) <> size({{ list_expression }}))
{% endmacro %}
