"""Pre-flight of every build: list the raw files, check the new ones, quarantine the bad.

    python scripts/raw_manifest.py          # refresh the manifest by hand

Run by scripts/run_dbt.py before dbt opens the build database. Lists every
raw file of every raw relation (the folders and globs of the source registry,
var `llm_cost_sources` in dbt_project.yml), and checks each file that is new or
changed since the previous run (same path, size, modification time and
first and last KiB = unchanged: its previous row is kept, the file is not
read again; a changed file gets `changed_at`, so the staging models reload
it even when its time was kept) for what
would stop DuckDB from reading it at all: a gzip stream that is empty,
truncated or corrupt, text that is not UTF-8, a line longer than the reader
accepts, mixed line endings, a CSV that does not parse, a Parquet file that
does not open. While reading it counts the file's records independently of
DuckDB (JSON lines: non-blank lines; CSV: data rows; a JSON page file: its
pages; Parquet: rows).

The result is written to `raw.file_manifest` of the build database
(LLM_COST_DUCKDB_PATH; for the `spark` target, a DuckDB file of the pre-flight's
own in the Spark warehouse, whose manifest and retractions are copied beside
it as Parquet for Spark to read), one row per file with its status (`ok` or
`quarantined`) and reason. The raw relations read only the files whose
status is `ok` (macros/raw/), so one bad file is quarantined and reported
(fct_raw_file_quarantine) instead of failing the night.

A file that was readable at the previous pre-flight and is now gone,
quarantined or emptied (no record left) is retracted: the staging models delete its rows, so its calls
are no longer billed, as in a full rebuild. A deleted file is retracted only
when LLM_COST_RETRACT_DELETED_FILES=1 says it was deleted on purpose
(nightly: `--retract-deleted-files`); otherwise the pre-flight refuses, before
it changes anything, so that a lost mount or a retention job never rewrites
billed history unnoticed. Each retraction is appended to
`raw.file_retractions` with the calls and cost it had billed (from the build
database's fct_llm_calls, before this build) and the nightly's run id, and
printed; the nightly reports it as a data problem (exit 1).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path

import duckdb
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The source registry: var `llm_cost_sources` of this file.
REGISTRY_FILE = "dbt_project.yml"
REGISTRY_VARIABLE = "llm_cost_sources"
# The readers' limit (max_line_size of raw_text_lines and raw_csv_select).
MAX_LINE_BYTES = 268_435_456
CHUNK_BYTES = 8 * 1024 * 1024
HEAD_TAIL_BYTES = 1024
# dbt commands that run the on-run-start hooks, which read the raw files.
COMMANDS_READING_RAW = frozenset({
    "build", "run", "test", "seed", "snapshot", "source", "run-operation", "compile", "docs", "show", "retry",
})
MANIFEST_TABLE = "raw.file_manifest"
RETRACTIONS_TABLE = "raw.file_retractions"
RETRACTIONS_COLUMNS = (
    ("source_file", "varchar"),
    ("relation_name", "varchar"),
    ("retraction_reason", "varchar"),
    ("record_count", "bigint"),
    ("billed_calls", "bigint"),
    ("billed_cost_usd", "decimal(38, 12)"),
    ("retracted_at", "timestamptz"),
    ("nightly_run_id", "varchar"),
)
RUN_ID_VARIABLE = "DBT_ENV_CUSTOM_ENV_NIGHTLY_RUN_ID"
# A build on the `spark` target (README, "Running on Spark / Databricks"): the pre-flight's
# database and the manifest it hands to Spark live in this folder of the Spark warehouse.
SPARK_TARGET = "spark"
SPARK_WAREHOUSE_VARIABLE = "LLM_COST_SPARK_WAREHOUSE"
SPARK_PREFLIGHT_FOLDER = "llm_cost_preflight"
RETRACT_DELETED_VARIABLE = "LLM_COST_RETRACT_DELETED_FILES"
MANIFEST_COLUMNS = (
    ("source_file", "varchar"),
    ("read_path", "varchar"),
    ("relation_name", "varchar"),
    ("file_format", "varchar"),
    ("file_bytes", "bigint"),
    ("modified_at_ns", "bigint"),
    ("head_tail_md5", "varchar"),
    ("record_count", "bigint"),
    ("file_status", "varchar"),
    ("quarantine_reason", "varchar"),
    ("checked_at", "timestamptz"),
    ("changed_at", "timestamptz"),
    ("listed_at", "timestamptz"),
    ("read_layout", "varchar"),
)


class PreflightRefusal(Exception):
    """The pre-flight will not go on; nothing changed. The message says why."""


class DeletedFilesRefused(PreflightRefusal):
    """Files loaded before are gone from the raw folder, and no one said to retract them."""


class BadFile(Exception):
    """The file cannot be read at all; the message is the quarantine reason."""


@dataclass(frozen=True)
class RawFile:
    """One row of the manifest."""

    source_file: str
    read_path: str
    relation_name: str
    file_format: str
    file_bytes: int
    modified_at_ns: int
    head_tail_md5: str
    record_count: int | None
    file_status: str
    quarantine_reason: str | None
    checked_at: datetime
    changed_at: datetime | None
    listed_at: datetime
    # CSV and Parquet: how DuckDB reads the file (read_layout); files of one layout are read together
    read_layout: str | None


def raw_layouts(project_root: Path = PROJECT_ROOT) -> dict[str, dict[str, list[str] | str]]:
    """Relation name -> {"folder": ..., <format>: [globs]}, from the source registry (one source of truth,
    the same var the raw views of macros/raw/ read)."""
    project = yaml.safe_load((project_root / REGISTRY_FILE).read_text(encoding="utf-8"))
    registry = (project.get("vars") or {}).get(REGISTRY_VARIABLE)
    if not registry:
        raise RuntimeError(f"{REGISTRY_FILE}: var {REGISTRY_VARIABLE} (the source registry) is missing")
    layouts: dict[str, dict[str, list[str] | str]] = {}
    for source_system, entry in registry.items():
        try:
            layouts[str(entry["relation"])] = {
                "folder": str(entry["folder"]),
                **{str(file_format): [str(glob) for glob in globs] for file_format, globs in entry["globs"].items()},
            }
        except (KeyError, TypeError, AttributeError) as error:
            raise RuntimeError(
                f"{REGISTRY_FILE}: {REGISTRY_VARIABLE}.{source_system} needs relation, folder and globs"
            ) from error
    return layouts


def duckdb_read_path(path: str) -> str:
    """The path as DuckDB must be given it to read that file only: glob characters escaped."""
    return re.sub(r"([\[*?])", r"[\1]", path)


def list_raw_files(
    raw_dir: str, layouts: Mapping[str, Mapping[str, list[str] | str]],
) -> Iterator[tuple[str, str, str, os.stat_result]]:
    """(path, relation, format, stat) of every raw file, paths as the raw root spells them."""
    for relation_name, layout in layouts.items():
        folder = str(layout["folder"])
        top = Path(raw_dir) / folder
        if not top.is_dir():
            continue
        patterns = [
            (file_format, str(pattern).removeprefix("**/"))
            for file_format, globs in layout.items() if file_format != "folder"
            for pattern in globs
        ]
        for directory, subdirectories, names in os.walk(top):
            subdirectories.sort()
            relative_dir = os.path.relpath(directory, top)
            for name in sorted(names):
                file_format = next((f for f, p in patterns if fnmatchcase(name, p)), None)
                if file_format is None:
                    continue
                relative = name if relative_dir == "." else f"{relative_dir}/{name}"
                path = f"{raw_dir}/{folder}/{relative}"
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                yield path, relation_name, file_format, stat


def head_tail_md5(path: str, size: int) -> str:
    """MD5 of the size and the first and last KiB: part of a file's identity, read for
    every file every run (cheap), so a file rewritten with its time kept is seen."""
    digest = hashlib.md5(str(size).encode(), usedforsecurity=False)
    with open(path, "rb") as handle:
        digest.update(handle.read(HEAD_TAIL_BYTES))
        if size > HEAD_TAIL_BYTES:
            handle.seek(max(size - HEAD_TAIL_BYTES, HEAD_TAIL_BYTES))
            digest.update(handle.read(HEAD_TAIL_BYTES))
    return digest.hexdigest()


def read_chunks(path: str) -> Iterator[bytes]:
    """The file's bytes, gunzipped when it is `.gz`; BadFile when that fails."""
    if not path.endswith(".gz"):
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk
        return
    if os.path.getsize(path) == 0:
        raise BadFile("empty_gzip_file")
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        raise BadFile(f"corrupt_gzip: {error}") from error


