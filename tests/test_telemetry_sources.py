"""Every telemetry source and convention, counted exactly once, nothing lost.

Costs below are hand-computed from the price book (USD per million tokens):
gpt-4o-mini 0.15 in / 0.075 cache read / 0.60 out; Claude Sonnet 4.5
3 in / 0.30 cache read / 3.75 cache write / 15 out; Claude 3.5 Haiku on
Bedrock (regional) 0.80 / 0.08 / 1.00 / 4.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import BuildWarehouse, Warehouse, otlp_span, otlp_traces_data, write_jsonl

REFERENCE_SAMPLES = Path(__file__).resolve().parent / "fixtures" / "reference_formats"
START = 1_772_712_000 * 1_000_000_000  # 2026-03-05T12:00:00Z in ns


def outcomes(warehouse: Warehouse) -> dict[tuple[str, str], int]:
    return {(source, outcome): count for source, outcome, count in warehouse.rows(
        "select source_system, record_outcome, record_count from fct_telemetry_record_accounting"
    )}


def test_reference_samples_of_every_source(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    raw = tmp_path / "raw"
    for name, folder in [("otlp_traces.jsonl", "traces/otlp"), ("litellm_spend_logs.jsonl", "logs/litellm"),
                         ("bedrock_invocation_logs.jsonl", "logs/bedrock"), ("flat_llm_usage.jsonl", "logs/app")]:
        (raw / folder).mkdir(parents=True)
        shutil.copy(REFERENCE_SAMPLES / name, raw / folder / name)

    warehouse = build_warehouse(raw)

    assert outcomes(warehouse) == {
        # the flat sample has no timestamps: all six rows are quarantined, none dropped
        ("app_logs", "quarantined"): 6,
        # ConverseStream write, then read, via an application inference profile; an
        # untagged InvokeModel; a cross-region Converse; and a redelivered record
        ("bedrock_invocation_logs", "billed"): 4,
        ("bedrock_invocation_logs", "exact_duplicate"): 1,
        ("litellm_spend_logs", "billed"): 3,
        ("litellm_spend_logs", "failed_attempt"): 1,
        ("litellm_spend_logs", "proxy_cache_hit"): 1,
        # the OpenAI and Anthropic spans are the calls LiteLLM logged (same response ids)
        ("otlp_traces", "billed"): 2,
        ("otlp_traces", "cross_source_duplicate"): 2,
        ("otlp_traces", "exact_duplicate"): 1,
        ("otlp_traces", "failed_attempt"): 1,
        ("otlp_traces", "non_llm_span"): 8,
    }
    # LiteLLM's own spend agrees with ours where both price the call:
    # gpt-4o-mini: 816 x 0.15 + 1024 x 0.075 + 212 x 0.60 = 326.4 per M = 0.0003264
    # Sonnet 4.5: 310 x 3 + 3584 x 0.30 + 512 x 3.75 + 655 x 15 = 13750.2 per M = 0.0137502
    assert warehouse.rows(
        "select model, cost_usd, source_reported_cost_usd, attribution_rule, team, route"
        " from fct_llm_calls where source_system = 'litellm_spend_logs' and model like '%-4%'"
        " order by model"
    ) == [
        ("claude-sonnet-4-5", Decimal("0.0137502"), Decimal("0.0137502"), "gateway_team",
         "customer-experience", "/api/tickets/<ticket_id>/reply"),
        ("gpt-4o-mini", Decimal("0.0003264"), Decimal("0.0003264"), "gateway_team",
         "payments", "/v1/checkout/{cart_id}/summary"),
    ]
    # Bedrock logs exclude cache tokens from inputTokenCount: 18 + 6200 written, 42 + 6200 read
    assert warehouse.rows(
        "select input_tokens, uncached_input_tokens, cache_read_tokens, cache_write_tokens, team, route"
        " from fct_llm_calls where source_system = 'bedrock_invocation_logs'"
        " and service = 'support-bot' order by input_tokens"
    ) == [
        (6218, 18, 0, 6200, "customer-experience", "/api/tickets/<ticket_id>/reply"),
        (6242, 42, 6200, 0, "customer-experience", "/api/tickets/<ticket_id>/reply"),
    ]
    assert warehouse.rows(
        "select team, attribution_rule, environment from fct_llm_calls"
        " where source_system = 'bedrock_invocation_logs' and service = 'unknown'"
    ) == [("unattributed", "unattributed", "unknown")]


def test_mixed_conventions_in_one_trace_file(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    trace = "11111111111111111111111111111111"
    resource = {"service.name": "research-agent", "deployment.environment": "prd"}
    root = otlp_span(trace, "00000000000000b0", "", 1, START, {
        "openinference.span.kind": "CHAIN",
        "metadata": json.dumps({"team": "research", "route": "/agent/{session_id}/step"}),
    })
    openinference_bedrock = otlp_span(trace, "00000000000000b1", root["spanId"], 1, START + 1, {
        "openinference.span.kind": "LLM", "llm.provider": "aws", "llm.system": "anthropic",
        "llm.model_name": "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "llm.token_count.prompt": 1276, "llm.token_count.completion": 180,
        "llm.token_count.prompt_details.cache_read": 1024,
    })
    openllmetry_legacy = otlp_span(trace, "00000000000000b2", root["spanId"], 3, START + 2, {
        "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.prompt_tokens": 2000, "gen_ai.usage.completion_tokens": 100,
        "gen_ai.usage.cache_read_input_tokens": 1000,
        "traceloop.association.properties.team": "growth",
    })
    flat_attributes = otlp_span(trace, "00000000000000b3", root["spanId"], 3, START + 3, {
        "llm.provider": "openai", "llm.model": "gpt-4o-mini", "llm.input_tokens": 1000,
        "llm.output_tokens": 50, "url.path": "/agent/5f0c2d1e-8a8b-4c2a-9d4e-1f2a3b4c5d6e/retry",
    })
    gemini = otlp_span(trace, "00000000000000b4", root["spanId"], 3, START + 4, {
        "gen_ai.provider.name": "gcp.vertex_ai", "gen_ai.request.model": "gemini-2.5-flash",
        "gen_ai.usage.input_tokens": 6000, "gen_ai.usage.output_tokens": 300,
        "gen_ai.usage.reasoning.output_tokens": 700,
    })
    raw = tmp_path / "raw"
    write_jsonl(raw / "traces/otlp/2026-03-05/mixed.jsonl", [
        otlp_traces_data(resource, [root, openinference_bedrock, openllmetry_legacy]),
        otlp_traces_data(resource, [flat_attributes, gemini]),
    ])

    warehouse = build_warehouse(raw)

    assert warehouse.rows(
        "select provider, team, attribution_rule, environment, route, input_tokens,"
        " cache_read_tokens, output_tokens, reasoning_tokens, usage_rule"
        " from fct_llm_calls order by provider, input_tokens"
    ) == [
        # OpenInference's Bedrock prompt count excludes the cache read: 1276 + 1024
        ("aws_bedrock", "research", "ancestor_span", "production", "/agent/{session_id}/step",
         2300, 1024, 180, 0, "openinference"),
        # Gemini: 300 candidates + 700 thinking tokens are billed as output
        ("google", "research", "ancestor_span", "production", "/agent/{session_id}/step",
         6000, 0, 1000, 700, "otel_genai"),
        ("openai", "research", "ancestor_span", "production", "/agent/{session_id}/step",
         1000, 0, 50, 0, "flat_llm"),
        ("openai", "growth", "llm_span", "production", "/agent/{session_id}/step",
         2000, 1000, 100, 0, "otel_genai_legacy"),
    ]


def test_route_template_from_a_raw_path(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    trace = "22222222222222222222222222222222"
    server = otlp_span(trace, "00000000000000c0", "", 2, START, {
        "url.path": "/v2/orders/8842/items/3fa85f64-5717-4562-b3fc-2c963f66afa6?expand=all",
    })
    # the CLIENT span's path is the vendor's endpoint, not one of ours
    span = otlp_span(trace, "00000000000000c1", server["spanId"], 3, START, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1,
        "url.path": "/v1/chat/completions",
    })
    raw = tmp_path / "raw"
    write_jsonl(raw / "traces/otlp/t.jsonl", [otlp_traces_data({"service.name": "shop"}, [server, span])])
    assert build_warehouse(raw).rows("select route from fct_llm_calls") == [("/v2/orders/{id}/items/{uuid}",)]


def litellm_row(request_id: str, status: str, prompt: int, completion: int, **extra: Any) -> dict[str, Any]:
    return {
        "request_id": request_id, "call_type": "acompletion", "status": status,
        "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "spend": 0.0, "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion, "startTime": extra.pop("startTime", "2026-03-05T12:00:00Z"),
        "model": "gpt-4o-mini", "model_group": "gpt-4o-mini", "custom_llm_provider": "openai",
        "metadata": {"spend_logs_metadata": {"service": "checkout-api", "env": "production"}},
        "cache_hit": "False", "messages": [{"role": "user", "content": "hello"}], **extra,
    }


def test_one_call_seen_by_two_sources_and_a_retry_chain(
    tmp_path: Path, build_warehouse: BuildWarehouse
) -> None:
    trace, parent = "33333333333333333333333333333333", "00000000000000d0"
    server = otlp_span(trace, parent, "", 2, START, {"http.route": "/v1/checkout"})
    usage = {"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
             "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000}
    failed_1 = otlp_span(trace, "00000000000000d1", parent, 3, START + 1_000_000,
                         {**{k: v for k, v in usage.items() if "usage" not in k}, "error.type": "429"},
                         status={"code": 2})
    failed_2 = otlp_span(trace, "00000000000000d2", parent, 3, START + 2_000_000,
                         {k: v for k, v in usage.items() if "usage" not in k}, status={"code": 2})
    success = otlp_span(trace, "00000000000000d3", parent, 3, START + 3_000_000,
                        {**usage, "gen_ai.response.id": "chatcmpl-ABC"})
    raw = tmp_path / "raw"
    write_jsonl(raw / "traces/otlp/t.jsonl", [otlp_traces_data(
        {"service.name": "checkout-api", "team.id": "payments", "deployment.environment.name": "production"},
        [server, failed_1, failed_2, success],
    )])
    write_jsonl(raw / "logs/litellm/s.jsonl", [
        litellm_row("chatcmpl-ABC", "success", 1_000_000, 100_000, spend=0.21),
        litellm_row("0b6c-failure", "failure", 0, 0),
    ])

    warehouse = build_warehouse(raw)

    # 1M x 0.15 + 0.1M x 0.60 = 0.21, billed once, from LiteLLM, with the span's team and route
    assert warehouse.rows(
        "select source_system, team, attribution_rule, route, attempt_number, cost_usd"
        " from fct_llm_calls"
    ) == [("litellm_spend_logs", "payments", "matched_otlp_traces", "/v1/checkout", 1, Decimal("0.21"))]
    assert outcomes(warehouse) == {
        ("litellm_spend_logs", "billed"): 1, ("litellm_spend_logs", "failed_attempt"): 1,
        ("otlp_traces", "cross_source_duplicate"): 1, ("otlp_traces", "failed_attempt"): 2,
        ("otlp_traces", "non_llm_span"): 1,
    }
    assert warehouse.rows(
        "select record_outcome, attempt_number from intermediate.int_llm_call_records_classified"
        " where source_system = 'otlp_traces' order by called_at"
    ) == [("failed_attempt", 1), ("failed_attempt", 2), ("cross_source_duplicate", None)]


def test_bad_records_in_every_source_are_quarantined(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    raw = tmp_path / "raw"
    write_jsonl(raw / "logs/litellm/2026/03/05/a.jsonl.gz", [
        litellm_row("ok-1", "success", 100, 10),
        litellm_row("neg-1", "success", -100, 10),
        litellm_row("when-1", "success", 100, 10, startTime="not a time"),
    ], compress=True)
    (raw / "logs/litellm/2026/03/05/b.jsonl").write_text('{"request_id": "cut-off", "spend"\n', encoding="utf-8")
    csv_metadata = json.dumps({"spend_logs_metadata": {"team": "search", "service": "ranker"}}).replace('"', '""')
    (raw / "logs/litellm/2026/03/05/export.csv").write_text(
        "request_id,status,startTime,model,custom_llm_provider,prompt_tokens,completion_tokens,metadata\n"
        f'csv-1,success,2026-03-05 12:00:00,gpt-4o-mini,openai,1000000,0,"{csv_metadata}"\n',
        encoding="utf-8",
    )
    write_jsonl(raw / "logs/bedrock/2026/03/05/part.json.gz", [
        {"schemaType": "ModelInvocationLog", "timestamp": "2026-03-05T12:00:00Z", "requestId": "r1",
         "accountId": "123456789012", "region": "us-east-1", "modelId": "amazon.nova-micro-v1:0",
         "input": {"inputTokenCount": "12a"}, "output": {"outputTokenCount": 1}},
        {"schemaType": "SomethingElse", "timestamp": "2026-03-05T12:00:00Z"},
    ], compress=True)

    warehouse = build_warehouse(raw)

    assert warehouse.rows(
        "select source_system, quarantine_reason, count(*) from fct_llm_quarantined_records"
        " group by all order by all"
    ) == [
        ("bedrock_invocation_logs", "invalid_token_count", 1),
        ("bedrock_invocation_logs", "malformed_json", 1),
        ("litellm_spend_logs", "invalid_timestamp", 1),
        ("litellm_spend_logs", "invalid_token_count", 1),
        ("litellm_spend_logs", "malformed_json", 1),
    ]
    # the CSV export's metadata is JSON text: 1M x 0.15 = 0.15 for team search
    assert warehouse.rows("select request_id, team, service, cost_usd from fct_llm_calls order by 1") == [
        ("csv-1", "search", "ranker", Decimal("0.15")),
        # 100 x 0.15 + 10 x 0.60 = 21 per M; no team in the row, so the owner of checkout-api
        ("ok-1", "payments", "checkout-api", Decimal("0.000021")),
    ]


CANARY = "CANARY-7f3e9d"


def test_prompt_content_and_keys_never_leave_staging(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    span = otlp_span("44444444444444444444444444444444", "00000000000000e1", "", 3, START, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1,
        "gen_ai.prompt": f"{CANARY} tell me a secret", "gen_ai.completion": f"{CANARY} no",
        "llm.input_messages.0.message.content": f"{CANARY} hi",
    })
    raw = tmp_path / "raw"
    write_jsonl(raw / "traces/otlp/t.jsonl", [otlp_traces_data({"service.name": "s"}, [span])])
    write_jsonl(raw / "logs/litellm/l.jsonl", [litellm_row(
        "leak-1", "success", 10, 1, api_key=f"sk-{CANARY}",
        messages=[{"role": "user", "content": CANARY}], response={"content": CANARY},
    )])
    write_jsonl(raw / "logs/bedrock/b.jsonl", [{
        "schemaType": "ModelInvocationLog", "timestamp": "2026-03-05T12:00:00Z", "requestId": "b-1",
        "modelId": "amazon.nova-micro-v1:0", "input": {"inputTokenCount": 5, "inputBodyJson": {"p": CANARY}},
        "output": {"outputTokenCount": 1, "outputBodyJson": {"c": CANARY}},
    }])
    write_jsonl(raw / "logs/app/a.jsonl", [{"timestamp": "oops", "prompt": CANARY}])

    warehouse = build_warehouse(raw)

    columns = warehouse.rows(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema not in ('raw', 'staging') and data_type = 'VARCHAR'"
    )
    assert columns, "expected relations to scan"
    leaks = [
        (schema, table, column) for schema, table, column in columns
        if warehouse.scalar(
            f'select count(*) from "{schema}"."{table}" where "{column}" like \'%{CANARY}%\''
        )
    ]
    assert leaks == []
    forbidden = {"messages", "response", "api_key", "prompt", "completion", "record_text"}
    assert [c for c in columns if c[2] in forbidden] == []
