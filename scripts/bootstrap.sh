#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv) from requirements.txt and
# pyproject.toml (the `llm-cost` command). Safe to run any number of times: it
# reinstalls only when either file (or the installer's pin below) changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The installer: uv installs the ~100 pinned packages in a few seconds from its
# cache, where pip takes about a minute (measured 2026-12-07, 3 s against 55 s),
# and the test command starts with this. pip installs it, and stays the fallback.
# uv writes no bytecode unless asked, and Python writes none either where
# PYTHONDONTWRITEBYTECODE is set (as on CI's machines): every dbt process then
# compiled dbt's ~1,300 modules again, 1.7 s of CPU each (measured 2026-12-07,
# importing dbt 4.1 s -> 2.4 s), and the tests start hundreds of them.
installer_pin="uv==0.13.10"
uv_options=(--quiet --compile-bytecode)

python_bin="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    rm -rf .venv
    "$python_bin" -m venv .venv
fi

stamp=.venv/.requirements.sha256
wanted=$( { cat requirements.txt pyproject.toml; echo "$installer_pin ${uv_options[*]}"; } | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
    if "${pip[@]}" "$installer_pin" && uv=(.venv/bin/uv pip install "${uv_options[@]}" --python .venv/bin/python) \
        && "${uv[@]}" -r requirements.txt && "${uv[@]}" --no-deps --no-build-isolation -e .; then
        :
    else
        echo "bootstrap.sh: uv could not install; installing with pip" >&2
        "${pip[@]}" -r requirements.txt
        "${pip[@]}" --no-deps --no-build-isolation -e .  # llm-cost
    fi
    echo "$wanted" > "$stamp"
fi
