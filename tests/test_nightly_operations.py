"""Nightly operations on a copy of the project: incremental loads equal a full
rebuild, reruns change nothing, a killed run recovers, corrections to seeds
and a new seed that affects prices reach history, and an analyst session
never blocks the build."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, dbt_environment_for, otlp_span, otlp_traces_data, write_jsonl

PROJECT_PARTS = ["dbt_project.yml", "models", "macros", "seeds", "data-tests", "profiles", "scripts"]
FIRST_DAY = datetime(2026, 3, 1, tzinfo=UTC)
# These tests run the nightly job dozens of times on tiny raw folders, to test what it
# recomputes and publishes. They keep the singular data tests (accounting, conservation,
# ties), which are what catches a lost or stale record, and leave the ~340 generic column
# tests (not_null, unique, accepted values) to the fixture builds, where each runs once
# per fixture: run here, they were two thirds of every night's time.
NIGHTLY_TEST_ARGS = ["--quiet", "--exclude", "test_type:generic"]


@dataclass
class Project:
    """A private copy of the project with its own raw folder and databases."""

    root: Path
    raw: Path

    @property
    def database(self) -> Path:
        return self.root / "build.duckdb"

    @property
    def analyst_database(self) -> Path:
        return self.root / "build.analyst.duckdb"

    def environment(self) -> dict[str, str]:
        """For a run that starts now (conftest.dbt_environment_for)."""
        return dbt_environment_for(self.database, self.root / "target", self.raw)

    def nightly(self, *args: str, environ: dict[str, str] | None = None) -> int:
        """The nightly job's exit code; `environ` adds to the run's environment (a Spark night's)."""
        command = [sys.executable, str(self.root / "scripts" / "nightly.py"), *NIGHTLY_TEST_ARGS, *args]
        return subprocess.run(command, env={**self.environment(), **(environ or {})},
                              capture_output=True, check=False).returncode

    def models_built(self) -> set[str]:
        """The models the last run of dbt built (its run_results.json)."""
        results = json.loads((self.root / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
        return {result["unique_id"].split(".")[-1] for result in results if result["unique_id"].startswith("model.")}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        connection = duckdb.connect(str(self.analyst_database), read_only=True)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def seed_rows(self, name: str) -> tuple[list[str], list[dict[str, str]]]:
        (path,) = (self.root / "seeds").glob(f"**/{name}.csv")
        with path.open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    def write_seed(self, name: str, fieldnames: list[str], rows: list[dict[str, str]]) -> None:
        (path,) = (self.root / "seeds").glob(f"**/{name}.csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def copy_project(destination: Path, raw: Path | None = None) -> Project:
    """Copy the project; `raw` shares another copy's raw folder (same paths, same record ids)."""
    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, destination / part)
    return Project(destination, raw or destination / "raw")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    yield copy_project(tmp_path / "project")


def app_calls(day: int, count: int, team: str = "search", service: str = "ranker") -> list[dict[str, Any]]:
    """`count` calls on a day; 1M input (400k cached) + 100k output tokens of gpt-4o-mini each."""
    start = FIRST_DAY + timedelta(days=day)
    return [{
        "timestamp": (start + timedelta(minutes=7 * number)).isoformat(),
        "request_id": f"{team}-{day}-{number}", "team.id": team, "service.name": service,
        "deployment.environment": "production", "llm.provider": "openai", "llm.model": "gpt-4o-mini",
        "llm.input_tokens": 1_000_000, "llm.cache_read_tokens": 400_000, "llm.output_tokens": 100_000,
    } for number in range(count)]


def owned_calls(day: int, count: int) -> list[dict[str, Any]]:
    """Calls of checkout-api without a team: attributed through the ownership seed."""
    return [{k: v for k, v in call.items() if k != "team.id"}
            for call in app_calls(day, count, team="x", service="checkout-api")]


def write_file(project: Project, relative: str, records: list[dict[str, Any]]) -> None:
    path = project.raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def assert_published_as_built(project: Project) -> None:
    """The analyst database and the Parquet folder hold exactly the build's marts and seeds, row for
    row and type for type, however many nights published only their changes into it."""
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{project.analyst_database}' as analyst (read_only)")
        connection.execute(f"attach '{project.database}' as build (read_only)")
        relations = {catalog: connection.execute(
            "select schema_name, table_name, list(column_name || ' ' || data_type order by column_index)"
            " from duckdb_columns() where database_name = ? and schema_name in ('main', 'seeds') group by all",
            [catalog]).fetchall() for catalog in ("analyst", "build")}
        assert sorted(relations["analyst"]) == sorted(relations["build"])
        parquet = project.analyst_database.with_name(f"{project.analyst_database.stem}.parquet")
        for schema, name, _columns in relations["build"]:
            copies = [f'analyst."{schema}"."{name}"']
            if schema == "main":  # a mart with a usage_date is a folder of daily files
                path = parquet / name
                copies.append(f"read_parquet('{path / '*.parquet' if path.is_dir() else f'{path}.parquet'}')")
            for copy in copies:
                assert connection.execute(
                    f'select count(*) from (select * from build."{schema}"."{name}" except all select * from {copy})'
                    f' union all select count(*) from (select * from {copy} except all'
                    f' select * from build."{schema}"."{name}")').fetchall() == [(0,), (0,)], (copy, name)
    finally:
        connection.close()


def marts(project: Project, across_engines: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """The call-level and daily marts as published (checked equal to the build), but the columns
    that name the run; `across_engines` leaves out reference_version too (each engine fingerprints
    the seeds its own way: test_spark_portability.RUN_COLUMNS)."""
    assert_published_as_built(project)
    # computed_at says which run computed the row: the rest must not depend on it
    run_columns = "call_id, computed_at" + (", reference_version" if across_engines else "")
    return {
        "calls": project.rows(
            f"select * exclude ({run_columns}) from fct_llm_calls order by source_file, source_record_id"),
        "daily": project.rows("select * exclude (computed_at) from fct_llm_cost_daily order by all"),
        "route_unit_costs": project.rows("select * exclude (computed_at) from fct_llm_route_unit_costs order by all"),
        "ownership": project.rows(f"select * exclude ({run_columns}) from fct_llm_call_ownership order by all"),
        "quarantine": project.rows("select * exclude (record_id) from fct_llm_quarantined_records order by all"),
        "accounting": project.rows(
            "select source_system, record_outcome, record_count, input_tokens"
            " from fct_telemetry_record_accounting order by all"),
    }


# Each night lists the files that arrive before it runs: (path, team, day of the calls, calls).
NIGHTS = [
    [("logs/app/d0/a.jsonl", "search", 0, 3), ("logs/app/d1/a.jsonl", "search", 1, 2)],
    [
        ("logs/app/d2/a.jsonl", "search", 2, 4),
        ("logs/app/d0/late.jsonl", "ads", 0, 2),  # a late file for day 0
        ("logs/app/d2/redelivered.jsonl", "search", 1, 2),  # day 1 delivered again, a day later
    ],
]


def late_context_nights() -> list[list[tuple[str, list[dict[str, Any]]]]]:
    """Files that arrive with NIGHTS, of other sources: night 1 an OTLP LLM span
    that has no owner; night 2, in new files, its SERVER parent span (team and
    route) and the LiteLLM record of the same provider call."""
    trace, parent = "44444444444444444444444444444444", "00000000000000e0"
    start = int((FIRST_DAY + timedelta(hours=12)).timestamp()) * 1_000_000_000
    llm_span = otlp_span(trace, "00000000000000e1", parent, 3, start + 1_000_000, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.id": "chatcmpl-LATE", "gen_ai.usage.input_tokens": 1_000_000,
        "gen_ai.usage.output_tokens": 100_000,
    })
    server_span = otlp_span(trace, parent, "", 2, start, {"http.route": "/v1/answer"})
    litellm = {
        "request_id": "chatcmpl-LATE", "call_type": "acompletion", "status": "success",
        "prompt_tokens": 1_000_000, "completion_tokens": 100_000, "total_tokens": 1_100_000,
        "startTime": (FIRST_DAY + timedelta(hours=12)).isoformat(), "model": "gpt-4o-mini",
        "custom_llm_provider": "openai", "cache_hit": "False", "metadata": {},
    }
    return [
        [("traces/otlp/d0/llm.jsonl", [otlp_traces_data({"service.name": "agent"}, [llm_span])])],
        [("traces/otlp/d1/server.jsonl",
          [otlp_traces_data({"service.name": "agent", "team.id": "search"}, [server_span])]),
         ("logs/litellm/d1/spend.jsonl", [litellm])],
    ]


# CSV files of one source whose columns differ, one a night: a record's text (and id) is
# its own file's columns, so night 1's rows are the same before and after night 2's file.
CSV_NIGHTS = [
    [("logs/app/d1/batch.csv", app_calls(1, 2, team="batch"))],
    [("logs/app/d2/batch.csv", [call | {"note": "rerun"} for call in app_calls(2, 1, team="batch")])],
]


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    """JSON lines, or a CSV file (by its name) with the records' keys as its header."""
    if path.suffix != ".csv":
        write_jsonl(path, records)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys(key for row in records for key in row)))
        writer.writeheader()
        writer.writerows(records)


def test_nightly_runs_in_any_order_and_late_context_equal_one_full_rebuild(tmp_path: Path) -> None:
    """The nights of NIGHTS (new days, a late file, a redelivered day), in two orders
    within each night, equal one full rebuild of the last raw folder. Late context
    and a closer source reach an earlier call (late_context_nights): night 1 bills the
    OTLP span, unowned; after night 2 the call is billed once, from LiteLLM, with the
    span's context, and night 1's row is gone, exactly as a full rebuild. CSV files
    with other columns (CSV_NIGHTS) change nothing of the rows loaded before them.
    (All cases share one raw folder: one incremental sequence per order and one full
    rebuild.)"""
    raw = tmp_path / "raw"
    other_sources = "select source_system, team, route from fct_llm_calls where source_system != 'app_logs'"
    nights = [[(relative, app_calls(day, count, team=team)) for relative, team, day, count in night] + late + csv_files
              for night, late, csv_files in zip(NIGHTS, late_context_nights(), CSV_NIGHTS, strict=True)]
    nightly_marts, incrementals = [], []
    for order in ("as_listed", "reversed_within_night"):
        shutil.rmtree(raw, ignore_errors=True)
        incremental = copy_project(tmp_path / order, raw=raw)
        for number, night in enumerate(nights):
            for relative, records in night if order == "as_listed" else reversed(night):
                write_records(raw / relative, records)
            assert incremental.nightly() == 0
            if number == 0:
                assert incremental.rows(other_sources) == [("otlp_traces", "unattributed", "unknown")]
        nightly_marts.append(marts(incremental))
        incrementals.append(incremental)
    full = copy_project(tmp_path / "full", raw=raw)
    assert full.nightly() == 0

    assert nightly_marts == [marts(full), marts(full)]
    # 3 + 2 + 4 + 2 billed JSON-lines calls and 2 + 1 CSV ones; the 2 redelivered day-1
    # calls are exact duplicates
    assert full.rows(
        "select record_outcome, record_count from fct_telemetry_record_accounting"
        " where source_system = 'app_logs' order by 1"
    ) == [("billed", 14), ("exact_duplicate", 2)]
    # 1M x 0.15 + 0.1M x 0.60 = 0.21, once
    for incremental in incrementals:
        assert incremental.rows(
            "select source_system, team, attribution_rule, route, cost_usd from fct_llm_calls"
            " where source_system != 'app_logs'"
        ) == [("litellm_spend_logs", "search", "matched_otlp_traces", "/v1/answer", Decimal("0.21"))]


def test_rerunning_a_night_changes_nothing(project: Project) -> None:
    write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 3))
    assert project.nightly() == 0
    before = marts(project)
    parquet = project.analyst_database.with_name(f"{project.analyst_database.stem}.parquet")
    files = {path.relative_to(parquet): path.stat().st_ino for path in parquet.rglob("*.parquet")}
    assert {path.as_posix() for path in files} >= {"fct_llm_calls/2026-03-01.parquet", "fct_llm_calls/undated.parquet",
                                                   "fct_chargeback_monthly.parquet"}
    logged = project.rows("select * from publication.partitions order by all")
    assert ("main", "fct_llm_calls", "2026-03-01", 3) in [row[:4] for row in logged]
    # a mart under the incremental contract is fingerprinted by its latest stamp, the others by their rows' hashes
    assert project.rows(
        "select fingerprint from publication.partitions where table_name = 'fct_llm_calls'"
        " and partition_value = '2026-03-01'"
    ) == project.rows("select epoch_us(max(computed_at)) from fct_llm_calls where usage_date = '2026-03-01'")
    assert project.rows(
        "select fingerprint from publication.partitions where table_name = 'dim_llm_models'"
    ) == project.rows("select sum(hash(r)::hugeint) from dim_llm_models as r")
    everything = project.models_built()
    assert project.nightly() == 0
    # no raw file, project file or setting changed: only the models that read the current date are built
    assert project.models_built() == {"fct_invoice_reconciliation", "fct_invoice_reconciliation_monthly",
                                      "fct_invoice_totals_monthly", "fct_chargeback_monthly"}
    assert marts(project) == before
    assert project.rows("select count(*) from fct_pipeline_loads") == [(1,)]
    # nothing changed, so nothing was copied: every Parquet file is last night's, hard-linked
    assert {path.relative_to(parquet): path.stat().st_ino for path in parquet.rglob("*.parquet")} == files
    assert project.rows("select * from publication.partitions order by all") == logged
    assert project.nightly("--always-build") == 0
    assert project.models_built() == everything
    assert marts(project) == before


