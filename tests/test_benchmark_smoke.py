"""The benchmark at smoke size, as a correctness check (timings are never asserted):
the generator's corpus holds every irregularity it promises and is reproducible,
and the full build, the nightly build after one more day and the hand-written
baseline all equal the generator's ground truth."""

from __future__ import annotations

import csv
import hashlib
import os
from datetime import date
from pathlib import Path

# scripts/ is on sys.path: conftest.py, which pytest imports first, puts it there.
import benchmark
import generate_corpus
from conftest import Warehouse, dbt_environment_for
from run_dbt import run_dbt

SMOKE_MIX = "app=0.6,otlp=0.3,litellm=0.1"


def file_digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def generate(out: Path, calls: int) -> dict[str, object]:
    return generate_corpus.generate(
        out / "raw", calls, 3, date(2026, 7, 28), generate_corpus.parse_mix(SMOKE_MIX), 7,
        out / "truth", rows_per_file=2_000, otlp_calls_per_line=20)


def test_corpus_is_reproducible_and_exercises_every_rule(tmp_path: Path) -> None:
    manifest = generate(tmp_path / "a", 20_000)
    generate(tmp_path / "b", 20_000)
    assert file_digests(tmp_path / "a") == file_digests(tmp_path / "b")

    sources = manifest["sources"]
    assert isinstance(sources, dict)
    app, otlp, litellm = sources["app_jsonl"], sources["otlp"], sources["litellm"]
    assert app["duplicated_records"] > 0 and sources["app_csv"]["duplicated_records"] > 0
    assert app["expected_quarantined_records"] > 0  # malformed lines, unknown providers
    assert app["attempts"] > app["calls"]  # retry chains, every attempt billed
    assert otlp["duplicated_lines"] > 0 and otlp["expected_quarantined_records"] > 0
    # failed attempts: most without usage (free), some with usage (billed)
    assert otlp["attempts_without_usage"] > 0 and otlp["billed_attempts"] > otlp["calls"]
    assert litellm["cache_hits"] > 0 and litellm["attempts_without_usage"] > 0
    assert len(list((tmp_path / "a/raw").glob("logs/app/jsonl/dt=*/part=*/*.jsonl"))) > 3

    with (tmp_path / "a/truth/daily.csv").open(encoding="utf-8", newline="") as handle:
        truth = list(csv.DictReader(handle))
    # the window crosses the gpt-5.6-luna price change of 2026-07-30
    assert {row["usage_date"] for row in truth} == {"2026-07-28", "2026-07-29", "2026-07-30"}
    assert any(row["team"] == "unattributed" for row in truth)
    assert any(row["route"] == "unknown" for row in truth)
    assert {"production", "staging", "development", "test", "canary", "unknown"} <= {
        row["environment"] for row in truth}
    assert any(row["cost_usd"] == "" and row["unpriced_call_count"] != "0" for row in truth)
    assert any(row["model"] == "gpt-4.1-nano" for row in truth)  # reported as GPT-4.1-Nano


def test_builds_and_baseline_equal_the_ground_truth(tmp_path: Path) -> None:
    # data and unit tests are left out of these two builds to keep CI short: they run
    # in every other build of the suite; here only the marts' numbers matter
    results = benchmark.benchmark(
        "smoke", 3_000, 3, date(2026, 7, 15), SMOKE_MIX, 7, tmp_path,
        dbt_args=["--exclude", "resource_type:test", "resource_type:unit_test"], quiet_night=False)
    # the nightly job exits 1 after publishing: the corpus quarantines malformed lines
    assert {step: s["exit_code"] for step, s in results["steps"].items()} == {
        "generate": 0, "generate_next_day": 0, "full": 1, "baseline": 0, "nightly": 1}
    for check in ("full", "full_quarantine", "baseline", "nightly", "nightly_quarantine"):
        assert results["checks"][check]["ok"], (check, results["checks"][check])
    assert results["checks"]["nightly"]["calls"] > results["checks"]["full"]["calls"]
    assert results["ok"]


def test_staging_reads_more_raw_records_than_fit_in_its_memory_limit(tmp_path: Path) -> None:
    # 500k app-log calls over 30 days: 146 MB of JSON lines and CSV in 90 files, read under a
    # 120MB memory_limit. Numbering identical records in one grouping over every file ran out
    # of memory here, as it did at 10M calls under the default 2.4GB; one grouping per select
    # spills instead (macros/raw/create_raw_relations.sql, raw_view_statement).
    raw = tmp_path / "raw"
    generate_corpus.generate(raw, 500_000, 30, date(2026, 7, 15), generate_corpus.parse_mix("app=1"), 7,
                             tmp_path / "truth", rows_per_file=250_000, otlp_calls_per_line=50)
    lines = sum(1 for path in raw.rglob("*.jsonl") for line in path.open(encoding="utf-8") if line.strip())
    rows = sum(sum(1 for _ in csv.reader(path.open(encoding="utf-8", newline=""))) - 1 for path in raw.rglob("*.csv"))
    assert len(list(raw.rglob("*.csv"))) >= 30 and lines + rows > 500_000

    database = tmp_path / "warehouse.duckdb"
    environment = {**dbt_environment_for(database, tmp_path / "target", raw), "LLM_COST_DUCKDB_MEMORY_LIMIT": "120MB"}
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        exit_code = run_dbt(["run", "--quiet", "--select", "stg_app__llm_calls"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert exit_code == 0
    staged = Warehouse(database).rows("select count(*), count(distinct record_id) from staging.stg_app__llm_calls")
    assert staged == [(lines + rows, lines + rows)]
