"""Benchmark the nightly build against a hand-written DuckDB baseline (docs/benchmarks.md).

    python scripts/benchmark.py run --name app-1m --calls 1000000 --days 30 --mix app=1 \
        [--work-dir /tmp/bench] [--peer-python /tmp/peer-venv/bin/python] [--explain]
    python scripts/benchmark.py baseline RAW_DIR DATABASE

`run` generates a corpus (scripts/generate_corpus.py) of DAYS days plus one
more day, then measures, each in its own process tree (wall time, peak RSS,
CPU time, 1-minute load average before and after):
  full       the nightly job (scripts/nightly.py: `dbt build` without unit tests,
             then publishing the analyst database) over the DAYS days into a
             fresh DuckDB file;
  baseline   scripts/benchmark_baseline.sql over the same files;
  peer       (with --peer-python) scripts/benchmark_peer.py, app logs priced with
             genai-prices from that interpreter's own environment;
  nightly    the nightly job again after the extra day's files arrive.
After full, baseline and nightly it checks the daily mart against the
generator's ground truth (every key and measure, to the cent and beyond) and
the quarantine counts, so a fast wrong answer cannot pass. The job runs with
LLM_COST_RAW_DIR, LLM_COST_DUCKDB_PATH, LLM_COST_ANALYST_DUCKDB_PATH and
DBT_TARGET_PATH under WORK_DIR/NAME, never the project's target/. Results go to
WORK_DIR/NAME/results.json; the slowest nodes of each build come from its
run_results.json, and --explain keeps DuckDB's EXPLAIN ANALYZE of the slowest
model.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from nightly import SPARK_RUN_RESULTS_FILE
from run_dbt import duckdb_memory_limit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = PROJECT_ROOT / "scripts"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
GRAIN = ("usage_date", "team", "service", "route", "environment", "provider", "model")
MEASURES = ("call_count", "unpriced_call_count", "input_tokens", "cache_read_tokens",
            "output_tokens", "reasoning_tokens", "cost_usd")
TRUTH_TYPES = {
    **{column: "VARCHAR" for column in GRAIN}, "usage_date": "DATE",
    **{column: "BIGINT" for column in MEASURES}, "cost_usd": "DECIMAL(38, 12)",
}
# source_system of fct_llm_quarantined_records -> generator sources it counts
QUARANTINE_SOURCES = {"app_logs": ("app_jsonl", "app_csv"), "otlp_traces": ("otlp",)}


# ---------------------------------------------------------------- measuring


@dataclass
class Measurement:
    step: str
    seconds: float
    cpu_seconds: float  # user + system time of the process tree: less sensitive to load
    peak_rss_mib: float
    load_before: float
    load_after: float
    exit_code: int
    log: str


def process_tree(root: int) -> list[int]:
    """root and all its live descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, ()))
    return tree


def memory_kib(pid: int) -> tuple[int, int]:
    """(current RSS, high-water RSS) of one process in KiB; zeros once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields.get("VmRSS", "0 kB").split()[0]),
            int(fields.get("VmHWM", "0 kB").split()[0]))


class PeakMemory:
    """Peak RSS of a process tree: the largest sum of its processes' RSS over samples
    every `interval` seconds, raised to any single process's own high-water mark."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.stopped.wait(self.interval):
            readings = [memory_kib(pid) for pid in process_tree(self.pid)]
            self.peak_kib = max(self.peak_kib, sum(r for r, _ in readings),
                                *(h for _, h in readings))

    def stop(self) -> float:
        self.stopped.set()
        self.thread.join()
        return self.peak_kib / 1024


def measure(step: str, command: Sequence[str], log_path: Path,
            env: Mapping[str, str] | None = None) -> Measurement:
    """Run a command to completion, with its wall time and peak memory."""
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})}, cwd=PROJECT_ROOT)
        peak = PeakMemory(process.pid)
        exit_code = process.wait()
    seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    result = Measurement(step, round(seconds, 2), round(cpu_seconds, 2), round(peak.stop()),
                         round(load_before, 2), round(os.getloadavg()[0], 2), exit_code,
                         str(log_path))
    print(f"{step}: {result.seconds} s (cpu {result.cpu_seconds} s), peak {result.peak_rss_mib} "
          f"MiB, load {result.load_before}->{result.load_after}, exit {exit_code}", flush=True)
    return result


# ---------------------------------------------------------------- checking


