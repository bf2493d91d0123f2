{#
    Fails with every alias that is itself a canonical model of the price
    book (for the same provider), or is not written in lower case: the
    alias would never be used, or would hide a separately priced model
    (e.g. aliasing `gpt-4o-2024-05-13` to `gpt-4o`).
#}
with

model_aliases as (

    select * from {{ ref('llm_model_aliases') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

shadowing_aliases as (

    select model_aliases.*
    from model_aliases
    where
        model_aliases.model_alias != lower(trim(model_aliases.model_alias))
        or exists (
            select 1
            from prices
            where
                prices.provider = model_aliases.provider
                and prices.model = model_aliases.model_alias
        )

)

select * from shadowing_aliases
