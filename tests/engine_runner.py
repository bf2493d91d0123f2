"""Run dbt on one engine of this project and print what the test needs as JSON (one line).

    python tests/engine_runner.py TARGET QUERY_FILE VARS_JSON [--build MODEL,... [--raw-states DIR,...]]

prints {"rows": the rows of the inline query (`dbt show`; every column must be text), "states":
with --build (Spark only), the raw-file pre-flight of scripts/run_dbt.py and one `dbt build` of
the seeds and the models, without tests, on the target (whose on-run-start hooks create the raw
views), then every seed, raw relation and built model as columns and rows, values as text (times
to the microsecond)}. With --raw-states, the raw folder (LLM_COST_RAW_DIR) is made a copy of each DIR
in turn (files' times kept) and built again (an incremental run after the first), "states"
holding the relations after each build.

Run by the interpreter of the engine's venv (the project's .venv for DuckDB, the Spark venv of
requirements-spark.txt for Spark), so that each engine renders the project's macros with its own
adapter. dbt's output goes to stderr.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
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
        return f"{value:%Y-%m-%d %H:%M:%S.%f}"
    return None if value is None else str(value)


def spark_build(models: list[str], *flags: str) -> dict[str, str]:
    """The pre-flight and one `dbt build` on Spark; the relations of the seeds and models built."""
    from run_dbt import dbt_environment, run_preflight

    arguments = ["build", "--quiet", "--target", "spark", "--select", *models,
                 "--exclude", "resource_type:test", "resource_type:unit_test", *flags]  # data tests stay on DuckDB
    os.environ.update(dbt_environment(os.environ))
    run_preflight(arguments, os.environ)
    results = invoke(arguments).result.results
    return {result.node.name: f"{result.node.schema}.{result.node.alias}"
            for result in results if result.node.resource_type in ("seed", "model")}  # not the hooks


def read_tables(relations: dict[str, str]) -> Any:
    from pyspark.sql import SparkSession
    from pyspark.sql.functions import col, date_format
    from pyspark.sql.types import TimestampType

    session = SparkSession.builder.getOrCreate()  # the session dbt-spark opened in this process
    tables = {}
    for name, relation in relations.items():
        frame = session.table(relation)
        frame = frame.select(*[  # Python cannot hold every Spark timestamp (year 1): text made by Spark
            date_format(col(f"`{field.name}`"), "yyyy-MM-dd HH:mm:ss.SSSSSS").alias(field.name)
            if isinstance(field.dataType, TimestampType) else col(f"`{field.name}`") for field in frame.schema.fields])
        rows = [[as_text(value) for value in row] for row in frame.collect()]
        tables[name] = {"columns": frame.columns, "rows": rows}
    return tables


def spark_tables(models: list[str], raw_states: list[str], variables: str) -> Any:
    """Each raw state built (spark_build) and read back (read_tables). The builds get the vars of
    `show`, which only its query reads: with other vars dbt would parse the whole project again."""
    from pyspark.sql import SparkSession

    raw = Path(os.environ["LLM_COST_RAW_DIR"])
    states = []
    for state in raw_states or [None]:
        if state is not None:
            shutil.rmtree(raw, ignore_errors=True)
            shutil.copytree(state, raw)  # copy2: unchanged files keep their times
        relations = spark_build(["resource_type:seed", *models], "--vars", variables)
        session = SparkSession.builder.getOrCreate()
        views = session.sql("show views in raw").where("not isTemporary").select("viewName").collect()
        raw_suffixes = ("_records", "_invoice_pages", "_invoice_rows")  # telemetry and invoices
        relations |= {f"raw.{name}": f"raw.{name}" for (name,) in views if name.endswith(raw_suffixes)}
        states.append(read_tables(relations))
    return {"states": states}


if __name__ == "__main__":
    target, query_file, variables, *flags = sys.argv[1:]
    options = dict(zip(flags[::2], flags[1::2], strict=True))
    rows = show(target, query_file, variables)
    raw_states = options["--raw-states"].split(",") if "--raw-states" in options else []
    built = {"states": None}
    if "--build" in options:
        built = spark_tables(options["--build"].split(","), raw_states, variables)
    print(json.dumps({"rows": rows, **built}))