def test_a_new_day_recomputes_only_the_calls_whose_classification_changed(tmp_path: Path) -> None:
    """A new day's file makes the night reclassify the files of the day before (records that share a
    key lie within call_key_lookback_days); their rows come out as they were, keep their
    classified_at, and fct_llm_calls recomputes none of them. A redelivered record of that day
    changes one of them: that file is recomputed, and the result equals a full rebuild."""
    raw = tmp_path / "raw"
    project = copy_project(tmp_path / "nightly", raw=raw)

    def stamps(relation: str, stamp: str) -> dict[str, Any]:
        """The latest stamp per source file of a relation of the build database."""
        connection = duckdb.connect(str(project.database), read_only=True)
        try:
            return dict(connection.execute(f"select source_file, max({stamp}) from {relation} group by 1").fetchall())
        finally:
            connection.close()

    write_jsonl(raw / "logs/app/d0/a.jsonl", app_calls(0, 2))
    write_jsonl(raw / "logs/app/d1/a.jsonl", app_calls(1, 2))
    assert project.nightly() == 0
    calls_before = stamps("main.fct_llm_calls", "computed_at")
    classified_before = stamps("intermediate.int_llm_call_records_classified", "classified_at")
    write_jsonl(raw / "logs/app/d2/a.jsonl", app_calls(2, 2))
    assert project.nightly() == 0
    calls_after = stamps("main.fct_llm_calls", "computed_at")
    day_1 = next(file for file in calls_before if "/d1/" in file)
    assert {file: calls_after[file] for file in calls_before} == calls_before
    assert stamps("intermediate.int_llm_call_records_classified", "classified_at")[day_1] == classified_before[day_1]
    assert len(calls_after) == 3

    # day 2's first call delivered again in day 3's file: one of the two records is an exact duplicate
    write_jsonl(raw / "logs/app/d3/a.jsonl", app_calls(2, 1) + app_calls(3, 1))
    assert project.nightly() == 0
    assert project.rows(
        "select record_count from fct_telemetry_record_accounting where record_outcome = 'exact_duplicate'"
    ) == [(1,)]
    full = copy_project(tmp_path / "full", raw=raw)
    assert full.nightly() == 0
    assert marts(project) == marts(full)


