{#-
    LLM spans (and unreadable lines) from the OTLP export, each with the
    context its ancestors in the same trace carry: the nearest ancestor's
    team, environment, cost center, job, route and URL path. A span is an
    LLM span when it names a GenAI provider or operation, or is an
    OpenInference LLM / EMBEDDING span.

    Which span attributes say something about *our* application: `http.route`
    and `url.path` describe the server that handled a request, so they are
    read from SERVER spans only (and from spans carrying the flat `llm.*`
    keys, which the user set on purpose); on a CLIENT span they are the
    vendor's endpoint (the Anthropic SDK's own span says `/v1/messages`).
    A route set as an LLM-call attribute (`app_route`) counts on any span.

    Incremental under the contract (macros/incremental/incremental_files.sql):
    a night recomputes the files of new spans and every file that shares
    one of their traces or, for a root LLM span, its service (where a
    sibling recording may be); the context those files' spans read (their
    traces' spans, the recordings with their match keys) still comes from
    every file. `in_context_at` stamps the run that computed a row: when it
    moves, the span or its context may have changed, and
    int_llm_call_records_validated revalidates it.

    Ancestors are followed up the parent chain for at most
    `max_ancestor_depth` levels (one join per level, as Spark has no
    recursive CTE): context held only by a span further up than that is not
    read, as if that span were absent (a chain that loops is read up to that
    depth too).
-#}
{%- set max_ancestor_depth = 16 -%}
{%- set ancestor_span_ids = ["llm_spans.parent_span_id"] -%}
{%- for level in range(1, max_ancestor_depth) -%}
    {%- do ancestor_span_ids.append("ancestor_" ~ level ~ ".parent_span_id") -%}
{%- endfor -%}
{{ config(**incremental_contract(
    upstream='stg_otlp__spans',
    upstream_stamp='loaded_at',
    stamp='in_context_at',
    context='shared_keys',
    context_keys=[
        'trace_id',
        "case when parent_span_id is null and input_tokens_text is not null then service_name end",
    ],
)) }}
with

staged_spans as (

    select
        *,
        span_kind = 'SERVER' or usage_convention = 'flat_llm' as describes_our_server
    from {{ ref('stg_otlp__spans') }}

),

