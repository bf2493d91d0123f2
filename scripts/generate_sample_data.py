"""Write the bundled sample exports under data/sample/ (deterministic).

Four days of traffic from four owned services and one unowned service, two
environments, several providers and models, in two telemetry sources: app logs (JSONL and CSV)
and OTLP traces. On purpose it also holds calls without any team, a little
usage of a model missing from the price book (below the unpriced-share
warning, so the sample's nightly run is clean), an exact duplicate span and
a failed attempt without usage.

    python scripts/generate_sample_data.py [output_dir]
"""

from __future__ import annotations

import csv
import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = datetime(2026, 11, 20, tzinfo=UTC)
DAYS = 4


@dataclass(frozen=True)
class Workload:
    team: str | None
    service: str
    route: str | None
    job: str | None
    provider: str
    model: str
    environments: tuple[str, ...]
    calls_per_day: int


WORKLOADS = (
    Workload("payments", "checkout-api", "/v1/checkout/{cart_id}/summary", None,
             "openai", "gpt-5.4-mini", ("production", "staging"), 12),
    Workload("customer-experience", "support-bot", "/api/tickets/{ticket_id}/reply", None,
             "anthropic", "claude-sonnet-4-20250514", ("prod", "staging"), 10),
    Workload("search", "doc-indexer", None, "nightly-reindex",
             "aws.bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0", ("production",), 6),
    Workload(None, "insights-worker", None, "weekly-insights",
             "gcp.gemini", "gemini-2.5-flash", ("prd",), 5),
    Workload(None, "growth-experiments", "/experiments/{experiment_id}/copy", None,
             "openai", "gpt-4o-mini-2024-07-18", ("staging",), 3),
    Workload("payments", "checkout-api", "/v1/fraud/explain", None,
             "openai", "gpt-9-preview", ("production",), 1),
)


def usage(rng: random.Random) -> dict[str, int]:
    input_tokens = rng.randint(400, 6000)
    cache_read = rng.choice([0, 0, 256, 1024]) if input_tokens > 1100 else 0
    output_tokens = rng.randint(50, 900)
    return {
        "input": input_tokens,
        "output": output_tokens,
        "cache_read": cache_read,
        "reasoning": rng.choice([0, 0, output_tokens // 4]),
    }


def app_log_row(workload: Workload, at: datetime, environment: str,
                tokens: dict[str, int], request_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "timestamp": at.isoformat(),
        "request_id": request_id,
        "service.name": workload.service,
        "deployment.environment": environment,
        "llm.provider": workload.provider,
        "llm.model": workload.model,
        "llm.input_tokens": tokens["input"],
        "llm.output_tokens": tokens["output"],
        "llm.cache_read_tokens": tokens["cache_read"],
        "llm.cache_write_tokens": 0,
        "llm.reasoning_tokens": tokens["reasoning"],
    }
    if workload.team:
        row["team.id"] = workload.team
    if workload.route:
        row["http.route"] = workload.route
    if workload.job:
        row["job.name"] = workload.job
    return row


def attribute(key: str, value: str | int) -> dict[str, Any]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def otlp_line(workload: Workload, at: datetime, environment: str,
              tokens: dict[str, int] | None, rng: random.Random) -> dict[str, Any]:
    trace_id = f"{rng.getrandbits(128):032x}"
    server_id, llm_id = f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}"
    start = int(at.timestamp() * 1e9)
    resource = [attribute("service.name", workload.service),
                attribute("deployment.environment.name", environment)]
    if workload.team:
        resource.append(attribute("team.id", workload.team))
    llm_attributes = [attribute("gen_ai.operation.name", "chat"),
                      attribute("gen_ai.provider.name", workload.provider),
                      attribute("gen_ai.request.model", workload.model)]
    status: dict[str, Any] = {}
    if tokens is None:
        llm_attributes.append(attribute("error.type", "timeout"))
        status = {"code": 2, "message": "request timed out"}
    else:
        llm_attributes += [attribute("gen_ai.response.model", workload.model),
                           attribute("gen_ai.usage.input_tokens", tokens["input"]),
                           attribute("gen_ai.usage.output_tokens", tokens["output"]),
                           attribute("gen_ai.usage.cache_read.input_tokens", tokens["cache_read"])]
    server_span = {"traceId": trace_id, "spanId": server_id, "parentSpanId": "",
                   "name": f"POST {workload.route}", "kind": 2,
                   "startTimeUnixNano": str(start - 5_000_000),
                   "endTimeUnixNano": str(start + 2_000_000_000),
                   "attributes": [attribute("http.route", workload.route or "")],
                   "status": {}}
    llm_span = {"traceId": trace_id, "spanId": llm_id, "parentSpanId": server_id,
                "name": f"chat {workload.model}", "kind": 3,
                "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 1_500_000_000),
                "attributes": llm_attributes, "status": status}
    return {"resourceSpans": [{"resource": {"attributes": resource}, "scopeSpans": [
        {"scope": {"name": "opentelemetry.instrumentation.fastapi"}, "spans": [server_span]},
        {"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "spans": [llm_span]},
    ]}]}


def generate(output_dir: Path) -> None:
    rng = random.Random(20261120)
    for day in range(DAYS):
        date = FIRST_DAY + timedelta(days=day)
        app_rows: list[dict[str, Any]] = []
        traces: list[dict[str, Any]] = []
        for workload in WORKLOADS:
            for call in range(workload.calls_per_day):
                at = date + timedelta(seconds=rng.randint(0, 86_399))
                environment = workload.environments[call % len(workload.environments)]
                tokens = usage(rng)
                if workload.model == "gpt-9-preview":
                    tokens = {bucket: count // 8 for bucket, count in tokens.items()}
                if workload.service == "checkout-api":
                    traces.append(otlp_line(workload, at, environment, tokens, rng))
                else:
                    request_id = f"req_{rng.getrandbits(48):012x}"
                    app_rows.append(app_log_row(workload, at, environment, tokens, request_id))
        checkout = WORKLOADS[0]
        traces.append(otlp_line(checkout, date + timedelta(hours=9), "production", None, rng))
        traces.append(traces[0])  # the same export batch delivered twice
        day_path = f"{date:%Y/%m/%d}"
        write_app_logs(output_dir / "logs/app" / day_path, app_rows)
        write_lines(output_dir / "traces/otlp" / day_path / "traces.jsonl", traces)


def write_lines(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records)
    path.write_text(text, encoding="utf-8")


def write_app_logs(folder: Path, rows: list[dict[str, Any]]) -> None:
    """JSONL for the LLM services, CSV for the batch indexer (both are read)."""
    csv_rows = [row for row in rows if row["service.name"] == "doc-indexer"]
    json_rows = [row for row in rows if row["service.name"] != "doc-indexer"]
    write_lines(folder / "calls.jsonl", json_rows)
    columns = sorted({key for row in csv_rows for key in row})
    with (folder / "batch_calls.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(csv_rows)


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "data/sample")