def decoded_chunks(path: str) -> Iterator[bytes]:
    """The file's bytes, checked to be UTF-8 (BadFile at the first byte that is not).
    An ASCII chunk needs no decoding (most telemetry is ASCII)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    for chunk in read_chunks(path):
        if not chunk.isascii() or decoder.getstate()[0]:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise BadFile(f"invalid_utf8: at byte {offset + error.start}") from error
        offset += len(chunk)
        yield chunk
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise BadFile(f"invalid_utf8: truncated character at byte {offset}") from error


def split_lines(path: str) -> Iterator[bytes]:
    """The file's lines (terminators removed), checked as raw_text_lines reads them."""
    carry = b""
    terminators: set[str] = set()
    for chunk in decoded_chunks(path):
        text = carry + chunk
        lines = text.split(b"\n")
        carry = lines.pop()
        if len(carry) > MAX_LINE_BYTES:
            raise BadFile(f"line_too_long: over {MAX_LINE_BYTES} bytes")
        if not lines:
            continue
        if b"\r" not in text:  # the common case: LF only, no line to look at
            terminators.add("lf")
        else:
            for index, line in enumerate(lines):
                if line.endswith(b"\r"):
                    lines[index] = line = line[:-1]
                    terminators.add("crlf")
                else:
                    terminators.add("lf")
                if b"\r" in line:
                    terminators.add("cr")
        if len(terminators) > 1:
            raise BadFile("mixed_line_endings")
        yield from lines
    if b"\r" in carry:  # the last line, or a file whose lines end with CR alone
        if terminators:
            raise BadFile("mixed_line_endings")
        yield from carry.split(b"\r")
    elif carry:
        yield carry


