"""Run dbt for this project with its data paths resolved.

Resolves ``LLM_COST_RAW_DIR``, ``LLM_COST_DUCKDB_PATH`` and
``LLM_COST_SPARK_WAREHOUSE`` (absolute, or relative to the project root
whatever the working directory) and points dbt
at the project's own profile, then runs dbt with the given arguments:

    python scripts/run_dbt.py build
    python scripts/run_dbt.py source freshness

dbt reads the raw files that `raw.file_manifest` lists by explicit,
glob-escaped paths inside SQL string literals. A raw root
whose path holds a character that means something there (a quote, a
backslash, or a glob character such as ``[`` in ``exports[x]``) is given to
dbt as a plainly named symlink to it instead (see `raw_root_for_dbt`), so the
root is always read literally, and always under the same name.

Before dbt starts, the raw-file pre-flight of scripts/raw_manifest.py runs
(when the project has that script) with dbt's final environment, unless
LLM_COST_PREFLIGHT_DONE=1 says the caller (the nightly job) has just run it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
import tempfile
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = "data/sample"
DEFAULT_DUCKDB_PATH = "target/llm_cost.duckdb"
DEFAULT_SPARK_WAREHOUSE = "target/spark-warehouse"  # the `spark` target's (profiles/profiles.yml)
# Special in a SQL string literal or in a DuckDB glob pattern.
UNSAFE_PATH_CHARACTERS = frozenset("'\"\\*?[]{}")
# dbt-duckdb puts the database file's stem in SQL (as the catalog name) and
# DuckDB reads a backslash anywhere in the path as a separator.
UNSAFE_DATABASE_NAME_CHARACTERS = frozenset("'\"\\")
RAW_ROOT_LINKS = ".llm_cost_raw_roots"
# Set by scripts/nightly.py, which runs the pre-flight itself before dbt (to know what changed).
PREFLIGHT_DONE_VARIABLE = "LLM_COST_PREFLIGHT_DONE"


class PathError(ValueError):
    """A configured path that cannot be used; the message says why."""


def resolve_path(value: str) -> Path:
    """An absolute path; relative values are taken from the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def raw_root(environ: Mapping[str, str]) -> Path:
    """The raw export root as configured (made absolute)."""
    return resolve_path(environ.get("LLM_COST_RAW_DIR") or DEFAULT_RAW_DIR)


def duckdb_memory_limit(environ: Mapping[str, str]) -> str:
    """The DuckDB memory_limit of the dbt profile: LLM_COST_DUCKDB_MEMORY_LIMIT, else the
    profile's default (profiles/profiles.yml), for the job's own DuckDB connections too."""
    profile = (PROJECT_ROOT / "profiles" / "profiles.yml").read_text(encoding="utf-8")
    default = re.search(r"env_var\('LLM_COST_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    if default is None:
        raise PathError("profiles/profiles.yml: no LLM_COST_DUCKDB_MEMORY_LIMIT default found")
    return environ.get("LLM_COST_DUCKDB_MEMORY_LIMIT") or default.group(1)


def database_path(environ: Mapping[str, str]) -> Path:
    """The build database as configured (made absolute); refuses a path dbt-duckdb would break on."""
    path = resolve_path(environ.get("LLM_COST_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH)
    if UNSAFE_DATABASE_NAME_CHARACTERS & set(path.name) or "\\" in str(path):
        raise PathError(
            f"LLM_COST_DUCKDB_PATH {path}: the file name must not contain ' \" or \\ "
            "(dbt-duckdb puts it in SQL as the database name), nor the path a \\"
        )
    return path


def is_literal_safe(path: Path) -> bool:
    """True when the path means itself in a SQL string literal and in a DuckDB glob."""
    return not UNSAFE_PATH_CHARACTERS & set(str(path))


def _private_directory(path: Path) -> Path:
    """`path` as a directory only this user can write (it may sit in a shared temp dir)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = path.lstat()
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o022:
        raise PathError(f"{path} is not a directory that only this user can write")
    return path


def raw_root_for_dbt(root: Path, database: Path) -> Path:
    """The path dbt gets for the raw root: `root` itself when it is literal-safe,
    else a symlink to it, named from a hash of `root`.

    The link lives beside the build database (`.llm_cost_raw_roots/<hash>`),
    or, when that directory's own path is not literal-safe, in a private
    directory of the system temp dir. It is the same path every night for the
    same root and build database, so `source_file` values stay stable (they
    name the link, and incremental loads key on them). DuckDB globs (`**`
    included) follow a symlinked root directory.
    """
    if is_literal_safe(root):
        return root
    bases = [database.parent / RAW_ROOT_LINKS,
             Path(tempfile.gettempdir()) / f"llm_cost_raw_roots.{os.getuid()}"]
    base = next((path for path in bases if is_literal_safe(path)), None)
    if base is None:
        raise PathError(f"no literal-safe place for a link to the raw root {root}; "
                        "set TMPDIR to a plain path")
    link = _private_directory(base) / hashlib.sha256(str(root).encode()).hexdigest()[:20]
    try:
        if os.readlink(link) == str(root):
            return link
    except OSError:
        pass
    staging_link = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    staging_link.unlink(missing_ok=True)
    staging_link.symlink_to(root, target_is_directory=True)
    os.replace(staging_link, link)  # atomic: a concurrent reader sees the old or the new link
    return link


def dbt_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment variables dbt needs, with every path made absolute and
    the raw root literal-safe (see `raw_root_for_dbt`)."""
    database = database_path(environ)
    database.parent.mkdir(parents=True, exist_ok=True)
    return {
        "LLM_COST_RAW_DIR": str(raw_root_for_dbt(raw_root(environ), database)),
        "LLM_COST_DUCKDB_PATH": str(database),
        "LLM_COST_SPARK_WAREHOUSE": str(resolve_path(environ.get("LLM_COST_SPARK_WAREHOUSE")
                                                     or DEFAULT_SPARK_WAREHOUSE)),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "DBT_PROJECT_DIR": str(PROJECT_ROOT),
    }


class PreflightRefused(Exception):
    """The raw-file pre-flight refused to go on (files loaded before are gone); nothing changed."""


def run_preflight(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """The raw-file pre-flight (scripts/raw_manifest.py: lists and checks the raw files
    into raw.file_manifest of the build database), when the project has it."""
    try:
        from raw_manifest import PreflightRefusal, preflight
    except ModuleNotFoundError as error:
        if error.name != "raw_manifest":
            raise
        return
    try:
        preflight(args, environ)
    except PreflightRefusal as refusal:
        raise PreflightRefused(str(refusal)) from None


def run_dbt(args: Sequence[str]) -> int:
    """Run dbt in-process; returns dbt's exit code (0 ok, 1 failures, 2 error)."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(os.environ))
    os.chdir(PROJECT_ROOT)
    if os.environ.get(PREFLIGHT_DONE_VARIABLE) != "1":
        run_preflight(args, os.environ)
    result = dbtRunner().invoke(list(args))
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


if __name__ == "__main__":
    try:
        sys.exit(run_dbt(sys.argv[1:]))
    except (PathError, PreflightRefused) as error:
        print(f"run_dbt: {error}", file=sys.stderr)
        sys.exit(2)
    except Exception:  # noqa: BLE001 - before or around dbt: an error (2), not test failures (1)
        traceback.print_exc()
        sys.exit(2)
