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
    True when the text is one JSON document of any kind (object, array,
    string, number, true, false, null). Spark has no validity check: the
    text is read as the one element of a JSON array, which fails on
    malformed text and counts two elements for `1, 2`; like from_json it
    accepts text after the document's end (`1] [2`), which DuckDB does not.
    Null for null text.
-#}
{% macro json_text_check(text) %}
    {{- return(adapter.dispatch("json_text_check", "llm_cost")(text)) -}}
{% endmacro %}

{% macro duckdb__json_text_check(text) %}
    json_valid({{ text }})
{% endmacro %}

{% macro spark__json_text_check(text) %}
    case when {{ text }} is not null then coalesce(json_array_length('[' || {{ text }} || ']') = 1, false) end
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

{#-
    Spark: one get_json_object per path; a number Spark writes in Java's form
    (`3.264E-4`) is written as DuckDB writes it (spark_json_number_text), told
    from a string of that text by reading the path once more as a double, only
    for a value of that form.
-#}
{% macro spark__json_field_values(text_column, fields) %}
    transform(
        array(
            {%- for path in fields.values() %}
            get_json_object({{ text_column }}, {{ sql_string_literal(spark_json_path(path)) }}){{ "," if not loop.last }}
            {%- endfor %}
        ),
        (field_value, field_position) -> {{ spark_json_number_text("field_value", "case field_position"
            ~ spark_json_number_probes(text_column, fields) ~ " end") }}
    )
{% endmacro %}

{#- ` when <position> then <the path's value as a double>` for each path of `fields`, from 0. -#}
{% macro spark_json_number_probes(text_column, fields) %}
    {%- set probes = [] -%}
    {%- for path in fields.values() -%}
        {%- set segments = [] -%}
        {%- for segment in json_path_segments(path) -%}
            {%- do segments.append("`" ~ (segment | replace("`", "``")) ~ "`") -%}
        {%- endfor -%}
        {%- set schema = namespace(text="double") -%}
        {%- for segment in segments | reverse -%}
            {%- set schema.text = segment ~ " " ~ schema.text if loop.last else "struct<" ~ segment ~ " " ~ schema.text ~ ">" -%}
        {%- endfor -%}
        {%- do probes.append(" when " ~ loop.index0 ~ " then from_json(" ~ text_column ~ ", "
            ~ sql_string_literal(schema.text) ~ ")." ~ (segments | join(".")) ) -%}
    {%- endfor -%}
    {{ return(probes | join("")) }}
{% endmacro %}


{#-
    Spark: the text of a JSON value as DuckDB gives it, from the text Spark
    gives it (`value`) and the value as a double (`number`, null unless the
    JSON value is a number). Spark writes a number below 1e-3 or from 1e7 on
    as Java does (`3.264E-4`, `1.0E7`), DuckDB plainly from 1e-6 to below
    1e21 (`0.0003264`, `10000000.0`) and otherwise as `1e-7`, `1.5e21`.
-#}
{% macro spark_json_number_text(value, number) %}
    case
        when not {{ value }} rlike '^-?[0-9][.][0-9]+E-?[0-9]+$' or {{ number }} is null then {{ value }}
        when cast(substring_index({{ value }}, 'E', -1) as int) between -6 and -1
            then regexp_replace(
                cast(cast({{ value }} as decimal(38, 30)) as string), '([.][0-9]*[1-9]|[.]0)0*$', '$1'
            )
        when cast(substring_index({{ value }}, 'E', -1) as int) between 0 and 20
            then regexp_replace(
                cast(cast({{ value }} as decimal(38, 16)) as string), '([.][0-9]*[1-9]|[.]0)0*$', '$1'
            )
        else replace(lower({{ value }}), '.0e', 'e')
    end
{% endmacro %}


{#-
    The elements of a JSON array, as a list of text values (a string
    unquoted, anything else as JSON text); null when the text is not a JSON
    array.
-#}
{% macro json_array_text_list(text_column) %}
    {{- return(adapter.dispatch("json_array_text_list", "llm_cost")(text_column)) -}}
{% endmacro %}

{% macro duckdb__json_array_text_list(text_column) %}
    case
        when json_valid({{ text_column }}) and json_type({{ text_column }}) = 'ARRAY'
            then cast(json_extract_string({{ text_column }}, '$[*]') as varchar[])
    end
{% endmacro %}

{#-
    Spark: a number is written as DuckDB writes it when every element is a
    number (the probe reads them all as doubles; in a mixed array a number
    below 1e-3 or from 1e7 on keeps Java's form). The probe reads the array
    as a field of an object: a root array that is not all numbers makes
    from_json fail with an internal error (_LEGACY_ERROR_TEMP_2133) instead
    of giving null.
-#}
{% macro spark__json_array_text_list(text_column) %}
    transform(
        from_json({{ text_column }}, 'array<string>'),
        (element, element_position) -> {{ spark_json_number_text(
            "element", "try_element_at(from_json(concat('{\"elements\": ', " ~ text_column
            ~ ", '}'), 'elements array<double>').elements, element_position + 1)"
        ) }}
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
