#!/usr/bin/env bash
# Every check: set up if needed, lint all Python with ruff (ruff.toml), then run
# pytest (dbt unit and data tests run inside it, over the sample and over
# fixtures) while sqlfluff lints all SQL beside it.
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
.venv/bin/ruff check .
# sqlfluff (dbt templater) runs on one core for about two minutes: it runs beside
# pytest instead of before it, so that the two cores of CI are both busy. Its
# report is printed after pytest's, and either failing fails the run.
sqlfluff_report=$(mktemp)
.venv/bin/sqlfluff lint models data-tests >"$sqlfluff_report" 2>&1 &
sqlfluff_pid=$!
trap 'kill "$sqlfluff_pid" 2>/dev/null || true; rm -f "$sqlfluff_report"' EXIT
pytest_status=0
.venv/bin/pytest tests "$@" || pytest_status=$?
sqlfluff_status=0
wait "$sqlfluff_pid" || sqlfluff_status=$?
echo "--- sqlfluff lint models data-tests (exit $sqlfluff_status)"
cat "$sqlfluff_report"
if (( pytest_status != 0 || sqlfluff_status != 0 )); then
    echo "test.sh: failed (pytest exit $pytest_status, sqlfluff exit $sqlfluff_status)" >&2
    exit $(( pytest_status != 0 ? pytest_status : sqlfluff_status ))
fi
