{#-
    LLM spans (and unreadable lines) from the OTLP export, each with the
    `http.route` of the nearest SERVER span it descends from in its trace.
    A span is an LLM span when it names a GenAI provider or operation.
-#}
with recursive

spans as (

    select * from {{ ref('stg_otlp__spans') }}

),

span_tree as (

    select
        trace_id,
        span_id,
        any_value(parent_span_id) as parent_span_id,
        any_value(span_kind) as span_kind,
        any_value(http_route) as http_route
    from spans
    where trace_id is not null and span_id is not null
    group by trace_id, span_id

),

llm_spans as (

    select *
    from spans
    where
        not is_valid_json
        or provider_raw is not null
        or operation_name is not null

),

ancestors as (

    select
        trace_id,
        span_id as llm_span_id,
        parent_span_id as ancestor_span_id,
        1 as ancestor_depth
    from span_tree
    where
        parent_span_id is not null
        and exists (
            select 1
            from llm_spans
            where
                llm_spans.trace_id = span_tree.trace_id
                and llm_spans.span_id = span_tree.span_id
        )

    union all

    select
        ancestors.trace_id,
        ancestors.llm_span_id,
        span_tree.parent_span_id as ancestor_span_id,
        ancestors.ancestor_depth + 1 as ancestor_depth
    from ancestors
    inner join span_tree
        on
            ancestors.trace_id = span_tree.trace_id
            and ancestors.ancestor_span_id = span_tree.span_id
    where
        span_tree.span_kind != 'SERVER'
        and span_tree.parent_span_id is not null
        and ancestors.ancestor_depth < 64

),

server_ancestors as (

    select
        ancestors.trace_id,
        ancestors.llm_span_id,
        span_tree.http_route as server_http_route
    from ancestors
    inner join span_tree
        on
            ancestors.trace_id = span_tree.trace_id
            and ancestors.ancestor_span_id = span_tree.span_id
    where span_tree.span_kind = 'SERVER'
    qualify row_number() over (
            partition by ancestors.trace_id, ancestors.llm_span_id
            order by ancestors.ancestor_depth
        ) = 1

),

routed as (

    select
        llm_spans.*,
        server_ancestors.server_http_route
    from llm_spans
    left join server_ancestors
        on
            llm_spans.trace_id = server_ancestors.trace_id
            and llm_spans.span_id = server_ancestors.llm_span_id

)

select * from routed
