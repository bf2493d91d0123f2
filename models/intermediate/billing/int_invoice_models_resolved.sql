{#-
    The canonical model of every model text found on usable invoice lines,
    resolved in two steps:
    1. as a model id, exactly as telemetry ids are (the rules of
       macros/cost/model_id_candidates.sql in the same steps as
       int_llm_model_ids_resolved: `gpt-4o-mini-2024-07-18`,
       `claude-sonnet-4-5-20250929` resolve like the same id in a span);
    2. else as a name invoices write (AWS `Claude Sonnet 4.5`, Azure meter
       `gpt-4o-0806-Inp-glbl Tokens`, Google SKU `Gemini 2.5 Flash Text
       Input`): the longest known name the text starts with at a word
       boundary, among seed invoice_model_names, the alias seed and the
       price-book models of the provider (compared by invoice_model_key).
    A text neither step resolves keeps its lower-cased value, as unknown
    telemetry ids do, and `is_known_model` is false.
-#}
with

lines as (

    select * from {{ ref('int_invoice_lines_validated') }}
    where line_outcome = 'usable' and model_text is not null

),

invoice_model_names as (

    select * from {{ ref('invoice_model_names') }}

),

model_aliases as (

    select * from {{ ref('llm_model_aliases') }}

),

prices as (

    select * from {{ ref('llm_prices') }}

),

model_texts as (

    select distinct
        provider,
        model_text as model_raw,
        lower(trim(model_text)) as model_id,
        {{ invoice_model_key('model_text') }} as model_text_key
    from lines

),

{# the rules of macros/cost/model_id_candidates.sql, one step each, each on the previous one #}
ids_without_wrappers as (

    select
        *,
        {{ model_id_without_wrappers('model_id') }} as without_wrappers_id
    from model_texts

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

price_models as (

    select distinct
        provider,
        model
    from prices

),

id_matches as (

    select
        model_id_candidates.provider,
        model_id_candidates.model_raw,
        coalesce(price_models.model, model_aliases.model) as model,
        row_number() over (
            partition by model_id_candidates.provider, model_id_candidates.model_raw
            order by model_id_candidates.candidate_order
        ) as match_rank
    from model_id_candidates
    left join price_models
        on
            model_id_candidates.provider = price_models.provider
            and model_id_candidates.candidate_model_id = price_models.model
    left join model_aliases
        on
            model_id_candidates.provider = model_aliases.provider
            and model_id_candidates.candidate_model_id = model_aliases.model_alias
    where coalesce(price_models.model, model_aliases.model) is not null

),

known_names as (

    select
        provider,
        model,
        invoice_model_name as known_name,
        1 as name_source_rank
    from invoice_model_names
    union all
    select
        provider,
        model,
        model_alias as known_name,
        2 as name_source_rank
    from model_aliases
    union all
    select
        provider,
        model,
        model as known_name,
        3 as name_source_rank
    from price_models

),

name_matches as (

    select
        model_texts.provider,
        model_texts.model_raw,
        known_names.model,
        row_number() over (
            partition by model_texts.provider, model_texts.model_raw
            order by
                length({{ invoice_model_key('known_names.known_name') }}) desc,
                known_names.name_source_rank asc,
                known_names.model asc
        ) as match_rank
    from model_texts
    inner join known_names
        on
            model_texts.provider = known_names.provider
            {#- starts with it (left: Spark has no starts_with) #}
            and left(
                model_texts.model_text_key || '-',
                length({{ invoice_model_key('known_names.known_name') }}) + 1
            ) = {{ invoice_model_key('known_names.known_name') }} || '-'

),

resolved as (

    select
        model_texts.provider,
        model_texts.model_raw as model_text,
        model_texts.provider || '|' || model_texts.model_raw as model_text_id,
        coalesce(id_matches.model, name_matches.model, model_texts.model_id) as model,
        case
            when id_matches.model is not null then 'model_id'
            when name_matches.model is not null then 'invoice_name'
        end as resolution_rule,
        coalesce(id_matches.model, name_matches.model) is not null as is_known_model
    from model_texts
    left join id_matches
        on
            model_texts.provider = id_matches.provider
            and model_texts.model_raw = id_matches.model_raw
            and id_matches.match_rank = 1
    left join name_matches
        on
            model_texts.provider = name_matches.provider
            and model_texts.model_raw = name_matches.model_raw
            and name_matches.match_rank = 1

)

select * from resolved
