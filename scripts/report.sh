#!/usr/bin/env bash
# The monthly report: set up if needed, then write one self-contained HTML
# file (plotly.js inlined, opens offline) from the published analyst
# database. Usage: ./scripts/report.sh 2026-11 [--database PATH] [--output PATH]
# (see scripts/report.py; default output target/reports/llm_cost_report_<month>.html).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/bootstrap.sh
exec .venv/bin/python scripts/report.py "$@"
