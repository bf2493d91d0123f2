{#-
    One row per raw telemetry record with what became of it: every candidate
    LLM-call record with its classified outcome, plus every OTLP span that is
    not an LLM call (`non_llm_span`). Summed per source, this must equal the
    number of raw records read (data-tests/assert_every_raw_record_is_accounted_for).

    A view: it only renames the classified records and adds the OTLP spans
    that are not calls, so its readers (the load and accounting marts, the
    accounting tests) read those tables directly; stored, it was a copy of
    every record rewritten each night (8 s of a 10M-call nightly).
-#}
{{ config(materialized='view') }}
with

classified_records as (

    select * from {{ ref('int_llm_call_records_classified') }}

),

otlp_spans as (

    select * from {{ ref('stg_otlp__spans') }}

),

llm_spans as (

    select * from {{ ref('int_otlp__llm_spans_in_context') }}

),

call_record_outcomes as (

    select
        record_id,
        source_system,
        source_file,
        loaded_at,
        load_invocation_id,
        record_outcome,
        called_at,
        input_tokens,
        output_tokens
    from classified_records

),

non_llm_spans as (

    select
        otlp_spans.span_record_id as record_id,
        'otlp_traces' as source_system,
        otlp_spans.source_file,
        otlp_spans.loaded_at,
        otlp_spans.load_invocation_id,
        'non_llm_span' as record_outcome,
        cast(null as timestamp) as called_at,
        cast(null as bigint) as input_tokens,
        cast(null as bigint) as output_tokens
    from otlp_spans
    anti join llm_spans
        on otlp_spans.span_record_id = llm_spans.span_record_id

),

record_outcomes as (

    select * from call_record_outcomes
    union all
    select * from non_llm_spans

)

select * from record_outcomes
