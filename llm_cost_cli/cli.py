"""`llm-cost`: audit a sample of LLM telemetry and invoices in one command.

    llm-cost audit PATH... [--top N] [--format table|json|csv|markdown] [--section NAME]
    llm-cost compare OLD... --to NEW... [--period auto|month|week|none]

Exit codes:
    0  the report was printed
    2  usage error: an unknown option, a path that does not exist
    3  no input file of a known format (each file skipped is listed with the reason)
    4  the pipeline failed on the input (the failing dbt nodes are named; dbt's output is never shown)
    5  internal error (one line; set LLM_COST_DEBUG=1 for the traceback)
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from llm_cost_cli.detect import INVOICE_KINDS, Detected, detect, walk
from llm_cost_cli.pipeline import (
    AUDIT_MARTS,
    INVOICE_MARTS,
    BuildFailed,
    RawFolder,
    Workspace,
    build,
    expected_nodes,
    lay_out,
    workspace,
)
from llm_cost_cli.render import FORMATS, print_tables, to_csv, to_json, to_markdown
from llm_cost_cli.report import Section, audit_report

EXIT_OK, EXIT_USAGE, EXIT_NO_INPUT, EXIT_BUILD_FAILED, EXIT_INTERNAL = 0, 2, 3, 4, 5


class AuditError(Exception):
    """An error to print as one line, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def detect_all(paths: Sequence[str], progress: Progress) -> list[Detected]:
    files: list[Path] = []
    seen: set[Path] = set()
    for path in walk(Path(path) for path in paths):
        if path.resolve() not in seen:  # a file given twice (or inside a folder also given) is read once
            seen.add(path.resolve())
            files.append(path)
    task = progress.add_task("detecting formats", total=len(files))
    detected = []
    for path in files:
        detected.append(detect(path))
        progress.advance(task)
    progress.remove_task(task)
    return detected


def check_readable(files: Sequence[Detected]) -> None:
    if not any(f.kind for f in files):
        reasons = "; ".join(f"{f.path}: {f.reason}" for f in files) or "no file given"
        raise AuditError(f"no input file of a known format ({reasons})", EXIT_NO_INPUT)


def build_warehouse(files: Sequence[Detected], work: Workspace, label: str,
                    progress: Progress) -> tuple[str, RawFolder]:
    check_readable(files)
    work.reset()
    raw = lay_out([f for f in files if f.kind], work.raw)
    database = work.database
    with_invoices = any(f.kind in INVOICE_KINDS for f in files)
    marts = (*AUDIT_MARTS, *(INVOICE_MARTS if with_invoices else ()))
    total = expected_nodes(work.target, marts)
    task = progress.add_task(f"building the {label}warehouse (dbt)", total=total)

    def advance(done: int, node: str) -> None:
        progress.update(task, completed=min(done, total), description=f"dbt: {node}")

    try:
        build(raw, database, work.target, advance, marts)
    except BuildFailed as failed:
        raise AuditError(f"the pipeline failed on the input: {failed}", EXIT_BUILD_FAILED) from None
    progress.remove_task(task)
    return str(database), raw


def emit(sections: list[Section], output_format: str, only: Sequence[str], extra: dict[str, object],
         json_out: str | None = None) -> None:
    if json_out:
        Path(json_out).write_text(to_json(sections, extra) + "\n", encoding="utf-8")
    if only:
        unknown = sorted(set(only) - {s.name for s in sections})
        if unknown:
            raise AuditError(f"no section named {', '.join(unknown)} (sections: "
                             f"{', '.join(s.name for s in sections)})", EXIT_USAGE)
        sections = [s for s in sections if s.name in only]
    if output_format == "json":
        click.echo(to_json(sections, extra))
    elif output_format == "csv":
        click.echo(to_csv(sections), nl=False)
    elif output_format == "markdown":
        click.echo(to_markdown(sections))
    else:
        console = Console(highlight=False, width=max(Console().width, 160) if not sys.stdout.isatty() else None)
        print_tables(sections, console)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=err_console(), transient=True)


def _workdir(stack: ExitStack, keep: str | None) -> Workspace:
    return stack.enter_context(workspace(Path(keep) if keep else None))


