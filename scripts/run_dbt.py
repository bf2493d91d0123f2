"""Run dbt for this project with its data paths resolved.

Resolves ``LLM_COST_RAW_DIR`` and ``LLM_COST_DUCKDB_PATH`` (absolute, or
relative to the project root whatever the working directory) and points dbt
at the project's own profile, then runs dbt with the given arguments:

    python scripts/run_dbt.py build
    python scripts/run_dbt.py source freshness
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = "data/sample"
DEFAULT_DUCKDB_PATH = "target/llm_cost.duckdb"


def resolve_path(value: str) -> Path:
    """An absolute path; relative values are taken from the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def dbt_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment variables dbt needs, with every path made absolute."""
    return {
        "LLM_COST_RAW_DIR": str(
            resolve_path(environ.get("LLM_COST_RAW_DIR") or DEFAULT_RAW_DIR)
        ),
        "LLM_COST_DUCKDB_PATH": str(
            resolve_path(environ.get("LLM_COST_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH)
        ),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "DBT_PROJECT_DIR": str(PROJECT_ROOT),
    }


def run_dbt(args: Sequence[str]) -> int:
    """Run dbt in-process; returns dbt's exit code (0 ok, 1 failures, 2 error)."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(os.environ))
    Path(os.environ["LLM_COST_DUCKDB_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    from raw_manifest import preflight

    preflight(args, os.environ)  # lists and checks the raw files, quarantines bad ones
    os.chdir(PROJECT_ROOT)
    result = dbtRunner().invoke(list(args))
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


if __name__ == "__main__":
    sys.exit(run_dbt(sys.argv[1:]))
