{#
    The one place where a reported model id becomes price-key candidates.

    Renders CTE definitions (to be placed in a model's `with` list) ending
    in `model_id_candidates`: one row per id of `ids_relation` (columns
    provider, model_raw, model_id = the id to resolve, lower case) and per
    rule below. The caller keeps the first candidate, in rule order, found
    in the price book or the alias seed. Every rule is anchored at the start
    or the end of the id and applies on top of the previous one, so an id is
    only ever shortened by a known wrapper, never matched by substring.

      1 exact                   the id as reported (or as a deployment or
                                inference-profile seed maps it)
      2 unwrapped               without a Bedrock foundation-model or
                                inference-profile ARN prefix, a framework
                                prefix (`bedrock:`, `google-gla:`), one
                                routing segment (`openai/`, `gemini/`), a
                                `models/` or `publishers/*/models/` resource
                                path and a Vertex `@version`; a fine-tune id
                                cut to `ft:<base model>`
      3 without_geo_prefix      Bedrock: without `global.`, `us.`, `eu.`,
                                `apac.`, `jp.`, `au.`, `ca.`
      4 without_version_suffix  Bedrock `-v1:0`, `-v2:0`, `-1:0`; Google
                                `-001` stable version numbers
      5 without_snapshot_date   without a `-2024-08-06` / `-20250514`
                                snapshot date (not on fine-tunes). A snapshot
                                priced apart from its family has a price row
                                of its own and matches first, at rule 1.
      6 with_vendor_prefix      Bedrock: an id that lost its vendor prefix
                                (OpenLLMetry's Bedrock spans report
                                `claude-haiku-4-5-20251001-v1:0` for
                                `us.anthropic.claude-haiku-4-5-20251001-v1:0`)
                                gets it back from its model family, anchored
                                at the start: `claude` -> `anthropic.`, `nova`
                                and `titan` -> `amazon.`, `llama` -> `meta.`,
                                `mistral`/`mixtral`/`pixtral` -> `mistral.`,
                                `command` -> `cohere.`, `deepseek` ->
                                `deepseek.`, `gpt-oss` -> `openai.`; tried on
                                the id of rule 4, then of rule 5.

    `id_endpoint_scope` is the endpoint scope the id itself implies: a
    Bedrock `global.` profile is global, a geographic profile regional; any
    other id leaves the scope to the provider default.
#}
{% macro model_id_candidates(ids_relation) %}

model_ids_unprefixed as (

    select
        *,
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(
                            model_id,
                            '^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:(foundation-model|inference-profile)/',
                            ''
                        ),
                        '^(openai|anthropic|google-gla|google-vertex|gemini|vertexai|bedrock|groq|mistral|deepseek|azure):',
                        ''
                    ),
                    '^(openai|anthropic|gemini|google|vertex_ai|bedrock|azure|azure_ai|groq|mistral|mistralai|deepseek)/',
                    ''
                ),
                '^(projects/[^/]+/locations/[^/]+/)?(publishers/[^/]+/)?models/',
                ''
            ),
            '@[^/@]*$',
            ''
        ) as unprefixed_id
    from {{ ids_relation }}

),

model_ids_unwrapped as (

    select
        *,
        case
            when unprefixed_id like 'ft:%'
                then 'ft:' || {{ dbt.split_part('unprefixed_id', "':'", 2) }}
            else unprefixed_id
        end as unwrapped_id
    from model_ids_unprefixed

),

model_ids_without_geo_prefix as (

    select
        *,
        case
            when provider = 'aws_bedrock'
                then regexp_replace(unwrapped_id, '^(global|us|eu|apac|jp|au|ca)[.]', '')
            else unwrapped_id
        end as without_geo_prefix_id
    from model_ids_unwrapped

),

model_ids_without_version_suffix as (

    select
        *,
        case provider
            when 'aws_bedrock' then regexp_replace(without_geo_prefix_id, '-v?[0-9]+:[0-9]+$', '')
            when 'google' then regexp_replace(without_geo_prefix_id, '-[0-9]{3}$', '')
            else without_geo_prefix_id
        end as without_version_suffix_id
    from model_ids_without_geo_prefix

),

model_ids_without_snapshot_date as (

    select
        *,
        case
            when without_version_suffix_id like 'ft:%' then without_version_suffix_id
            else regexp_replace(
                without_version_suffix_id, '-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})$', ''
            )
        end as without_snapshot_date_id,
        case
            when provider != 'aws_bedrock' then null
            when unwrapped_id like 'global.%' then 'global'
            when without_geo_prefix_id != unwrapped_id then 'regional'
        end as id_endpoint_scope
    from model_ids_without_version_suffix

),

model_ids_with_vendor_prefix as (

    select
        *,
        case
            when provider != 'aws_bedrock' or without_version_suffix_id like '%.%' then null
            when without_version_suffix_id like 'claude%' then 'anthropic.'
            when without_version_suffix_id like 'nova%' or without_version_suffix_id like 'titan%'
                then 'amazon.'
            when without_version_suffix_id like 'llama%' then 'meta.'
            when regexp_matches(without_version_suffix_id, '^(mistral|mixtral|pixtral)') then 'mistral.'
            when without_version_suffix_id like 'command%' then 'cohere.'
            when without_version_suffix_id like 'deepseek%' then 'deepseek.'
            when without_version_suffix_id like 'gpt-oss%' then 'openai.'
        end as vendor_prefix
    from model_ids_without_snapshot_date

),

model_id_candidates as (

    select
        ids.provider,
        ids.model_raw,
        ids.id_endpoint_scope,
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
    from model_ids_with_vendor_prefix as ids
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

)

{% endmacro %}