def test_new_spans_recompute_the_otlp_files_that_share_a_trace_or_a_recording_with_them(tmp_path: Path) -> None:
    """int_otlp__llm_spans_in_context recomputes the files of new spans and those that share their
    trace (a late SERVER parent gives an earlier LLM span its team) or, for a root LLM span, its
    service (a recording of the same call with the response id, made without trace context, lets
    the earlier recording without one be billed once); a file that shares neither keeps its rows
    and their stamp. The result equals a full rebuild."""
    raw = tmp_path / "raw"
    project = copy_project(tmp_path / "nightly", raw=raw)
    start = int((FIRST_DAY + timedelta(hours=12)).timestamp()) * 1_000_000_000
    usage = {"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
             "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000}
    agent = {"service.name": "agent"}

    def span(trace: str, span_id: str, parent: str, response_id: str | None = None) -> dict[str, Any]:
        return otlp_span(trace * 32, span_id * 16, parent, 3, start,
                         usage | ({"gen_ai.response.id": response_id} if response_id else {}))

    def stamps() -> dict[str, Any]:
        connection = duckdb.connect(str(project.database), read_only=True)
        try:
            return dict(connection.execute(
                "select source_file, max(in_context_at)"
                " from intermediate.int_otlp__llm_spans_in_context group by 1").fetchall())
        finally:
            connection.close()

    # night 1: a recording without a response id (a root span), an LLM span whose parent comes
    # late, and a whole trace that nothing later touches
    write_jsonl(raw / "traces/otlp/d0/recording.jsonl", [otlp_traces_data(agent, [span("a", "1", "")])])
    write_jsonl(raw / "traces/otlp/d0/late_parent.jsonl",
                [otlp_traces_data(agent, [span("b", "2", "b" * 16, "chatcmpl-B")])])
    write_jsonl(raw / "traces/otlp/d0/whole.jsonl", [otlp_traces_data(agent | {"team.id": "ads"}, [
        otlp_span("c" * 32, "c" * 16, "", 2, start, {"http.route": "/v1/ads"}),
        span("c", "3", "c" * 16, "chatcmpl-C")])])
    assert project.nightly() == 0
    assert project.rows("select count(*), sum(cost_usd) from fct_llm_calls") == [(3, Decimal("0.63"))]
    before = stamps()

    # night 2: the same call recorded with its response id, as another root span of the service,
    # and the SERVER parent (team and route) of the late-parent trace
    write_jsonl(raw / "traces/otlp/d1/sdk.jsonl", [otlp_traces_data(agent, [span("d", "4", "", "chatcmpl-A")])])
    write_jsonl(raw / "traces/otlp/d1/server.jsonl", [otlp_traces_data(agent | {"team.id": "search"}, [
        otlp_span("b" * 32, "b" * 16, "", 2, start, {"http.route": "/v1/answer"})])])
    assert project.nightly() == 0
    after = stamps()
    recomputed = sorted(Path(file).name for file in before if after[file] != before[file])
    assert recomputed == ["late_parent.jsonl", "recording.jsonl"]
    # 1M x 0.15 + 0.1M x 0.60 = 0.21 a call: the recorded-twice call once, three calls in all
    assert project.rows(
        "select team, route, count(*), sum(cost_usd) from fct_llm_calls group by all order by all"
    ) == [("ads", "/v1/ads", 1, Decimal("0.21")), ("search", "/v1/answer", 1, Decimal("0.21")),
          ("unattributed", "unknown", 1, Decimal("0.21"))]
    full = copy_project(tmp_path / "full", raw=raw)
    assert full.nightly() == 0
    assert marts(project) == marts(full)


def test_a_killed_run_recovers_on_rerun(tmp_path: Path) -> None:
    crashed = copy_project(tmp_path / "crashed")
    write_file(crashed, "logs/app/d0/a.jsonl", app_calls(0, 3))
    assert crashed.nightly() == 0
    write_file(crashed, "logs/app/d1/a.jsonl", app_calls(1, 5))
    command = [sys.executable, str(crashed.root / "scripts" / "run_dbt.py"), "build"]
    process = subprocess.Popen(command, env=crashed.environment(), stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    assert process.stdout is not None
    for line in process.stdout:
        if "int_llm_call_records_unioned" in line:  # staging has loaded day 1; kill mid-build
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait()
    assert crashed.nightly() == 0

    uninterrupted = copy_project(tmp_path / "uninterrupted", raw=crashed.raw)
    assert uninterrupted.nightly() == 0
    assert marts(crashed) == marts(uninterrupted)


def write_calls_to_correct(project: Project) -> None:
    """Calls that correct_the_seeds reprices, aliases and moves to another team."""
    write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 1) + owned_calls(0, 1))
    write_file(project, "logs/app/d5/a.jsonl", [
        *owned_calls(5, 1),
        {**app_calls(5, 1)[0], "request_id": "alias", "llm.model": "gpt-4o-mini-acme-snapshot"}])