def compare_with_truth(database: Path, table: str, truth_csvs: Sequence[Path]) -> dict[str, Any]:
    """Rows of `table` that differ from the truth on any grain key or measure."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        keys = ", ".join(GRAIN)
        sums = ", ".join(f"sum({m}) as {m}" for m in MEASURES)
        con.execute(f"""
            create temp table truth as
            select {keys}, {sums}
            from read_csv({[str(p) for p in truth_csvs]}, header = true, columns = {TRUTH_TYPES})
            group by all
        """)
        differs = " or ".join(f"built.{m} is distinct from truth.{m}" for m in MEASURES)
        rows = con.execute(f"""
            select
                {", ".join(f"coalesce(built.{k}, truth.{k})" for k in GRAIN)},
                {", ".join(f"built.{m}, truth.{m}" for m in MEASURES)}
            from (select {keys}, {", ".join(MEASURES)} from {table}) as built
            full outer join truth using ({keys})
            where {differs}
            order by all
        """).fetchall()
        totals = con.execute(
            f"select count(*), sum(call_count), sum(cost_usd) from {table}").fetchone() or ()
    finally:
        con.close()
    return {"ok": not rows, "differing_rows": len(rows),
            "examples": [[str(v) for v in row] for row in rows[:5]],
            "rows": totals[0], "calls": totals[1], "cost_usd": str(totals[2])}


def compare_quarantine(database: Path, manifests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Quarantined records per source against the generator's count."""
    expected = {system: sum(m["sources"].get(s, {}).get("expected_quarantined_records", 0)
                            for m in manifests for s in sources)
                for system, sources in QUARANTINE_SOURCES.items()}
    con = duckdb.connect(str(database), read_only=True)
    try:
        found = dict(con.execute("""
            select source_system, count(*) from fct_llm_quarantined_records group by 1
        """).fetchall())
    finally:
        con.close()
    actual = {system: found.get(system, 0) for system in expected}
    return {"ok": actual == expected, "expected": expected, "found": actual}


def peer_available(python: Path) -> bool:
    return subprocess.run([str(python), "-c", "import genai_prices"],
                          capture_output=True, check=False).returncode == 0


def peer_totals(peer_csv: Path, truth_csv: Path) -> dict[str, str]:
    """The peer's call count and cost next to the truth's (not a check: genai-prices has
    its own prices, and the peer reads app logs only)."""
    def totals(path: Path) -> tuple[int, int, Decimal]:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return (sum(int(r["call_count"]) for r in rows),
                sum(int(r["unpriced_call_count"]) for r in rows),
                sum((Decimal(r["cost_usd"]) for r in rows if r["cost_usd"]), Decimal(0)))
    peer, truth = totals(peer_csv), totals(truth_csv)
    return {"calls": str(peer[0]), "unpriced_calls": str(peer[1]), "cost_usd": str(peer[2]),
            "truth_calls": str(truth[0]), "truth_unpriced_calls": str(truth[1]),
            "truth_cost_usd": str(truth[2])}


def node_timings(run_results: Path, count: int = 8) -> dict[str, Any]:
    """The slowest nodes of a build and the summed node time per resource type."""
    results = json.loads(run_results.read_text())["results"]
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)
    by_type: dict[str, float] = defaultdict(float)
    for result in results:
        by_type[result["unique_id"].split(".")[0]] += result["execution_time"]
    return {
        "slowest_nodes": [{"node": r["unique_id"], "seconds": round(r["execution_time"], 2),
                           "status": r["status"]} for r in ranked[:count]],
        "seconds_by_resource_type": {k: round(v, 1) for k, v in sorted(by_type.items())},
    }


def profile_settings() -> dict[str, Any]:
    """The DuckDB settings of the dbt profile (profiles/profiles.yml) that bear on speed."""
    return {"threads": 2, "memory_limit": duckdb_memory_limit(os.environ)}


def explain_slowest_model(database: Path, run_results: Path, output: Path) -> str:
    """EXPLAIN ANALYZE of the slowest model's compiled SQL, written to `output`."""
    results = json.loads(run_results.read_text())["results"]
    models = [r for r in results if r["unique_id"].startswith("model.")]
    slowest = max(models, key=lambda r: r["execution_time"])
    con = duckdb.connect(str(database), config=profile_settings())
    try:
        plan = con.execute("explain analyze " + slowest["compiled_code"]).fetchall()
    finally:
        con.close()
    output.write_text("\n".join(str(row[-1]) for row in plan), encoding="utf-8")
    return slowest["unique_id"]


# ---------------------------------------------------------------- steps


