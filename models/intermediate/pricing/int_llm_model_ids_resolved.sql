{#-
    Every model id seen in traffic, resolved once per (provider, reported id)
    to the canonical price-book model, however many calls carry it. Your
    deployment and inference-profile seeds first replace an opaque id with
    the model it serves; then the candidates of `model_id_candidates` are
    looked up in order, each exactly, in the price book and then the alias
    seed; the first hit wins and `resolution_rule` says which rule found it.
    An id nothing matches keeps its lower-cased form and `is_resolved =
    false`: its calls stay unpriced, never wrongly priced.
-#}
with

calls as (

    select * from {{ ref('int_llm_calls_attributed') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

model_aliases as (

    select * from {{ ref('llm_model_aliases') }}

),

azure_openai_deployments as (

    select * from {{ ref('azure_openai_deployments') }}

),

bedrock_inference_profiles as (

    select * from {{ ref('bedrock_inference_profiles') }}

),

reported_ids as (

    select distinct
        provider,
        model_raw
    from calls

),

ids_to_resolve as (

    select
        reported_ids.provider,
        reported_ids.model_raw,
        azure_openai_deployments.endpoint_scope as mapped_endpoint_scope,
        case
            when azure_openai_deployments.deployment_name is not null then 'azure_deployment'
            when bedrock_inference_profiles.inference_profile_arn is not null
                then 'bedrock_application_inference_profile'
        end as id_mapping,
        lower(trim(coalesce(
            azure_openai_deployments.model_id,
            bedrock_inference_profiles.model_source_id,
            reported_ids.model_raw
        ))) as model_id
    from reported_ids
    left join azure_openai_deployments
        on
            reported_ids.provider = 'azure_openai'
            and lower(trim(reported_ids.model_raw))
            = lower(trim(azure_openai_deployments.deployment_name))
    left join bedrock_inference_profiles
        on
            reported_ids.provider = 'aws_bedrock'
            and lower(trim(reported_ids.model_raw))
            = lower(trim(bedrock_inference_profiles.inference_profile_arn))

),

{{ model_id_candidates('ids_to_resolve') }},

price_keys as (

    select distinct
        provider,
        model as lookup_id,
        model,
        'price_book' as matched_in,
        1 as lookup_priority
    from prices

),

alias_keys as (

    select
        provider,
        model_alias as lookup_id,
        model,
        'model_aliases' as matched_in,
        2 as lookup_priority
    from model_aliases

),

lookup_keys as (

    select * from price_keys
    union all
    select * from alias_keys

),

first_matches as (

    select
        model_id_candidates.provider,
        model_id_candidates.model_raw,
        model_id_candidates.resolution_rule,
        model_id_candidates.candidate_model_id as matched_model_id,
        lookup_keys.matched_in,
        lookup_keys.model
    from model_id_candidates
    inner join lookup_keys
        on
            model_id_candidates.provider = lookup_keys.provider
            and model_id_candidates.candidate_model_id = lookup_keys.lookup_id
    qualify
        row_number() over (
            partition by model_id_candidates.provider, model_id_candidates.model_raw
            order by model_id_candidates.candidate_order, lookup_keys.lookup_priority
        ) = 1

),

id_scopes as (

    select
        provider,
        model_raw,
        id_endpoint_scope
    from model_id_candidates
    where candidate_order = 1

),

resolved as (

    select
        {{ surrogate_key(['ids_to_resolve.provider', 'ids_to_resolve.model_raw']) }}
            as model_id_key,
        ids_to_resolve.provider,
        ids_to_resolve.model_raw,
        ids_to_resolve.id_mapping,
        ids_to_resolve.model_id,
        first_matches.resolution_rule,
        first_matches.matched_in,
        first_matches.matched_model_id,
        coalesce(first_matches.model, ids_to_resolve.model_id) as model,
        coalesce(ids_to_resolve.mapped_endpoint_scope, id_scopes.id_endpoint_scope)
            as id_endpoint_scope,
        first_matches.model is not null as is_resolved
    from ids_to_resolve
    inner join id_scopes
        on
            ids_to_resolve.provider = id_scopes.provider
            and ids_to_resolve.model_raw = id_scopes.model_raw
    left join first_matches
        on
            ids_to_resolve.provider = first_matches.provider
            and ids_to_resolve.model_raw = first_matches.model_raw

)

select * from resolved
