"""The nightly job tells the truth: it publishes only what this run built
completely, and when it does not publish, the analyst database stays byte for
byte the previous night's.

Every test runs on a private copy of a project whose first night has already
been built and published (one module-scoped build, copied per test)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from conftest import once_per_run, private_venv
from test_nightly_operations import NIGHTLY_TEST_ARGS, Project, app_calls, copy_project, write_file

SECRET = "sk-nightly-LEAK-0123456789"


def run_nightly(project: Project, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(project.root / "scripts" / "nightly.py"), *NIGHTLY_TEST_ARGS, *args]
    return subprocess.run(command, env={**project.environment(), **(env or {})},
                          capture_output=True, text=True, check=False, timeout=600)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published(project: Project) -> str:
    """The analyst database's digest and the Parquet folder its link names."""
    parquet = project.analyst_database.with_name(f"{project.analyst_database.stem}.parquet")
    return f"{digest(project.analyst_database)} {os.readlink(parquet)}"


def publish_leftovers(project: Project) -> list[Path]:
    return sorted(project.analyst_database.parent.glob(f".{project.analyst_database.name}.*"))


def assert_nothing_published(project: Project, night: subprocess.CompletedProcess[str], analyst: str) -> None:
    assert night.returncode == 2, night.stdout + night.stderr
    assert published(project) == analyst
    assert publish_leftovers(project) == []
    assert "published" not in night.stdout


def lock_path(project: Project) -> Path:
    return project.database.with_name(f"{project.database.name}.nightly.lock")


@pytest.fixture(scope="module")
def first_night(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project copy's first night, once per test run; the tests work on copies of it (built)."""

    def night(base: Path) -> None:
        project = copy_project(base / "project", raw=base / "raw")
        write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 3))
        first = run_nightly(project)
        assert first.returncode == 0, first.stdout + first.stderr

    base = once_per_run(tmp_path_factory, "first_night", night)
    return Project(base / "project", base / "raw")


@pytest.fixture
def built(first_night: Project, tmp_path: Path) -> Iterator[Project]:
    """A copy of the first night's project (databases, dbt artifacts), same raw folder."""
    root = tmp_path / "project"
    shutil.copytree(first_night.root, root, symlinks=True)
    yield Project(root, first_night.raw)


def test_dbt_killed_mid_build_publishes_nothing(built: Project) -> None:
    # dbt dies (SIGKILL, as the OOM killer would) once staging has written the build
    # database; the previous night's run_results.json says "success"
    (built.root / "models" / "nightly_probe").mkdir()
    (built.root / "models" / "nightly_probe" / "nightly_kill.py").write_text(
        "import os\nimport signal\n\n\ndef model(dbt, session):\n"
        "    dbt.ref('stg_app__llm_calls')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return session.sql('select 1 as never')\n", encoding="utf-8")
    analyst = published(built)
    night = run_nightly(built, "--select", "stg_app__llm_calls", "nightly_kill")
    assert_nothing_published(built, night, analyst)
    assert "dbt exited with code -9" in night.stderr


def test_a_locked_build_database_publishes_nothing(built: Project) -> None:
    analyst = published(built)
    holder = duckdb.connect(str(built.database))  # another process holds DuckDB's write lock
    try:
        night = run_nightly(built)
    finally:
        holder.close()
    assert_nothing_published(built, night, analyst)


def test_a_second_nightly_neither_builds_nor_publishes(built: Project) -> None:
    analyst, database = published(built), digest(built.database)
    lock = lock_path(built).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first nightly, still running
        night = run_nightly(built)
    finally:
        lock.close()
    assert_nothing_published(built, night, analyst)
    assert digest(built.database) == database
    message = "nightly: another nightly holds "
    assert night.stderr.startswith(message)
    assert Path(night.stderr.strip().removeprefix(message)).samefile(lock_path(built))


def test_dbt_errors_reach_no_output_and_no_log(built: Project) -> None:
    (built.root / "models" / "nightly_probe").mkdir()
    (built.root / "models" / "nightly_probe" / "nightly_leak.sql").write_text(
        f"{{{{ config(materialized='table') }}}}\nselect cast('{SECRET}' as integer) as record_value",
        encoding="utf-8")
    analyst = published(built)
    night = run_nightly(built, "--select", "nightly_leak")
    assert_nothing_published(built, night, analyst)
    assert "model.llm_cost.nightly_leak" in night.stderr
    assert SECRET not in night.stdout + night.stderr
    for log in (built.root / "logs").glob("*"):
        assert SECRET not in log.read_text(encoding="utf-8", errors="replace")


