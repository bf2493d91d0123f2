"""Run dbt on one engine of this project and print what the test needs as JSON (one line).

    python tests/engine_runner.py TARGET QUERY_FILE VARS_JSON [--seeds]

prints {"rows": the rows of the inline query (`dbt show`; every column must be text), "seeds":
with --seeds, `dbt seed` on the target, then every seed table's columns and rows, values as
text}. Spark only for --seeds: DuckDB's seeds need the raw-file pre-flight of scripts/run_dbt.py.

Run by the interpreter of the engine's venv (the project's .venv for DuckDB, the Spark venv of
requirements-spark.txt for Spark), so that each engine renders the project's macros with its own
adapter. dbt's output goes to stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def invoke(arguments: list[str]) -> dbtRunnerResult:
    os.chdir(PROJECT_ROOT)
    with contextlib.redirect_stdout(sys.stderr):
        result = dbtRunner().invoke([*arguments, "--profiles-dir", str(PROJECT_ROOT / "profiles")])
    if not result.success:
        raise SystemExit(f"dbt {arguments[0]} failed: {result.exception}")
    return result


def show(target: str, query_file: str, variables: str) -> Any:
    result = invoke(["show", "--quiet", "--target", target, "--limit", "-1", "--vars", variables,
                     "--inline", Path(query_file).read_text(encoding="utf-8")])
    table = result.result.results[0].agate_table
    return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]


def as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def spark_seeds() -> Any:
    from pyspark.sql import SparkSession

    result = invoke(["seed", "--quiet", "--target", "spark"])
    session = SparkSession.builder.getOrCreate()  # the session dbt-spark opened in this process
    tables = {}
    for seed in result.result.results:
        if seed.node.resource_type != "seed":
            continue  # the hooks' results
        relation = f"{seed.node.schema}.{seed.node.alias}"
        frame = session.table(relation)
        tables[seed.node.name] = {"columns": frame.columns,
                                  "rows": [[as_text(value) for value in row] for row in frame.collect()]}
    return tables


if __name__ == "__main__":
    target, query_file, variables, *flags = sys.argv[1:]
    print(json.dumps({"rows": show(target, query_file, variables),
                      "seeds": spark_seeds() if "--seeds" in flags else None}))
