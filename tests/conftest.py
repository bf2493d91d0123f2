"""Shared fixtures: build the warehouse in-process over raw folders the tests write."""

from __future__ import annotations

import atexit
import fcntl
import functools
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from private_venv import private_venv  # noqa: E402, F401 - tests import it from here
from run_dbt import run_dbt  # noqa: E402

# The suite's longest test (a whole build on a local Spark session) first, so that the workers
# of pytest.ini's `-n` finish together instead of one running it alone at the end.
FIRST_TESTS = ("test_spark_portability.py::test_spark_gives_the_same_values_seeds_raw_records_and_models",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.endswith(FIRST_TESTS))


@dataclass(frozen=True)
class Warehouse:
    """A built DuckDB warehouse that tests can query: read-only when shared by several tests and
    workers (once_per_run); else as dbt opened it, whose connection an in-process build leaves open."""

    path: Path
    read_only: bool = False

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        connection = duckdb.connect(str(self.path), read_only=self.read_only)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def scalar(self, sql: str) -> Any:
        return self.rows(sql)[0][0]

    def cost_by(self, dimension: str) -> dict[str, Decimal]:
        return dict(self.rows(
            f"select {dimension}, sum(cost_usd) from fct_llm_cost_daily group by 1"
        ))


BuildWarehouse = Callable[[Path], Warehouse]


# --- one partial parse for the dbt runs of a worker ------------------------------

# dbt parses the whole project again (6-7 s here) unless the profile, the project file and the
# vars are those of its last parse, and the DuckDB path is part of the profile. So the dbt runs
# of a worker that run in a subprocess name their database through one path, a symlink pointed
# at that run's folder just before it, and each starts from the partial-parse state the worker's
# last run left: dbt re-parses only the files that differ (a test's changed model or seed).
_PARSE_STATES: dict[str, Path] = {}  # database file name -> the partial-parse state of its last run


@functools.cache
def worker_database_link() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="llm-cost-dbt-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder / "database"


def dbt_environment_for(database: Path, target: Path, raw: Path | None = None) -> dict[str, str]:
    """The environment of a dbt run (or a nightly job) in a subprocess over `database`, with its
    artifacts in `target` (and raw files in `raw`): the database by the worker's stable path."""
    link = worker_database_link()
    staging_link = link.with_name("database.new")
    staging_link.unlink(missing_ok=True)
    staging_link.symlink_to(database.parent, target_is_directory=True)
    os.replace(staging_link, link)
    state = target / "partial_parse.msgpack"
    previous = _PARSE_STATES.get(database.name)
    if previous is not None and previous.is_file() and not state.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(previous, state)
    _PARSE_STATES[database.name] = state
    return {**os.environ, "LLM_COST_DUCKDB_PATH": str(link / database.name), "DBT_TARGET_PATH": str(target),
            **({"LLM_COST_RAW_DIR": str(raw)} if raw else {})}


# What a build over a fixture leaves out: dbt's unit tests, which do not depend on the raw data
# (they run once in the suite, test_sample_build.py), and the generic tests of the seeds (78 of
# the ~340), which read only the project's seeds, the same in every build: they run once per
# test run, in the sample's nightly (published_sample), and on broken seeds in test_price_book.
RAW_INDEPENDENT_TESTS = ["test_type:unit", "test_type:generic,path:seeds"]


def build_into(raw_dir: Path, database: Path, generic_tests: bool = True) -> Warehouse:
    """Run `dbt build` (in-process) over a raw directory into a DuckDB file, with every data
    test of the models (RAW_INDEPENDENT_TESTS). Without `generic_tests`, the generic column tests
    (not_null, unique, accepted values) are left out and the singular ones (accounting,
    conservation, ties) kept."""
    saved_environment, saved_cwd = dict(os.environ), Path.cwd()
    os.environ["LLM_COST_RAW_DIR"] = str(raw_dir)
    os.environ["LLM_COST_DUCKDB_PATH"] = str(database)
    selection = ["--exclude", *RAW_INDEPENDENT_TESTS, *([] if generic_tests else ["test_type:generic"])]
    try:
        exit_code = run_dbt(["build", "--quiet", "--target-path", str(database.parent / "dbt_target"), *selection])
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        os.chdir(saved_cwd)
    assert exit_code == 0, f"dbt build failed with exit code {exit_code}"
    return Warehouse(database)