def is_blank(line: bytes) -> bool:
    """Blank as raw_jsonl_select skips it: nothing but spaces (after a BOM at the start)."""
    return not line.removeprefix(b"\xef\xbb\xbf").strip(b" ")


def count_json_lines(path: str) -> int:
    return sum(1 for line in split_lines(path) if not is_blank(line))


def count_json_pages(path: str) -> int:
    return count_pages(list(split_lines(path)))


def count_pages(lines: Sequence[bytes]) -> int:
    """Pages as raw_json_pages_select makes them: the whole file, or its JSON-object lines."""
    if not lines:
        return 0
    text = b"\n".join(lines).decode("utf-8").removeprefix("\ufeff")
    try:
        json.loads(text)
        return 1
    except ValueError:
        pass
    object_lines = 0
    for line in lines:
        try:
            object_lines += isinstance(json.loads(line), dict)
        except ValueError:
            continue
    if object_lines == 0:
        return 1
    return sum(1 for line in lines if line.strip(b" "))


def count_csv_rows(path: str) -> int:
    """Data rows (blank lines skipped) as Python's csv module reads them."""
    for _ in decoded_chunks(path):  # gzip and UTF-8 errors first
        pass
    csv.field_size_limit(MAX_LINE_BYTES)
    with _open_text(path) as text:
        try:
            rows = sum(1 for row in csv.reader(text) if row)
        except csv.Error as error:
            raise BadFile(f"unparsable_csv: {error}") from error
    return max(rows - 1, 0)


def _open_text(path: str) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


# What DuckDB's CSV sniffer finds that decides how a file is read (with the columns the reader
# gives, below): files alike in all of it give each row the same columns read alone or together.
CSV_DIALECT_FIELDS = ("Delimiter", "Quote", "Escape", "NewLineDelimiter", "Comment", "SkipRows", "HasHeader")
CSV_READ_OPTIONS = (
    "header = true, all_varchar = true, null_padding = true, parallel = false,"
    f" filename = '__raw_source_file', max_line_size = {MAX_LINE_BYTES}, buffer_size = {2 * MAX_LINE_BYTES}"
)


def read_layout(parts: object) -> str:
    """A short digest of how a file is read, equal for files that one reader reads alike."""
    return hashlib.md5(json.dumps(parts, sort_keys=True, default=str).encode(), usedforsecurity=False).hexdigest()


def described_columns(connection: duckdb.DuckDBPyConnection, select: str, read_path: str) -> list[list[str]]:
    """[name, type] of a reader's columns for the file alone, its `key=value` folders included:
    read together, files whose folders differ in keys or in their values' types lose them or
    change their type (`part=7` is 7 alone, "7" beside `part=abc`)."""
    return [[name, kind] for name, kind, *_ in connection.execute(f"describe {select}", [read_path]).fetchall()]


