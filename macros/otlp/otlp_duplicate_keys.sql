{#
    True when an attribute index (otlp_attribute_index) holds a key that the
    staging model reads (any key of otlp_attribute_precedence) twice with
    different values: lookups take the first, so which value counts would be
    an accident of order. The same key repeated with the same value is not
    ambiguous. Cheap for the usual list without any repeated key: the
    key-value pairs are only compared when some key repeats. Null for an
    empty list.
#}
{% macro otlp_has_conflicting_key(attribute_index) %}
    {%- set literals = [] -%}
    {%- for keys in otlp_attribute_precedence().values() -%}
        {%- for key in keys -%}
            {%- set literal = sql_string_literal(key if key is string else key[0]) -%}
            {%- if literal not in literals %}{% do literals.append(literal) %}{% endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set read_keys = "(" ~ (literals | join(", ")) ~ ")" -%}
    {{- return(adapter.dispatch("otlp_has_conflicting_key", "llm_cost")(attribute_index, read_keys)) -}}
{% endmacro %}

{% macro duckdb__otlp_has_conflicting_key(attribute_index, read_keys) %}
    case
        when {{ list_has_repeated_element(attribute_index ~ ".keys") }}
            then
                len(list_distinct(list_transform(
                    range(1, len({{ attribute_index }}.keys) + 1),
                    lambda i: case
                        when {{ attribute_index }}.keys[i] in {{ read_keys }}
                            then {{ attribute_index }}.keys[i] || chr(0)
                            || coalesce({{ attribute_index }}.value_texts[i], chr(1))
                    end
                )))
                > len(list_distinct(list_filter(
                    {{ attribute_index }}.keys, lambda k: k in {{ read_keys }}
                )))
    end
{% endmacro %}

{#- Spark: array_distinct keeps a null, which DuckDB's list_distinct drops, so nulls are filtered out first -#}
{% macro spark__otlp_has_conflicting_key(attribute_index, read_keys) %}
    case
        when {{ list_has_repeated_element(attribute_index ~ ".keys") }}
            then
                size(array_distinct(filter(
                    transform(
                        {{ attribute_index }}.keys,
                        (k, i) -> case
                            when k in {{ read_keys }}
                                then k || chr(0) || coalesce(element_at({{ attribute_index }}.value_texts, i + 1), chr(1))
                        end
                    ),
                    pair -> pair is not null
                )))
                > size(array_distinct(filter({{ attribute_index }}.keys, k -> k in {{ read_keys }})))
    end
{% endmacro %}
