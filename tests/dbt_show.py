"""Run one inline query with `dbt show` on a target of this project and print its rows as JSON.

    python tests/dbt_show.py TARGET QUERY_FILE VARS_JSON

Run by the interpreter of the engine's venv (the project's .venv for DuckDB, the Spark venv of
requirements-spark.txt for Spark), so that each engine renders the project's macros with its own
adapter. Every column of the query must be text; values are printed as they came, nulls as null.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dbt.cli.main import dbtRunner

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def main(target: str, query_file: str, variables: str) -> int:
    os.chdir(PROJECT_ROOT)
    result = dbtRunner().invoke([
        "show", "--quiet", "--target", target, "--profiles-dir", str(PROJECT_ROOT / "profiles"),
        "--inline", Path(query_file).read_text(encoding="utf-8"), "--vars", variables, "--limit", "-1",
    ])
    if not result.success:
        print(f"dbt show failed: {result.exception}", file=sys.stderr)
        return 1
    table = result.result.results[0].agate_table
    print(json.dumps([dict(zip(table.column_names, row, strict=True)) for row in table.rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
