"""`llm-cost audit` and `llm-cost compare` (llm_cost_cli/) on a hand-made fixture tree of every format.

The tree mixes every source, as files come out of systems (names and folders that say nothing,
gzip with and without `.gz`), with files the command must skip. Prices (seeds/prices/llm_prices.csv,
USD per million tokens in / out):
    gpt-4.1-mini 0.40 / 1.60    o3 2 / 8    gpt-4o-mini 0.15 / 0.60    claude-sonnet-4-5 3 / 15
    Bedrock anthropic.claude-3-5-haiku-20241022 (regional) 0.80 / 4
so:
    alpha  alpha-api    app logs (gzip, named .log.gz): 3 x gpt-4.1-mini 1M in + 100k out = 3 x 0.56 = 1.68
                        + 1 call of gpt-9-preview (unpriced)
    (none) beta-worker  app logs: 2 x o3 100k in + 10k out = 2 x 0.28 = 0.56 (one line delivered twice),
                        no team (unattributed) and no cost center; + 1 line without timestamp (quarantined)
    gamma  gamma-batch  app logs CSV: 2 x gpt-4o-mini 1M in + 1M out = 2 x 0.75 = 1.50
    delta  delta-web    OTLP: 2 traces, route on the SERVER span only; in trace 2 a failed attempt
                        (no usage) is retried: 2 x sonnet-4-5 100k in + 10k out = 2 x 0.45 = 0.90;
                        + a span with a non-numeric token count and a truncated batch line (quarantined)
    epsilon eps-gw      LiteLLM: gpt-4o-mini 1M in + 500k out = 0.45; + a proxy cache hit
    zeta   zeta-svc     Bedrock (gzip, no .gz name): haiku 1M in + 100k out = 1.20, delivered twice, no route
total 1.68 + 0.56 + 1.50 + 0.90 + 0.45 + 1.20 = 6.29 (12 billed calls, 11 priced)
Invoices: an OpenAI costs page (gpt-4.1-mini 1.68 of tokens + a 0.10 web search) and the sample's
Anthropic report, CUR (gzip) and FOCUS export.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_ROOT, once_per_run, otlp_span, otlp_traces_data

if str(PROJECT_ROOT) not in sys.path:  # the package, also when the project is not installed in the venv
    sys.path.insert(0, str(PROJECT_ROOT))

SAMPLE_INVOICES = PROJECT_ROOT / "data/sample/invoices"
NOV = "2026-11-10T{}:00:00+00:00"


def app_call(hour: int, request_id: str, **fields: Any) -> dict[str, Any]:
    return {"timestamp": NOV.format(f"{hour:02d}"), "request_id": request_id, "llm.provider": "openai", **fields}


def write_tree(root: Path) -> Path:
    tree = root / "export"
    alpha = {"team.id": "alpha", "service.name": "alpha-api", "deployment.environment": "production",
             "http.route": "/v1/answer", "cost_center": "CC-1"}
    lines = [app_call(9 + n, f"alpha-{n}", **alpha, **{"llm.model": "gpt-4.1-mini", "llm.input_tokens": 1_000_000,
                                                       "llm.output_tokens": 100_000}) for n in range(3)]
    lines.append(app_call(13, "alpha-preview", **alpha, **{"llm.model": "gpt-9-preview", "llm.input_tokens": 1000,
                                                           "llm.output_tokens": 100}))
    beta = {"service.name": "beta-worker", "deployment.environment": "staging", "job.name": "nightly-digest",
            "llm.model": "o3", "llm.input_tokens": 100_000, "llm.output_tokens": 10_000}
    lines += [app_call(14, "beta-1", **beta), app_call(15, "beta-2", **beta), app_call(15, "beta-2", **beta)]
    lines.append({"request_id": "beta-3", "llm.provider": "openai", **beta})  # no timestamp: quarantined
    (tree / "app/2026-11-10").mkdir(parents=True)
    (tree / "app/2026-11-10/part-0.log.gz").write_bytes(
        gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode()))
    with (tree / "app/batch.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "request_id", "team.id", "cost_center", "service.name",
                         "deployment.environment", "job.name", "llm.provider", "llm.model", "llm.input_tokens",
                         "llm.output_tokens"])
        for n in range(2):
            writer.writerow([NOV.format(f"{16 + n}"), f"gamma-{n}", "gamma", "CC-3", "gamma-batch", "production",
                             "reindex", "openai", "gpt-4o-mini", 1_000_000, 1_000_000])

    start = 1_794_650_400 * 1_000_000_000  # 2026-11-10T08:00:00Z
    traces = []
    for number, attempts in enumerate((["ok"], ["failed", "ok"])):
        trace_id = f"{0xD1:016x}{number:016x}"
        server = otlp_span(trace_id, f"d1{number:06x}0001", "", 2, start + number * 10**12,
                           {"http.route": "/chat/{id}"})
        llm_spans = []
        for attempt, outcome in enumerate(attempts):
            attributes: dict[str, str | int] = {
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
                "gen_ai.request.model": "claude-sonnet-4-5"}
            if outcome == "ok":
                attributes |= {"gen_ai.response.id": f"msg_{number}_{attempt}",
                               "gen_ai.usage.input_tokens": 100_000, "gen_ai.usage.output_tokens": 10_000}
            else:
                attributes |= {"error.type": "overloaded_error"}
            llm_spans.append(otlp_span(
                trace_id, f"d1{number:06x}00{attempt + 2:02x}", server["spanId"], 3,
                start + number * 10**12 + (attempt + 1) * 10**10, attributes,
                status={"code": 2, "message": "overloaded"} if outcome == "failed" else None))
        if number == 1:  # a 4th span whose token count is not a number: quarantined, found on line 2
            llm_spans.append(otlp_span(
                trace_id, f"d1{number:06x}0009", server["spanId"], 3, start + number * 10**12 + 5 * 10**10,
                {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
                 "gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.usage.input_tokens": "many"}))
        traces.append(otlp_traces_data({"service.name": "delta-web", "deployment.environment.name": "production",
                                        "team.id": "delta", "cost_center": "CC-4"}, [server, *llm_spans]))
    (tree / "collector/otel").mkdir(parents=True)
    (tree / "collector/otel/trace-dump.json").write_text(  # line 3: a batch cut short (quarantined)
        "".join(json.dumps(t) + "\n" for t in traces) + '{"resourceSpans": [{"scopeSpans": [\n')

    gateway = {"request_id": "chatcmpl-eps-1", "call_type": "acompletion", "spend": 0.45, "prompt_tokens": 1_000_000,
               "completion_tokens": 500_000, "startTime": "2026-11-10T18:00:00Z", "endTime": "2026-11-10T18:00:05Z",
               "model": "gpt-4o-mini", "model_group": "gpt-4o-mini", "custom_llm_provider": "openai",
               "metadata": {"spend_logs_metadata": {"team": "epsilon", "service": "eps-gw", "route": "/gw/chat",
                                                    "env": "production", "cost_center": "CC-5"},
                            "status": "success", "additional_usage_values": {}},
               "cache_hit": "False", "status": "success"}
    cached = {**gateway, "request_id": "chatcmpl-eps-2", "cache_hit": "True", "startTime": "2026-11-10T18:01:00Z"}
    (tree / "gateway").mkdir()
    (tree / "gateway/spend.ndjson").write_text(json.dumps(gateway) + "\n" + json.dumps(cached) + "\n")

    invocation = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": "2026-11-10T19:00:00Z",
                  "accountId": "123456789012", "region": "us-east-1", "requestId": "zeta-req-1",
                  "operation": "Converse", "modelId": "anthropic.claude-3-5-haiku-20241022-v1:0",
                  "input": {"inputTokenCount": 1_000_000}, "output": {"outputTokenCount": 100_000},
                  "requestMetadata": {"team": "zeta", "service": "zeta-svc", "environment": "production",
                                      "cost_center": "CC-6"}}
    (tree / "aws/bedrock").mkdir(parents=True)
    (tree / "aws/bedrock/000001").write_bytes(gzip.compress(((json.dumps(invocation) + "\n") * 2).encode()))

    page = {"object": "page", "has_more": False, "next_page": None, "data": [{
        "object": "bucket", "start_time": 1_794_614_400, "end_time": 1_794_700_800, "results": [
            {"object": "organization.costs.result", "amount": {"value": "1.20", "currency": "usd"},
             "line_item": "gpt-4.1-mini-2025-04-14, input", "project_id": "proj_1", "quantity": 3_000_000,
             "quantity_unit": "tokens"},
            {"object": "organization.costs.result", "amount": {"value": "0.48", "currency": "usd"},
             "line_item": "gpt-4.1-mini-2025-04-14, output", "project_id": "proj_1", "quantity": 300_000,
             "quantity_unit": "tokens"},
            {"object": "organization.costs.result", "amount": {"value": "0.10", "currency": "usd"},
             "line_item": "web search tool calls", "project_id": "proj_1", "quantity": 10,
             "quantity_unit": "calls"},
        ]}]}
    (tree / "billing").mkdir()
    (tree / "billing/openai page.json").write_text(json.dumps(page, indent=2))
    shutil.copy(SAMPLE_INVOICES / "anthropic/2026-11/cost_report.json", tree / "billing/anthropic.json")
    cur = next((SAMPLE_INVOICES / "aws_cur").rglob("*.csv.gz"))
    shutil.copy(cur, tree / "billing/cur-00001.csv.gz")
    shutil.copy(SAMPLE_INVOICES / "focus/gcp/2026-11/focus_cost.csv", tree / "billing/focus.csv")

    (tree / "README.txt").write_text("exported by ops\n")
    (tree / "misc").mkdir()
    (tree / "misc/settings.json").write_text('{"retention_days": 30}\n')
    (tree / "misc/broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tree / "misc/empty.csv").write_text("")
    return tree


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llm_cost_cli", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=600, check=False, env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str, str]:
    """One audit of the tree, printed as tables and saved as JSON (--json-out), once per test run."""

    def audit(root: Path) -> None:
        write_tree(root)
        env = {"LLM_COST_AUDIT_CACHE": str(root / "cache")}
        result = run_cli("audit", str(root / "export"), "--top", "3", "--json-out", str(root / "report.json"), env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        (root / "stderr.txt").write_text(result.stderr)
        (root / "table.txt").write_text(result.stdout)

    root = once_per_run(tmp_path_factory, "audit_cli", audit)
    return (root / "export", json.loads((root / "report.json").read_text(), parse_float=Decimal),
            (root / "stderr.txt").read_text(), (root / "table.txt").read_text())


def d(value: str) -> Decimal:
    return Decimal(value)


def by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_every_format_is_detected_by_content_and_unknown_files_are_skipped(audited: Any) -> None:
    tree, report, _stderr, _table = audited
    formats = {Path(row["file"]).relative_to(tree).as_posix(): (row["format"], row["gzip"], row["status"])
               for row in report["inputs"]}
    assert formats["app/2026-11-10/part-0.log.gz"] == ("app logs (JSONL)", True, "read")
    assert formats["app/batch.csv"] == ("app logs (CSV)", False, "read")
    assert formats["collector/otel/trace-dump.json"] == ("OTLP/JSON traces", False, "read")
    assert formats["gateway/spend.ndjson"] == ("LiteLLM spend logs (JSONL)", False, "read")
    assert formats["aws/bedrock/000001"] == ("Bedrock invocation logs", True, "read")
    assert formats["billing/openai page.json"] == ("OpenAI Costs API pages", False, "read")
    assert formats["billing/anthropic.json"] == ("Anthropic cost report", False, "read")
    assert formats["billing/cur-00001.csv.gz"] == ("AWS CUR (CSV)", True, "read")
    assert formats["billing/focus.csv"] == ("FOCUS export (CSV)", False, "read")
    assert formats["README.txt"][2] == "skipped: line 1: neither a JSON object nor a CSV header"
    assert formats["misc/settings.json"][2] == "skipped: line 1: JSON matches no known source (keys: retention_days)"
    assert formats["misc/broken.jsonl.gz"][2].startswith("skipped: corrupt gzip stream")
    assert formats["misc/empty.csv"][2] == "skipped: empty file (no non-blank line)"


def test_totals_and_breakdowns_are_hand_computed(audited: Any) -> None:
    _tree, report, _stderr, _table = audited
    totals = report["totals"]
    assert (totals["billed_calls"], totals["priced_calls"], totals["unpriced_calls"]) == (12, 11, 1)
    assert totals["logical_requests"] == 12  # the failed attempt is not billed; its retry is
    assert totals["cost_usd"] == d("6.29")
    assert totals["sources"] == "app_logs, bedrock_invocation_logs, litellm_spend_logs, otlp_traces"
    # top 3 teams, the rest summed
    assert [(r["team"], r["calls"], r["cost_usd"]) for r in report["by_team"]] == [
        ("alpha", 4, d("1.68")), ("gamma", 2, d("1.5")), ("zeta", 1, d("1.2")),
        ("(3 others)", 5, d("1.91")),  # delta 0.90, unattributed 0.56, epsilon 0.45
    ]
    assert by(report["by_team"], "team")["alpha"]["cost_share_pct"] == d("26.71")  # 1.68 / 6.29
    assert [(r["provider"], r["cost_usd"]) for r in report["by_provider"]] == [
        ("openai", d("4.19")), ("aws_bedrock", d("1.2")), ("anthropic", d("0.9"))]
    assert by(report["by_environment"], "environment")["staging"]["cost_usd"] == d("0.56")
    assert by(report["by_route"], "route")["/v1/answer"]["cost_usd"] == d("1.68")
    assert by(report["by_model"], "model")["openai/gpt-4.1-mini"]["cost_usd"] == d("1.68")


def test_coverage_says_where_each_field_was_lost(audited: Any) -> None:
    _tree, report, _stderr, _table = audited
    coverage = by(report["coverage"], "field")
    # team: missing on beta-worker (2 calls, 0.56) of 12 calls, 6.29
    assert coverage["team"]["missing_calls"] == 2
    assert coverage["team"]["missing_cost_usd"] == d("0.56")
    assert coverage["team"]["calls_with_field_pct"] == d("83.33")
    assert coverage["team"]["cost_with_field_pct"] == d("91.10")
    # route: delta-web's is only on the SERVER span (0.90); zeta-svc has none (1.20)
    assert coverage["route"]["server_span_only_cost_usd"] == d("0.9")
    assert coverage["route"]["missing_cost_usd"] == d("1.2")
    detail = {(r["source"], r["service"], r["field"]): r for r in report["coverage_by_source_service"]}
    assert detail[("otlp_traces", "delta-web", "route")]["where_lost"] == \
        "only on a parent (SERVER) span, not the LLM span"
    assert detail[("app_logs", "beta-worker", "team")]["where_lost"] == "missing everywhere"
    assert [(r["rank"], r["service"], r["field"], r["missing_cost_usd"], r["missing_in_sources"])
            for r in report["fix_first"]] == [
        (1, "zeta-svc", "route", d("1.2"), "bedrock_invocation_logs"),
        (2, "beta-worker", "cost_center", d("0.56"), "app_logs"),
        (3, "beta-worker", "team", d("0.56"), "app_logs"),
    ]


def test_duplicates_retries_unpriced_and_quarantine(audited: Any) -> None:
    _tree, report, _stderr, _table = audited
    outcomes = {(r["source"], r["outcome"]): r["records"] for r in report["record_accounting"]}
    assert outcomes[("app_logs", "exact_duplicate")] == 1
    assert outcomes[("bedrock_invocation_logs", "exact_duplicate")] == 1
    assert outcomes[("litellm_spend_logs", "proxy_cache_hit")] == 1
    assert outcomes[("app_logs", "quarantined")] == 1
    assert outcomes[("otlp_traces", "failed_attempt")] == 1
    assert report["retries"] == [{"source": "otlp_traces", "retried_requests": 1, "retry_attempts": 1,
                                  "cost_usd": d("0.45")}]
    [unpriced] = report["unpriced"]
    assert (unpriced["reported_model"], unpriced["calls"], unpriced["reason"]) == ("gpt-9-preview", 1,
                                                                                  "unresolved_model")
    assert unpriced["estimate_usd"] > 0
    quarantine = {(Path(r["file"]).name, r["reason"]): r for r in report["quarantine"]}
    # the original file (not the link the build read), and the line: the 8th of part-0.log.gz
    assert quarantine[("part-0.log.gz", "missing_timestamp")]["lines"] == "8"
    assert quarantine[("trace-dump.json", "malformed_json")]["lines"] == "3"
    assert quarantine[("trace-dump.json", "invalid_token_count")]["lines"] == "2"
    assert outcomes[("otlp_traces", "quarantined")] == 2
    assert ("README.txt", "skipped: line 1: neither a JSON object nor a CSV header") in quarantine


def test_invoice_vs_attributed_per_provider(audited: Any) -> None:
    _tree, report, _stderr, _table = audited
    invoices = {(r["month"], r["provider"]): r for r in report["invoices"]}
    openai = invoices[("2026-11-01", "openai")]
    assert (openai["token_usage_usd"], openai["non_token_usd"], openai["computed_usd"]) == (
        d("1.68"), d("0.1"), d("4.19"))
    assert openai["unattributed_usd"] == d("0.56")  # beta-worker
    assert openai["attributed_usd"] == d("3.63")
    assert openai["unexplained_delta_usd"] == d("-2.51")  # 1.68 invoiced - 4.19 computed
    assert invoices[("2026-11-01", "anthropic")]["computed_usd"] == d("0.9")
    assert invoices[("2026-11-01", "aws_bedrock")]["computed_usd"] == d("1.2")


def test_table_output_prints_the_figures_and_progress_is_on_stderr(audited: Any) -> None:
    _tree, _report, _stderr, table = audited
    assert "Totals" in table and "Cost by team" in table and "Fields to fix first" in table
    assert "$6.29" in table and "$1.68" in table and "$1.50" in table and "26.71%" in table
    assert "(3 others)" in table and "zeta-svc" in table
    assert "Traceback" not in table


def test_formats_sections_and_clear_errors(audited: Any, tmp_path: Path) -> None:
    tree, _report, _stderr, _table = audited
    env = {"LLM_COST_AUDIT_CACHE": str(tmp_path / "cache")}
    unknown = run_cli("audit", str(tree / "README.txt"), str(tree / "misc"), env=env)
    assert unknown.returncode == 3
    assert "no input file of a known format" in unknown.stderr and "README.txt: line 1" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    csv_out = run_cli("audit", str(tree / "README.txt"), "--format", "csv", env=env)
    assert csv_out.returncode == 3
    missing = run_cli("audit", str(tree / "nope.jsonl"), env=env)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_compare_splits_the_delta_into_volume_mix_and_price(tmp_path: Path) -> None:
    """OLD: May 2025, 10 x o3 1,000 in + 500 out at 10 / 40 = $0.03 each ($0.30).
    NEW: June 2025, 15 x o3 2,000 in + 500 out at 2 / 8 = $0.008 each ($0.12; at May's prices $0.04 each,
    $0.60), and 4 x gpt-4o-mini 1,000 + 1,000 = $0.00075 each ($0.003) on a new route.
    delta = 0.123 - 0.30 = -0.177; volume = (19 - 10) x 0.03 = 0.27; price = 0.123 - 0.603 = -0.48;
    mix = -0.177 - 0.27 + 0.48 = 0.033."""
    def rows(month: int, count: int, model: str, tokens_in: int, tokens_out: int, job: str) -> str:
        return "".join(json.dumps({
            "timestamp": f"2025-{month:02d}-{12 + n:02d}T12:00:00+00:00", "request_id": f"{job}-{month}-{n}",
            "team.id": "analytics", "service.name": "insights-worker", "deployment.environment": "production",
            "job.name": job, "llm.provider": "openai", "llm.model": model, "llm.input_tokens": tokens_in,
            "llm.output_tokens": tokens_out}) + "\n" for n in range(count))
    (tmp_path / "old.jsonl").write_text(rows(5, 10, "o3", 1_000, 500, "weekly-insights"))
    (tmp_path / "new.jsonl").write_text(rows(6, 15, "o3", 2_000, 500, "weekly-insights")
                                        + rows(6, 4, "gpt-4o-mini", 1_000, 1_000, "monthly-digest"))
    result = run_cli("compare", str(tmp_path / "old.jsonl"), "--to", str(tmp_path / "new.jsonl"),
                     "--format", "json", env={"LLM_COST_AUDIT_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout, parse_float=Decimal)
    assert report["period"] == "month"
    drivers = {(r["dimension"], r["value"]): r for r in report["compare_drivers"]}
    total = drivers[("total", "all")]
    assert (total["old_priced_calls"], total["new_priced_calls"], total["old_cost_usd"], total["new_cost_usd"]) == (
        10, 19, d("0.3"), d("0.123"))
    assert (total["delta_usd"], total["volume_usd"], total["mix_usd"], total["price_usd"]) == (
        d("-0.177"), d("0.27"), d("0.033"), d("-0.48"))
    assert total["volume_usd"] + total["mix_usd"] + total["price_usd"] == total["delta_usd"]
    o3 = drivers[("model", "openai/o3")]
    assert (o3["delta_usd"], o3["volume_usd"], o3["mix_usd"], o3["price_usd"]) == (
        d("-0.18"), d("0.15"), d("0.15"), d("-0.48"))
    mini = drivers[("model", "openai/gpt-4o-mini")]
    assert (mini["volume_usd"], mini["mix_usd"], mini["price_usd"], mini["status"]) == (
        d("0.003"), d("0"), d("0"), "new")
    members = {(r["kind"], r["value"], r["status"]) for r in report["compare_new_vanished"]}
    assert members == {("model", "openai/gpt-4o-mini", "new"), ("route", "monthly-digest", "new")}
    coverage = by(report["compare_coverage"], "field")
    assert coverage["team"]["old_calls_pct"] == coverage["team"]["new_calls_pct"] == d("100")
    assert coverage["cost_center"]["calls_change_pp"] == d("0")
    totals = report["compare_totals"]
    assert (totals["old_cost_usd"], totals["new_cost_usd"], totals["cost_delta_usd"]) == (
        d("0.3"), d("0.123"), d("-0.177"))


def test_csv_markdown_and_json_renderings_keep_exact_figures() -> None:
    from llm_cost_cli.render import money, to_csv, to_json, to_markdown
    from llm_cost_cli.report import Section

    section = Section("by_team", "Cost by team", ["team", "calls", "cost_usd", "cost_share_pct"],
                      [["alpha", 4, d("1.680000000000"), d("26.71")], ["a|b", 1, d("0.000096"), None]])
    assert to_csv([section]) == ("section,team,calls,cost_usd,cost_share_pct\n"
                                 "by_team,alpha,4,1.68,26.71\nby_team,a|b,1,0.000096,\n")
    markdown = to_markdown([section])
    assert "| alpha | 4 | $1.68 | 26.71% |" in markdown and "| a\\|b | 1 | $0.000096 |  |" in markdown
    assert json.loads(to_json([section]), parse_float=Decimal)["by_team"][0]["cost_usd"] == d("1.68")
    assert (money(d("1234.5")), money(d("0.5")), money(d("-0.177")), money(d("0"))) == (
        "$1,234.50", "$0.50", "-$0.177", "$0.00")


def test_detection_reads_content_not_names(tmp_path: Path) -> None:
    import duckdb

    from llm_cost_cli.detect import detect

    (tmp_path / "x").write_text("request_id,call_type,spend,startTime,model\nr1,acompletion,0.1,2026-11-10,gpt\n")
    report = json.dumps({"data": [{"starting_at": "2026-11-10T00:00:00Z", "results": []}], "has_more": False},
                        indent=2)
    (tmp_path / "report.bin").write_bytes(gzip.compress(report.encode()))
    (tmp_path / "latin1.jsonl").write_bytes(b'\n{"llm.model": "caf\xe9"}\n')
    (tmp_path / "half.jsonl").write_text('\n\n{"llm.provider": "openai", \n')
    big_span = {"key": "gen_ai.prompt", "value": {"stringValue": "x" * 3_000_000}}
    (tmp_path / "big.json").write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"attributes": [big_span]}]}]}]}) + "\n" + json.dumps({"resourceSpans": []}) + "\n")
    duckdb.execute(f"copy (select 1.5 as BilledCost, 'Vertex AI' as ServiceName) to '{tmp_path / 'f.parquet'}'"
                   " (format parquet)")
    assert (detect(tmp_path / "x").kind, detect(tmp_path / "x").gzipped) == ("litellm_csv", False)
    assert (detect(tmp_path / "report.bin").kind, detect(tmp_path / "report.bin").gzipped) == (
        "anthropic_costs", True)
    assert detect(tmp_path / "f.parquet").kind == "focus_parquet"
    assert detect(tmp_path / "big.json").kind == "otlp_traces"  # a first line of megabytes is read whole
    assert detect(tmp_path / "latin1.jsonl").reason == "line 2: not UTF-8 text (byte 18 of the line)"
    assert detect(tmp_path / "half.jsonl").reason.startswith("line 3: not valid JSON")
