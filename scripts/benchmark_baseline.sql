-- The hand-written baseline of docs/benchmarks.md: one DuckDB script that does
-- the warehouse's work for the daily mart over the same raw files -- read,
-- flatten, drop unusable records, deduplicate, attribute, price by effective
-- date, aggregate to the fct_llm_cost_daily grain -- and nothing else (no
-- per-call table, no quarantine table, no tests). It is what the engine can
-- do; `dbt build` is measured against it.
--
-- Run by `scripts/benchmark.py baseline RAW_DIR DATABASE`, which sets the
-- variables `raw_dir` and `seeds_dir` and keeps the result as table
-- baseline_cost_daily. It covers what the benchmark corpus exercises: app logs
-- (JSONL, CSV), LiteLLM spend logs (JSONL) and OTLP traces, price-book keys and alias rows at the
-- provider's default endpoint scope, standard tier.

-- Files per source; '/dev/null' stands in for an empty folder (zero rows).
set variable app_jsonl_files = (
    select coalesce(list(file), ['/dev/null']) from (
        select file from glob(getvariable('raw_dir') || '/logs/app/**/*.jsonl')
        union all
        select file from glob(getvariable('raw_dir') || '/logs/app/**/*.jsonl.gz')
    )
);
set variable app_csv_files = (
    select coalesce(list(file), ['/dev/null']) from (
        select file from glob(getvariable('raw_dir') || '/logs/app/**/*.csv')
        union all
        select file from glob(getvariable('raw_dir') || '/logs/app/**/*.csv.gz')
    )
);
set variable litellm_files = (
    select coalesce(list(file), ['/dev/null']) from (
        select file from glob(getvariable('raw_dir') || '/logs/litellm/**/*.jsonl')
        union all
        select file from glob(getvariable('raw_dir') || '/logs/litellm/**/*.jsonl.gz')
    )
);
set variable otlp_files = (
    select coalesce(list(file), ['/dev/null']) from (
        select file from glob(getvariable('raw_dir') || '/traces/otlp/**/*.json')
        union all
        select file from glob(getvariable('raw_dir') || '/traces/otlp/**/*.json.gz')
        union all
        select file from glob(getvariable('raw_dir') || '/traces/otlp/**/*.jsonl')
        union all
        select file from glob(getvariable('raw_dir') || '/traces/otlp/**/*.jsonl.gz')
    )
);

-- Text timestamp -> UTC timestamp: ISO-8601 (offset or none = UTC) or an epoch
-- number whose unit is told by its magnitude (s, ms, us, ns).
create or replace temp macro utc_timestamp(t) as
    case
        when regexp_full_match(t, '\d+(\.\d+)?')
            then make_timestamp(cast(
                cast(t as decimal(38, 6)) * case
                    when cast(t as double) < 1e11 then 1000000
                    when cast(t as double) < 1e14 then 1000
                    when cast(t as double) < 1e17 then 1
                    else 0.001
                end as bigint))
        else cast(try_cast(t as timestamptz) at time zone 'UTC' as timestamp)
    end;

-- A token count: null when absent, negative when present but not a whole number.
create or replace temp macro token_count(t) as
    case when t is not null then coalesce(try_cast(t as bigint), -1) end;

-- The text value of an OTLP attribute (string or int64) in a list of KeyValue.
create or replace temp macro otlp_attribute(attributes, attribute_key) as
    list_transform(
        list_filter(attributes, lambda a: a.key = attribute_key),
        lambda a: coalesce(a.value.stringValue, a.value.intValue)
    )[1];

