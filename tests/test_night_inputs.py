"""When a night may build only the models that read the current date (scripts/night_inputs.py):
only after a published night with the same fingerprint, and the fingerprint changes with every
input a build reads. (The nightly job's use of it: test_nightly_operations.py.)"""

from __future__ import annotations

from pathlib import Path

import duckdb

from night_inputs import RUNS_TABLE, fingerprint, mark_published, start_night  # scripts/, on the path (conftest)


def make_build(path: Path, files: list[tuple[str, int]]) -> None:
    """A build database whose raw.file_manifest lists (path, size) rows."""
    connection = duckdb.connect(str(path))
    try:
        connection.execute("create schema if not exists raw")
        connection.execute(
            "create or replace table raw.file_manifest (source_file varchar, relation_name varchar,"
            " file_format varchar, file_bytes bigint, modified_at_ns bigint, head_tail_md5 varchar,"
            " file_status varchar, quarantine_reason varchar, changed_at timestamptz)")
        for name, size in files:
            connection.execute(
                "insert into raw.file_manifest values (?, 'app', 'jsonl', ?, 1, 'md5', 'ok', null, null)", [name, size])
    finally:
        connection.close()


def test_the_fingerprint_changes_with_every_input(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: p\n", encoding="utf-8")
    model = project / "models" / "m.sql"
    model.write_text("select 1\n", encoding="utf-8")
    build = tmp_path / "build.duckdb"
    make_build(build, [("/raw/a.jsonl", 10)])

    def current(args: tuple[str, ...] = ()) -> str:
        return fingerprint(project, build, ["/raw", str(build)], list(args))

    first = current()
    assert current() == first
    model.write_text("select 2\n", encoding="utf-8")
    assert current() != first
    model.write_text("select 1\n", encoding="utf-8")
    assert current() == first
    assert current(("--vars", "{a: 1}")) != first
    make_build(build, [("/raw/a.jsonl", 11)])  # the file grew
    assert current() != first
    make_build(build, [("/raw/a.jsonl", 10), ("/raw/b.jsonl", 5)])  # a new file
    assert current() != first


def test_only_a_published_night_with_the_same_inputs_lets_the_next_build_less(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    make_build(build, [])
    assert start_night(build, "night-1", "f1", may_build_less=True) is None  # no night before
    assert start_night(build, "night-2", "f1", may_build_less=True) is None  # night 1 never published
    mark_published(build, "night-2")
    same = start_night(build, "night-3", "f1", may_build_less=True)
    assert same is not None and same.run_id == "night-2" and same.published_at is not None
    # night 3 (which built less) is the last night now: unpublished, so night 4 builds everything
    assert start_night(build, "night-4", "f1", may_build_less=True) is None
    mark_published(build, "night-4")
    assert start_night(build, "night-5", "f2", may_build_less=True) is None  # other inputs
    mark_published(build, "night-5")
    assert start_night(build, "night-6", "f2", may_build_less=False) is None  # --full-tests and the like
    with duckdb.connect(str(build), read_only=True) as connection:
        assert connection.execute(f"select run_id, build_kind, published_at is not null from {RUNS_TABLE}"
                                  " order by started_at").fetchall() == [
            ("night-1", "whole", False), ("night-2", "whole", True), ("night-3", "current_date", False),
            ("night-4", "whole", True), ("night-5", "whole", True), ("night-6", "whole", False)]
