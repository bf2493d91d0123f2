"""Run dbt on the `spark` target, then list where Spark wrote each seed and model it built.

    python scripts/spark_build.py RELATIONS_JSON [dbt arguments]

Run by the Spark venv's interpreter (requirements-spark.txt) for `./scripts/nightly.sh --target
spark` (scripts/nightly.py). dbt runs in-process, as scripts/run_dbt.py runs it; after a
successful run, the same Spark session (one JVM) is asked, for every seed and model of this
run, for its Parquet folder: the table's own location when Spark stored it as Parquet, else
(a view, a table of another format, or an empty table, which may have no file) a copy written
as Parquet under
`<warehouse>/duckdb_mirror/<schema>/<name>`. RELATIONS_JSON gets `{"<schema>.<name>": folder}`,
read by scripts/nightly.py to give DuckDB views over those files. Exit code as run_dbt.py's.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

from run_dbt import PREFLIGHT_DONE_VARIABLE, PathError, PreflightRefused, dbt_environment, run_preflight

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIRROR_FOLDER = "duckdb_mirror"


def parquet_folder(session: object, schema: str, name: str, warehouse: Path) -> str:
    """The folder of Parquet files holding the rows of Spark's `schema`.`name`."""
    relation = f"`{schema}`.`{name}`"
    details = {row["col_name"]: row["data_type"]
               for row in session.sql(f"describe table extended {relation}").collect()}  # type: ignore[attr-defined]
    location = details.get("Location", "").removeprefix("file:")
    is_parquet_table = details.get("Type") != "VIEW" and details.get("Provider", "").lower() == "parquet"
    # an empty partitioned table has no file at all: its copy below has one, with the columns
    if is_parquet_table and location and any(Path(location).rglob("*.parquet")):
        return location
    folder = warehouse / MIRROR_FOLDER / schema / name
    session.table(relation).write.mode("overwrite").parquet(str(folder))  # type: ignore[attr-defined]
    return str(folder)


def main(relations_file: Path, arguments: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(os.environ))
    os.chdir(PROJECT_ROOT)
    if os.environ.get(PREFLIGHT_DONE_VARIABLE) != "1":
        run_preflight(arguments, os.environ)
    result = dbtRunner().invoke(arguments)
    if not result.success:
        return 2 if result.exception is not None else 1
    from pyspark.sql import SparkSession

    session = SparkSession.builder.getOrCreate()  # the session dbt-spark opened in this process
    warehouse = Path(os.environ["LLM_COST_SPARK_WAREHOUSE"])
    folders = {f"{r.node.schema}.{r.node.alias}": parquet_folder(session, r.node.schema, r.node.alias, warehouse)
               for r in result.result.results if r.node.resource_type in ("seed", "model")}
    relations_file.write_text(json.dumps(folders), encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
    except (PathError, PreflightRefused) as error:
        print(f"run_dbt: {error}", file=sys.stderr)
        sys.exit(2)
    except Exception:  # noqa: BLE001 - before or around dbt: an error (2), not test failures (1)
        traceback.print_exc()
        sys.exit(2)
