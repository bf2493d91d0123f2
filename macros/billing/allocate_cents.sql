{#
    Rounds the amounts of each partition to cents so that they add up to the
    partition's total rounded to cents, exactly (largest-remainder method):
    every amount is first rounded down to the cent, then the cents still
    missing go one each to the amounts with the largest remainders (ties by
    `tie_breaker`). $100.00 over three equal amounts gives 33.34, 33.33,
    33.33. `total` must equal the sum of the amounts, within half a cent.
#}
{% macro allocate_cents(amount, total, partition_by, tie_breaker) %}
    {%- set cents = "floor((" ~ amount ~ ") * 100)" %}
    cast(
        (
            {{ cents }}
            + case
                when row_number() over (
                    partition by {{ partition_by }}
                    order by ({{ amount }}) * 100 - {{ cents }} desc, {{ tie_breaker }}
                )
                <= round({{ total }}, 2) * 100
                - sum({{ cents }}) over (partition by {{ partition_by }})
                    then 1
                else 0
            end
        ) * cast(0.01 as decimal(3, 2))
        as decimal(18, 2)
    )
{% endmacro %}


{#
    `amount` x `weight` / `total_weight` as DECIMAL(38, 12), without floating
    point (DuckDB divides decimals as doubles). Weights have at most six
    decimals (round money weights to micro-dollars first) and total_weight
    is their exact sum. Rounds toward zero at 1e-12, so shares never add up
    to more than the amount (allocate_cents then settles the cents).
#}
{% macro allocate_share(amount, weight, total_weight) %}
    {{ return(adapter.dispatch('allocate_share')(amount, weight, total_weight)) }}
{% endmacro %}


{% macro default__allocate_share(amount, weight, total_weight) %}
    cast(({{ amount }}) * ({{ weight }}) / nullif({{ total_weight }}, 0) as decimal(38, 12))
{% endmacro %}


{% macro duckdb__allocate_share(amount, weight, total_weight) %}
    cast(
        cast(
            cast(({{ amount }}) * 1000000000000 as hugeint)
            * cast(round(({{ weight }}) * 1000000) as hugeint)
            // nullif(cast(round(({{ total_weight }}) * 1000000) as hugeint), 0)
            as decimal(38, 0)
        ) * cast(0.000000000001 as decimal(13, 12))
        as decimal(38, 12)
    )
{% endmacro %}


{#-
    Spark: the same integers as DuckDB's (micro-units of weight, 1e-12 of
    amount), truncated toward zero. Spark divides DECIMAL(38, 0) by
    DECIMAL(20, 0) into DECIMAL(38, 10) (spark.sql.decimalOperations.
    allowPrecisionLoss=false), rounded half up at the tenth decimal, which can
    carry a quotient just below an integer up to it: the floor is taken down
    by one when it times the divisor exceeds the dividend. Quotients up to
    1e28 (shares up to $1e16).
-#}
{% macro spark__allocate_share(amount, weight, total_weight) %}
    {%- set dividend = "abs(cast(cast((" ~ amount ~ ") * 1000000000000 as decimal(38, 0))"
        ~ " * cast(round((" ~ weight ~ ") * 1000000) as decimal(38, 0)) as decimal(38, 0)))" -%}
    {%- set divisor = "nullif(cast(round((" ~ total_weight ~ ") * 1000000) as decimal(20, 0)), 0)" -%}
    {%- set floored = "floor(" ~ dividend ~ " / " ~ divisor ~ ")" -%}
    cast(
        case when (({{ amount }}) < 0) = (({{ weight }}) < 0) then 1 else -1 end
        * ({{ floored }} - case when {{ floored }} * {{ divisor }} > {{ dividend }} then 1 else 0 end)
        * cast(0.000000000001 as decimal(13, 12))
        as decimal(38, 12)
    )
{% endmacro %}

