"""Which source format a file holds, told from its content (never its folder or name).

Each file is opened (gunzipped when its first bytes are the gzip magic,
whatever it is called) and its first non-blank line is read: a JSON object
is classified by its keys, a pretty-printed JSON document (an invoice API
page) by the keys of the whole document, a CSV header by its columns, a
Parquet file by its columns. Anything else is skipped with the reason, and
a file that cannot be read at all (a broken gzip stream, bytes that are not
UTF-8) is skipped with the line and the reason.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
# A pretty-printed JSON document is read whole only up to this size (API pages are small).
MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024
# The readers' line limit (scripts/raw_manifest.py MAX_LINE_BYTES).
MAX_LINE_BYTES = 268_435_456

# Detected kind -> (raw relation it feeds, reader format in that relation's layout, label).
KINDS: dict[str, tuple[str, str, str]] = {
    "otlp_traces": ("otlp_trace_records", "jsonl", "OTLP/JSON traces"),
    "app_logs": ("app_llm_call_records", "jsonl", "app logs (JSONL)"),
    "app_logs_csv": ("app_llm_call_records", "csv", "app logs (CSV)"),
    "litellm": ("litellm_spend_log_records", "jsonl", "LiteLLM spend logs (JSONL)"),
    "litellm_csv": ("litellm_spend_log_records", "csv", "LiteLLM spend logs (CSV)"),
    "bedrock": ("bedrock_invocation_records", "jsonl", "Bedrock invocation logs"),
    "openai_costs": ("openai_invoice_pages", "json", "OpenAI Costs API pages"),
    "anthropic_costs": ("anthropic_invoice_pages", "json", "Anthropic cost report"),
    "aws_cur": ("aws_cur_invoice_rows", "csv", "AWS CUR (CSV)"),
    "aws_cur_parquet": ("aws_cur_invoice_rows", "parquet", "AWS CUR (Parquet)"),
    "focus": ("focus_invoice_rows", "csv", "FOCUS export (CSV)"),
    "focus_parquet": ("focus_invoice_rows", "parquet", "FOCUS export (Parquet)"),
}
INVOICE_KINDS = frozenset({"openai_costs", "anthropic_costs", "aws_cur", "aws_cur_parquet", "focus", "focus_parquet"})
APP_LOG_KEYS = frozenset({
    "llm.provider", "llm.model", "llm.input_tokens", "llm.output_tokens", "gen_ai.usage.input_tokens",
})
LITELLM_KEYS = frozenset({"spend", "call_type", "startTime", "model_group", "custom_llm_provider", "api_key"})
CUR_COLUMNS = frozenset({"identity_line_item_id", "lineItem/LineItemId", "line_item_unblended_cost",
                         "lineItem/UnblendedCost"})


@dataclass(frozen=True)
class Detected:
    """One input file: its kind (None when skipped), whether it is gzip, and why it was skipped."""

    path: Path
    kind: str | None
    gzipped: bool = False
    reason: str | None = None

    @property
    def label(self) -> str:
        return KINDS[self.kind][2] if self.kind else "skipped"


def walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Every file of the given files and folders (folders recursively, sorted; hidden names skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if child.is_file() and not any(part.startswith(".") for part in relative):
                    yield child
        else:
            yield path


def _open(path: Path, gzipped: bool) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def _first_lines(path: Path, gzipped: bool) -> tuple[int, str]:
    """(line number, text) of the first non-blank line, read whole (an OTLP batch line can be
    megabytes); (0, "") for a file without one."""
    with _open(path, gzipped) as handle:
        for number, raw_line in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), start=1):
            if len(raw_line) > MAX_LINE_BYTES:
                raise SkipError(f"line {number}: longer than {MAX_LINE_BYTES} bytes")
            line = raw_line.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw_line
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                offset = error.start + len(raw_line) - len(line)
                raise SkipError(f"line {number}: not UTF-8 text (byte {offset} of the line)") from error
            if text.strip():
                return number, text.strip()
    return 0, ""


class SkipError(Exception):
    """The file is skipped; the message says why (and where)."""


def classify_json(value: Any) -> str | None:
    """The kind of one JSON record or document, from its keys."""
    if not isinstance(value, dict):
        return None
    keys = set(value)
    if "resourceSpans" in keys:
        return "otlp_traces"
    data = value.get("data")
    if isinstance(data, list):
        buckets = [item for item in data if isinstance(item, dict)]
        if value.get("object") == "page" and (not buckets or all("results" in item for item in buckets)):
            return "openai_costs"
        if buckets and all("results" in item for item in buckets) and any(
            "starting_at" in item for item in buckets
        ):
            return "anthropic_costs"
        if not buckets and "has_more" in keys:
            return "anthropic_costs"
    if value.get("schemaType") == "ModelInvocationLog" or (
        "modelId" in keys and ("requestId" in keys or "input" in keys)
    ):
        return "bedrock"
    if "request_id" in keys and keys & LITELLM_KEYS:
        return "litellm"
    if keys & APP_LOG_KEYS:
        return "app_logs"
    return None


def classify_csv_header(columns: list[str]) -> str | None:
    names = {column.strip() for column in columns}
    if names & CUR_COLUMNS:
        return "aws_cur"
    if "BilledCost" in names and names & {"ServiceName", "ChargeCategory", "ProviderName"}:
        return "focus"
    if "request_id" in names and names & LITELLM_KEYS:
        return "litellm_csv"
    if names & APP_LOG_KEYS:
        return "app_logs_csv"
    return None


def _parquet_kind(path: Path) -> str | None:
    import duckdb

    try:
        columns = [row[0] for row in duckdb.execute(
            "select name from parquet_schema(?) where name <> 'schema'", [str(path)]
        ).fetchall()]
    except duckdb.Error as error:
        raise SkipError(f"unreadable Parquet file: {str(error).splitlines()[0][:200]}") from error
    kind = classify_csv_header(columns)
    return {"aws_cur": "aws_cur_parquet", "focus": "focus_parquet"}.get(kind or "")


def _short(keys: Iterable[str]) -> str:
    shown = sorted(keys)[:6]
    return ", ".join(shown) + (", ..." if len(list(keys)) > 6 else "")


def detect(path: Path) -> Detected:
    """The kind of one file, or why it is skipped."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        return Detected(path, None, reason=f"cannot open: {error.strerror or error}")
    gzipped = magic[:2] == GZIP_MAGIC
    try:
        if magic == PARQUET_MAGIC:
            kind = _parquet_kind(path)
            return Detected(path, kind, reason=None if kind else "Parquet columns match no CUR or FOCUS export")
        number, line = _first_lines(path, gzipped)
    except SkipError as skip:
        return Detected(path, None, gzipped, str(skip))
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        return Detected(path, None, gzipped, f"corrupt gzip stream: {error}")
    except OSError as error:
        return Detected(path, None, gzipped, f"cannot read: {error}")
    if not line:
        return Detected(path, None, gzipped, "empty file (no non-blank line)")
    if line[0] in "{[":
        return _detect_json(path, gzipped, number, line)
    try:
        header = next(csv.reader([line]))
    except csv.Error as error:
        return Detected(path, None, gzipped, f"line {number}: neither JSON nor a CSV header ({error})")
    kind = classify_csv_header(header) if len(header) > 1 else None
    if kind is None:
        if len(header) > 1:
            return Detected(path, None, gzipped,
                            f"line {number}: CSV header matches no known export (columns: {_short(header)})")
        return Detected(path, None, gzipped, f"line {number}: neither a JSON object nor a CSV header")
    return Detected(path, kind, gzipped)


def _detect_json(path: Path, gzipped: bool, number: int, line: str) -> Detected:
    try:
        record = json.loads(line)
    except ValueError as line_error:
        # a pretty-printed document (an invoice API page): read it whole
        try:
            with _open(path, gzipped) as handle:
                text = handle.read(MAX_JSON_DOCUMENT_BYTES + 1)
            if len(text) > MAX_JSON_DOCUMENT_BYTES:
                raise ValueError("document too large to be an API page")
            record = json.loads(text.decode("utf-8").removeprefix("\ufeff"))
        except (ValueError, OSError, EOFError, zlib.error):
            return Detected(path, None, gzipped, f"line {number}: not valid JSON ({line_error})")
    kind = classify_json(record)
    if kind is None:
        keys = record.keys() if isinstance(record, dict) else []
        shape = f"keys: {_short(keys)}" if keys else f"a JSON {type(record).__name__}"
        return Detected(path, None, gzipped, f"line {number}: JSON matches no known source ({shape})")
    return Detected(path, kind, gzipped)
