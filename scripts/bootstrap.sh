#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv) from requirements.txt and
# pyproject.toml (the `llm-cost` command). Safe to run any number of times: it
# reinstalls only when either file changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python_bin="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    rm -rf .venv
    "$python_bin" -m venv .venv
fi

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .  # llm-cost
    echo "$wanted" > "$stamp"
fi
