"""The issue's worked example, through app logs and through OTLP traces.

Team A: OpenAI gpt-5.4-mini, 18M input + 6M output tokens, no cache:
    18 x $0.75 + 6 x $4.50 = $40.50
Team B: Anthropic claude-sonnet-4-20250514 (Claude Sonnet 4), 40M + 12M:
    40 x $3.00 + 12 x $15.00 = $300.00
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import BuildWarehouse, otlp_span, otlp_traces_data, write_jsonl

# (team, service, route, provider, model, calls, input tokens per call, output tokens per call)
WORKLOADS = [
    ("team-a", "checkout-api", "/v1/carts/{cart_id}", "openai", "gpt-5.4-mini", 3, 6_000_000, 2_000_000),
    ("team-b", "support-bot", "/v1/tickets/{ticket_id}", "anthropic", "claude-sonnet-4-20250514",
     4, 10_000_000, 3_000_000),
]
EXPECTED_COST = {"team-a": Decimal("40.50"), "team-b": Decimal("300.00")}
FIRST_CALL_EPOCH = 1_763_625_600  # 2025-11-20T08:00:00Z


def app_log_rows() -> list[dict[str, Any]]:
    rows = []
    for team, service, route, provider, model, calls, input_tokens, output_tokens in WORKLOADS:
        for call in range(calls):
            rows.append({
                "timestamp": FIRST_CALL_EPOCH + 3600 * call,
                "request_id": f"{team}-{call}",
                "team.id": team,
                "service.name": service,
                "deployment.environment": "production",
                "http.route": route,
                "llm.provider": provider,
                "llm.model": model,
                "llm.input_tokens": input_tokens,
                "llm.output_tokens": output_tokens,
            })
    return rows


def otlp_lines() -> list[dict[str, Any]]:
    lines = []
    for number, (team, service, route, provider, model, calls, input_tokens, output_tokens) in enumerate(WORKLOADS):
        for call in range(calls):
            trace_id = f"{number:016x}{call:016x}"
            start = (FIRST_CALL_EPOCH + 3600 * call) * 1_000_000_000
            server = otlp_span(trace_id, f"{number:08x}{call:04x}0001", "", 2, start, {"http.route": route})
            llm = otlp_span(trace_id, f"{number:08x}{call:04x}0002", server["spanId"], 3, start + 10, {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider,
                "gen_ai.request.model": model,
                "gen_ai.usage.input_tokens": input_tokens,
                "gen_ai.usage.output_tokens": output_tokens,
            })
            resource = {"service.name": service, "deployment.environment.name": "production", "team.id": team}
            lines.append(otlp_traces_data(resource, [server, llm]))
    return lines


@pytest.mark.parametrize("source", ["app_logs", "otlp_traces"])
def test_worked_example_costs_to_the_cent(source: str, tmp_path: Path,
                                          build_warehouse: BuildWarehouse) -> None:
    raw = tmp_path / "raw"
    if source == "app_logs":
        write_jsonl(raw / "logs/app/2025/11/20/calls.jsonl", app_log_rows())
    else:
        write_jsonl(raw / "traces/otlp/2025/11/20/traces.jsonl", otlp_lines())

    warehouse = build_warehouse(raw)

    assert warehouse.cost_by("team") == EXPECTED_COST
    assert dict(warehouse.rows("select team, sum(cost_usd) from fct_llm_cost_by_team group by 1")) == EXPECTED_COST
    assert warehouse.rows(
        "select team, route, sum(input_tokens), sum(output_tokens), sum(call_count)"
        " from fct_llm_cost_daily group by all order by team"
    ) == [
        ("team-a", "/v1/carts/{cart_id}", 18_000_000, 6_000_000, 3),
        ("team-b", "/v1/tickets/{ticket_id}", 40_000_000, 12_000_000, 4),
    ]
    assert warehouse.rows("select distinct model, price_id from fct_llm_calls order by 1") == [
        ("claude-sonnet-4-0", "anthropic-claude-sonnet-4-0-global-start"),
        ("gpt-5.4-mini", "openai-gpt-5.4-mini-global-start"),
    ]
