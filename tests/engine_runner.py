"""Run dbt on one engine of this project and print what the test needs as JSON (one line).

    python tests/engine_runner.py TARGET QUERY_FILE VARS_JSON [--build MODEL,...]

prints {"rows": the rows of the inline query (`dbt show`; every column must be text), "tables":
with --build (Spark only), the raw-file pre-flight of scripts/run_dbt.py and one `dbt build` of
the seeds and the models, without tests, on the target (whose on-run-start hooks create the raw
views), then every seed, raw telemetry relation and built model as columns and rows, values as
text (times to the second)}.

Run by the interpreter of the engine's venv (the project's .venv for DuckDB, the Spark venv of
requirements-spark.txt for Spark), so that each engine renders the project's macros with its own
adapter. dbt's output goes to stderr.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))


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
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    return None if value is None else str(value)


def spark_tables(models: list[str], variables: str) -> Any:
    from pyspark.sql import SparkSession
    from pyspark.sql.functions import col, date_format
    from pyspark.sql.types import TimestampType

    from run_dbt import dbt_environment, run_preflight

    arguments = ["build", "--quiet", "--target", "spark", "--vars", variables,
                 "--select", "resource_type:seed", *models,
                 "--exclude", "resource_type:test", "resource_type:unit_test"]  # data tests stay on DuckDB
    os.environ.update(dbt_environment(os.environ))
    run_preflight(arguments, os.environ)
    results = invoke(arguments).result.results
    session = SparkSession.builder.getOrCreate()  # the session dbt-spark opened in this process
    relations = {result.node.name: f"{result.node.schema}.{result.node.alias}"
                 for result in results if result.node.resource_type in ("seed", "model")}  # not the hooks
    views = session.sql("show views in raw").where("not isTemporary").select("viewName").collect()
    relations |= {f"raw.{name}": f"raw.{name}" for (name,) in views if name.endswith("_records")}  # telemetry
    tables = {}
    for name, relation in relations.items():
        frame = session.table(relation)
        frame = frame.select(*[  # Python cannot hold every Spark timestamp (year 1): text made by Spark
            date_format(col(f"`{field.name}`"), "yyyy-MM-dd HH:mm:ss").alias(field.name)
            if isinstance(field.dataType, TimestampType) else col(f"`{field.name}`") for field in frame.schema.fields])
        rows = [[as_text(value) for value in row] for row in frame.collect()]
        tables[name] = {"columns": frame.columns, "rows": rows}
    return tables


if __name__ == "__main__":
    target, query_file, variables, *flags = sys.argv[1:]
    print(json.dumps({"rows": show(target, query_file, variables),
                      "tables": spark_tables(flags[1].split(","), variables) if flags[:1] == ["--build"] else None}))