create or replace table baseline_cost_daily as
with recursive
-- CSV columns may differ between files: read by name from the row as JSON,
-- once (materialized, so that filters do not repeat the extraction); a CSV row
-- is an exact duplicate only within its own file
app_csv_records as materialized (
    select distinct
        f[1] as event_time, f[2] as team_id, f[3] as service_name, f[4] as environment_raw,
        f[5] as http_route, f[6] as job_name, f[7] as provider_raw, f[8] as model_raw,
        f[9] as input_text, f[10] as output_text, f[11] as cache_read_text,
        f[12] as cache_write_text, f[13] as reasoning_text, f[14] as request_id, source_file
    from (
        select
            rows.filename as source_file,
            json_extract_string(to_json(rows), [
                '$."timestamp"', '$."team.id"', '$."service.name"',
                '$."deployment.environment"', '$."http.route"', '$."job.name"',
                '$."llm.provider"', '$."llm.model"', '$."llm.input_tokens"',
                '$."llm.output_tokens"', '$."llm.cache_read_tokens"',
                '$."llm.cache_write_tokens"', '$."llm.reasoning_tokens"', '$."request_id"'
            ]) as f
        from read_csv(
            getvariable('app_csv_files'), header = true, all_varchar = true,
            union_by_name = true, null_padding = true, filename = true
        ) as rows
    )
),
app_records as (
    select distinct
        "timestamp" as event_time, "team.id" as team_id, "service.name" as service_name,
        "deployment.environment" as environment_raw, "http.route" as http_route,
        "job.name" as job_name, "llm.provider" as provider_raw, "llm.model" as model_raw,
        "llm.input_tokens" as input_text, "llm.output_tokens" as output_text,
        "llm.cache_read_tokens" as cache_read_text, "llm.cache_write_tokens" as cache_write_text,
        "llm.reasoning_tokens" as reasoning_text, request_id, null as source_file
    from read_json(
        getvariable('app_jsonl_files'), format = 'newline_delimited', ignore_errors = true,
        columns = {
            'timestamp': 'VARCHAR', 'request_id': 'VARCHAR', 'team.id': 'VARCHAR',
            'service.name': 'VARCHAR', 'deployment.environment': 'VARCHAR',
            'http.route': 'VARCHAR', 'job.name': 'VARCHAR', 'llm.provider': 'VARCHAR',
            'llm.model': 'VARCHAR', 'llm.input_tokens': 'VARCHAR',
            'llm.output_tokens': 'VARCHAR', 'llm.cache_read_tokens': 'VARCHAR',
            'llm.cache_write_tokens': 'VARCHAR', 'llm.reasoning_tokens': 'VARCHAR'
        }
    )
    union all
    select * from app_csv_records
),
app_calls as (
    select
        utc_timestamp(trim(event_time)) as called_at, team_id, service_name,
        environment_raw, coalesce(http_route, job_name) as route, provider_raw, model_raw,
        token_count(input_text) as input_tokens, token_count(output_text) as output_tokens,
        coalesce(token_count(cache_read_text), 0) as cache_read_tokens,
        coalesce(token_count(cache_write_text), 0) as cache_write_tokens,
        coalesce(token_count(reasoning_text), 0) as reasoning_tokens,
        false as is_failed_attempt
    from app_records
),
-- LiteLLM_SpendLogs rows: one per request_id; failures and response-cache hits
-- are not provider calls
litellm_calls as (
    select
        utc_timestamp(trim(any_value(startTime))) as called_at,
        any_value(metadata.user_api_key_team_alias) as team_id,
        any_value(metadata.spend_logs_metadata.service) as service_name,
        any_value(metadata.spend_logs_metadata.env) as environment_raw,
        any_value(coalesce(
            metadata.spend_logs_metadata.route, metadata.spend_logs_metadata.job
        )) as route,
        any_value(custom_llm_provider) as provider_raw,
        any_value(model) as model_raw,
        any_value(coalesce(
            token_count(usage.prompt_tokens_details.text_tokens)
            + coalesce(token_count(usage.cache_read_input_tokens), 0)
            + coalesce(token_count(usage.cache_creation_input_tokens), 0),
            token_count(prompt_tokens)
        )) as input_tokens,
        any_value(token_count(completion_tokens)) as output_tokens,
        any_value(coalesce(token_count(usage.cache_read_input_tokens), 0)) as cache_read_tokens,
        any_value(coalesce(token_count(usage.cache_creation_input_tokens), 0))
            as cache_write_tokens,
        any_value(coalesce(token_count(usage.completion_tokens_details.reasoning_tokens), 0))
            as reasoning_tokens,
        false as is_failed_attempt
    from (
        select *, metadata.additional_usage_values as usage
        from read_json(
            getvariable('litellm_files'), format = 'newline_delimited', ignore_errors = true,
            columns = {
                'request_id': 'VARCHAR', 'status': 'VARCHAR', 'cache_hit': 'VARCHAR',
                'startTime': 'VARCHAR', 'model': 'VARCHAR', 'custom_llm_provider': 'VARCHAR',
                'prompt_tokens': 'VARCHAR', 'completion_tokens': 'VARCHAR',
                'metadata': 'STRUCT(
                    user_api_key_team_alias VARCHAR,
                    spend_logs_metadata STRUCT(
                        service VARCHAR, route VARCHAR, job VARCHAR, env VARCHAR),
                    additional_usage_values STRUCT(
                        prompt_tokens_details STRUCT(text_tokens VARCHAR),
                        completion_tokens_details STRUCT(reasoning_tokens VARCHAR),
                        cache_read_input_tokens VARCHAR, cache_creation_input_tokens VARCHAR))'
            }
        )
    )
    where status = 'success' and coalesce(cache_hit, 'False') != 'True'
    group by request_id
),
-- OTLP lines are large: reading them as text and parsing with from_json is
-- several times faster than read_json(ignore_errors = true)
otlp_spans as (
    select
        resource_span.resource.attributes as resource_attributes,
        unnest(scope_span.spans) as span
    from (
        select resource_span, unnest(resource_span.scopeSpans) as scope_span
        from (
            select unnest(from_json(line, '{"resourceSpans": [{
                "resource": {"attributes": [{"key": "VARCHAR", "value": {
                    "stringValue": "VARCHAR", "intValue": "VARCHAR"}}]},
                "scopeSpans": [{"spans": [{
                    "traceId": "VARCHAR", "spanId": "VARCHAR", "parentSpanId": "VARCHAR",
                    "kind": "VARCHAR", "startTimeUnixNano": "VARCHAR",
                    "status": {"code": "VARCHAR"},
                    "attributes": [{"key": "VARCHAR", "value": {
                        "stringValue": "VARCHAR", "intValue": "VARCHAR"}}]}]}]}]}'
            ).resourceSpans) as resource_span
            from read_csv(
                getvariable('otlp_files'), columns = {'line': 'VARCHAR'}, header = false,
                auto_detect = false, delim = '\x01', quote = '', escape = '',
                max_line_size = 268435456, buffer_size = 536870912
            )
            where json_valid(line)
        )
    )
),
spans_flat as (
    select
        lower(span.traceId) as trace_id,
        lower(span.spanId) as span_id,
        lower(nullif(span.parentSpanId, '')) as parent_span_id,
        span.kind in ('2', 'SPAN_KIND_SERVER') as is_server,
        span.status.code in ('2', 'STATUS_CODE_ERROR') as is_error,
        span.startTimeUnixNano as event_time,
        otlp_attribute(span.attributes, 'http.route') as http_route,
        coalesce(
            otlp_attribute(span.attributes, 'gen_ai.provider.name'),
            otlp_attribute(resource_attributes, 'gen_ai.provider.name'),
            otlp_attribute(span.attributes, 'gen_ai.system'),
            otlp_attribute(resource_attributes, 'gen_ai.system')
        ) as provider_raw,
        otlp_attribute(span.attributes, 'gen_ai.operation.name') as operation_name,
        coalesce(
            otlp_attribute(span.attributes, 'gen_ai.response.model'),
            otlp_attribute(span.attributes, 'gen_ai.request.model')
        ) as model_raw,
        coalesce(
            otlp_attribute(span.attributes, 'gen_ai.usage.input_tokens'),
            otlp_attribute(span.attributes, 'gen_ai.usage.prompt_tokens')
        ) as input_text,
        otlp_attribute(span.attributes, 'gen_ai.usage.input_tokens') is not null
            as has_current_input_name,
        coalesce(
            otlp_attribute(span.attributes, 'gen_ai.usage.output_tokens'),
            otlp_attribute(span.attributes, 'gen_ai.usage.completion_tokens')
        ) as output_text,
        coalesce(
            otlp_attribute(span.attributes, 'gen_ai.usage.cache_read.input_tokens'),
            otlp_attribute(span.attributes, 'gen_ai.usage.cache_read_input_tokens')
        ) as cache_read_text,
        coalesce(
            otlp_attribute(span.attributes, 'gen_ai.usage.cache_creation.input_tokens'),
            otlp_attribute(span.attributes, 'gen_ai.usage.cache_creation_input_tokens')
        ) as cache_write_text,
        otlp_attribute(span.attributes, 'gen_ai.usage.reasoning.output_tokens') as reasoning_text,
        coalesce(
            otlp_attribute(span.attributes, 'service.name'),
            otlp_attribute(resource_attributes, 'service.name')
        ) as service_name,
        coalesce(
            otlp_attribute(span.attributes, 'deployment.environment.name'),
            otlp_attribute(resource_attributes, 'deployment.environment.name'),
            otlp_attribute(span.attributes, 'deployment.environment'),
            otlp_attribute(resource_attributes, 'deployment.environment')
        ) as environment_raw,
        coalesce(
            otlp_attribute(span.attributes, 'team.id'),
            otlp_attribute(resource_attributes, 'team.id')
        ) as team_id
    from otlp_spans
    where span.traceId is not null and span.spanId is not null
),
spans_unique as (
    select * from spans_flat
    qualify row_number() over (partition by trace_id, span_id) = 1
),
llm_spans as (
    select * from spans_unique
    where provider_raw is not null or operation_name is not null
),
-- walk up from each LLM span to its nearest SERVER ancestor
ancestors(trace_id, llm_span_id, span_id, parent_span_id, depth, route, is_server) as (
    select
        parents.trace_id, llm_spans.span_id, parents.span_id, parents.parent_span_id, 1,
        parents.http_route, parents.is_server
    from llm_spans
    inner join spans_unique as parents
        on llm_spans.trace_id = parents.trace_id and llm_spans.parent_span_id = parents.span_id
    union all
    select
        ancestors.trace_id, ancestors.llm_span_id, parents.span_id, parents.parent_span_id,
        ancestors.depth + 1, parents.http_route, parents.is_server
    from ancestors
    inner join spans_unique as parents
        on ancestors.trace_id = parents.trace_id and ancestors.parent_span_id = parents.span_id
    where not ancestors.is_server and ancestors.depth < 64
),
server_routes as (
    select trace_id, llm_span_id, route from ancestors where is_server
    qualify row_number() over (partition by trace_id, llm_span_id order by depth) = 1
),
otlp_calls as (
    select
        utc_timestamp(trim(llm_spans.event_time)) as called_at, team_id, service_name,
        environment_raw, coalesce(llm_spans.http_route, server_routes.route) as route,
        provider_raw, model_raw,
        -- Bedrock instrumentations' current input count excludes cache reads and writes
        token_count(input_text) + case
            when has_current_input_name and lower(provider_raw) in ('aws.bedrock', 'aws_bedrock')
                then coalesce(token_count(cache_read_text), 0) + coalesce(token_count(cache_write_text), 0)
            else 0
        end as input_tokens,
        -- Gemini instrumentations report candidates only; thoughts are billed output
        token_count(output_text) + case
            when lower(provider_raw) in ('gcp.vertex_ai', 'gcp.gemini', 'gcp.gen_ai', 'vertex_ai',
                'gemini')
                then coalesce(token_count(reasoning_text), 0)
            else 0
        end as output_tokens,
        coalesce(token_count(cache_read_text), 0) as cache_read_tokens,
        coalesce(token_count(cache_write_text), 0) as cache_write_tokens,
        coalesce(token_count(reasoning_text), 0) as reasoning_tokens,
        is_error and input_text is null and output_text is null as is_failed_attempt
    from llm_spans
    left join server_routes
        on llm_spans.trace_id = server_routes.trace_id
        and llm_spans.span_id = server_routes.llm_span_id
),
provider_aliases as (
    select * from read_csv(getvariable('seeds_dir') || '/mappings/llm_provider_aliases.csv')
),
providers as (
    select * from read_csv(getvariable('seeds_dir') || '/mappings/llm_providers.csv')
),
model_aliases as (
    select * from read_csv(getvariable('seeds_dir') || '/mappings/llm_model_aliases.csv')
),
environment_aliases as (
    select * from read_csv(getvariable('seeds_dir') || '/mappings/environment_aliases.csv')
),
ownership as (
    select * from read_csv(
        getvariable('seeds_dir') || '/ownership/service_ownership.csv',
        types = {'valid_from': 'DATE', 'valid_to': 'DATE'}
    )
),
prices as (
    select
        provider, model, endpoint_scope,
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to,
        cast(input_usd_per_mtok as decimal(18, 6)) as input_price,
        cast(output_usd_per_mtok as decimal(18, 6)) as output_price,
        cast(coalesce(cache_read_usd_per_mtok, input_usd_per_mtok) as decimal(18, 6))
            as cache_read_price
    from read_csv(getvariable('seeds_dir') || '/prices/llm_prices.csv', all_varchar = true)
        as book
    -- standard tier, whether or not the book has a service_tier column yet
    where coalesce(json_extract_string(to_json(book), '$.service_tier'), 'standard')
        = 'standard'
),
usable_calls as (
    select calls.*, provider_aliases.provider
    from (
        select * from app_calls
        union all
        select * from litellm_calls
        union all
        select * from otlp_calls
    ) as calls
    inner join provider_aliases on lower(trim(calls.provider_raw)) = provider_aliases.provider_alias
    where
        calls.called_at is not null
        and calls.model_raw is not null
        and not calls.is_failed_attempt
        and calls.input_tokens >= 0 and calls.output_tokens >= 0
        and calls.cache_read_tokens >= 0 and calls.cache_write_tokens >= 0
        and calls.reasoning_tokens >= 0
        and calls.cache_read_tokens + calls.cache_write_tokens <= calls.input_tokens
),
priced_calls as (
    select
        cast(calls.called_at as date) as usage_date,
        coalesce(calls.team_id, ownership.team, 'unattributed') as team,
        coalesce(calls.service_name, 'unknown') as service,
        coalesce(calls.route, 'unknown') as route,
        coalesce(
            environment_aliases.environment, lower(trim(calls.environment_raw)), 'unknown'
        ) as environment,
        calls.provider,
        coalesce(model_aliases.model, lower(trim(calls.model_raw))) as model,
        calls.input_tokens, calls.cache_read_tokens, calls.output_tokens, calls.reasoning_tokens,
        prices.input_price is null as is_unpriced,
        (cast(calls.input_tokens - calls.cache_read_tokens as decimal(38, 0)) * prices.input_price
            + cast(calls.cache_read_tokens as decimal(38, 0)) * prices.cache_read_price
            + cast(calls.output_tokens as decimal(38, 0)) * prices.output_price
        ) * 0.000001 as cost_usd
    from usable_calls as calls
    inner join providers on calls.provider = providers.provider
    left join model_aliases
        on calls.provider = model_aliases.provider
        and lower(trim(calls.model_raw)) = model_aliases.model_alias
    left join environment_aliases
        on lower(trim(calls.environment_raw)) = environment_aliases.environment_alias
    left join ownership
        on calls.service_name = ownership.service_name
        and calls.called_at >= coalesce(ownership.valid_from, '-infinity'::timestamp)
        and calls.called_at < coalesce(ownership.valid_to, 'infinity'::timestamp)
    left join prices
        on calls.provider = prices.provider
        and coalesce(model_aliases.model, lower(trim(calls.model_raw))) = prices.model
        and providers.default_endpoint_scope = prices.endpoint_scope
        and cast(calls.called_at as date) >= coalesce(prices.effective_from, '-infinity'::date)
        and cast(calls.called_at as date) < coalesce(prices.effective_to, 'infinity'::date)
)
select
    usage_date, team, service, route, environment, provider, model,
    count(*) as call_count,
    count(*) filter (where is_unpriced) as unpriced_call_count,
    sum(input_tokens) as input_tokens,
    sum(cache_read_tokens) as cache_read_tokens,
    sum(output_tokens) as output_tokens,
    sum(reasoning_tokens) as reasoning_tokens,
    sum(cost_usd) as cost_usd
from priced_calls
group by all;
