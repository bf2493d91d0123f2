{#
    Cost in USD of `tokens` at a price quoted in USD per million tokens, as
    DECIMAL(38, 12): exact for every price in the price book (at most six
    decimals per million tokens), with no floating point anywhere.
#}
{% macro token_cost(tokens, usd_per_mtok) %}
    (cast({{ tokens }} as decimal(38, 0)) * {{ usd_per_mtok }} * 0.000001)
{% endmacro %}
