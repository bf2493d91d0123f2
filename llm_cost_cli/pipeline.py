"""Lay detected files out as a raw folder and build the warehouse over it with the project's own dbt
pipeline (scripts/run_dbt.py: the same pre-flight, models and rules as the nightly), into a
temporary DuckDB file.

dbt runs in a subprocess whose output is parsed for progress only and never shown: dbt's messages
can quote raw values (prompts, keys). When the build fails, only the failing nodes' names are
reported.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from llm_cost_cli import PROJECT_ROOT
from llm_cost_cli.detect import KINDS, Detected

# The marts the audit reads, with everything upstream; the others (spikes, budgets, unit costs,
# chargeback, FOCUS, load log) are not built. Data and unit tests are not run: the nightly and CI run them.
AUDIT_MARTS = (
    "fct_llm_attribution_fix_first",
    "fct_llm_unpriced_usage",
    "fct_llm_quarantined_records",
    "fct_raw_file_quarantine",
    "fct_telemetry_record_accounting",
)
INVOICE_MARTS = ("fct_invoice_totals_monthly",)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class BuildFailed(Exception):
    """dbt did not build the warehouse; the message names the failing nodes (never dbt's own text)."""


CACHE_VARIABLE = "LLM_COST_AUDIT_CACHE"
SLOTS = 16


def cache_base() -> Path:
    """Where audit workspaces live: $LLM_COST_AUDIT_CACHE, else $XDG_CACHE_HOME/llm-cost/audit."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llm-cost" / "audit"


@dataclass(frozen=True)
class Workspace:
    """A folder with the raw links, the DuckDB file and dbt's target of one audit at a time.

    Its paths are the same from one audit to the next, so dbt's profile (which names the DuckDB
    file) does not change and dbt parses the project partially (about 4 s less start-up); the raw
    links and the database are removed before each build."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def database(self) -> Path:
        return self.root / "audit.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "dbt_target"

    def reset(self) -> None:
        shutil.rmtree(self.raw, ignore_errors=True)
        for path in (self.database, self.database.with_name(self.database.name + ".wal"),
                     self.target / "run_results.json"):
            path.unlink(missing_ok=True)


@contextmanager
def workspace(folder: Path | None = None) -> Iterator[Workspace]:
    """A workspace held under an exclusive lock: `folder` (waits for it), else the first free
    slot of the cache (`slot-0`, `slot-1`, ...), so concurrent audits never share one."""
    candidates = [folder] if folder else [cache_base() / f"slot-{number}" for number in range(SLOTS)]
    for index, root in enumerate(candidates):
        root.mkdir(parents=True, exist_ok=True)
        lock = (root / ".lock").open("w")
        try:
            last = index == len(candidates) - 1
            fcntl.flock(lock, fcntl.LOCK_EX if last else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        try:
            yield Workspace(root)
        finally:
            lock.close()
        return


def raw_layouts() -> dict[str, dict[str, list[str] | str]]:
    """Relation -> its folder and globs, as the pre-flight reads them (one source of truth)."""
    scripts = str(PROJECT_ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    from raw_manifest import raw_layouts as layouts

    return layouts(PROJECT_ROOT)


def _extension(layout: dict[str, list[str] | str], reader_format: str, gzipped: bool) -> str:
    """A file-name ending the relation's globs accept for this reader format."""
    globs = [str(glob).removeprefix("**/*") for glob in layout.get(reader_format, [])]
    plain = [glob for glob in globs if not glob.endswith(".gz")]
    if not plain:
        raise RuntimeError(f"the raw layout reads no {reader_format} files for this source")
    wanted = plain[0] + ".gz" if gzipped else plain[0]
    if gzipped and wanted not in globs:
        raise RuntimeError(f"the raw layout reads no gzipped {reader_format} files for this source")
    return wanted


@dataclass
class RawFolder:
    """A raw root laid out from detected files; `originals` maps each link back to its input."""

    root: Path
    originals: dict[str, str] = field(default_factory=dict)

    def original(self, source_file: str | None) -> str | None:
        if source_file is None:
            return None
        return self.originals.get(source_file, source_file)


def lay_out(files: Sequence[Detected], root: Path) -> RawFolder:
    """Symlink every detected file into `root` in the project's raw layout, named so the
    layout's globs read it (and gunzip it when its content is gzip)."""
    layouts = raw_layouts()
    folder = RawFolder(root)
    root.mkdir(parents=True, exist_ok=True)
    for number, detected in enumerate(files, start=1):
        if detected.kind is None:
            continue
        relation, reader_format, _label = KINDS[detected.kind]
        layout = layouts[relation]
        stem = SAFE_NAME.sub("_", detected.path.name.split(".")[0])[:60] or "file"
        target_dir = root / str(layout["folder"])
        target_dir.mkdir(parents=True, exist_ok=True)
        link = target_dir / f"{number:05d}-{stem}{_extension(layout, reader_format, detected.gzipped)}"
        link.symlink_to(detected.path.resolve())
        folder.originals[str(link)] = str(detected.path)
    return folder


def _count_progress(line: str) -> tuple[str | None, bool]:
    """(node name, finished) of one JSON log line of dbt, or (None, False)."""
    try:
        event = json.loads(line)
    except ValueError:
        return None, False
    node = (event.get("data") or {}).get("node_info") or {}
    name = (event.get("info") or {}).get("name", "")
    if node.get("node_status") and name.endswith("Result"):
        return node.get("node_name"), True
    return None, False


def build(raw: RawFolder, database: Path, target_path: Path,
          on_progress: Callable[[int, str], None] | None = None, selectors: Sequence[str] = AUDIT_MARTS) -> None:
    """`dbt build` of the audit marts (and everything upstream) over `raw` into `database`."""
    environment = {
        **os.environ,
        "LLM_COST_RAW_DIR": str(raw.root),
        "LLM_COST_DUCKDB_PATH": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        sys.executable, str(PROJECT_ROOT / "scripts/run_dbt.py"), "build",
        "--select", *[f"+{name}" for name in selectors],
        "--exclude", "resource_type:unit_test", "resource_type:test",
        "--target-path", str(target_path),
        "--log-path", str(target_path / "logs"),
        "--log-format", "json", "--log-level", "info", "--log-level-file", "none",
    ]
    finished = 0
    count_file = target_path / f"audit-nodes-{len(selectors)}.txt"
    with subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, encoding="utf-8", errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            name, done = _count_progress(line)
            if done:
                finished += 1
                if on_progress is not None:
                    on_progress(finished, name or "")
        code = process.wait()
    if code != 0:
        raise BuildFailed(_failures(target_path, code))
    count_file.write_text(str(finished), encoding="utf-8")


def expected_nodes(target_path: Path, selectors: Sequence[str]) -> int:
    """Nodes the last build of these marts had (for the progress bar), else a guess."""
    try:
        return int((target_path / f"audit-nodes-{len(selectors)}.txt").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 50


def _failures(target_path: Path, code: int) -> str:
    """The failing nodes' ids and statuses from run_results.json (no messages: they quote data)."""
    try:
        results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return f"dbt exited with code {code} before it wrote run_results.json (rerun with --keep to investigate)"
    failed = [f"{result['unique_id']} ({result['status']})" for result in results
              if result.get("status") in ("error", "fail", "runtime error")]
    return f"dbt exited with code {code}; failed: {', '.join(failed) or 'no node (see --keep)'}"