def test_quotes_and_glob_characters_in_the_raw_root_are_literal(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", raw=tmp_path / "it's exports[x]{a,b}")
    decoy = Project(tmp_path / "unused", tmp_path / "it's exportsx{a,b}")  # what `exports[x]` matches as a glob
    write_file(decoy, "logs/app/d0/decoy.jsonl", app_calls(0, 5, team="decoy"))
    write_file(project, "logs/app/d0/a.jsonl", app_calls(0, 2))
    night = run_nightly(project)
    assert night.returncode == 0, night.stdout + night.stderr
    assert project.rows("select team, count(*) from fct_llm_calls group by team") == [("search", 2)]

    # the next night finds the file under the same source_file: it is not loaded again
    night = run_nightly(project, "--select", "stg_app__llm_calls")
    assert night.returncode == 0, night.stdout + night.stderr
    staged = duckdb.connect(str(project.database), read_only=True)
    try:
        assert staged.execute(
            "select count(*), count(distinct source_file) from staging.stg_app__llm_calls").fetchone() == (2, 1)
    finally:
        staged.close()


def test_a_missing_raw_root_fails_unless_expected(built: Project, tmp_path: Path) -> None:
    missing = Project(built.root, tmp_path / "not-mounted")
    analyst = published(built)
    night = run_nightly(missing)
    assert_nothing_published(built, night, analyst)
    assert str(missing.raw) in night.stderr
    # expected to be empty, but last night's files are gone: retracting them must be said too
    night = run_nightly(missing, "--allow-empty-raw")
    assert_nothing_published(built, night, analyst)
    assert "loaded before are gone" in night.stderr


def test_an_empty_raw_root_fails_unless_expected(built: Project, tmp_path: Path) -> None:
    empty = Project(built.root, tmp_path / "raw")
    (empty.raw / "logs" / "app" / "d0").mkdir(parents=True)
    (empty.raw / "README.txt").write_text("not a raw file", encoding="utf-8")
    analyst = published(built)
    night = run_nightly(empty)
    assert_nothing_published(built, night, analyst)
    assert str(empty.raw) in night.stderr
    night = run_nightly(empty, "--retract-deleted-files", env={"LLM_COST_ALLOW_EMPTY_RAW": "1"})
    assert night.returncode == 1, night.stdout + night.stderr  # retractions are reported
    assert empty.rows("select count(*) from fct_llm_calls") == [(0,)]  # last night's calls retracted
    assert empty.rows("select count(*), sum(billed_calls) from fct_raw_file_retractions") == [(1, 3)]


def test_stale_publish_files_are_removed_on_start(built: Project, tmp_path: Path) -> None:
    name = built.analyst_database.name
    stale = [built.root / f".{name}.4242.tmp", built.root / f".{name}.4242.tmp.wal"]
    unrelated = built.root / "notes.tmp"
    for path in [*stale, unrelated]:
        path.write_bytes(b"left by a killed publish")
    night = run_nightly(Project(built.root, tmp_path / "not-mounted"))  # refused, after the clean-up
    assert night.returncode == 2
    assert publish_leftovers(built) == []
    assert unrelated.exists()


DUCKDB_1_REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-duckdb1.txt"


@pytest.fixture(scope="session")
def duckdb_1_python() -> Path:
    """The Python of a private venv with a DuckDB 1.x client (requirements-duckdb1.txt)."""
    venv = private_venv("duckdb1", DUCKDB_1_REQUIREMENTS)
    if venv is None:
        pytest.skip("DuckDB 1.x (requirements-duckdb1.txt) could not be installed into a private venv here")
    return venv / "bin" / "python"


def test_the_published_files_open_in_duckdb_1_and_as_parquet(built: Project, duckdb_1_python: Path) -> None:
    parquet = built.analyst_database.with_name(f"{built.analyst_database.stem}.parquet")
    reader = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(duckdb.__version__)\n"
        "print(con.sql('select count(*), sum(cost_usd) from fct_llm_calls').fetchone())\n"
        "print(con.execute('select typeof(cost_usd), count(*) from read_parquet(?) group by 1',"
        " [sys.argv[2] + '/fct_llm_calls/*.parquet']).fetchone())\n"
    )
    old_client = subprocess.run(
        [str(duckdb_1_python), "-c", reader, str(built.analyst_database), str(parquet)],
        capture_output=True, text=True, check=False)
    assert old_client.returncode == 0, old_client.stderr
    version, calls, parquet_calls = old_client.stdout.splitlines()
    assert version.startswith("1.")
    # 3 calls of 1M input (400k cached) + 100k output gpt-4o-mini tokens: 0.18 each (see app_calls)
    assert calls == "(3, Decimal('0.540000000000'))"
    assert parquet_calls == "('DECIMAL(38,12)', 3)"

    connection = duckdb.connect(str(built.analyst_database), read_only=True)
    try:
        marts = [name for (name,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()]
        # one file per mart, or a folder of daily files for a mart with a usage_date
        assert sorted(path.name.removesuffix(".parquet") for path in parquet.iterdir()) == marts
        for mart in marts:  # every mart's Parquet is the mart, row for row, with the same types
            path = str(parquet / mart / "*.parquet") if (parquet / mart).is_dir() else str(parquet / f"{mart}.parquet")
            assert connection.execute(
                f"select count(*) from (select * from main.{mart} except all select * from read_parquet(?))"
                f" union all select count(*) from (select * from read_parquet(?) except all select * from main.{mart})",
                [path, path]).fetchall() == [(0,), (0,)], mart
            assert connection.execute("describe select * from read_parquet(?)", [path]).fetchall() == \
                connection.execute(f"describe main.{mart}").fetchall(), mart
    finally:
        connection.close()
