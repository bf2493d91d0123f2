"""What a night builds from, and whether the last published night built from the same.

A night's inputs are the raw files as the pre-flight listed them
(`raw.file_manifest`: path, size, modification time, first and last KiB,
status), the project's files that dbt reads, the versions of dbt and DuckDB,
the paths dbt is given and the extra dbt arguments. Their SHA-256 is the
night's fingerprint. Every night is recorded in the build database's
`nightly_state.runs` (run id, fingerprint, start, kind of build, and when it
was published); the nightly job (scripts/nightly.py) builds only the models
that read the current date when the last night recorded there was published
and had the same fingerprint: the whole build would compute the same rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

# The project files dbt reads: a change to any of them changes what the build computes.
PROJECT_INPUTS = ("dbt_project.yml", "profiles", "models", "macros", "seeds", "data-tests", "snapshots")
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
MANIFEST_IDENTITY = ("source_file", "relation_name", "file_format", "file_bytes", "modified_at_ns",
                     "head_tail_md5", "file_status", "quarantine_reason", "changed_at")
RUNS_TABLE = "nightly_state.runs"


@dataclass(frozen=True)
class Night:
    """A night recorded in `nightly_state.runs`."""

    run_id: str
    inputs_fingerprint: str
    started_at: datetime
    build_kind: str
    published_at: datetime | None


def project_files(project_root: Path) -> list[Path]:
    files: list[Path] = []
    for part in PROJECT_INPUTS:
        path = project_root / part
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(file for file in path.rglob("*") if file.is_file() and "__pycache__" not in file.parts)
    return files


def package_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def fingerprint(project_root: Path, build_path: Path, dbt_paths: Sequence[str], dbt_args: Sequence[str]) -> str:
    """The SHA-256 of the night's inputs; the raw files are read from the build database's
    `raw.file_manifest`, which the pre-flight has just written."""
    digest = hashlib.sha256()
    for file in project_files(project_root):
        digest.update(f"{file.relative_to(project_root).as_posix()}\0{file.stat().st_size}\0".encode())
        digest.update(file.read_bytes())
    settings = {"packages": {package: package_version(package) for package in PACKAGES},
                "dbt_paths": list(dbt_paths), "dbt_args": list(dbt_args)}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    connection = duckdb.connect(str(build_path), read_only=True)
    try:
        for row in connection.execute(
            f"select {', '.join(MANIFEST_IDENTITY)} from raw.file_manifest order by source_file"
        ).fetchall():
            digest.update(json.dumps(row, default=str).encode())
    finally:
        connection.close()
    return digest.hexdigest()


def _create_runs_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists nightly_state")
    connection.execute(
        f"create table if not exists {RUNS_TABLE} (run_id varchar primary key, inputs_fingerprint varchar not null,"
        " started_at timestamptz not null, build_kind varchar not null, published_at timestamptz)")


def start_night(build_path: Path, run_id: str, inputs_fingerprint: str, may_build_less: bool) -> Night | None:
    """Record tonight in `nightly_state.runs`; returns the last night when it was published with
    the same fingerprint (and `may_build_less`): tonight then builds only the models that read
    the current date. Otherwise None: tonight builds everything."""
    connection = duckdb.connect(str(build_path))
    try:
        _create_runs_table(connection)
        found = connection.execute(
            f"select run_id, inputs_fingerprint, started_at, build_kind, published_at from {RUNS_TABLE}"
            " order by started_at desc limit 1").fetchone()
        last = Night(*found) if found else None
        same = (may_build_less and last is not None and last.published_at is not None
                and last.inputs_fingerprint == inputs_fingerprint)
        connection.execute(f"insert into {RUNS_TABLE} values (?, ?, ?, ?, null)",
                           [run_id, inputs_fingerprint, datetime.now(UTC), "current_date" if same else "whole"])
    finally:
        connection.close()
    return last if same else None


def mark_published(build_path: Path, run_id: str) -> None:
    connection = duckdb.connect(str(build_path))
    try:
        connection.execute(f"update {RUNS_TABLE} set published_at = ? where run_id = ?", [datetime.now(UTC), run_id])
    finally:
        connection.close()
