{#
    How invoice text is read, in one place for every invoice source.
#}

{#
    Token type of an invoice line from any vendor's wording -> input |
    cache_read | cache_write | output, or null when the text names no token
    type (web search, tax, storage, ...). Recognises OpenAI directions
    (`cached input`), Anthropic token types
    (`cache_creation.ephemeral_5m_input_tokens`), AWS usage types
    (`...CacheReadInputTokenCount-Units`, `...-output-tokens-batch`) and
    Azure / Google meter names (`Inp`, `Outp`, `Thinking Text Output`).
    Cache writes are tested first, then `uncached` (input), cache reads,
    output, input.
#}
{% macro invoice_token_type(text_expression) %}
    {#- contains: the whole text, any characters around; `([^a-z0-9_]|$)` is `\b` after a word character #}
    {%- set text = "lower(" ~ text_expression ~ ")" %}
    {%- set around = "(?s:.*)" %}
    case
        when {{ regexp_matches_whole(text, around ~ "cache.?(write|creation)" ~ around) }}
            then 'cache_write'
        when {{ regexp_matches_whole(text, around ~ "uncached" ~ around) }}
            then 'input'
        when {{ regexp_matches_whole(text, around ~ "(cache.?read|cached|cache.?hit)" ~ around) }}
            then 'cache_read'
        when {{ regexp_matches_whole(text, around ~ "(output|outp)" ~ around) }}
            then 'output'
        when {{ regexp_matches_whole(text, around ~ "(input|inpt?([^a-z0-9_]|$)|inp-)" ~ around) }}
            then 'input'
    end
{% endmacro %}


{#
    Tokens per unit of an invoice quantity, from the unit as written
    (`tokens`, `1000_tokens`, `1K tokens`, `1000000 Tokens`, AWS Marketplace
    `Units` = millions of tokens); null when the unit is not a token count
    (`images`, `Hours`, ...), so the quantity cannot be compared.
#}
{% macro tokens_per_unit(unit_expression) %}
    {#- whitespace (RE2's \s: tab, newline, form feed, carriage return, space), `_` and `,` dropped #}
    case translate(
        lower(trim({{ unit_expression }})), ' _,' || chr(9) || chr(10) || chr(12) || chr(13), ''
    )
        when 'token' then 1
        when 'tokens' then 1
        when '1token' then 1
        when '1tokens' then 1
        when 'count' then 1
        when '1k' then 1000
        when '1ktokens' then 1000
        when '1000' then 1000
        when '1000tokens' then 1000
        when '1m' then 1000000
        when '1mtokens' then 1000000
        when '1000000' then 1000000
        when '1000000tokens' then 1000000
        when 'units' then 1000000
    end
{% endmacro %}


{#
    Key a model name or id is compared by: lower case, and every run of
    characters other than letters, digits, `.`, `:` and `/` turned into one
    `-` (`Claude Sonnet 4.5 (Amazon Bedrock Edition)` ->
    `claude-sonnet-4.5-amazon-bedrock-edition-`).
#}
{% macro invoice_model_key(text_expression) %}
    {{ regexp_replace_all('lower(trim(' ~ text_expression ~ '))', '[^a-z0-9.:/]+', '-') }}
{% endmacro %}


{#
    Text -> DECIMAL(38, 12), or null when it is not a number (scientific
    notation such as OpenAI's `0E-6176` included), never through a double.
#}
{#- try_cast on both engines (dbt.safe_cast is a plain cast on DuckDB and Spark, which fails on bad text) -#}
{% macro invoice_decimal(text_expression) %}
    try_cast(trim({{ text_expression }}) as decimal(38, 12))
{% endmacro %}
