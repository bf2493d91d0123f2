#!/usr/bin/env python3
"""Record the OTLP conformance fixtures: real LLM SDKs and instrumentations against a fake vendor.

Each scenario runs the real Python SDK (openai, anthropic, boto3) with one instrumentation library inside
a small app (SERVER spans with `http.route`, INTERNAL steps, batch jobs) against a fake OpenAI / Anthropic /
Bedrock server on 127.0.0.1. What the app's OpenTelemetry SDK emits is written as OTLP/JSON (one
`TracesData` per line, as the Collector's `file` exporter writes it); what the server answered (every
response, failed attempts included, with usage in normalised buckets) is written as the truth.

Usage (from the repository root, with any Python 3.11):

    python3 scripts/record_conformance.py                      # every scenario, default seed
    python3 scripts/record_conformance.py --only anthropic-sdk # one scenario (repeat --only for more)
    python3 scripts/record_conformance.py --seed 7 --out /tmp/conformance-seed7
    python3 scripts/record_conformance.py --list               # the scenario names

The first run creates `.venv-conformance` (gitignored) from `requirements-conformance.txt`, and any run
re-installs it when that file changed; then it re-runs itself with that venv's Python, and records each
scenario in its own subprocess. Output (default `tests/fixtures/conformance/`):

    raw/traces/otlp/<scenario>.jsonl   OTLP/JSON traces (point LLM_COST_RAW_DIR at .../conformance/raw)
    truth/<scenario>.jsonl             one line per response the fake vendor sent
    versions.json                      per scenario: library versions, python, date, command, counts
    inventory.md                       per scenario: scopes, span names and kinds, attribute keys

The same seed gives the same calls, contexts, token counts, vendor ids and trace/span ids; only
timestamps (and durations) differ between two recordings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-conformance"
REQUIREMENTS = ROOT / "requirements-conformance.txt"
STAMP = VENV / ".requirements.sha256"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "conformance"
DEFAULT_SEED = 20261203
CLEARED_ENV_PREFIXES = (
    "OTEL_",
    "TRACELOOP_",
    "OPENINFERENCE_",
    "ANTHROPIC_",
    "OPENAI_",
    "AWS_",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        metavar="SCENARIO",
        help="record only this scenario (repeatable)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"varies calls and tokens (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder (default tests/fixtures/conformance)",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the scenario names and exit"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv() -> None:
    """Creates `.venv-conformance` if missing and installs the pins when the requirements file changed."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    pip = [str(VENV / "bin" / "python"), "-m", "pip"]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "-r", str(REQUIREMENTS)], check=True
    )
    subprocess.run([*pip, "check"], check=True)
    STAMP.write_text(digest + "\n")


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(CLEARED_ENV_PREFIXES)
    }
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT / "scripts")
    env["PYTHONHASHSEED"] = "0"
    return env


def record_all(names: list[str], seed: int, out: Path) -> None:
    from conformance.inventory import write_inventory
    from conformance.scenarios import BY_NAME, NO_CONTENT

    versions_path = out / "versions.json"
    recorded = (
        json.loads(versions_path.read_text())
        if versions_path.exists()
        else {"scenarios": {}}
    )
    command = " ".join(["python3", "scripts/record_conformance.py", *sys.argv[1:]])
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            result_path = Path(tmp) / "result.json"
            args = [
                sys.executable,
                __file__,
                "--child",
                name,
                "--seed",
                str(seed),
                "--out",
                str(out),
                "--result",
                str(result_path),
            ]
            subprocess.run(
                args, check=True, env=child_env({**NO_CONTENT, **BY_NAME[name].env})
            )
            result = json.loads(result_path.read_text())
        result |= {
            "seed": seed,
            "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": command,
        }
        result["environment_variables"] = {**NO_CONTENT, **BY_NAME[name].env}
        recorded["scenarios"][name] = result
        print(
            f"{name}: {result['calls']} calls, {result['responses']} responses, {result['spans']} spans"
        )
    recorded["scenarios"] = dict(sorted(recorded["scenarios"].items()))
    versions_path.write_text(json.dumps(recorded, indent=2) + "\n")
    write_inventory(out, sorted(recorded["scenarios"]))


def main() -> None:
    args = parse_args()
    if not in_venv():
        ensure_venv()
        python = str(VENV / "bin" / "python")
        os.execv(python, [python, __file__, *sys.argv[1:]])
    sys.path.insert(0, str(ROOT / "scripts"))
    from conformance.scenarios import SCENARIOS

    if args.child:
        from conformance.app import record

        args.result.write_text(json.dumps(record(args.child, args.seed, args.out)))
        return
    names = [scenario.name for scenario in SCENARIOS]
    if args.list:
        print("\n".join(names))
        return
    unknown = sorted(set(args.only or []) - set(names))
    if unknown:
        sys.exit(
            f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(names)}"
        )
    record_all(
        [name for name in names if not args.only or name in args.only],
        args.seed,
        args.out.resolve(),
    )


if __name__ == "__main__":
    main()
