{#
    The rules that shorten a reported model id into price-key candidates,
    one expression each. int_llm_model_ids_resolved (telemetry ids) and
    int_invoice_models_resolved (invoice model texts) apply them in the same
    CTE steps, one rule per step, and then look the candidates up in rule
    order:

      1 exact                   the id as reported (or as a deployment or
                                inference-profile seed maps it)
      2 unwrapped               model_id_without_wrappers, then
                                model_id_without_fine_tune_suffix
      3 without_geo_prefix      model_id_without_geo_prefix
      4 without_version_suffix  model_id_without_version_suffix
      5 without_snapshot_date   model_id_without_snapshot_date
      6 with_vendor_prefix      model_id_vendor_prefix || the id of rule 4
      7 with_vendor_prefix      model_id_vendor_prefix || the id of rule 5

    Every rule is anchored at the start or the end of the id and applies on
    top of the previous one, so an id is only ever shortened by a known
    wrapper, never matched by substring.
#}

{#- A Bedrock foundation-model or inference-profile ARN prefix, a framework
    prefix (`bedrock:`, `google-gla:`), one routing segment (`openai/`,
    `gemini/`), a `models/` or `publishers/*/models/` resource path and a
    Vertex `@version` removed. -#}
{% macro model_id_without_wrappers(model_id) %}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        {{ model_id }},
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
    )
{% endmacro %}


{#- A fine-tune id (`ft:<base model>:<org>::<id>`) cut to `ft:<base model>`. -#}
{% macro model_id_without_fine_tune_suffix(model_id) %}
    case
        when {{ model_id }} like 'ft:%'
            then 'ft:' || {{ dbt.split_part(model_id, "':'", 2) }}
        else {{ model_id }}
    end
{% endmacro %}


{#- Bedrock: without a `global.`, `us.`, `eu.`, `apac.`, `jp.`, `au.`, `ca.`
    inference-profile prefix. -#}
{% macro model_id_without_geo_prefix(provider, model_id) %}
    case
        when {{ provider }} = 'aws_bedrock'
            then regexp_replace({{ model_id }}, '^(global|us|eu|apac|jp|au|ca)[.]', '')
        else {{ model_id }}
    end
{% endmacro %}


{#- Bedrock `-v1:0`, `-v2:0`, `-1:0`; Google `-001` stable version numbers. -#}
{% macro model_id_without_version_suffix(provider, model_id) %}
    case {{ provider }}
        when 'aws_bedrock' then regexp_replace({{ model_id }}, '-v?[0-9]+:[0-9]+$', '')
        when 'google' then regexp_replace({{ model_id }}, '-[0-9]{3}$', '')
        else {{ model_id }}
    end
{% endmacro %}


{#- Without a `-2024-08-06` / `-20250514` snapshot date (not on fine-tunes).
    A snapshot priced apart from its family has a price row of its own and
    matches first, as the exact id. -#}
{% macro model_id_without_snapshot_date(model_id) %}
    case
        when {{ model_id }} like 'ft:%' then {{ model_id }}
        else regexp_replace({{ model_id }}, '-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})$', '')
    end
{% endmacro %}


{#- Endpoint scope the id itself implies: a Bedrock `global.` profile is
    global, a geographic profile regional; null (the provider default) for
    any other id. -#}
{% macro model_id_endpoint_scope(provider, unwrapped_id, without_geo_prefix_id) %}
    case
        when {{ provider }} != 'aws_bedrock' then null
        when {{ unwrapped_id }} like 'global.%' then 'global'
        when {{ without_geo_prefix_id }} != {{ unwrapped_id }} then 'regional'
    end
{% endmacro %}


{#- Bedrock: the vendor prefix an id that lost it gets back from its model
    family (OpenLLMetry's Bedrock spans report
    `claude-haiku-4-5-20251001-v1:0` for
    `us.anthropic.claude-haiku-4-5-20251001-v1:0`); null when the id has a
    prefix or names no known family. -#}
{% macro model_id_vendor_prefix(provider, model_id) %}
    case
        when {{ provider }} != 'aws_bedrock' or {{ model_id }} like '%.%' then null
        when {{ model_id }} like 'claude%' then 'anthropic.'
        when {{ model_id }} like 'nova%' or {{ model_id }} like 'titan%'
            then 'amazon.'
        when {{ model_id }} like 'llama%' then 'meta.'
        when {{ regexp_matches_whole(model_id, '(mistral|mixtral|pixtral)(?s:.*)') }} then 'mistral.'
        when {{ model_id }} like 'command%' then 'cohere.'
        when {{ model_id }} like 'deepseek%' then 'deepseek.'
        when {{ model_id }} like 'gpt-oss%' then 'openai.'
    end
{% endmacro %}
