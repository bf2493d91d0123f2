{#-
    The canonical model of every model text found on usable invoice lines.
    The model is the longest known name the text starts with (at a word
    boundary, compared by `invoice_model_key`), among the provider's invoice
    model names (seed invoice_model_names), model ids (seed
    llm_model_aliases) and price-book models. So `gpt-4o-mini-2024-07-18`
    resolves through its alias, `Claude Sonnet 4.5 (Amazon Bedrock Edition)
    input tokens` through its invoice name, and `gpt-4o-0806-Inp-glbl
    Tokens` to the price-book model `gpt-4o`. A text no name matches keeps
    its own lower-cased value, as unknown telemetry model ids do.
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
        model_text,
        {{ invoice_model_key('model_text') }} as model_text_key
    from lines

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
    select distinct
        provider,
        model,
        model as known_name,
        3 as name_source_rank
    from prices

),

known_name_keys as (

    select
        provider,
        model,
        name_source_rank,
        {{ invoice_model_key('known_name') }} as known_name_key
    from known_names

),

candidate_matches as (

    select
        model_texts.provider,
        model_texts.model_text,
        known_name_keys.model,
        known_name_keys.known_name_key,
        row_number() over (
            partition by model_texts.provider, model_texts.model_text
            order by
                length(known_name_keys.known_name_key) desc,
                known_name_keys.name_source_rank asc,
                known_name_keys.model asc
        ) as match_rank
    from model_texts
    inner join known_name_keys
        on
            model_texts.provider = known_name_keys.provider
            and starts_with(
                model_texts.model_text_key || '-', known_name_keys.known_name_key || '-'
            )

),

resolved as (

    select
        model_texts.provider,
        model_texts.model_text,
        candidate_matches.known_name_key as matched_name_key,
        model_texts.provider || '|' || model_texts.model_text as model_text_id,
        coalesce(candidate_matches.model, lower(trim(model_texts.model_text))) as model,
        candidate_matches.model is not null as is_known_model
    from model_texts
    left join candidate_matches
        on
            model_texts.provider = candidate_matches.provider
            and model_texts.model_text = candidate_matches.model_text
            and candidate_matches.match_rank = 1

)

select * from resolved
