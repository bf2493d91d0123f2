"""The nightly job: build the warehouse, then publish the analyst database.

    python scripts/nightly.py [--target spark] [--allow-empty-raw] [--retract-deleted-files] [--full-tests]
                              [--always-build] [extra dbt build arguments]

`--target spark` builds the models on a local Spark session instead (spark_night; run through
`./scripts/nightly.sh --target spark`, which installs the Spark venv), then tests and publishes
on DuckDB exactly as below, so the analyst database has the same shape whatever built it.

0. Take the job lock, `<build database>.nightly.lock` (an exclusive,
   non-blocking `flock`, held until the job and its dbt process end): a
   second nightly on the same build database exits 2 at once, without
   building or publishing. Under the lock, remove the temporary files a
   killed publish left beside the analyst database. Refuse (exit 2) a raw
   root that is missing or holds no raw file in any source folder, unless
   `--allow-empty-raw` or LLM_COST_ALLOW_EMPTY_RAW=1 says that is expected.
   The raw-file pre-flight (run by run_dbt.py) refuses, the same way, when
   files loaded before are gone, unless `--retract-deleted-files` or
   LLM_COST_RETRACT_DELETED_FILES=1 says to retract their calls.
1. Run the raw-file pre-flight (scripts/raw_manifest.py) and take the
   fingerprint of the night's inputs (scripts/night_inputs.py), recorded in
   the build database's `nightly_state.runs`. When the last night recorded
   there was published from the same inputs (and neither `--full-tests`,
   `--always-build`, a selection nor `--full-refresh` is given), dbt builds
   only the models that read the current date (tag `reads_current_date`),
   what depends on them, and their tests.
   `dbt build` (in a subprocess) into the build database,
   LLM_COST_DUCKDB_PATH, which only this job opens. Unit tests are left to
   development and CI (`./scripts/test.sh`): they test SQL logic on fixed
   inputs, not the night's data. The data tests of the call-level relations
   (staging, validated and classified records, fct_llm_calls) test the rows
   written since the last run whose tests all passed (macros/testing/
   tested_rows.sql); `--full-tests` or LLM_COST_FULL_TESTS=1 tests all
   history, the weekly run of README "Operating it nightly". dbt writes its
   artifacts to DBT_TARGET_PATH
   (default: the project's `target/`). dbt logs nothing (`--log-level none`:
   its messages can quote raw records); this job prints only its own lines
   and run_dbt.py's refusals (paths and reasons only).
2. The build succeeded only if dbt exited 0 and wrote, after this job
   deleted the old ones, a run_results.json of this very run (it carries
   this run's id, given to dbt as DBT_ENV_CUSTOM_ENV_NIGHTLY_RUN_ID, in
   `metadata.env`) with no failed node and a manifest.json of the same
   invocation, and every model and seed of the published schemas that the
   manifest defines exists in the build database. Then bring a copy of the
   analyst database, LLM_COST_ANALYST_DUCKDB_PATH (default: the build path
   with `.analyst` before its suffix), to the build's marts (schema `main`)
   and seeds, copying only what changed (publish_changes: per relation and
   usage_date, by row count and the sum of the rows' hashes, logged in the
   file's `publication.partitions`; a fresh file when there is no usable
   previous one), write the marts as Parquet (an unchanged mart is
   hard-linked from the previous night's folder), and atomically rename the
   file over the analyst database. Analysts keep sessions open on the
   analyst file; a rename never disturbs them and they never see a
   half-built state.
3. Print what this run loaded (fct_pipeline_loads).

Exit codes: 0 built and published, no data problems; 1 built and published,
data problems reported (a test warned, records or files were quarantined, or
a file loaded before was retracted: deleted or rewritten unreadable); 2 not
published (another nightly runs, the raw root is missing or empty, files
loaded before are gone and were not to be retracted, dbt failed
or died, or the job crashed): the analyst database is byte for byte the
previous one.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, suppress
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb

from night_inputs import Night, fingerprint, mark_published, start_night
from raw_manifest import REGISTRY_FILE, raw_layouts
from run_dbt import (
    PREFLIGHT_DONE_VARIABLE,
    PROJECT_ROOT,
    PathError,
    PreflightRefused,
    database_path,
    dbt_environment,
    duckdb_memory_limit,
    raw_root,
    resolve_path,
    run_preflight,
)

EXIT_OK, EXIT_DATA_PROBLEMS, EXIT_BUILD_FAILED = 0, 1, 2
PUBLISHED_SCHEMAS = ("main", "seeds")
# The analyst database is written in DuckDB 1.4's storage format, so that the DuckDB 1.x tools
# analysts have (the CLI from PyPI, DBeaver, Evidence, harlequin) open it as well as DuckDB 2.
PUBLISHED_STORAGE_VERSION = "v1.4.0"
NIGHTLY_BUILD_ARGS = ["--exclude", "test_type:unit"]
# Last, so they win: dbt logs nothing, to the console or to logs/dbt.log; its
# error messages quote SQL values, which can be raw record text (prompts, keys).
DBT_LOGGING_ARGS = ["--log-level", "none"]
RUN_ID_VARIABLE = "NIGHTLY_RUN_ID"  # dbt copies DBT_ENV_CUSTOM_ENV_<name> into its artifacts' metadata.env
ALLOW_EMPTY_RAW_FLAG = "--allow-empty-raw"
ALLOW_EMPTY_RAW_VARIABLE = "LLM_COST_ALLOW_EMPTY_RAW"
RETRACT_DELETED_FLAG = "--retract-deleted-files"
RETRACT_DELETED_VARIABLE = "LLM_COST_RETRACT_DELETED_FILES"  # read by the pre-flight (scripts/raw_manifest.py)
FULL_TESTS_FLAG = "--full-tests"
FULL_TESTS_VARIABLE = "LLM_COST_FULL_TESTS"  # read by dbt (macros/testing/tested_rows.sql)
ALWAYS_BUILD_FLAG = "--always-build"
# `--target spark`: build on a local Spark session (spark_night), test and publish on DuckDB.
SPARK_TARGET = "spark"
SPARK_PYTHON_VARIABLE = "LLM_COST_SPARK_PYTHON"  # the Spark venv's interpreter, set by nightly.sh
SPARK_BUILD_ARGS = ["--target", SPARK_TARGET, "--exclude", "resource_type:test", "resource_type:unit_test"]
SPARK_RELATIONS_FILE = "spark_relations.json"  # scripts/spark_build.py's list of Parquet folders
SPARK_RUN_RESULTS_FILE = "run_results-spark.json"  # the Spark build's node times, kept from the test run's
# A night whose inputs are the last published night's (scripts/night_inputs.py) builds only these:
# the models that read the current date, what depends on them, and their tests.
CURRENT_DATE_SELECTOR = "tag:reads_current_date+"
# Extra dbt arguments after which the whole project is built every night.
WHOLE_BUILD_ARGS = frozenset({"--full-refresh", "-f", "--select", "-s", "--selector", "--models", "-m"})
# The lines of the dbt subprocess's stderr that are run_dbt.py's own refusals (paths and reasons only).
OWN_MESSAGE_PREFIX = "run_dbt: "
FAILED_STATUSES = ("error", "fail", "skipped", "runtime error")
# dbt's message when an incremental model's columns no longer match its table (on_schema_change: fail)
SCHEMA_CHANGED_MESSAGE = "schemas on this incremental model are out of sync"
RAW_FILE_SUFFIXES = (".json", ".jsonl", ".csv", ".parquet")
# The analyst database's log of what was published (publish_changes), and the column by which a
# relation that has it is compared and copied in parts.
PUBLICATION_SCHEMA = "publication"
PARTITION_COLUMN = "usage_date"
Relation = tuple[str, str]
LOADS_COLUMNS = ("source_system", "file_count", "record_count", "billed_call_count", "duplicate_count",
                 "quarantined_count", "cost_usd")


class NightlyError(Exception):
    """The job stops without publishing; the message is one line for the operator."""


def analyst_path(build_path: Path, environ: dict[str, str]) -> Path:
    """Where analysts read: LLM_COST_ANALYST_DUCKDB_PATH, else beside the build file."""
    configured = environ.get("LLM_COST_ANALYST_DUCKDB_PATH")
    if configured:
        return resolve_path(configured)
    return build_path.with_name(f"{build_path.stem}.analyst{build_path.suffix or '.duckdb'}")


def job_lock_path(build_path: Path) -> Path:
    return build_path.with_name(f"{build_path.name}.nightly.lock")


@contextmanager
def job_lock(build_path: Path) -> Iterator[int]:
    """Hold the job lock; yields its file descriptor (pass it to children so they hold it too)."""
    path = job_lock_path(build_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NightlyError(f"another nightly holds {path}") from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield descriptor
    finally:
        os.close(descriptor)  # releases the lock unless a dbt child still holds it


def staging_files(target: Path) -> list[Path]:
    """Temporary files of publishes into `target`: `.<name>.<pid>.tmp` (and DuckDB's `.wal` of it,
    and the folder it spills to)."""
    if not target.parent.is_dir():
        return []
    return [path for path in target.parent.iterdir() if path.name.startswith(f".{target.name}.")
            and path.name.endswith((".tmp", ".tmp.wal", ".tmp.spill"))]


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def raw_source_folders() -> list[str]:
    """The source folders of the source registry (var `llm_cost_sources` in dbt_project.yml)."""
    folders = sorted({str(layout["folder"]) for layout in raw_layouts(PROJECT_ROOT).values()})
    if not folders:
        raise NightlyError(f"no raw source folder found in the source registry ({REGISTRY_FILE})")
    return folders


def has_raw_file(root: Path, folders: list[str]) -> bool:
    """True when a source folder holds a file the raw layouts read (stops at the first)."""
    for folder in folders:
        for _, _, names in os.walk(root / folder, followlinks=True):
            if any(name.removesuffix(".gz").endswith(RAW_FILE_SUFFIXES) for name in names):
                return True
    return False


def check_raw_root(root: Path, allow_empty: bool) -> None:
    """A missing or empty raw root is an outage (an unmounted share, a failed sync), not a quiet night."""
    if not root.is_dir():
        problem = f"the raw root {root} does not exist or is not a directory"
    elif not has_raw_file(root, raw_source_folders()):
        problem = f"the raw root {root} holds no raw file in any source folder"
    else:
        return
    if not allow_empty:
        raise NightlyError(f"{problem} (pass {ALLOW_EMPTY_RAW_FLAG} or set {ALLOW_EMPTY_RAW_VARIABLE}=1 "
                           "if that is expected)")
    print(f"nightly: {problem}; going on, as {ALLOW_EMPTY_RAW_FLAG} allows", file=sys.stderr)


def read_artifact(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise NightlyError(f"dbt wrote no {path.name} for this run")
    artifact: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return artifact


def this_runs_results(results_file: Path, run_id: str) -> tuple[list[dict[str, Any]], str]:
    """The node results and invocation id of run_results.json, if this run wrote it:
    its metadata.env carries `run_id` (dbt copies DBT_ENV_CUSTOM_ENV_* there)."""
    run_results = read_artifact(results_file)
    metadata = run_results.get("metadata", {})
    if metadata.get("env", {}).get(RUN_ID_VARIABLE) != run_id:
        raise NightlyError(f"{results_file} is not this run's")
    return run_results["results"], str(metadata["invocation_id"])


def this_runs_manifest(manifest_file: Path, invocation_id: str) -> dict[str, Any]:
    """manifest.json, if this run wrote it. Its invocation id is the run's; its
    metadata.env is not (dbt keeps the env of the last full parse on a partial parse)."""
    manifest = read_artifact(manifest_file)
    if manifest.get("metadata", {}).get("invocation_id") != invocation_id:
        raise NightlyError(f"{manifest_file} is not this run's")
    return manifest


def build(extra_args: list[str], environ: dict[str, str], lock_descriptor: int, run_id: str,
          program: list[str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """Run `dbt build` (or `program`: a dbt command line of another script); returns this run's
    node results, manifest and invocation id."""
    target_path = Path(environ.get("DBT_TARGET_PATH") or PROJECT_ROOT / "target")
    results_file, manifest_file = target_path / "run_results.json", target_path / "manifest.json"
    # an earlier run's artifacts must never be read as tonight's
    remove_files([results_file, manifest_file])
    completed = subprocess.run(
        [*(program or [sys.executable, str(PROJECT_ROOT / "scripts" / "run_dbt.py"), "build", *NIGHTLY_BUILD_ARGS]),
         "--target-path", str(target_path), *extra_args, *DBT_LOGGING_ARGS],
        env={**environ, f"DBT_ENV_CUSTOM_ENV_{RUN_ID_VARIABLE}": run_id, PREFLIGHT_DONE_VARIABLE: "1"},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
        pass_fds=(lock_descriptor,),  # should this job die, dbt keeps the lock until it ends too
        check=False,
    )
    for line in completed.stderr.splitlines():
        if line.startswith(OWN_MESSAGE_PREFIX):
            print(line, file=sys.stderr)
    results: list[dict[str, Any]] = []
    invocation_id = ""
    with suppress(NightlyError):
        results, invocation_id = this_runs_results(results_file, run_id)
    failed = [r for r in results if r["status"] in FAILED_STATUSES]
    for result in failed:  # node names and statuses only: dbt's messages can quote raw records
        print(f"nightly: {result['unique_id']} {result['status']}", file=sys.stderr)
        if SCHEMA_CHANGED_MESSAGE in (result.get("message") or ""):
            print(f"nightly: {result['unique_id']} has other columns than its table: run one night with"
                  " --full-refresh (README, Operating it nightly)", file=sys.stderr)
    if completed.returncode != 0 or failed or not results:
        raise NightlyError(f"dbt exited with code {completed.returncode}, {len(failed)} failed node(s)"
                           + ("" if results else ", no run results of this run"))
    return results, this_runs_manifest(manifest_file, invocation_id), invocation_id


def check_published_relations(connection: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    """Every model and seed of the published schemas that the manifest defines is in the build."""
    expected = {
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["schema"] in PUBLISHED_SCHEMAS
        and node["config"].get("materialized") != "ephemeral"
    }
    present = set(connection.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'nightly_build' "
        "union all select schema_name, view_name from duckdb_views() where database_name = 'nightly_build'"
    ).fetchall())
    missing = sorted(f"{schema}.{name}" for schema, name in expected - present)
    if missing:
        raise NightlyError(f"the build database lacks {len(missing)} relation(s): {', '.join(missing[:10])}")


def parquet_link(target: Path) -> Path:
    """The public marts as Parquet files, beside the analyst database: `<analyst stem>.parquet/`
    (a symlink to this night's folder, swapped atomically)."""
    return target.with_name(f"{target.stem}.parquet")


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quoted(schema: str, name: str, catalog: str | None = None) -> str:
    return ".".join(f'"{part}"' for part in (catalog, schema, name) if part)


def relation_signatures(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[Relation, str]:
    """The published schemas' tables and views of `catalog` with their columns (name and type, in
    order) and comments, as one text per relation: a relation whose text changed is copied whole."""
    return {
        (schema, name): signature for schema, name, signature in connection.execute(
            "select schema_name, table_name, string_agg(column_name || ' ' || data_type || ' '"
            " || coalesce(comment, ''), '|' order by column_index)"
            " || '|' || coalesce(any_value(table_comment), '')"
            " from (select c.*, coalesce(t.comment, v.comment) as table_comment from duckdb_columns() as c"
            "   left join duckdb_tables() as t using (database_name, schema_name, table_name)"
            "   left join duckdb_views() as v on v.database_name = c.database_name"
            "     and v.schema_name = c.schema_name and v.view_name = c.table_name)"
            " where database_name = ? and schema_name in ? group by all",
            [catalog, list(PUBLISHED_SCHEMAS)],
        ).fetchall()
    }


def partition_column(connection: duckdb.DuckDBPyConnection, relation: Relation,
                     catalog: str = "nightly_build") -> str | None:
    """`usage_date` for a relation that has one (the call-level and daily marts, where a night
    changes a few days); other relations are compared and copied whole."""
    schema, name = relation
    found = connection.execute(
        "select count(*) from duckdb_columns() where database_name = ? and schema_name = ?"
        " and table_name = ? and column_name = ?", [catalog, schema, name, PARTITION_COLUMN]).fetchone()
    return PARTITION_COLUMN if found and found[0] else None


def stamped_relations(manifest: dict[str, Any]) -> dict[Relation, str]:
    """The published models under the incremental contract, with their stamp column: a run only
    deletes rows from them and appends rows stamped with its own start (macros/incremental/
    incremental_files.sql), so a partition whose row count and latest stamp are last night's
    holds last night's rows."""
    return {
        (node["schema"], node.get("alias") or node["name"]): node["config"]["incremental_files"]["stamp"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in PUBLISHED_SCHEMAS
        and node["config"].get("materialized") == "incremental"
        and "stamp" in (node["config"].get("incremental_files") or {})
    }


def fingerprints(connection: duckdb.DuckDBPyConnection, relation: Relation,
                 stamp: str | None = None) -> dict[str, tuple[int, int]]:
    """Per partition of the build's relation (its `usage_date` as text, '' for the whole relation or
    a null date): the row count and the sum of the rows' 64-bit hashes, or, for a relation whose
    rows carry their run's `stamp` (stamped_relations), its latest stamp in microseconds: two
    columns read instead of every row hashed (the call-level marts hold every call)."""
    column = partition_column(connection, relation)
    partition = f'coalesce(cast(build_row."{column}" as varchar), \'\')' if column else "''"
    content = f'max(epoch_us(build_row."{stamp}"))' if stamp else "sum(hash(build_row)::hugeint)"
    return {
        key: (count, int(total)) for key, count, total in connection.execute(
            f"select {partition}, count(*), {content}"
            f" from {quoted(*relation, 'nightly_build')} as build_row group by all"
        ).fetchall() if count  # an empty relation has no partition
    }


def published_fingerprints(connection: duckdb.DuckDBPyConnection) -> dict[Relation, dict[str, tuple[int, int]]] | None:
    """What the previous night published, from the analyst database's own log (None when it has none,
    or one written before its `fingerprint` column)."""
    has_log = connection.execute(
        "select count(*) from duckdb_columns() where database_name = 'published' and schema_name = ?"
        " and table_name = 'partitions' and column_name = 'fingerprint'", [PUBLICATION_SCHEMA]).fetchone()
    if not has_log or not has_log[0]:
        return None
    found: dict[Relation, dict[str, tuple[int, int]]] = {}
    for schema, name, key, count, total in connection.execute(
        "select schema_name, table_name, partition_value, row_count, fingerprint"
        f" from published.{PUBLICATION_SCHEMA}.partitions"
    ).fetchall():
        found.setdefault((schema, name), {})[key] = (count, int(total))
    return found


def copy_relation(connection: duckdb.DuckDBPyConnection, relation: Relation) -> None:
    """Copy a relation whole (a table, whatever it is in the build), with its comments."""
    schema, name = relation
    connection.execute(f'create schema if not exists "{schema}"')
    connection.execute(
        f"create or replace table {quoted(*relation)} as select * from {quoted(*relation, 'nightly_build')}")
    for column, comment in connection.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'nightly_build'"
        " and schema_name = ? and table_name = ? and comment is not null", [schema, name]).fetchall():
        connection.execute(f'comment on column {quoted(*relation)}."{column}" is {sql_literal(comment)}')
    comment = connection.execute(
        "select comment from duckdb_tables() where database_name = 'nightly_build' and schema_name = ?"
        " and table_name = ? union all select comment from duckdb_views() where database_name = 'nightly_build'"
        " and schema_name = ? and view_name = ?", [schema, name, schema, name]).fetchone()
    if comment and comment[0]:
        connection.execute(f"comment on table {quoted(*relation)} is {sql_literal(comment[0])}")


def copy_partitions(connection: duckdb.DuckDBPyConnection, relation: Relation, keys: list[str]) -> None:
    """Replace the rows of the given partitions (usage dates as text, '' for null) by the build's."""
    condition = f'coalesce(cast("{PARTITION_COLUMN}" as varchar), \'\') in (select unnest(?))'
    connection.execute(f"delete from {quoted(*relation)} where {condition}", [keys])
    connection.execute(
        f"insert into {quoted(*relation)} select * from {quoted(*relation, 'nightly_build')} where {condition}", [keys])


def publish_changes(connection: duckdb.DuckDBPyConnection, incremental: bool,
                    stamps: dict[Relation, str]) -> dict[Relation, list[str] | None]:
    """Make the published schemas of `published` equal the build's: every relation when not
    `incremental`, else only what changed since the analyst database was published (a relation whose
    columns or comments changed, or the partitions whose fingerprints changed; `stamps`: the stamped
    relations' stamp columns); returns the relations changed, each with its changed partitions
    (None: copied whole). The publication log (`publication.partitions`) is rewritten either way."""
    build = relation_signatures(connection, "nightly_build")
    previous_signatures = relation_signatures(connection, "published") if incremental else {}
    previous = published_fingerprints(connection) if incremental else None
    changed: dict[Relation, list[str] | None] = {}
    log: list[tuple[str, str, str, int, int]] = []
    for relation in sorted(set(previous_signatures) - set(build)):
        connection.execute(f"drop table if exists {quoted(*relation)}")
        changed[relation] = None
    for relation, signature in sorted(build.items()):
        now = fingerprints(connection, relation, stamps.get(relation))
        log += [(*relation, key, count, total) for key, (count, total) in now.items()]
        before = previous.get(relation, {}) if previous is not None else None
        if before is None or previous_signatures.get(relation) != signature:
            copy_relation(connection, relation)
            changed[relation] = None
        elif before != now:
            keys = sorted(key for key in set(now) | set(before) if now.get(key) != before.get(key))
            if partition_column(connection, relation):
                copy_partitions(connection, relation, keys)
                changed[relation] = keys
            else:
                copy_relation(connection, relation)
                changed[relation] = None
    connection.execute(f"create schema if not exists {PUBLICATION_SCHEMA}")
    connection.execute(
        f"create or replace table {PUBLICATION_SCHEMA}.partitions (schema_name varchar, table_name varchar,"
        " partition_value varchar, row_count bigint, fingerprint hugeint)")
    if log:
        connection.executemany(f"insert into {PUBLICATION_SCHEMA}.partitions values (?, ?, ?, ?, ?)", log)
    connection.execute(
        f"comment on table {PUBLICATION_SCHEMA}.partitions is 'What the nightly job published: per relation and"
        " usage_date (empty: the whole relation), the row count and a fingerprint (the sum of the rows'' hashes;"
        " for a model under the incremental contract, its latest stamp in microseconds), compared with the next"
        " build to publish only what changed.'")
    return changed


def parquet_files(connection: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    """The Parquet files of a published mart, by partition (publish_changes' keys): `<name>.parquet`
    for a mart without a usage_date; for one with it, a folder of one file per day,
    `<name>/<YYYY-MM-DD>.parquet`, and `<name>/undated.parquet` for the rows without one, always
    written (empty if need be), so the folder is never empty and always carries the columns."""
    if not partition_column(connection, ("main", name), "published"):
        return {"": f"{name}.parquet"}
    days = [key for (key,) in connection.execute(
        f'select distinct cast("{PARTITION_COLUMN}" as varchar) from published.main."{name}"'
        f' where "{PARTITION_COLUMN}" is not null').fetchall()]
    return {"": f"{name}/undated.parquet", **{day: f"{name}/{day}.parquet" for day in days}}


def write_parquet(connection: duckdb.DuckDBPyConnection, folder: Path, previous: Path | None,
                  changed: dict[Relation, list[str] | None]) -> None:
    """Every relation of the published `main` schema (the marts) as Parquet (parquet_files); money
    stays DECIMAL(38, 12), comments are not carried (see the analyst database for them). A file
    whose rows did not change is hard-linked from the previous night's folder instead of written."""
    folder.mkdir()
    for (name,) in connection.execute(
        "select table_name from duckdb_tables() where database_name = 'published' and schema_name = 'main'"
        " order by table_name"
    ).fetchall():
        changed_keys = changed.get(("main", name), [])
        files = parquet_files(connection, name)
        for key, relative in files.items():
            destination = folder / relative
            destination.parent.mkdir(exist_ok=True)
            earlier = previous / relative if previous else None
            if earlier and earlier.is_file() and changed_keys is not None and key not in changed_keys:
                os.link(earlier, destination)
                continue
            rows = f'published.main."{name}"'
            if len(files) > 1:  # one day, or the undated rows
                rows = (f'(select * from {rows} where coalesce(cast("{PARTITION_COLUMN}" as varchar), \'\')'
                        f" = {sql_literal(key)})")
            connection.execute(f"copy {rows} to {sql_literal(str(destination))} (format parquet, compression zstd)")


def swap_parquet_folder(folder: Path, link: Path) -> None:
    """Point `link` at `folder` in one rename, then remove the folders earlier nights published."""
    staging_link = link.with_name(f".{link.name}.{os.getpid()}.link")
    staging_link.unlink(missing_ok=True)
    staging_link.symlink_to(folder.name, target_is_directory=True)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)  # a plain folder someone made there cannot be swapped atomically
    os.replace(staging_link, link)
    for earlier in link.parent.glob(f".{link.name}.*"):
        if earlier.is_dir() and earlier.name != folder.name:
            shutil.rmtree(earlier)


def spark_target(arguments: list[str]) -> tuple[bool, list[str]]:
    """Whether `--target spark` (or `--target=spark`) is given, and the arguments without it."""
    rest: list[str] = []
    spark = False
    iterator = iter(arguments)
    for argument in iterator:
        if argument == f"--target={SPARK_TARGET}":
            spark = True
        elif argument in ("--target", "-t"):
            value = next(iterator, "")
            if value == SPARK_TARGET:
                spark = True
            else:
                rest += [argument, value]
        else:
            rest.append(argument)
    return spark, rest


def duckdb_column(column: str, parquet_type: str, declared: dict[str, str]) -> str:
    """A column of Spark's Parquet as the DuckDB build has it: as its declared type (a model's
    `data_type`, a seed's `column_types`, as DuckDB's manifest renders them) when it has one, else
    as read. Spark writes TIMESTAMP (an instant, UTC in the `spark` session) as INT96, read as a
    TIMESTAMP of UTC: a TIMESTAMPTZ is made from it in UTC whatever the session's time zone."""
    kind = declared.get(column.lower())
    if kind is None or kind.lower() == parquet_type.lower():
        return f'"{column}"'
    if kind.lower() in ("timestamptz", "timestamp with time zone") and parquet_type == "TIMESTAMP":
        return f"timezone('UTC', \"{column}\") as \"{column}\""
    return f'cast("{column}" as {kind}) as "{column}"'


def relation_name(node: dict[str, Any]) -> str:
    """A manifest node's relation as `<schema>.<name>` (its alias when it has one)."""
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def declared_types(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    """By relation (`<schema>.<name>`), the column types a manifest declares: the models' `data_type`
    and the seeds' `column_types` (lower-case column names)."""
    declared: dict[str, dict[str, str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            types = {name.lower(): column["data_type"] for name, column in node.get("columns", {}).items()
                     if column.get("data_type")}
            types |= {name.lower(): kind for name, kind in (node["config"].get("column_types") or {}).items()}
            declared[relation_name(node)] = types
    return declared


def not_null_columns(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """By relation (`<schema>.<name>`), the columns of a model whose contract declares them not null
    (`constraints: [{type: not_null}]`): DuckDB and Delta enforce these when they write the table;
    Spark's Parquet tables do not, so a Spark night checks them (mirror_spark_relations)."""
    return {relation_name(node): names
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced")
            if (names := [name for name, column in node["columns"].items()
                          if any(constraint["type"] == "not_null" for constraint in column.get("constraints", []))])}


def mirror_spark_relations(build_path: Path, folders: dict[str, str], manifest: dict[str, Any]) -> None:
    """Make each relation Spark built tonight a view of the build database over its Parquet files,
    with the DuckDB build's column types (duckdb_column; `manifest` is DuckDB's), so that the data
    tests and the publish step read it as they read a DuckDB night's table. A null in a column its
    contract declares not null fails the night, as the same row fails a DuckDB build."""
    declared = declared_types(manifest)
    required = not_null_columns(manifest)
    # a public mart's columns in its contract's order, not Spark's (a partition column last)
    contracts = {relation_name(node): [name.lower() for name in node["columns"]]
                 for node in manifest["nodes"].values()
                 if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced")}
    connection = duckdb.connect(str(build_path))
    try:
        for relation, folder in sorted(folders.items()):
            schema, name = relation.split(".", 1)
            files = f"read_parquet({sql_literal(str(Path(folder) / '**' / '*.parquet'))}, hive_partitioning = true)"
            columns = connection.execute(f"describe select * from {files}").fetchall()
            types = declared.get(relation, {})
            order = contracts.get(relation)
            if order and {column.lower() for column, *_ in columns} == set(order):
                columns.sort(key=lambda described: order.index(described[0].lower()))
            selected = ", ".join(duckdb_column(column, kind, types) for column, kind, *_ in columns)
            connection.execute(f'create schema if not exists "{schema}"')
            if connection.execute(  # a DuckDB night's table; a Spark night's view is replaced below
                "select 1 from duckdb_tables() where database_name = current_database()"
                " and schema_name = ? and table_name = ?", [schema, name]).fetchone():
                connection.execute(f"drop table {quoted(schema, name)}")
            connection.execute(f"create or replace view {quoted(schema, name)} as select {selected} from {files}")
            if columns_required := required.get(relation):
                counts = connection.execute("select " + ", ".join(
                    f'count(*) filter (where "{column}" is null)' for column in columns_required)
                    + f" from {quoted(schema, name)}").fetchone()
                if nulls := [column for column, count in zip(columns_required, counts, strict=True) if count]:
                    raise NightlyError(f"Spark wrote nulls into {relation} ({', '.join(nulls)}), which its"
                                       " contract declares not null: nothing was published")
    finally:
        connection.close()


def duckdb_manifest(environ: dict[str, str], target_path: Path) -> dict[str, Any]:
    """The project's manifest as the DuckDB target renders it (`dbt parse`)."""
    parse_path = target_path / "duckdb_parse"
    remove_files([parse_path / "manifest.json"])
    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "run_dbt.py"), "parse", "--target-path", str(parse_path),
         *DBT_LOGGING_ARGS],
        env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if completed.returncode != 0:
        raise NightlyError(f"dbt parse exited with code {completed.returncode}")
    return read_artifact(parse_path / "manifest.json")


def spark_night(selection: list[str], environ: dict[str, str], lock_descriptor: int,
                run_id: str, build_path: Path) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """A night on the `spark` target: `dbt build` of the models on Spark (scripts/spark_build.py, the
    Spark venv's interpreter; no data tests there; its run_results.json kept as
    SPARK_RUN_RESULTS_FILE), views of the build database over the Parquet
    files Spark wrote, with DuckDB's types (mirror_spark_relations), then the data tests on DuckDB over those views
    (`dbt test`). Returns the test run's results and manifest, and the Spark run's invocation id
    (the load invocation of fct_pipeline_loads)."""
    spark_python = environ.get(SPARK_PYTHON_VARIABLE)
    if not spark_python:
        raise NightlyError(f"{SPARK_PYTHON_VARIABLE} is not set: run ./scripts/nightly.sh --target {SPARK_TARGET}")
    target_path = Path(environ.get("DBT_TARGET_PATH") or PROJECT_ROOT / "target")
    relations_file = target_path / SPARK_RELATIONS_FILE
    remove_files([relations_file, target_path / SPARK_RUN_RESULTS_FILE])  # never an earlier night's
    _, _, spark_invocation_id = build(
        [*SPARK_BUILD_ARGS, *selection], environ, lock_descriptor, run_id,
        program=[spark_python, str(PROJECT_ROOT / "scripts" / "spark_build.py"), str(relations_file), "build"])
    shutil.copyfile(target_path / "run_results.json", target_path / SPARK_RUN_RESULTS_FILE)
    mirror_spark_relations(build_path, read_artifact(relations_file), duckdb_manifest(environ, target_path))
    # cautious: a test of a relation not built tonight (a narrower --select) is not run
    results, manifest, _ = build([*NIGHTLY_BUILD_ARGS, "--indirect-selection", "cautious", *selection],
                                 environ, lock_descriptor, run_id,
                                 program=[sys.executable, str(PROJECT_ROOT / "scripts" / "run_dbt.py"), "test"])
    return results, manifest, spark_invocation_id


def check_inputs(build_path: Path, environ: dict[str, str], run_id: str, extra_args: list[str],
                 may_build_less: bool, spark: bool = False) -> Night | None:
    """Run the raw-file pre-flight, fingerprint tonight's inputs and record the night
    (scripts/night_inputs.py); returns the last night if it was published from the same inputs.
    A Spark night runs the pre-flight for Spark too (it hands Spark the manifest as Parquet); the
    DuckDB one serves the data tests, run on DuckDB."""
    try:
        with redirect_stderr(io.StringIO()):  # its lines can name what the nightly reports itself
            for arguments in (["build"], *([["build", "--target", SPARK_TARGET]] if spark else [])):
                run_preflight(arguments, {**environ, f"DBT_ENV_CUSTOM_ENV_{RUN_ID_VARIABLE}": run_id})
    except PreflightRefused as refusal:
        raise NightlyError(str(refusal)) from None
    dbt_paths = [environ["LLM_COST_RAW_DIR"], environ["LLM_COST_DUCKDB_PATH"]]
    inputs = fingerprint(PROJECT_ROOT, build_path, dbt_paths, extra_args)
    return start_night(build_path, run_id, inputs, may_build_less)


def start_from_previous(target: Path, staging_file: Path) -> bool:
    """Copy the analyst database to `staging_file` to publish only the changes into it; false (a
    fresh file is written instead) when there is none, when it cannot be opened read-only, or when
    it holds more free blocks than used ones (replaced partitions leave free blocks: a fresh file
    compacts them)."""
    if not target.is_file():
        return False
    try:
        connection = duckdb.connect(str(target), read_only=True)
    except duckdb.Error:  # held by a writer: publish a fresh file, as before
        return False
    try:
        used, free = connection.execute(
            "select used_blocks, free_blocks from pragma_database_size() where database_name = current_database()"
        ).fetchone()
    finally:
        connection.close()
    if free > used:
        return False
    shutil.copyfile(target, staging_file)
    return True


def publish(build_path: Path, target: Path, manifest: dict[str, Any], invocation_id: str,
            run_id: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Check the build, bring a copy of the analyst database (or a fresh file) to the build's
    published schemas, then rename it into place; returns this run's loads and the raw files it
    quarantined and retracted. On any failure the temporary file is removed."""
    staging_file = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    link = parquet_link(target)
    parquet_folder = link.with_name(f".{link.name}.{run_id}")
    previous_parquet = link.resolve() if link.is_symlink() and link.resolve().is_dir() else None
    spill = Path(f"{staging_file}.spill")
    remove_files([staging_file, Path(f"{staging_file}.wal")])
    try:
        incremental = start_from_previous(target, staging_file)
        connection = duckdb.connect()
        try:
            connection.execute("set enable_progress_bar = false")
            # tables and Parquet files have no row order to keep: without it DuckDB writes them on every
            # thread (app logs 10M, fct_llm_calls as Parquet: 20.5 s -> 15.9 s)
            connection.execute("set preserve_insertion_order = false")
            # the build's memory limit; what does not fit spills beside the copy (removed below)
            connection.execute(f"set memory_limit = {sql_literal(duckdb_memory_limit(os.environ))}")
            connection.execute(f"set temp_directory = {sql_literal(str(spill))}")
            connection.execute(f"attach {sql_literal(str(staging_file))} as published"
                               f" (storage_version {sql_literal(PUBLISHED_STORAGE_VERSION)})")
            connection.execute("use published")
            connection.execute(f"attach {sql_literal(str(build_path))} as nightly_build (read_only)")
            check_published_relations(connection, manifest)
            changed = publish_changes(connection, incremental, stamped_relations(manifest))
            connection.execute("detach nightly_build")
            # the Parquet files are written from the copy opened again: read in the session that wrote
            # it, the first publish of 10M app-log calls wrote them in 72 s instead of 44 s
            connection.execute("use memory")
            connection.execute("detach published")
            connection.execute(f"attach {sql_literal(str(staging_file))} as published")
            connection.execute("use published")
            write_parquet(connection, parquet_folder, previous_parquet if incremental else None, changed)
            loads = connection.execute(
                f"select {', '.join(LOADS_COLUMNS)} from main.fct_pipeline_loads"
                " where load_invocation_id = ? order by source_system",
                [invocation_id],
            ).fetchall()
            quarantined_files = connection.execute(
                "select source_file, split_part(quarantine_reason, ':', 1) from main.fct_raw_file_quarantine"
                " where is_new_in_latest_run order by source_file"
            ).fetchall()
            retracted_files = connection.execute(
                "select source_file, retraction_kind, billed_calls, billed_cost_usd from main.fct_raw_file_retractions"
                " where nightly_run_id = ? order by source_file",
                [run_id],
            ).fetchall()
            connection.execute("checkpoint")
            connection.execute("use memory")
            connection.execute("detach published")
        finally:
            connection.close()
        os.replace(staging_file, target)
        swap_parquet_folder(parquet_folder, link)
    finally:
        remove_files([staging_file, Path(f"{staging_file}.wal")])
        shutil.rmtree(spill, ignore_errors=True)
        if parquet_folder.exists() and link.resolve() != parquet_folder.resolve():
            shutil.rmtree(parquet_folder)
    return loads, quarantined_files, retracted_files


def main(arguments: list[str]) -> int:
    allow_empty_raw = ALLOW_EMPTY_RAW_FLAG in arguments or os.environ.get(ALLOW_EMPTY_RAW_VARIABLE) == "1"
    retract_deleted = RETRACT_DELETED_FLAG in arguments
    full_tests = FULL_TESTS_FLAG in arguments
    always_build = ALWAYS_BUILD_FLAG in arguments
    spark, arguments = spark_target(arguments)
    extra_args = [argument for argument in arguments
                  if argument not in (ALLOW_EMPTY_RAW_FLAG, RETRACT_DELETED_FLAG, FULL_TESTS_FLAG, ALWAYS_BUILD_FLAG)]
    build_path = database_path(os.environ)
    target = analyst_path(build_path, dict(os.environ))
    with job_lock(build_path) as lock_descriptor:
        remove_files(staging_files(target))
        check_raw_root(raw_root(os.environ), allow_empty_raw)
        environ = {**os.environ, **dbt_environment(os.environ)}
        if retract_deleted:
            environ[RETRACT_DELETED_VARIABLE] = "1"
        if full_tests:
            environ[FULL_TESTS_VARIABLE] = "1"
        run_id = str(uuid.uuid4())
        whole_build_asked = any(argument.split("=", 1)[0] in WHOLE_BUILD_ARGS for argument in extra_args)
        same_as = check_inputs(build_path, environ, run_id, extra_args,
                               may_build_less=not (full_tests or always_build or whole_build_asked), spark=spark)
        selection = ["--select", CURRENT_DATE_SELECTOR] if same_as else []
        if spark:
            results, manifest, invocation_id = spark_night([*selection, *extra_args], environ, lock_descriptor,
                                                           run_id, build_path)
        else:
            results, manifest, invocation_id = build([*selection, *extra_args], environ, lock_descriptor, run_id)
        loads, quarantined_files, retracted_files = publish(build_path, target, manifest, invocation_id, run_id)
        mark_published(build_path, run_id)
    if same_as:
        published_at = f"{same_as.published_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if same_as.published_at else ""
        print(f"nightly: no raw file, project file or setting changed since the night published at"
              f" {published_at}: built only the models that read the current date"
              f" ({CURRENT_DATE_SELECTOR}) and their tests", file=sys.stderr)
        quarantined_files = []  # reported the night they arrived
    print(f"nightly: published {target}")
    if loads:
        print("source | files | records | billed | duplicates | quarantined | cost_usd")
    for row in loads:
        print(" | ".join("" if value is None else str(value) for value in row))
    warned = [r["unique_id"] for r in results if r["status"] == "warn"]
    for unique_id in warned:
        print(f"nightly: data problem reported by {unique_id}", file=sys.stderr)
    for source_file, reason in quarantined_files:
        print(f"nightly: raw file quarantined ({reason}): {source_file}", file=sys.stderr)
    for source_file, kind, calls, cost in retracted_files:
        print(f"nightly: raw file retracted ({kind}), {calls} billed call(s), ${(cost or 0):f} no longer billed:"
              f" {source_file}", file=sys.stderr)
    if warned or quarantined_files or retracted_files or sum(row[5] or 0 for row in loads):  # quarantined records
        return EXIT_DATA_PROBLEMS
    return EXIT_OK


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (NightlyError, PathError) as error:
        print(f"nightly: {error}", file=sys.stderr)
        sys.exit(EXIT_BUILD_FAILED)
    except Exception as error:  # noqa: BLE001 - an unexpected failure must not read as "data problems"
        # the type and place only: a database error's message can quote raw record text
        frame = traceback.extract_tb(error.__traceback__)[-1]
        print(f"nightly: failed with {type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
              f" ({frame.name}); nothing was published", file=sys.stderr)
        sys.exit(EXIT_BUILD_FAILED)