# write_calls_to_correct's daily costs before and after correct_the_seeds:
# gpt-4o-mini: 0.6M x 0.15 + 0.4M x 0.075 + 0.1M x 0.60 = 0.09 + 0.03 + 0.06 = 0.18 per call
COSTS_BEFORE_CORRECTIONS = [
    ("payments", "2026-03-01", Decimal("0.18")), ("search", "2026-03-01", Decimal("0.18")),
    ("payments", "2026-03-06", Decimal("0.18")), ("search", "2026-03-06", None),
]
# output now 0.1M x 1.20 = 0.12: 0.09 + 0.03 + 0.12 = 0.24 per call, on every past day;
# the alias prices the day-5 call; checkout-api moved to commerce on 2026-03-04 only
CORRECTED_COSTS = [
    ("payments", "2026-03-01", Decimal("0.24")), ("search", "2026-03-01", Decimal("0.24")),
    ("commerce", "2026-03-06", Decimal("0.24")), ("search", "2026-03-06", Decimal("0.24")),
]
DAILY_COSTS = "select team, usage_date::varchar, cost_usd from fct_llm_cost_daily order by 2, 1"


def correct_the_seeds(project: Project) -> None:
    """Corrections to three seeds: a price, a new model alias, a service's new owner from a date."""
    fields, prices = project.seed_rows("llm_prices")
    for row in prices:
        if row["provider"] == "openai" and row["model"] == "gpt-4o-mini":
            row["output_usd_per_mtok"] = "1.2"
    project.write_seed("llm_prices", fields, prices)
    fields, aliases = project.seed_rows("llm_model_aliases")
    new_alias = {field: "" for field in fields}
    new_alias.update({key: value for key, value in {
        "model_alias_id": "openai/gpt-4o-mini-acme-snapshot", "provider": "openai",
        "model_alias": "gpt-4o-mini-acme-snapshot", "model": "gpt-4o-mini",
        "reason": "an internal snapshot name of gpt-4o-mini"}.items() if key in fields})
    project.write_seed("llm_model_aliases", fields, [*aliases, new_alias])
    fields, owners = project.seed_rows("service_ownership")
    for row in owners:
        if row["service_name"] == "checkout-api":
            row["valid_to"] = "2026-03-04"
    moved = {**next(r for r in owners if r["service_name"] == "checkout-api"),
             "ownership_id": "checkout-api@2026-03-04", "team": "commerce",
             "valid_from": "2026-03-04", "valid_to": ""}
    project.write_seed("service_ownership", fields, [*owners, moved])


