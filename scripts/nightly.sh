#!/usr/bin/env bash
# The nightly build: set up if needed, then `dbt build` (seeds, models, tests)
# over LLM_COST_RAW_DIR (default data/sample) into LLM_COST_DUCKDB_PATH
# (default target/llm_cost.duckdb). Extra arguments go to `dbt build`.
# Exit code: 0 built, 1 a model or test failed, 2 dbt itself errored.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/bootstrap.sh
exec .venv/bin/python scripts/run_dbt.py build "$@"
