#!/usr/bin/env bash
# The nightly job: set up if needed, then `dbt build` (seeds, models, tests)
# over LLM_COST_RAW_DIR (default data/sample) into LLM_COST_DUCKDB_PATH
# (default target/llm_cost.duckdb), and publish the analyst database.
# --target spark builds on a local Spark session (Java 17; docs/spark.md), then
# tests and publishes on DuckDB the same analyst database.
# Extra arguments go to `dbt build`, except --allow-empty-raw (a missing or
# empty raw root is expected tonight; also LLM_COST_ALLOW_EMPTY_RAW=1).
# --full-tests (also LLM_COST_FULL_TESTS=1) runs the data tests over all
# history instead of the rows written since the last fully tested run: weekly.
# A night whose inputs are the last published night's builds only the models
# that read the current date; --always-build builds everything anyway.
# Exit code: 0 published, 1 published with data problems reported, 2 not
# published (another nightly runs, missing or empty raw root, dbt failed or
# died): the analyst database is untouched. See scripts/nightly.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/bootstrap.sh
# --target spark (or --target=spark): build on a local Spark session, from the Spark venv of
# requirements-spark.txt (installed once into ~/.cache/llm-cost/venvs, shared with the tests);
# the data tests and the publish step stay on DuckDB (scripts/nightly.py, spark_night).
previous=""
for argument in "$@"; do
    if [[ "$argument" == "--target=spark" || ( "$previous" =~ ^(--target|-t)$ && "$argument" == "spark" ) ]]; then
        if ! spark_venv="$(.venv/bin/python scripts/private_venv.py spark requirements-spark.txt)"; then
            echo "nightly: the Spark venv (requirements-spark.txt) could not be installed: $spark_venv" >&2
            exit 2
        fi
        export LLM_COST_SPARK_PYTHON="$spark_venv/bin/python"
    fi
    previous="$argument"
done
exec .venv/bin/python scripts/nightly.py "$@"