def run_baseline(raw_dir: Path, database: Path) -> None:
    """Run scripts/benchmark_baseline.sql over raw_dir into table baseline_cost_daily."""
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database), config=profile_settings())
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set variable raw_dir = $raw_dir", {"raw_dir": str(raw_dir.resolve())})
        con.execute("set variable seeds_dir = $seeds_dir",
                    {"seeds_dir": str(PROJECT_ROOT / "seeds")})
        con.execute((SCRIPTS / "benchmark_baseline.sql").read_text(encoding="utf-8"))
    finally:
        con.close()


def generate(work: Path, calls: int, days: int, start: date, mix: str, seed: int) -> Measurement:
    work.mkdir(parents=True, exist_ok=True)
    return measure("generate", [
        sys.executable, str(SCRIPTS / "generate_corpus.py"), str(work / "raw"),
        "--calls", str(calls), "--days", str(days), "--start", start.isoformat(),
        "--mix", mix, "--seed", str(seed), "--truth-dir", str(work / "truth"),
    ], work / "generate.log")


def dbt_build(step: str, work: Path, dbt_args: Sequence[str]) -> dict[str, Any]:
    """The nightly job (scripts/nightly.py: `dbt build`, then publishing the analyst
    database) measured; dbt's run_results.json is kept as WORK/run_results-STEP.json.
    `succeeded` is true for exit codes 0 and 1 (published, with data problems
    reported: the corpus has unpriced models and malformed lines on purpose)."""
    measured = measure(step, [sys.executable, str(SCRIPTS / "nightly.py"), *dbt_args],
                       work / f"{step}.log", env={
        "LLM_COST_RAW_DIR": str(work / "raw"),
        "LLM_COST_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "LLM_COST_ANALYST_DUCKDB_PATH": str(work / "warehouse.analyst.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
    })
    outcome = {**asdict(measured), "succeeded": measured.exit_code in (0, 1)}
    produced, kept = work / "target" / "run_results.json", work / f"run_results-{step}.json"
    if not produced.exists():
        return outcome
    shutil.copyfile(produced, kept)
    spark_produced, spark_kept = work / "target" / SPARK_RUN_RESULTS_FILE, work / f"run_results-{step}-spark.json"
    spark = {}
    if spark_produced.exists():  # a --target spark night: the models' times are the Spark build's
        shutil.copyfile(spark_produced, spark_kept)
        spark = {"spark": {**node_timings(spark_kept), "run_results": str(spark_kept)}}
    return {**outcome, **node_timings(kept), "run_results": str(kept), **spark}


def manifest(work: Path) -> dict[str, Any]:
    return json.loads((work / "truth" / "manifest.json").read_text())