def check_csv_with_duckdb(connection: duckdb.DuckDBPyConnection, path: str, read_path: str) -> str:
    """The file's read layout, from DuckDB's sniffer and reader with the options of
    raw_csv_select, after reading every row as that reader does; BadFile when DuckDB cannot
    read the file."""
    select = f"select * from read_csv(?, {CSV_READ_OPTIONS})"
    try:
        connection.execute(f"select count(*) from ({select})", [read_path]).fetchone()
        sniffed = connection.execute(f"select * from sniff_csv(?, {CSV_READ_OPTIONS})", [read_path])
        names = [column[0] for column in sniffed.description]
        dialect = dict(zip(names, sniffed.fetchone() or (), strict=True))
        columns = described_columns(connection, select, read_path)
    except duckdb.Error as error:
        raise BadFile(f"unreadable_csv: {first_line(error)}") from error
    return read_layout([path.endswith(".gz"), [dialect.get(field) for field in CSV_DIALECT_FIELDS], columns])


def check_parquet(connection: duckdb.DuckDBPyConnection, read_path: str) -> tuple[int, str]:
    """Rows of a Parquet file, every column decoded, and its read layout (column names and
    types, `key=value` folders included); BadFile when it does not open."""
    try:
        row = connection.execute("select count(hash(rows)) from read_parquet(?) as rows", [read_path]).fetchone()
        columns = described_columns(connection, "select * from read_parquet(?)", read_path)
    except duckdb.Error as error:
        raise BadFile(f"unreadable_parquet: {first_line(error)}") from error
    return (int(row[0]) if row else 0), read_layout(columns)


def first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def check_file(
    connection: duckdb.DuckDBPyConnection, path: str, read_path: str, file_format: str,
) -> tuple[int, str | None]:
    """The file's record count and read layout; BadFile when it cannot be read."""
    if file_format == "parquet":
        return check_parquet(connection, read_path)
    if file_format == "csv":
        rows = count_csv_rows(path)
        return rows, check_csv_with_duckdb(connection, path, read_path)
    if file_format == "json":
        return count_json_pages(path), None
    return count_json_lines(path), None


def check_files(
    raw_dir: str, previous: Mapping[str, RawFile], now: datetime,
    layouts: Mapping[str, Mapping[str, list[str] | str]] | None = None,
) -> list[RawFile]:
    """The manifest: previous rows of unchanged files, fresh checks of the others."""
    connection = duckdb.connect()
    try:
        connection.execute("set enable_progress_bar = false")
        rows: list[RawFile] = []
        for path, relation_name, file_format, stat in list_raw_files(raw_dir, layouts or raw_layouts()):
            known = previous.get(path)
            try:
                fingerprint = head_tail_md5(path, stat.st_size)
            except OSError:
                continue  # gone since it was listed
            if (
                known is not None and known.file_bytes == stat.st_size
                and known.modified_at_ns == stat.st_mtime_ns and known.head_tail_md5 == fingerprint
                and known.relation_name == relation_name and known.file_format == file_format
                # a readable CSV or Parquet file listed by an older version has no read_layout yet
                and (known.read_layout is not None or known.file_status != "ok"
                     or file_format not in ("csv", "parquet"))
            ):
                rows.append(replace(known, listed_at=now))
                continue
            read_path = duckdb_read_path(path)
            status, reason, count, layout = "ok", None, None, None
            try:
                count, layout = check_file(connection, path, read_path, file_format)
            except BadFile as bad:
                status, reason = "quarantined", str(bad)
            except OSError as error:
                status, reason = "quarantined", f"unreadable_file: {first_line(error)}"
            if status == "quarantined" and count is None:
                count = best_effort_count(path, file_format)
            rows.append(RawFile(
                path, read_path, relation_name, file_format, stat.st_size, stat.st_mtime_ns,
                fingerprint, count, status, reason, now,
                # a file known before that changed (even with its time kept) is loaded again
                None if known is None else now, now, layout,
            ))
        return rows
    finally:
        connection.close()


def best_effort_count(path: str, file_format: str) -> int | None:
    """Records of a quarantined file as far as they can be told (bytes that are not
    UTF-8 replaced; a broken gzip stream: the lines before the break); null for Parquet."""
    if file_format == "parquet":
        return None
    data = bytearray()
    try:
        with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                data += chunk
    except (OSError, EOFError, zlib.error):
        data = data[: data.rfind(b"\n") + 1]  # a cut line is not counted
    text = bytes(data).decode("utf-8", errors="replace").encode("utf-8")
    lines = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if text.endswith(b"\n"):
        lines.pop()
    if file_format == "csv":
        return max(sum(1 for line in lines if line.strip()) - 1, 0)
    if file_format == "json":
        return count_pages(lines)
    return sum(1 for line in lines if not is_blank(line))