spans as {{ cte_not_materialized() }} (

    {#-
        read more than once: DuckDB would otherwise copy the whole relation
        first; the columns in the staged order, two of them recomputed
    -#}
    select  -- noqa: ST06
        span_record_id,
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        is_valid_json,
        is_traces_data,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        span_kind,
        status_code,
        provider_raw,
        operation_name,
        openinference_span_kind,
        request_model,
        response_model,
        response_id,
        error_type,
        input_tokens_text,
        output_tokens_text,
        cache_read_tokens_text,
        cache_write_tokens_text,
        cache_write_1h_tokens_text,
        reasoning_tokens_text,
        total_tokens_text,
        service_tier_raw,
        service_name,
        environment_raw,
        team_id,
        cost_center,
        coalesce(case when describes_our_server then http_route end, app_route) as http_route,
        case when describes_our_server then url_path end as url_path,
        job_name,
        aws_account_id,
        aws_region,
        customer_tier,
        usage_convention,
        team_origin,
        scope_name,
        start_time_unix_nano_text,
        end_time_unix_nano_text,
        has_duplicate_key
    from staged_spans

),

all_llm_spans as (

    select *
    from spans
    where
        not is_traces_data
        or provider_raw is not null
        or operation_name is not null
        or openinference_span_kind in ('LLM', 'EMBEDDING')

),

llm_spans as (

    {#- the spans this run recomputes -#}
    select *
    from all_llm_spans
    where {{ incremental_files() }}

),

context_traces as (

    select distinct trace_id
    from llm_spans
    where trace_id is not null

),

context_spans as (

    {#- every span of the traces of the recomputed spans, from any file -#}
    select
        trace_id,
        span_id,
        parent_span_id,
        span_kind,
        team_id,
        environment_raw,
        cost_center,
        http_route,
        url_path,
        job_name
    from spans
    where trace_id in (select context_traces.trace_id from context_traces)

),

span_tree as (

    {#- one row per span id of a trace (a span recorded in two files is one node) -#}

    select
        trace_id,
        span_id,
        max(parent_span_id) as parent_span_id,
        max(span_kind) as span_kind,
        max(team_id) as team_id,
        max(environment_raw) as environment_raw,
        max(cost_center) as cost_center,
        max(http_route) as http_route,
        max(url_path) as url_path,
        max(job_name) as job_name
    from context_spans
    where span_id is not null
    group by trace_id, span_id

),

llm_span_times as (

    select
        span_record_id,
        trace_id,
        parent_span_id,
        service_name,
        response_id,
        input_tokens_text,
        output_tokens_text,
        {#- dbt-duckdb's safe_cast is a plain cast: a raw value must never raise #}
        try_cast(start_time_unix_nano_text as bigint) as start_unix_nano,
        try_cast(end_time_unix_nano_text as bigint) as end_unix_nano
    from all_llm_spans
    where
        trace_id is not null
        and input_tokens_text is not null
        {#- where a recording of a recomputed span can be (span_match_keys) #}
        and (
            trace_id in (select context_traces.trace_id from context_traces)
            or parent_span_id is null
        )

),

span_match_keys as (

    {#-
        Where two recordings of one call can be: in the same trace, or, for a
        call made without trace context (a worker thread), as root spans of
        the same service.
    -#}
    select
        span_record_id,
        'trace:' || trace_id as match_key
    from llm_span_times

    union all

    select
        span_record_id,
        'service:' || service_name as match_key
    from llm_span_times
    where parent_span_id is null and service_name is not null

),

keyed_spans as (

    select
        llm_span_times.*,
        span_match_keys.match_key
    from llm_span_times
    inner join span_match_keys
        on llm_span_times.span_record_id = span_match_keys.span_record_id

),

sibling_recordings as (

    {#-
        One call recorded by two instrumentations, only one of which records
        the response id (OpenInference records none; the Anthropic SDK's own
        span, its child or sibling, does), shows as two spans with the same
        input and output token counts that overlap in time. The span without
        an id takes the other's, so classification bills the call once.
    -#}
    select
        without_id.span_record_id,
        min(with_id.response_id) as sibling_response_id
    from keyed_spans as without_id
    inner join keyed_spans as with_id
        on
            without_id.match_key = with_id.match_key
            and without_id.input_tokens_text = with_id.input_tokens_text
            and without_id.output_tokens_text = with_id.output_tokens_text
    where
        without_id.span_record_id in (select llm_spans.span_record_id from llm_spans)
        and without_id.response_id is null
        and with_id.response_id is not null
        and without_id.start_unix_nano < with_id.end_unix_nano
        and with_id.start_unix_nano < without_id.end_unix_nano
    group by without_id.span_record_id

),

ancestor_chains as (

    {#- the ancestor span ids of each LLM span, nearest first, one join per level -#}
    select
        llm_spans.trace_id,
        llm_spans.span_id as llm_span_id,
        {{ list_of(ancestor_span_ids) }} as ancestor_span_ids
    from llm_spans
    {%- for level in range(1, max_ancestor_depth) %}
        left join span_tree as ancestor_{{ level }}
            on
                llm_spans.trace_id = ancestor_{{ level }}.trace_id
                and {{ ancestor_span_ids[level - 1] }} = ancestor_{{ level }}.span_id
    {%- endfor %}
    where llm_spans.parent_span_id is not null

),

ancestors as (

    select
        trace_id,
        llm_span_id,
        {{ list_unnest_with_position('ancestor_span_ids', 'ancestor_span_id', 'ancestor_depth') }}
    from ancestor_chains

),

ancestor_context as (

    select
        ancestors.trace_id,
        ancestors.llm_span_id,
        min_by(span_tree.team_id, ancestors.ancestor_depth)
        filter (where span_tree.team_id is not null) as ancestor_team_id,
        min_by(span_tree.environment_raw, ancestors.ancestor_depth)
        filter (where span_tree.environment_raw is not null) as ancestor_environment_raw,
        min_by(span_tree.cost_center, ancestors.ancestor_depth)
        filter (where span_tree.cost_center is not null) as ancestor_cost_center,
        min_by(span_tree.http_route, ancestors.ancestor_depth)
        filter (where span_tree.http_route is not null) as ancestor_http_route,
        min_by(span_tree.url_path, ancestors.ancestor_depth)
        filter (where span_tree.url_path is not null) as ancestor_url_path,
        min_by(span_tree.job_name, ancestors.ancestor_depth)
        filter (where span_tree.job_name is not null) as ancestor_job_name
    from ancestors
    inner join span_tree
        on
            ancestors.trace_id = span_tree.trace_id
            and ancestors.ancestor_span_id = span_tree.span_id
    group by ancestors.trace_id, ancestors.llm_span_id

),

in_context as (

    select
        llm_spans.*,
        ancestor_context.ancestor_team_id,
        ancestor_context.ancestor_environment_raw,
        ancestor_context.ancestor_cost_center,
        ancestor_context.ancestor_http_route,
        ancestor_context.ancestor_url_path,
        ancestor_context.ancestor_job_name,
        sibling_recordings.sibling_response_id,
        {{ processed_at() }} as in_context_at
    from llm_spans
    left join ancestor_context
        on
            llm_spans.trace_id = ancestor_context.trace_id
            and llm_spans.span_id = ancestor_context.llm_span_id
    left join sibling_recordings
        on llm_spans.span_record_id = sibling_recordings.span_record_id

)

select * from in_context
