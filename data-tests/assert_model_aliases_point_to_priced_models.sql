{#
    Fails with every alias whose target model has no row in the price book
    for its provider: the alias would resolve calls to a model nothing can
    price. (Deployment and inference-profile mappings are resolved like
    reported ids; one that resolves to nothing shows in unpriced usage.)
#}
with

model_aliases as (

    select * from {{ ref('llm_model_aliases') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

priced_models as (

    select distinct
        provider,
        model
    from prices

),

dangling_aliases as (

    select model_aliases.*
    from model_aliases
    left join priced_models
        on
            model_aliases.provider = priced_models.provider
            and model_aliases.model = priced_models.model
    where priced_models.model is null

)

select * from dangling_aliases
