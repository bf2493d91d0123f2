#!/usr/bin/env bash
# Every check: set up if needed, lint all SQL with sqlfluff and all Python with
# ruff (ruff.toml), then run pytest (dbt unit and data tests run inside it, over
# the sample and over fixtures).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/bootstrap.sh
.venv/bin/sqlfluff lint models data-tests
.venv/bin/ruff check .
.venv/bin/pytest tests "$@"