def test_corrections_reach_history_without_a_full_refresh(project: Project) -> None:
    write_calls_to_correct(project)
    assert project.nightly() in (0, 1)  # 1 when the unpriced share is reported
    assert project.rows(DAILY_COSTS) == COSTS_BEFORE_CORRECTIONS
    correct_the_seeds(project)
    assert project.nightly() in (0, 1)
    assert project.rows(DAILY_COSTS) == CORRECTED_COSTS


def add_a_negotiated_discount(project: Project) -> None:
    """A new seed that affects prices: a negotiated discount per provider, which the
    priced view applies to every price of the price book (kept to its six decimals).
    fct_llm_calls does not name the seed anywhere: it reaches it through the pricing
    view. Portable SQL, so that a Spark night builds the same edit."""
    (project.root / "seeds" / "prices" / "negotiated_discounts.csv").write_text(
        "provider,discount_rate\nopenai,0.25\n", encoding="utf-8")
    fields, _ = project.seed_rows("llm_prices")
    columns = ",\n        ".join(
        f"cast(llm_prices.{name} * (1 - coalesce(cast(discounts.discount_rate as decimal(9, 6)), 0))"
        f" as decimal(18, 6)) as {name}" if name.endswith(("_usd_per_mtok", "_fee_usd")) else f"llm_prices.{name}"
        for name in fields)
    priced = project.root / "models" / "intermediate" / "pricing" / "int_llm_calls_priced.sql"
    prices = "prices as (\n\n    select * from {{ ref('llm_prices') }}\n\n),"
    text = priced.read_text(encoding="utf-8")
    assert text.count(prices) == 1
    priced.write_text(text.replace(prices, f"""prices as (

    select
        {columns}
    from {{{{ ref('llm_prices') }}}} as llm_prices
    left join {{{{ ref('negotiated_discounts') }}}} as discounts
        on llm_prices.provider = discounts.provider

),"""), encoding="utf-8")


