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


def test_staging_reads_a_large_corpus_in_few_reads_within_its_memory_limit(tmp_path: Path) -> None:
    # 1M app-log calls over 30 days (291 MB of JSON lines and CSV in 93 files) and 300 small CSV
    # files of two headers, read under a 200MB memory_limit. Numbering identical records in one
    # grouping over every read ran out of memory here (even at 300MB), as it did at 10M calls under
    # the default 2.4GB; one grouping per read spills instead (raw_view_statement), and fits
    # 150MB. Reading each CSV file on its own ran out of memory at 3,000 files: files of one read
    # layout are one read.
    raw = tmp_path / "raw"
    generate_corpus.generate(raw, 1_000_000, 30, date(2026, 7, 15), generate_corpus.parse_mix("app=1"), 7,
                             tmp_path / "truth", rows_per_file=250_000, otlp_calls_per_line=50)
    for number in range(300):
        hourly = raw / f"logs/app/csv/hourly/records_{number:03d}.csv"
        hourly.parent.mkdir(parents=True, exist_ok=True)
        extra = ",customer_tier" if number % 2 else ""
        hourly.write_text(f"timestamp,request_id,llm.provider,llm.model,llm.input_tokens{extra}\n"
                          + "".join(f"2026-07-20T10:00:00Z,h{number}-{row},openai,gpt-4o,10{',gold' if extra else ''}\n"
                                    for row in range(5)), encoding="utf-8")
    lines = sum(1 for path in raw.rglob("*.jsonl") for line in path.open(encoding="utf-8") if line.strip())
    rows = sum(sum(1 for _ in csv.reader(path.open(encoding="utf-8", newline=""))) - 1 for path in raw.rglob("*.csv"))
    assert len(list(raw.rglob("*.csv"))) == 330 and lines + rows > 1_000_000

    database = tmp_path / "warehouse.duckdb"
    environment = {**dbt_environment_for(database, tmp_path / "target", raw), "LLM_COST_DUCKDB_MEMORY_LIMIT": "200MB"}
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        exit_code = run_dbt(["run", "--quiet", "--select", "stg_app__llm_calls"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert exit_code == 0
    warehouse = Warehouse(database)
    staged = warehouse.rows("select count(*), count(distinct record_id) from staging.stg_app__llm_calls")
    assert staged == [(lines + rows, lines + rows)]
    # the generator's 30 CSV files share one layout, the hourly files have two: three CSV reads
    view = warehouse.scalar("select sql from duckdb_views() where view_name = 'app_llm_call_records'")
    assert view.count("read_csv(") == 1 + 3  # the JSON lines are read as lines of text
    tiers = warehouse.rows("select customer_tier, count(*) from staging.stg_app__llm_calls"
                           " where request_id like 'h%' group by 1 order by 1")
    assert tiers == [("gold", 750), (None, 750)]