def read_manifest(connection: duckdb.DuckDBPyConnection) -> dict[str, RawFile]:
    exists = connection.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'file_manifest'"
        " and database_name = current_database()"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    present = {name for (name,) in connection.execute(
        "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = 'file_manifest'"
        " and database_name = current_database()"
    ).fetchall()}
    # a column a manifest of an older version lacks is null (a CSV or Parquet file without its
    # read_layout is checked again)
    names = [name if name in present else f"null as {name}" for name, _ in MANIFEST_COLUMNS]
    try:
        rows = connection.execute(f"select {', '.join(names)} from {MANIFEST_TABLE}").fetchall()
    except duckdb.Error:
        return {}  # a manifest of an older layout: every file is checked again
    return {row[0]: RawFile(*row) for row in rows}


def write_manifest(connection: duckdb.DuckDBPyConnection, rows: Sequence[RawFile]) -> None:
    """Replace raw.file_manifest in one transaction, every value a bound parameter."""
    columns = ", ".join(f"{name} {kind}" for name, kind in MANIFEST_COLUMNS)
    unnested = ", ".join(f"unnest(?::{kind}[]) as {name}" for name, kind in MANIFEST_COLUMNS)
    values = [[getattr(row, name) for row in rows] for name, _ in MANIFEST_COLUMNS]
    connection.execute("begin transaction")
    try:
        connection.execute("create schema if not exists raw")
        connection.execute(f"create or replace table {MANIFEST_TABLE} ({columns})")
        if rows:
            connection.execute(f"insert into {MANIFEST_TABLE} select {unnested}", values)
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise


@dataclass(frozen=True)
class Retraction:
    """A file readable at the previous pre-flight that is gone, quarantined or emptied now."""

    source_file: str
    relation_name: str
    retraction_reason: str
    record_count: int | None


def retractions(previous: Mapping[str, RawFile], rows: Sequence[RawFile]) -> list[Retraction]:
    current = {row.source_file: row for row in rows}
    retracted = []
    for path, known in sorted(previous.items()):
        if known.file_status != "ok":
            continue
        now = current.get(path)
        if now is None:
            retracted.append(Retraction(path, known.relation_name, "deleted", known.record_count))
        elif now.file_status != "ok":
            reason = f"quarantined: {now.quarantine_reason}"
            retracted.append(Retraction(path, known.relation_name, reason, known.record_count))
        elif known.record_count and now.record_count == 0:  # no row left to say its records are gone
            retracted.append(Retraction(path, known.relation_name, "emptied", known.record_count))
    return retracted


def record_retractions(
    connection: duckdb.DuckDBPyConnection, retracted: Sequence[Retraction], now: datetime, run_id: str | None,
) -> None:
    """Append the retractions with what they had billed; every value a bound parameter."""
    columns = ", ".join(f"{name} {kind}" for name, kind in RETRACTIONS_COLUMNS)
    connection.execute("create schema if not exists raw")
    connection.execute(f"create table if not exists {RETRACTIONS_TABLE} ({columns})")
    has_calls = connection.execute(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        " and schema_name = 'main' and table_name = 'fct_llm_calls'"
    ).fetchone()
    for retraction in retracted:
        calls, cost = 0, None
        if has_calls and has_calls[0]:
            calls, cost = connection.execute(
                "select count(*), sum(cost_usd) from main.fct_llm_calls where source_file = ?",
                [retraction.source_file],
            ).fetchone() or (0, None)
        connection.execute(
            f"insert into {RETRACTIONS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [retraction.source_file, retraction.relation_name, retraction.retraction_reason,
             retraction.record_count, calls, cost, now, run_id],
        )


def refuse_deleted_files(retracted: Sequence[Retraction]) -> None:
    deleted = [retraction.source_file for retraction in retracted if retraction.retraction_reason == "deleted"]
    if deleted:
        shown = ", ".join(deleted[:5]) + (f" and {len(deleted) - 5} more" if len(deleted) > 5 else "")
        raise DeletedFilesRefused(
            f"{len(deleted)} raw file(s) loaded before are gone: {shown}. Their calls would no longer be"
            f" billed. Restore them, or, if they were deleted on purpose, set {RETRACT_DELETED_VARIABLE}=1"
            " (nightly: --retract-deleted-files) to retract their calls.")


