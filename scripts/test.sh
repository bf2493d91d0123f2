#!/usr/bin/env bash
# Every check: set up if needed, lint all SQL with sqlfluff and all Python with
# ruff (ruff.toml), then run pytest (dbt unit and data tests run inside it, over
# the sample and over fixtures).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/bootstrap.sh
# The monthly report's browser test renders it in headless Chromium (Debian's
# package). Installed here only when missing and we may (root, apt-get); the
# test skips, saying so, without it.
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
    { apt-get install -y -q chromium >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; } \
        || echo "test.sh: chromium could not be installed; the report's browser test will skip"
fi
.venv/bin/sqlfluff lint models data-tests
.venv/bin/ruff check .
.venv/bin/pytest tests "$@"