def test_a_new_seed_that_affects_prices_reaches_history_without_a_full_refresh(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    incremental = copy_project(tmp_path / "incremental", raw=raw)
    write_file(incremental, "logs/app/d0/a.jsonl", app_calls(0, 2))
    write_file(incremental, "logs/app/d3/a.jsonl", app_calls(3, 1))
    assert incremental.nightly() == 0
    # 0.18 per call (see test_corrections_reach_history_without_a_full_refresh)
    assert incremental.rows("select usage_date::varchar, cost_usd from fct_llm_cost_daily order by 1") == [
        ("2026-03-01", Decimal("0.36")), ("2026-03-04", Decimal("0.18"))]

    add_a_negotiated_discount(incremental)
    assert incremental.nightly() == 0
    full = copy_project(tmp_path / "full", raw=raw)
    add_a_negotiated_discount(full)
    assert full.nightly() == 0

    assert marts(incremental) == marts(full)
    # 25% off every price of every past call: 0.6M x 0.1125 + 0.4M x 0.05625 + 0.1M x 0.45
    # = 0.0675 + 0.0225 + 0.045 = 0.135 per call (0.18 x 0.75)
    assert incremental.rows("select usage_date::varchar, cost_usd from fct_llm_cost_daily order by 1") == [
        ("2026-03-01", Decimal("0.27")), ("2026-03-04", Decimal("0.135"))]


def test_an_open_analyst_session_does_not_block_the_build_and_source_freshness_reports_every_source(
        project: Project) -> None:
    write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 2))
    assert project.nightly() == 0
    analyst = duckdb.connect(str(project.analyst_database), read_only=True)
    try:
        write_file(project, "logs/app/d1/a.jsonl", app_calls(1, 3))
        assert project.nightly() == 0
        # the open session keeps the snapshot it opened; a new one sees the new night
        assert analyst.execute("select count(*) from fct_llm_calls").fetchone() == (2,)
    finally:
        analyst.close()
    assert project.rows("select count(*) from fct_llm_calls") == [(5,)]

    # source freshness, on the build the nightly job left, reports every raw source
    command = [sys.executable, str(project.root / "scripts" / "run_dbt.py"), "source", "freshness",
               "--output", str(project.root / "sources.json")]
    subprocess.run(command, env=project.environment(), capture_output=True, check=False)
    results = json.loads((project.root / "sources.json").read_text(encoding="utf-8"))["results"]
    assert {result["unique_id"].split(".", 2)[2] for result in results} >= {
        "app.llm_call_records", "otlp.trace_records", "litellm.spend_log_records",
        "bedrock.invocation_records"}