@pytest.fixture
def build_warehouse(tmp_path: Path) -> Iterator[BuildWarehouse]:
    """Build over a raw directory into a fresh DuckDB file of this test. These per-test builds
    (one per case of the source and worked-example tests, about twenty) assert their values
    directly and keep the singular data tests; the generic column tests run in the shared
    fixture builds (build_into) and the sample's, over every source and the hostile inputs."""

    def build(raw_dir: Path) -> Warehouse:
        return build_into(raw_dir, tmp_path / "warehouse.duckdb", generic_tests=False)

    yield build


def write_jsonl(path: Path, records: list[dict[str, Any]], compress: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record) + "\n" for record in records)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")


def otlp_attribute(key: str, value: str | int) -> dict[str, Any]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def otlp_traces_data(resource: dict[str, str], spans: list[dict[str, Any]]) -> dict[str, Any]:
    """One TracesData line in the Collector's file-exporter encoding."""
    return {"resourceSpans": [{
        "resource": {"attributes": [otlp_attribute(k, v) for k, v in resource.items()]},
        "scopeSpans": [{"scope": {"name": "tests"}, "spans": spans}],
    }]}


def otlp_span(trace_id: str, span_id: str, parent_span_id: str, kind: int,
              start_unix_nano: int, attributes: dict[str, str | int],
              status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "traceId": trace_id, "spanId": span_id, "parentSpanId": parent_span_id,
        "name": "span", "kind": kind,
        "startTimeUnixNano": str(start_unix_nano), "endTimeUnixNano": str(start_unix_nano + 1),
        "attributes": [otlp_attribute(k, v) for k, v in attributes.items()],
        "status": status or {},
    }


# --- the sample, published once per test run ------------------------------------


@dataclass(frozen=True)
class PublishedSample:
    """The sample built by the nightly job: its build database and the analyst database it published."""

    build: Path
    analyst: Path


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder `name` made once per test run by `make(folder)`, for every test and worker that
    needs it: under pytest-xdist in the workers' shared temporary folder, by the first worker to
    get here while the others wait on a lock. What is made there is read, never changed (a
    test that changes a build works on its own copy)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / name
    root.mkdir(parents=True, exist_ok=True)
    with (root.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".made").exists():
            make(root)
            (root / ".made").touch()
    return root


def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, write_raw: Callable[[Path], Path]) -> Warehouse:
    """`dbt build` with every data test of the models (RAW_INDEPENDENT_TESTS) over the raw folder
    that `write_raw(folder)` writes (and returns), once per test run. It runs in a subprocess: a
    build made in-process leaves dbt's connection open there, and a worker could not then open
    the file read-only beside it."""

    def build(root: Path) -> None:
        environment = dbt_environment_for(root / "warehouse.duckdb", root / "target", write_raw(root))
        result = subprocess.run(
            [sys.executable, "scripts/run_dbt.py", "build", "--quiet", "--exclude", *RAW_INDEPENDENT_TESTS],
            cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"

    return Warehouse(once_per_run(tmp_path_factory, name, build) / "warehouse.duckdb", read_only=True)


def nightly_over_sample(root: Path) -> None:
    environment = dbt_environment_for(root / "llm_cost.duckdb", root / "target", PROJECT_ROOT / "data" / "sample")
    environment.pop("LLM_COST_ANALYST_DUCKDB_PATH", None)
    result = subprocess.run(
        [sys.executable, "scripts/nightly.py", "--quiet"], cwd=PROJECT_ROOT, env=environment,
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, f"nightly failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"


def publish_sample(tmp_path_factory: pytest.TempPathFactory) -> PublishedSample:
    """`scripts/nightly.py` over data/sample, once per test run, for the tests that read the
    sample's build (its values against independent computations) and what analysts read (the
    report, the FOCUS export, the semantic layer)."""
    root = once_per_run(tmp_path_factory, "published_sample", nightly_over_sample)
    return PublishedSample(build=root / "llm_cost.duckdb", analyst=root / "llm_cost.analyst.duckdb")


@pytest.fixture(scope="module")
def published_sample(tmp_path_factory: pytest.TempPathFactory) -> PublishedSample:
    return publish_sample(tmp_path_factory)


