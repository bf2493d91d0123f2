"""Reading raw exports: absent folders, compressed files, CSV, bad records,
duplicates, and the route of an LLM span taken from its SERVER ancestor."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

from conftest import BuildWarehouse, otlp_span, otlp_traces_data, write_jsonl

MARTS = ["fct_llm_calls", "fct_llm_cost_daily", "fct_llm_cost_by_team", "fct_llm_cost_by_service",
         "fct_llm_cost_by_route", "fct_llm_cost_by_environment", "fct_llm_quarantined_records"]
NOON = 1_772_712_000  # 2026-03-05T12:00:00Z


def test_absent_source_folders_give_empty_marts(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    warehouse = build_warehouse(tmp_path / "no-such-folder")
    for mart in MARTS:
        assert warehouse.scalar(f"select count(*) from {mart}") == 0, mart


def app_row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "timestamp": "2026-03-05T13:00:00+01:00", "team.id": "search", "service.name": "ranker",
        "deployment.environment": "PROD", "job.name": "rerank-batch", "llm.provider": "openai",
        "llm.model": "gpt-4o-mini-2024-07-18", "llm.input_tokens": 1_000_000,
        "llm.output_tokens": 100_000, "llm.cache_read_tokens": 400_000,
    }
    row.update(overrides)
    return row


def test_app_logs_in_every_encoding_with_bad_records_quarantined(
    tmp_path: Path, build_warehouse: BuildWarehouse
) -> None:
    raw = tmp_path / "raw"
    good = app_row()
    write_jsonl(raw / "logs/app/2026/03/05/a.jsonl", [
        good,
        good,  # the same record delivered twice: billed once
        app_row(**{"llm.input_tokens": -5}),
        app_row(timestamp=None),
        app_row(**{"llm.provider": "acme-ai"}),
        app_row(**{"llm.cache_read_tokens": 2_000_000, "request_id": "exclusive"}),
    ])
    with (raw / "logs/app/2026/03/05/a.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"timestamp": 1772712000, "llm.provider": "openai"\n')
    write_jsonl(raw / "logs/app/2026/03/06/b.jsonl.gz",
                [app_row(timestamp=NOON + 86_400, **{"deployment.environment": "prd"})], compress=True)
    # two gzipped CSV files: DuckDB holds a read buffer per gzipped file (raw_csv_buffer_bytes)
    header = "timestamp,service.name,llm.provider,llm.model,llm.input_tokens,llm.output_tokens,note\n"
    for name, row in (
        ("c", f'{(NOON + 86_400) * 1000},ranker,OpenAI,gpt-4o-mini,2000000,0,"a prompt on\ntwo lines, quoted"\n'),
        ("d", "not-a-time,ranker,openai,gpt-4o-mini,1,1,\n"),
    ):
        (raw / f"logs/app/2026/03/06/{name}.csv.gz").write_bytes(gzip.compress((header + row).encode()))

    warehouse = build_warehouse(raw)

    assert warehouse.rows(
        "select quarantine_reason, count(*) from fct_llm_quarantined_records group by 1 order by 1"
    ) == [("invalid_timestamp", 1), ("invalid_token_count", 1), ("malformed_json", 1),
          ("missing_timestamp", 1), ("unknown_provider", 1)]
    # gpt-4o-mini: 0.15 in, 0.075 cache read, 0.60 out per million tokens.
    # JSONL call: 0.6M x 0.15 + 0.4M x 0.075 + 0.1M x 0.60 = 0.09 + 0.03 + 0.06 = 0.18
    # A 2M cache read against 1M input can only mean input excludes the cache:
    # 1M x 0.15 + 2M x 0.075 + 0.1M x 0.60 = 0.36, so day 1 is 0.18 + 0.36 = 0.54
    # CSV call (no team, epoch ms, unowned service, a newline in a quoted field): 2M x 0.15 = 0.30
    assert warehouse.rows(
        "select usage_date::varchar, team, environment, route, call_count, cost_usd"
        " from fct_llm_cost_daily order by all"
    ) == [
        ("2026-03-05", "search", "production", "rerank-batch", 2, Decimal("0.54")),
        ("2026-03-06", "search", "production", "rerank-batch", 1, Decimal("0.18")),
        ("2026-03-06", "unattributed", "unknown", "unknown", 1, Decimal("0.30")),
    ]


def test_otlp_route_comes_from_the_server_ancestor(tmp_path: Path, build_warehouse: BuildWarehouse) -> None:
    start = NOON * 1_000_000_000
    trace = "0af7651916cd43dd8448eb211c80319c"
    server = otlp_span(trace, "00000000000000a1", "", 2, start, {"http.route": "/v1/answers/{id}"})
    chain = otlp_span(trace, "00000000000000a2", server["spanId"], 1, start + 1, {})
    usage = {"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-20250514",
             "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000,
             "gen_ai.usage.cache_read.input_tokens": 500_000,
             "gen_ai.usage.cache_creation.input_tokens": 100_000}
    llm = otlp_span(trace, "00000000000000a3", chain["spanId"], 3, start + 2, usage)
    # a CLIENT span's http.route is the vendor's endpoint; a route set on purpose counts
    own_route = otlp_span(trace, "00000000000000a4", chain["spanId"], 3, start + 3,
                          {**usage, "http.route": "/v1/messages",
                           "traceloop.association.properties.route": "/internal/summarise"})
    failed = otlp_span(trace, "00000000000000a5", chain["spanId"], 3, start + 4,
                       {"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-20250514"},
                       status={"code": 2})
    resource = {"service.name": "answers", "deployment.environment": "staging", "team.id": "qa"}
    first_half = otlp_traces_data(resource, [server, chain, llm])
    second_half = otlp_traces_data(resource, [own_route, failed])
    raw = tmp_path / "raw"
    write_jsonl(raw / "traces/otlp/day1/part-1.jsonl", [first_half, second_half])
    write_jsonl(raw / "traces/otlp/day2/part-1.json.gz", [second_half], compress=True)  # redelivered
    (raw / "traces/otlp/day2/broken.jsonl").write_text("{not json\n", encoding="utf-8")

    warehouse = build_warehouse(raw)

    # Claude Sonnet 4: 3.00 in, 0.30 cache read, 3.75 cache write, 15.00 out per million.
    # 0.4M x 3 + 0.5M x 0.30 + 0.1M x 3.75 + 0.1M x 15 = 1.2 + 0.15 + 0.375 + 1.5 = 3.225
    assert warehouse.rows(
        "select route, environment, call_count, cost_usd from fct_llm_cost_daily order by route"
    ) == [
        ("/internal/summarise", "staging", 1, Decimal("3.225")),
        ("/v1/answers/{id}", "staging", 1, Decimal("3.225")),
    ]
    assert warehouse.rows("select quarantine_reason from fct_llm_quarantined_records") == [("malformed_json",)]
