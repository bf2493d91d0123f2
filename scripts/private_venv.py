"""A private venv with exactly the pins of one requirements file, for an optional toolchain that
must not share the project's .venv (Spark, MetricFlow, the FOCUS validator, DuckDB 1.x):

    python scripts/private_venv.py NAME REQUIREMENTS_FILE

prints the venv's path (installing it first if need be); exit 1 when it cannot be installed.
Used by the tests (tests/conftest.py) and by `./scripts/nightly.sh --target spark`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path


def private_venv(name: str, requirements: Path) -> Path | None:
    """A venv (in the user's cache, one per pinned file) with exactly the pins of one requirements file,
    for an optional toolchain that must not share the project's .venv; reinstalled only when
    the file changes. None when it cannot be installed here (no network, no wheel)."""
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    # outside the clone, keyed by the pins, so that a fresh clone (CI) reuses an earlier install
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llm-cost" / "venvs"
    cache.mkdir(parents=True, exist_ok=True)
    venv = cache / f"{name}-{wanted[:16]}"
    stamp = venv / ".requirements.sha256"
    with (cache / f"{name}-{wanted[:16]}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == wanted:
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        python = venv / "bin" / "python"
        for command in ([sys.executable, "-m", "venv", str(venv)],
                        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                         "--no-deps", "-r", str(requirements)],
                        [str(python), "-m", "pip", "check"]):
            result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
            if result.returncode != 0:
                print(f"{name}: {' '.join(command[:4])} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
                shutil.rmtree(venv, ignore_errors=True)
                return None
        stamp.write_text(wanted)
    return venv


if __name__ == "__main__":
    installed = private_venv(sys.argv[1], Path(sys.argv[2]))
    if installed is None:
        sys.exit(1)
    print(installed)
