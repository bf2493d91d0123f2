{#-
    Every model id seen in traffic, resolved once per (provider, reported id)
    to the canonical price-book model, however many calls carry it. Your
    deployment and inference-profile seeds first replace an opaque id with
    the model it serves; then each rule of macros/cost/model_id_candidates.sql
    shortens the id by one known wrapper (one CTE per rule, each on the
    previous one's result), the ids of all rules become ordered candidates,
    and these are looked up in order, each exactly, in the price book and
    then the alias seed; the first hit wins and `resolution_rule` says which
    rule found it. An id nothing matches keeps its lower-cased form and
    `is_resolved = false`: its calls stay unpriced, never wrongly priced.
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

{# the rules of macros/cost/model_id_candidates.sql, one step each, each on the previous one #}
ids_without_wrappers as (

    select
        *,
        {{ model_id_without_wrappers('model_id') }} as without_wrappers_id
    from ids_to_resolve

),

ids_unwrapped as (

    select
        *,
        {{ model_id_without_fine_tune_suffix('without_wrappers_id') }} as unwrapped_id
    from ids_without_wrappers

),

ids_without_geo_prefix as (

    select
        *,
        {{ model_id_without_geo_prefix('provider', 'unwrapped_id') }} as without_geo_prefix_id
    from ids_unwrapped

),

ids_without_version_suffix as (

    select
        *,
        {{ model_id_without_version_suffix('provider', 'without_geo_prefix_id') }}
            as without_version_suffix_id
    from ids_without_geo_prefix

),

ids_without_snapshot_date as (

    select
        *,
        {{ model_id_without_snapshot_date('without_version_suffix_id') }}
            as without_snapshot_date_id
    from ids_without_version_suffix

),

ids_with_vendor_prefix as (

    select
        *,
        {{ model_id_vendor_prefix('provider', 'without_version_suffix_id') }} as vendor_prefix
    from ids_without_snapshot_date

),

model_id_candidates as (

    select
        ids.provider,
        ids.model_raw,
        rules.candidate_order,
        rules.resolution_rule,
        case rules.candidate_order
            when 1 then ids.model_id
            when 2 then ids.unwrapped_id
            when 3 then ids.without_geo_prefix_id
            when 4 then ids.without_version_suffix_id
            when 5 then ids.without_snapshot_date_id
            when 6 then ids.vendor_prefix || ids.without_version_suffix_id
            when 7 then ids.vendor_prefix || ids.without_snapshot_date_id
        end as candidate_model_id
    from ids_with_vendor_prefix as ids
    cross join (
        values
        (1, 'exact'),
        (2, 'unwrapped'),
        (3, 'without_geo_prefix'),
        (4, 'without_version_suffix'),
        (5, 'without_snapshot_date'),
        (6, 'with_vendor_prefix'),
        (7, 'with_vendor_prefix')
    ) as rules (candidate_order, resolution_rule)

),

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

matches as (

    select
        model_id_candidates.provider,
        model_id_candidates.model_raw,
        model_id_candidates.resolution_rule,
        model_id_candidates.candidate_model_id as matched_model_id,
        lookup_keys.matched_in,
        lookup_keys.model,
        row_number() over (
            partition by model_id_candidates.provider, model_id_candidates.model_raw
            order by model_id_candidates.candidate_order, lookup_keys.lookup_priority
        ) as match_order
    from model_id_candidates
    inner join lookup_keys
        on
            model_id_candidates.provider = lookup_keys.provider
            and model_id_candidates.candidate_model_id = lookup_keys.lookup_id

),

first_matches as (

    select
        provider,
        model_raw,
        resolution_rule,
        matched_model_id,
        matched_in,
        model
    from matches
    where match_order = 1

),

resolved as (

    select
        {{ surrogate_key(['ids.provider', 'ids.model_raw']) }} as model_id_key,
        ids.provider,
        ids.model_raw,
        ids.id_mapping,
        ids.model_id,
        first_matches.resolution_rule,
        first_matches.matched_in,
        first_matches.matched_model_id,
        coalesce(first_matches.model, ids.model_id) as model,
        coalesce(
            ids.mapped_endpoint_scope,
            {{ model_id_endpoint_scope(
                'ids.provider', 'ids.unwrapped_id', 'ids.without_geo_prefix_id'
            ) }}
        ) as id_endpoint_scope,
        first_matches.model is not null as is_resolved
    from ids_with_vendor_prefix as ids
    left join first_matches
        on
            ids.provider = first_matches.provider
            and ids.model_raw = first_matches.model_raw

)

select * from resolved