def test_exit_codes_tell_data_problems_from_build_failures(project: Project) -> None:
    write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 1))
    (project.raw / "logs/app/d0/bad.jsonl").write_text("{not json\n", encoding="utf-8")
    assert project.nightly() == 1  # built and published, one record quarantined
    (project.raw / "logs/app/d0/cut.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n')[:-8])
    assert project.nightly() == 1  # a raw file quarantined tonight (truncated gzip)
    assert project.nightly() == 0  # reported the night it arrived, not every night after
    published = project.analyst_database.stat().st_mtime_ns
    # a new column in an incremental model: its table must be rebuilt first (SQL only: a changed
    # properties file would reach the next test's dbt through the worker's shared partial parse)
    validated = project.root / "models" / "intermediate" / "calls" / "int_llm_call_records_validated.sql"
    stamp = "{{ processed_at() }} as validated_at"
    text = validated.read_text(encoding="utf-8")
    assert text.count(stamp) == 1
    validated.write_text(text.replace(stamp, f"1 as added_column, {stamp}"), encoding="utf-8")
    command = [sys.executable, str(project.root / "scripts" / "nightly.py"), *NIGHTLY_TEST_ARGS]
    completed = subprocess.run(command, env=project.environment(), capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert ("nightly: model.llm_cost.int_llm_call_records_validated has other columns than its table: run one"
            " night with --full-refresh") in completed.stderr
    assert project.analyst_database.stat().st_mtime_ns == published
    (project.root / "models" / "marts" / "cost" / "fct_llm_calls.sql").write_text(
        "select 1 as broken", encoding="utf-8")
    write_file(project, "logs/app/d1/a.jsonl", app_calls(1, 1))
    assert project.nightly() == 2  # the contract fails: nothing is published
    assert project.analyst_database.stat().st_mtime_ns == published


def test_deleted_or_broken_files_are_retracted_as_a_full_rebuild_would(tmp_path: Path) -> None:
    """Night 1 bills an OTLP call (trace 5) attributed through its SERVER span in
    another file, whose LiteLLM record (ranked closer to the vendor) is the billed
    one, app calls on two days, and an OTLP call (trace 6) that is billed itself,
    attributed through a SERVER span whose file has no LLM span of its own (no
    validated record). Before night 2 both SERVER spans' files and the LiteLLM
    file are deleted, a loaded app file is rewritten with a byte that is not
    UTF-8 (quarantined) and another emptied: their calls are retracted, trace 5's span is billed
    instead, trace 6's call loses the deleted file's team and route (taken from
    the LLM span of the same trace, in another file), both unowned, and every
    mart equals a full rebuild. (One raw folder for both cases: one incremental
    sequence and one full rebuild instead of two of each.)"""
    start = int((FIRST_DAY + timedelta(hours=12)).timestamp()) * 1_000_000_000
    trace, parent = "55555555555555555555555555555555", "00000000000000f0"
    llm_span = otlp_span(trace, "00000000000000f1", parent, 3, start + 1_000_000, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.id": "chatcmpl-GONE", "gen_ai.usage.input_tokens": 1_000_000,
        "gen_ai.usage.output_tokens": 100_000,
    })
    server_span = otlp_span(trace, parent, "", 2, start, {"http.route": "/v1/answer"})
    litellm = {
        "request_id": "chatcmpl-GONE", "call_type": "acompletion", "status": "success",
        "prompt_tokens": 1_000_000, "completion_tokens": 100_000, "total_tokens": 1_100_000,
        "startTime": (FIRST_DAY + timedelta(hours=12)).isoformat(), "model": "gpt-4o-mini",
        "custom_llm_provider": "openai", "cache_hit": "False", "metadata": {},
    }
    # trace 6: the call the context-only file attributes (no response id: no other source matches it)
    context_trace, context_parent = "66666666666666666666666666666666", "00000000000000a0"
    context_llm_span = otlp_span(context_trace, "00000000000000a1", context_parent, 3, start + 1_000_000, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000,
    })
    context_server_span = otlp_span(context_trace, context_parent, "", 2, start, {"http.route": "/v1/answer"})
    not_trace_6 = f"trace_id is distinct from '{context_trace}'"
    raw = tmp_path / "raw"
    incremental = copy_project(tmp_path / "incremental", raw=raw)
    write_jsonl(raw / "traces/otlp/d0/llm.jsonl", [otlp_traces_data({"service.name": "agent"}, [llm_span])])
    write_jsonl(raw / "traces/otlp/d0/server.jsonl",
                [otlp_traces_data({"service.name": "agent", "team.id": "search"}, [server_span])])
    write_jsonl(raw / "logs/litellm/d0/spend.jsonl", [litellm])
    write_jsonl(raw / "traces/otlp/d0/answer.jsonl",
                [otlp_traces_data({"service.name": "agent"}, [context_llm_span])])
    write_jsonl(raw / "traces/otlp/d0/context.jsonl",
                [otlp_traces_data({"service.name": "agent", "team.id": "search"}, [context_server_span])])
    write_file(incremental, "logs/app/d0/a.jsonl", app_calls(0, 3))
    write_file(incremental, "logs/app/d1/b.jsonl", app_calls(1, 2))
    write_file(incremental, "logs/app/d2/c.jsonl", app_calls(2, 1))
    assert incremental.nightly() == 0
    assert incremental.rows(
        f"select source_system, team, route, cost_usd from fct_llm_calls where source_system != 'app_logs'"
        f" and {not_trace_6}"
    ) == [("litellm_spend_logs", "search", "/v1/answer", Decimal("0.21"))]
    assert incremental.rows(
        f"select team, route from fct_llm_calls where trace_id = '{context_trace}'"
    ) == [("search", "/v1/answer")]

    (raw / "traces/otlp/d0/server.jsonl").unlink()
    (raw / "logs/litellm/d0/spend.jsonl").unlink()
    (raw / "traces/otlp/d0/context.jsonl").unlink()
    broken = raw / "logs/app/d1/b.jsonl"
    broken.write_bytes(broken.read_bytes().replace(b"ranker", b"rank\xffr", 1))
    write_file(incremental, "logs/app/d2/c.jsonl", [])  # emptied: no row of it is left to say so
    published = incremental.analyst_database.read_bytes()
    nightly = [sys.executable, str(incremental.root / "scripts" / "nightly.py"), *NIGHTLY_TEST_ARGS]
    refused = subprocess.run(nightly, env=incremental.environment(), capture_output=True, text=True, check=False)
    # deleted files are retracted only when the operator says so: nothing changes, nothing is published
    assert refused.returncode == 2, refused.stderr
    assert "3 raw file(s) loaded before are gone" in refused.stderr and "--retract-deleted-files" in refused.stderr
    assert incremental.analyst_database.read_bytes() == published
    completed = subprocess.run([*nightly, "--retract-deleted-files"], env=incremental.environment(),
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 1, completed.stderr  # built and published, retractions reported
    for path in ("server.jsonl", "spend.jsonl", "b.jsonl", "context.jsonl", "c.jsonl"):
        assert "retracted" in completed.stderr and path in completed.stderr
    full = copy_project(tmp_path / "full", raw=raw)
    rebuilt = subprocess.run([sys.executable, str(full.root / "scripts" / "nightly.py"), *NIGHTLY_TEST_ARGS],
                             env=full.environment(), capture_output=True, text=True, check=False)
    assert rebuilt.returncode == 1, rebuilt.stderr  # the quarantined file
    # a full rebuild has nothing to retract: its only data problem is the quarantined file
    assert "retracted" not in rebuilt.stderr and "quarantined" in rebuilt.stderr

    assert marts(incremental) == marts(full)
    # trace 5's span is billed now, without the SERVER span's team and route: 1M x 0.15 + 0.1M x 0.60
    assert incremental.rows(
        f"select source_system, team, route, cost_usd from fct_llm_calls where source_system != 'app_logs'"
        f" and {not_trace_6}"
    ) == [("otlp_traces", "unattributed", "unknown", Decimal("0.21"))]
    assert incremental.rows(
        f"select team, route from fct_llm_calls where trace_id = '{context_trace}'"
    ) == [("unattributed", "unknown")]
    assert incremental.rows("select count(*) from fct_llm_calls where source_system = 'app_logs'") == [(3,)]
    # what each retracted file had billed: 0.18 per app call (see app_calls), 0.21 for the LiteLLM
    # call, nothing for a file that only gave context
    assert incremental.rows(
        "select regexp_extract(source_file, '[^/]+$'), retraction_kind, billed_calls, billed_cost_usd"
        " from fct_raw_file_retractions order by 1"
    ) == [("b.jsonl", "quarantined", 2, Decimal("0.36")), ("c.jsonl", "emptied", 1, Decimal("0.18")),
          ("context.jsonl", "deleted", 0, None), ("server.jsonl", "deleted", 0, None),
          ("spend.jsonl", "deleted", 1, Decimal("0.21"))]


def compiled_test(project: Project, name: str) -> str:
    """The SQL dbt ran last for the data test `name` (its compiled file in the project's target/)."""
    (path,) = (project.root / "target" / "compiled").glob(f"**/{name}.sql")
    return path.read_text(encoding="utf-8")


def test_data_tests_check_new_rows_against_history_and_weekly_all_rows(project: Project) -> None:
    """By default the call-level tests check the rows written since the last run whose tests all
    passed: a new call whose key collides with an old call fails the night, and the failed
    night marks nothing, so the next night tests the same rows again. --full-tests checks
    every row. A run without every data test marks nothing either."""
    def nightly(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(project.root / "scripts" / "nightly.py"), "--quiet", *args]
        return subprocess.run(command, env=project.environment(), capture_output=True, text=True, check=False)

    def failed_tests(completed: subprocess.CompletedProcess[str]) -> list[str]:
        """The tests nightly.py names as failed (`nightly: test.llm_cost.<name>.<hash> fail`)."""
        return sorted(line.split(".")[2] for line in completed.stderr.splitlines()
                      if line.startswith("nightly: test.") and line.endswith(" fail"))

    def tested_runs() -> list[tuple[Any, ...]]:
        with duckdb.connect(str(project.database), read_only=True) as connection:
            return connection.execute("select full_tests from test_state.tested_runs order by run_stamp").fetchall()

    key_test = "unique_across_history_fct_llm_calls_call_id__computed_at"
    write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 2))
    assert nightly().returncode == 0  # every data test ran and passed: night 1 is tested
    assert tested_runs() == [(False,)]
    assert "test_state.tested_runs" in compiled_test(project, key_test)
    assert "test_state.tested_runs" in compiled_test(project, "not_null_fct_llm_calls_call_id")

    # night 2's models without tests (which marks nothing); then an old call (night 1's, another
    # file) is given the call_id of one of night 2's calls (day 5: too far to reclassify day 0)
    write_file(project, "logs/app/d5/a.jsonl", app_calls(5, 2))
    build = [sys.executable, str(project.root / "scripts" / "run_dbt.py"), "build", "--quiet",
             "--exclude", "resource_type:test", "resource_type:unit_test"]
    assert subprocess.run(build, env=project.environment(), capture_output=True, check=False).returncode == 0
    assert tested_runs() == [(False,)]
    with duckdb.connect(str(project.database)) as connection:
        connection.execute("""
            update main.fct_llm_calls set call_id = (
                select any_value(call_id) from main.fct_llm_calls where source_file like '%/d5/a.jsonl')
            where call_id = (select min(call_id) from main.fct_llm_calls where source_file like '%/d0/a.jsonl')
        """)
        assert connection.execute(
            "select count(*) - count(distinct call_id), count(*) filter (where computed_at > ("
            " select max(run_stamp) from test_state.tested_runs)) from main.fct_llm_calls"
        ).fetchone() == (1, 2)  # one collision, between an old row and one of the 2 new ones
    published = project.analyst_database.read_bytes()
    failed = nightly()
    assert failed.returncode == 2, failed.stderr
    assert failed_tests(failed) == [key_test]
    assert tested_runs() == [(False,)]  # the failed night marks nothing
    assert project.analyst_database.read_bytes() == published

    full = nightly("--full-tests")
    assert full.returncode == 2 and failed_tests(full) == [key_test]
    # every row: no mark in the key test nor in the where of a restricted test
    assert "test_state" not in compiled_test(project, key_test)
    assert "where true" in compiled_test(project, "not_null_fct_llm_calls_call_id")