def run_guarded(action: object) -> None:
    """Run `action`, turning every error into one line on stderr and an exit code (never a stack trace)."""
    try:
        action()  # type: ignore[operator]
    except AuditError as error:
        err_console().print(f"[bold red]llm-cost:[/bold red] {error}")
        sys.exit(error.code)
    except KeyboardInterrupt:
        err_console().print("llm-cost: interrupted")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the CLI promises one line, not a traceback
        if os.environ.get("LLM_COST_DEBUG") == "1":
            traceback.print_exc()
        err_console().print(f"[bold red]llm-cost: internal error:[/bold red] {type(error).__name__}: {error}")
        sys.exit(EXIT_INTERNAL)


FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(FORMATS), default="table",
                             show_default=True, help="Output: terminal tables, or json/csv/markdown for scripts "
                             "and tickets.")
TOP_OPTION = click.option("--top", type=click.IntRange(1), default=10, show_default=True,
                          help="Rows per breakdown; the rest are summed in one row.")
SECTION_OPTION = click.option("--section", "sections", multiple=True, metavar="NAME",
                              help="Print only this section (repeatable), e.g. by_team, coverage, fix_first.")
JSON_OUT_OPTION = click.option("--json-out", type=click.Path(dir_okay=False, writable=True), default=None,
                               help="Also write the whole report as JSON to this file.")
KEEP_OPTION = click.option("--keep", type=click.Path(file_okay=False), default=None,
                           help="Build in this folder (raw links, audit.duckdb, dbt's target) instead of a slot "
                                "of the cache ($LLM_COST_AUDIT_CACHE or ~/.cache/llm-cost/audit); it is kept.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Attribute LLM spend from a sample of traces, logs and invoices: try it on a sample first."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@TOP_OPTION
@FORMAT_OPTION
@SECTION_OPTION
@JSON_OUT_OPTION
@KEEP_OPTION
def audit(paths: tuple[str, ...], top: int, output_format: str, sections: tuple[str, ...],
          json_out: str | None, keep: str | None) -> None:
    """Audit PATHS (files or folders, any mix of formats, .gz or not): totals, cost by team, service,
    route, environment, provider and model, field coverage and what to fix first, duplicates, retries,
    unpriced models, quarantined records and, with invoices, invoice vs attributed.

    Exit codes: 0 printed; 2 usage error; 3 no file of a known format; 4 the pipeline failed; 5 internal error.
    """

    def action() -> None:
        started = time.monotonic()
        with ExitStack() as stack:
            work = _workdir(stack, keep)
            with _progress() as progress:
                files = detect_all(paths, progress)
                database, raw = build_warehouse(files, work, "", progress)
                report = audit_report(database, files, raw, top)
            emit(report, output_format, sections, {"elapsed_seconds": round(time.monotonic() - started, 1)},
                 json_out)

    run_guarded(action)


@main.command(context_settings={"ignore_unknown_options": False})
@click.argument("old", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--to", "new", multiple=True, required=True, type=click.Path(exists=True),
              help="A file or folder of the NEW export (repeat for several).")
@click.option("--period", type=click.Choice(["auto", "month", "week", "none"]), default="auto", show_default=True,
              help="Whose prices NEW is re-priced at for the price effect: one month or 7 days earlier, or none "
                   "(auto: from the gap between the exports' first days).")
@TOP_OPTION
@FORMAT_OPTION
@SECTION_OPTION
@JSON_OUT_OPTION
@KEEP_OPTION
def compare(old: tuple[str, ...], new: tuple[str, ...], period: str, top: int, output_format: str,
            sections: tuple[str, ...], json_out: str | None, keep: str | None) -> None:
    """Explain the difference between the OLD export and the NEW one (--to): volume, mix and price
    effects that sum to the cost delta, new and vanished models and routes, coverage gained or lost.

    Exit codes as for `audit`.
    """
    from llm_cost_cli.compare import compare_report

    def action() -> None:
        started = time.monotonic()
        with ExitStack() as stack:
            work = _workdir(stack, keep)
            with _progress() as progress:
                old_files = detect_all(old, progress)
                new_files = detect_all(new, progress)
                check_readable(new_files)
                # both builds use the same paths (dbt parses partially); OLD's database is moved aside
                built, _ = build_warehouse(old_files, work, "OLD ", progress)
                old_database = work.root / "old.duckdb"
                os.replace(built, old_database)
                new_database, _ = build_warehouse(new_files, work, "NEW ", progress)
                report, chosen = compare_report(str(old_database), new_database, period, top)
            emit(report, output_format, sections,
                 {"period": chosen, "elapsed_seconds": round(time.monotonic() - started, 1)}, json_out)

    run_guarded(action)


if __name__ == "__main__":
    main()