def refresh_manifest(
    raw_dir: str, database: str, run_id: str | None = None, retract_deleted: bool = False,
) -> list[RawFile]:
    """Check the raw files against the build database's manifest and write it back;
    record the files retracted since the previous pre-flight. Raises DeletedFilesRefused,
    changing nothing, when files loaded before are gone and `retract_deleted` is false."""
    now = datetime.now(UTC)
    connection = duckdb.connect(database)
    try:
        connection.execute("set enable_progress_bar = false")
        previous = read_manifest(connection)
        rows = check_files(raw_dir.rstrip("/"), previous, now)
        retracted = retractions(previous, rows)
        if not retract_deleted:
            refuse_deleted_files(retracted)
        write_manifest(connection, rows)
        record_retractions(connection, retracted, now, run_id)
    finally:
        connection.close()
    for retraction in retracted:
        print(f"raw_manifest: retracted {retraction.source_file} ({retraction.retraction_reason})", file=sys.stderr)
    return rows


def spark_preflight_folder(environ: Mapping[str, str]) -> Path:
    """Where the pre-flight of a Spark build keeps its own DuckDB file (the manifest's history)
    and hands the manifest and the retractions to Spark as Parquet (spark__create_raw_relations)."""
    return Path(environ[SPARK_WAREHOUSE_VARIABLE]) / SPARK_PREFLIGHT_FOLDER


def export_for_spark(database: str, folder: Path) -> None:
    """raw.file_manifest and raw.file_retractions of the pre-flight's database as Parquet files."""
    connection = duckdb.connect(database)
    try:
        connection.execute("set enable_progress_bar = false")
        columns = ", ".join(f"{name} {kind}" for name, kind in RETRACTIONS_COLUMNS)
        connection.execute(f"create table if not exists {RETRACTIONS_TABLE} ({columns})")
        for table in (MANIFEST_TABLE, RETRACTIONS_TABLE):
            target = str(folder / f"{table.split('.')[1]}.parquet").replace("'", "''")
            connection.execute(f"copy {table} to '{target}' (format parquet)")
    finally:
        connection.close()


def preflight(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """Called by run_dbt.py with dbt's final environment, before dbt starts."""
    target = _target(args)
    if not args or args[0] not in COMMANDS_READING_RAW or "lint" in target:
        return
    database = environ["LLM_COST_DUCKDB_PATH"]
    if target == SPARK_TARGET:
        spark_folder = spark_preflight_folder(environ)
        if set("'\"\\`*?[]{}") & set(str(spark_folder)):
            raise PreflightRefusal(f"{SPARK_WAREHOUSE_VARIABLE} {spark_folder.parent}: Spark reads it by paths in SQL,"
                                   " so it must not contain ' \" \\ ` * ? [ ] { }")
        spark_folder.mkdir(parents=True, exist_ok=True)
        database = str(spark_folder / "preflight.duckdb")
    rows = refresh_manifest(
        environ["LLM_COST_RAW_DIR"], database, environ.get(RUN_ID_VARIABLE),
        retract_deleted=environ.get(RETRACT_DELETED_VARIABLE) == "1",
    )
    if target == SPARK_TARGET:
        export_for_spark(database, spark_folder)
    for row in rows:
        if row.file_status != "ok" and row.checked_at == row.listed_at:
            print(f"raw_manifest: quarantined {row.source_file}: {row.quarantine_reason}", file=sys.stderr)


def _target(args: Sequence[str]) -> str:
    for index, arg in enumerate(args):
        if arg in ("--target", "-t") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return ""


if __name__ == "__main__":
    from run_dbt import dbt_environment

    environment = dbt_environment(os.environ)
    Path(environment["LLM_COST_DUCKDB_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    manifest = refresh_manifest(
        environment["LLM_COST_RAW_DIR"], environment["LLM_COST_DUCKDB_PATH"],
        retract_deleted=os.environ.get(RETRACT_DELETED_VARIABLE) == "1",
    )
    bad = [row for row in manifest if row.file_status != "ok"]
    print(f"{len(manifest)} raw files, {len(bad)} quarantined")
    for row in bad:
        print(f"{row.source_file}: {row.quarantine_reason}")
