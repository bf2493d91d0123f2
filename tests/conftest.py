"""Shared fixtures: build the warehouse in-process over raw folders the tests write."""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from run_dbt import run_dbt  # noqa: E402


@dataclass(frozen=True)
class Warehouse:
    """A built DuckDB warehouse that tests can query."""

    path: Path

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        connection = duckdb.connect(str(self.path))
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


def build_into(raw_dir: Path, database: Path) -> Warehouse:
    """Run `dbt build` (in-process) over a raw directory into a DuckDB file."""
    saved_environment, saved_cwd = dict(os.environ), Path.cwd()
    os.environ["LLM_COST_RAW_DIR"] = str(raw_dir)
    os.environ["LLM_COST_DUCKDB_PATH"] = str(database)
    try:
        exit_code = run_dbt(["build", "--quiet", "--target-path", str(database.parent / "dbt_target")])
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        os.chdir(saved_cwd)
    assert exit_code == 0, f"dbt build failed with exit code {exit_code}"
    return Warehouse(database)


@pytest.fixture
def build_warehouse(tmp_path: Path) -> Iterator[BuildWarehouse]:
    """Build over a raw directory into a fresh DuckDB file of this test."""

    def build(raw_dir: Path) -> Warehouse:
        return build_into(raw_dir, tmp_path / "warehouse.duckdb")

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
