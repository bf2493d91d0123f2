"""The nightly job: build the warehouse, then publish the analyst database.

    python scripts/nightly.py [extra dbt build arguments]

1. `dbt build` (in a subprocess) into the build database,
   LLM_COST_DUCKDB_PATH, which only this job opens. Unit tests are left to
   development and CI (`./scripts/test.sh`): they test SQL logic on fixed
   inputs, not the night's data. dbt writes its artifacts to DBT_TARGET_PATH
   (default: the project's `target/`).
2. If the build succeeded, copy the marts (schema `main`) and the seeds into
   a new file and atomically rename it over the analyst database,
   LLM_COST_ANALYST_DUCKDB_PATH (default: the build path with `.analyst`
   before its suffix). Analysts keep sessions open on the analyst file; a
   rename never disturbs them and they never see a half-built state.
3. Print what this run loaded (fct_pipeline_loads).

Exit codes: 0 built and published, no data problems; 1 built and published,
data problems reported (a test warned, or records were quarantined); 2 build
failed, nothing published (the previous analyst database stays as it was).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from pathlib import Path

import duckdb

from run_dbt import PROJECT_ROOT, dbt_environment

EXIT_OK, EXIT_DATA_PROBLEMS, EXIT_BUILD_FAILED = 0, 1, 2
PUBLISHED_SCHEMAS = ("main", "seeds")
NIGHTLY_BUILD_ARGS = ["--exclude", "test_type:unit"]


def analyst_path(build_path: Path, environ: dict[str, str]) -> Path:
    """Where analysts read: LLM_COST_ANALYST_DUCKDB_PATH, else beside the build file."""
    configured = environ.get("LLM_COST_ANALYST_DUCKDB_PATH")
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path
    return build_path.with_name(f"{build_path.stem}.analyst{build_path.suffix or '.duckdb'}")


def build(extra_args: list[str], environ: dict[str, str]) -> tuple[list[dict[str, object]], str | None]:
    """Run `dbt build`; returns its node results and invocation id."""
    target_path = Path(environ.get("DBT_TARGET_PATH") or PROJECT_ROOT / "target")
    subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "run_dbt.py"), "build",
         "--target-path", str(target_path), *NIGHTLY_BUILD_ARGS, *extra_args],
        env=environ, check=False,
    )
    results_file = target_path / "run_results.json"
    if not results_file.exists():
        return [], None
    run_results = json.loads(results_file.read_text(encoding="utf-8"))
    return run_results["results"], run_results["metadata"].get("invocation_id")


def build_failed(results: list[dict[str, object]]) -> bool:
    return not results or any(r["status"] in ("error", "fail", "skipped", "runtime error") for r in results)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(build_path: Path, target: Path) -> None:
    """Copy the published schemas into a fresh file, then rename it into place."""
    staging_file = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging_file.unlink(missing_ok=True)
    connection = duckdb.connect(str(staging_file))
    try:
        connection.execute("set enable_progress_bar = false")
        connection.execute(f"attach {sql_literal(str(build_path))} as nightly_build (read_only)")
        relations = connection.execute(
            "select schema_name, table_name, comment from duckdb_tables()"
            " where database_name = 'nightly_build' and schema_name in ? "
            "union all select schema_name, view_name, comment from duckdb_views()"
            " where database_name = 'nightly_build' and schema_name in ? and not internal",
            [list(PUBLISHED_SCHEMAS), list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        for schema, name, comment in relations:
            connection.execute(f'create schema if not exists "{schema}"')
            connection.execute(f'create table "{schema}"."{name}" as select * from nightly_build."{schema}"."{name}"')
            if comment:
                connection.execute(f'comment on table "{schema}"."{name}" is {sql_literal(comment)}')
        for schema, table, column, comment in connection.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns()"
            " where database_name = 'nightly_build' and schema_name in ? and comment is not null",
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall():
            connection.execute(
                f'comment on column "{schema}"."{table}"."{column}" is {sql_literal(comment)}'
            )
        connection.execute("detach nightly_build")
        connection.execute("checkpoint")
    finally:
        connection.close()
    os.replace(staging_file, target)


def report_loads(target: Path, invocation_id: str | None) -> int:
    """Print this run's loads; returns the number of records quarantined by it."""
    connection = duckdb.connect(str(target), read_only=True)
    try:
        loads = connection.execute(
            "select source_system, file_count, record_count, billed_call_count, duplicate_count,"
            " quarantined_count, cost_usd from main.fct_pipeline_loads"
            " where load_invocation_id = ? order by source_system",
            [invocation_id],
        ).fetchall()
    finally:
        connection.close()
    print("source | files | records | billed | duplicates | quarantined | cost_usd")
    for row in loads:
        print(" | ".join("" if value is None else str(value) for value in row))
    return sum(row[5] for row in loads)


def main(extra_args: list[str]) -> int:
    environ = {**os.environ, **dbt_environment(os.environ)}
    build_path = Path(environ["LLM_COST_DUCKDB_PATH"])
    results, invocation_id = build(extra_args, environ)
    if build_failed(results):
        print("nightly: build failed; the analyst database was not touched", file=sys.stderr)
        return EXIT_BUILD_FAILED
    target = analyst_path(build_path, environ)
    publish(build_path, target)
    print(f"nightly: published {target}")
    quarantined = report_loads(target, invocation_id)
    warned = [r["unique_id"] for r in results if r["status"] == "warn"]
    for unique_id in warned:
        print(f"nightly: data problem reported by {unique_id}", file=sys.stderr)
    if warned or quarantined:
        return EXIT_DATA_PROBLEMS
    return EXIT_OK


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:  # an unexpected failure must not read as "data problems"
        traceback.print_exc()
        sys.exit(EXIT_BUILD_FAILED)
