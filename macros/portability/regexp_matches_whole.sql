{#
    True when the whole of `text_expression` matches `pattern` (a regular
    expression written in the template, not SQL). The pattern must not hold a
    backslash: Spark unescapes backslashes in string literals, so `'\d'`
    would silently become `'d'` there; write `[0-9]` and `[.]` instead.
#}
{% macro regexp_matches_whole(text_expression, pattern) %}
    {%- if "\\" in pattern -%}
        {{ exceptions.raise_compiler_error(
            "regexp_matches_whole: no backslash in a pattern (write [0-9], [.]): " ~ pattern
        ) }}
    {%- endif -%}
    {{- return(adapter.dispatch("regexp_matches_whole", "llm_cost")(text_expression, pattern)) -}}
{% endmacro %}

{% macro duckdb__regexp_matches_whole(text_expression, pattern) -%}
    regexp_full_match({{ text_expression }}, {{ sql_string_literal(pattern) }})
{%- endmacro %}

{% macro spark__regexp_matches_whole(text_expression, pattern) -%}
    ({{ text_expression }} rlike {{ sql_string_literal("^(?:" ~ pattern ~ ")$") }})
{%- endmacro %}


{#
    `text_expression` with every match of `pattern` replaced by
    `replacement` (DuckDB replaces the first match only unless told `'g'`;
    Spark always replaces every match, and `'g'` there is a wrong argument
    that gives null). No backslash in the pattern, as for regexp_matches_whole.
#}
{% macro regexp_replace_all(text_expression, pattern, replacement) %}
    {%- if "\\" in pattern -%}
        {{ exceptions.raise_compiler_error(
            "regexp_replace_all: no backslash in a pattern (write [0-9], [.]): " ~ pattern
        ) }}
    {%- endif -%}
    {{- return(adapter.dispatch("regexp_replace_all", "llm_cost")(text_expression, pattern, replacement)) -}}
{% endmacro %}

{% macro duckdb__regexp_replace_all(text_expression, pattern, replacement) -%}
    regexp_replace({{ text_expression }}, {{ sql_string_literal(pattern) }}, {{ sql_string_literal(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(text_expression, pattern, replacement) -%}
    regexp_replace({{ text_expression }}, {{ sql_string_literal(pattern) }}, {{ sql_string_literal(replacement) }})
{%- endmacro %}