def benchmark(name: str, calls: int, days: int, start: date, mix: str, seed: int,
              work_dir: Path, peer_python: Path | None = None, explain: bool = False,
              dbt_args: Sequence[str] = (), quiet_night: bool = True) -> dict[str, Any]:
    """Every step of `run`; returns (and writes) the results."""
    work, extra = work_dir / name, work_dir / name / "next-day"
    shutil.rmtree(work, ignore_errors=True)
    results: dict[str, Any] = {
        "name": name, "calls": calls, "days": days, "start": start.isoformat(), "mix": mix,
        "seed": seed, "dbt_args": list(dbt_args), "cpus": os.cpu_count(),
        "memory_gib": round(PAGE_SIZE * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "memory_limit": profile_settings()["memory_limit"],
        "steps": {}, "checks": {},
    }
    steps, checks = results["steps"], results["checks"]
    steps["generate"] = asdict(generate(work, calls, days, start, mix, seed))
    steps["generate_next_day"] = asdict(
        generate(extra, max(1, round(calls / days)), 1, start + timedelta(days=days), mix, seed))
    if any(steps[s]["exit_code"] for s in ("generate", "generate_next_day")):
        raise SystemExit(f"corpus generation failed, see {work}/generate.log")
    history_truth = [work / "truth" / "daily.csv"]

    full = steps["full"] = dbt_build("full", work, dbt_args)
    if full["succeeded"]:
        checks["full"] = compare_with_truth(work / "warehouse.duckdb", "fct_llm_cost_daily",
                                            history_truth)
        checks["full_quarantine"] = compare_quarantine(work / "warehouse.duckdb", [manifest(work)])
        if explain:
            explain_path = work / "explain_analyze.txt"
            full["explained_model"] = explain_slowest_model(
                work / "warehouse.duckdb", Path(full["run_results"]), explain_path)
            full["explain_analyze"] = str(explain_path)

    baseline = measure("baseline", [
        sys.executable, str(Path(__file__).resolve()), "baseline", str(work / "raw"),
        str(work / "baseline.duckdb"),
    ], work / "baseline.log")
    steps["baseline"] = asdict(baseline)
    if baseline.exit_code == 0:
        checks["baseline"] = compare_with_truth(work / "baseline.duckdb", "baseline_cost_daily",
                                                history_truth)
    if peer_python is not None and peer_available(peer_python):
        peer = measure("peer", [str(peer_python), str(SCRIPTS / "benchmark_peer.py"),
                                str(work / "raw"), str(work / "peer_cost_daily.csv")],
                       work / "peer.log")
        steps["peer"] = asdict(peer)
        if peer.exit_code == 0:
            results["peer_totals"] = peer_totals(work / "peer_cost_daily.csv", history_truth[0])
    elif peer_python is not None:
        results["peer_totals"] = f"skipped: genai_prices not importable by {peer_python}"

    shutil.copytree(extra / "raw", work / "raw", dirs_exist_ok=True)
    nightly = steps["nightly"] = dbt_build("nightly", work, dbt_args)
    if nightly["succeeded"]:
        checks["nightly"] = compare_with_truth(
            work / "warehouse.duckdb", "fct_llm_cost_daily",
            [*history_truth, extra / "truth" / "daily.csv"])
        checks["nightly_quarantine"] = compare_quarantine(
            work / "warehouse.duckdb", [manifest(work), manifest(extra)])

    if quiet_night:  # the nightly again, with no new file
        quiet = steps["quiet_night"] = dbt_build("quiet_night", work, dbt_args)
        if quiet["succeeded"]:
            checks["quiet_night"] = compare_with_truth(
                work / "warehouse.duckdb", "fct_llm_cost_daily",
                [*history_truth, extra / "truth" / "daily.csv"])
        if full["succeeded"] and quiet["succeeded"]:
            results["quiet_night_over_full"] = round(quiet["seconds"] / full["seconds"], 2)
            results["quiet_night_over_full_cpu"] = round(quiet["cpu_seconds"] / full["cpu_seconds"], 2)

    if full["succeeded"] and baseline.exit_code == 0:
        results["full_over_baseline"] = round(full["seconds"] / baseline.seconds, 2)
        results["full_over_baseline_cpu"] = round(full["cpu_seconds"] / baseline.cpu_seconds, 2)
    if full["succeeded"] and nightly["succeeded"]:
        results["nightly_over_full"] = round(nightly["seconds"] / full["seconds"], 2)
        results["nightly_over_full_cpu"] = round(nightly["cpu_seconds"] / full["cpu_seconds"], 2)
    results["ok"] = all(s.get("succeeded", s["exit_code"] == 0) for s in steps.values()) and \
        len(checks) >= 5 and all(c["ok"] for c in checks.values())
    (work / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="generate, build, check and time one size")
    run.add_argument("--name", required=True)
    run.add_argument("--calls", type=int, required=True)
    run.add_argument("--days", type=int, default=30)
    run.add_argument("--start", type=date.fromisoformat, default=date(2026, 7, 15))
    run.add_argument("--mix", default="app=1", help="as generate_corpus.py --mix")
    run.add_argument("--seed", type=int, default=7)
    run.add_argument("--work-dir", type=Path, default=Path("/tmp/bench"))
    run.add_argument("--peer-python", type=Path,
                     help="interpreter with genai-prices installed (see docs/benchmarks.md)")
    run.add_argument("--explain", action="store_true",
                     help="keep EXPLAIN ANALYZE of the slowest model of the full build")
    run.add_argument("--dbt-args", default="", help="extra `dbt build` arguments, e.g. "
                     "'--exclude test_type:data' (recorded with the results)")
    run.add_argument("--no-quiet-night", action="store_true",
                     help="skip the last step, the nightly again with no new file")
    baseline = commands.add_parser("baseline", help="run the hand-written baseline once")
    baseline.add_argument("raw_dir", type=Path)
    baseline.add_argument("database", type=Path)
    args = parser.parse_args()
    if args.command == "baseline":
        run_baseline(args.raw_dir, args.database)
        return
    results = benchmark(args.name, args.calls, args.days, args.start, args.mix, args.seed,
                        args.work_dir.resolve(), args.peer_python, args.explain,
                        shlex.split(args.dbt_args), quiet_night=not args.no_quiet_night)
    print(json.dumps(results, indent=2))
    sys.exit(0 if results["ok"] else 1)


if __name__ == "__main__":
    main()
