"""The audit's figures, read from the marts of the warehouse the pipeline built.

Every number is a sum over a mart (fct_llm_calls, fct_llm_attribution_coverage,
fct_llm_attribution_fix_first, fct_telemetry_record_accounting, fct_llm_unpriced_usage,
fct_llm_quarantined_records, fct_raw_file_quarantine, fct_invoice_totals_monthly): no
rule of the pipeline is computed again here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from llm_cost_cli.detect import INVOICE_KINDS, Detected
from llm_cost_cli.pipeline import RawFolder

DIMENSIONS = ("team", "service", "route", "environment", "provider", "model")
OWNERSHIP_FIELDS = ("team", "service", "route", "environment", "cost_center")
# Where a field came from (fct_llm_call_ownership's provenance), in words.
WHERE = {
    "telemetry": "on the call's own record",
    "ancestor_span": "only on a parent (SERVER) span, not the LLM span",
    "other_source": "only in another source's record of the call",
    "ownership_seed": "in no telemetry; filled from the ownership seed",
    "missing": "missing everywhere",
}
PROVENANCES = tuple(WHERE)


@dataclass
class Section:
    """One table of the report."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str | None = None
    vertical: bool = False  # one row, printed as measure / value

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def others_label(count: int) -> str:
    """The label of the row that sums what is below the top N."""
    return f"({count} other{'s' if count != 1 else ''})"


def pct(part: Any, whole: Any) -> Decimal | None:
    """part / whole in percent, 2 decimals; None when whole is 0 or unknown."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


class Marts:
    """Read-only queries on a built warehouse."""

    def __init__(self, database: str) -> None:
        self.connection = duckdb.connect(database, read_only=True)

    def close(self) -> None:
        self.connection.close()

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, list(parameters)).fetchall()

    def one(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...]:
        return self.rows(sql, parameters)[0]


def inputs_section(files: Sequence[Detected]) -> Section:
    section = Section("inputs", "Input files", ["file", "format", "gzip", "status"])
    for detected in files:
        status = "read" if detected.kind else f"skipped: {detected.reason}"
        section.rows.append([str(detected.path), detected.label, detected.gzipped, status])
    return section


def totals_section(marts: Marts) -> Section:
    (calls, requests, priced, unpriced, cost, input_tokens, output_tokens, first, last, sources,
     ) = marts.one("""
        select count(*), count(distinct logical_request_id), count(*) filter (where is_priced),
            count(*) filter (where not is_priced), coalesce(sum(cost_usd), 0),
            coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
            min(called_at), max(called_at), string_agg(distinct source_system, ', ' order by source_system)
        from main.fct_llm_calls""")
    estimate = marts.one("select coalesce(sum(estimated_cost_usd), 0) from main.fct_llm_unpriced_usage")[0]
    section = Section("totals", "Totals", [
        "billed_calls", "logical_requests", "priced_calls", "unpriced_calls", "cost_usd",
        "unpriced_estimate_usd", "input_tokens", "output_tokens", "first_call_utc", "last_call_utc", "sources",
    ], vertical=True, note="logical_requests count retries once; cost_usd sums priced calls only.")
    section.rows = [[
        calls, requests, priced, unpriced, cost, estimate, int(input_tokens), int(output_tokens),
        first.isoformat(sep=" ") if first else None, last.isoformat(sep=" ") if last else None, sources,
    ]]
    return section


def breakdown_section(marts: Marts, dimension: str, top: int) -> Section:
    value = "provider || '/' || model" if dimension == "model" else dimension
    rows = marts.rows(f"""
        select {value} as value, count(*) as calls, count(*) filter (where not is_priced) as unpriced,
            coalesce(sum(cost_usd), 0) as cost
        from main.fct_llm_calls group by all order by cost desc, calls desc, value""")
    total_cost = sum((row[3] for row in rows), Decimal(0))
    section = Section(f"by_{dimension}", f"Cost by {dimension}",
                      [dimension, "calls", "unpriced_calls", "cost_usd", "cost_share_pct"])
    for name, calls, unpriced, cost in rows[:top]:
        section.rows.append([name, calls, unpriced, cost, pct(cost, total_cost)])
    rest = rows[top:]
    if rest:
        cost = sum((row[3] for row in rest), Decimal(0))
        section.rows.append([others_label(len(rest)), sum(row[1] for row in rest),
                             sum(row[2] for row in rest), cost, pct(cost, total_cost)])
    return section


def coverage_sections(marts: Marts) -> list[Section]:
    """Per ownership field: the share of calls and spend that carry it, and where it was lost."""
    summary = Section(
        "coverage", "Ownership field coverage: share of calls and spend whose telemetry carries the field",
        ["field", "calls", "calls_with_field_pct", "cost_with_field_pct", "on_llm_record_cost_usd",
         "server_span_only_cost_usd", "other_source_only_cost_usd", "seed_only_cost_usd", "missing_calls",
         "missing_cost_usd"],
        note="with_field: on the call's own record, only on a parent (SERVER) span, or only in another source's "
             "record of the call; seed_only: in no telemetry, filled from seeds/ownership/service_ownership.csv; "
             "missing: missing everywhere.",
    )
    sums = ", ".join(
        f"coalesce(sum(cost_usd) filter (where provenance = '{name}'), 0)" for name in PROVENANCES
    )
    for field_name, calls, cost, carried_calls, missing_calls, *costs in marts.rows(f"""
            select ownership_field, sum(call_count), coalesce(sum(cost_usd), 0),
                coalesce(sum(call_count) filter (
                    where provenance in ('telemetry', 'ancestor_span', 'other_source')), 0),
                coalesce(sum(call_count) filter (where provenance = 'missing'), 0), {sums}
            from main.fct_llm_attribution_coverage group by ownership_field"""):
        by_provenance = dict(zip(PROVENANCES, costs, strict=True))
        carried_cost = by_provenance["telemetry"] + by_provenance["ancestor_span"] + by_provenance["other_source"]
        summary.rows.append([
            field_name, int(calls), pct(carried_calls, calls), pct(carried_cost, cost),
            by_provenance["telemetry"], by_provenance["ancestor_span"], by_provenance["other_source"],
            by_provenance["ownership_seed"], int(missing_calls), by_provenance["missing"],
        ])
    summary.rows.sort(key=lambda row: OWNERSHIP_FIELDS.index(row[0]))

    detail = Section(
        "coverage_by_source_service",
        "Coverage by source and service: the fields not on every call's own record, and where they were lost",
        ["source", "service", "field", "calls", "calls_with_field_pct", "cost_with_field_pct",
         "missing_calls", "missing_cost_usd", "where_lost"],
    )
    for source, service, field_name, calls, cost, carried_calls, carried_cost, missing_calls, missing_cost, lost in (
        marts.rows("""
            select source_system, service, ownership_field, sum(call_count), coalesce(sum(cost_usd), 0),
                sum(call_count) filter (where provenance in ('telemetry', 'ancestor_span', 'other_source')),
                coalesce(sum(cost_usd) filter (
                    where provenance in ('telemetry', 'ancestor_span', 'other_source')), 0),
                coalesce(sum(call_count) filter (where provenance = 'missing'), 0),
                coalesce(sum(cost_usd) filter (where provenance = 'missing'), 0),
                string_agg(distinct provenance, ',' order by provenance)
                    filter (where provenance <> 'telemetry')
            from main.fct_llm_attribution_coverage
            group by all order by source_system, service, ownership_field""")
    ):
        where = "; ".join(f"{WHERE[name]}" for name in (lost or "").split(",") if name)
        if not where:
            continue
        detail.rows.append([source, service, field_name, int(calls), pct(carried_calls or 0, calls),
                            pct(carried_cost, cost), int(missing_calls), missing_cost, where or None])

    fix_first = Section(
        "fix_first", "Fields to fix first (ranked by the dollars they leave unattributed)",
        ["rank", "service", "field", "missing_calls", "missing_cost_usd", "missing_in_sources", "how_to_fix"],
    )
    for rank, (service, field_name, missing_calls, missing_cost, sources, how) in enumerate(marts.rows("""
            select service, ownership_field, sum(missing_call_count), sum(missing_cost_usd),
                list(missing_in_sources), any_value(how_to_fix)
            from main.fct_llm_attribution_fix_first
            group by all
            order by sum(missing_cost_usd) desc, sum(missing_call_count) desc, service, ownership_field"""),
            start=1):
        names = sorted({name for listed in sources if listed for name in listed.split(", ")})
        fix_first.rows.append([rank, service, field_name, int(missing_calls), missing_cost, ", ".join(names), how])
    return [summary, detail, fix_first]


def quality_sections(marts: Marts, raw: RawFolder, skipped: Sequence[Detected]) -> list[Section]:
    accounting = Section(
        "record_accounting", "Where every record went (duplicates, double recordings, failed attempts, ...)",
        ["source", "outcome", "records", "input_tokens", "output_tokens"],
        note="exact_duplicate: the same line/span/request id delivered twice; cross_source_duplicate: one "
             "call seen by two sources (billed once, from the source closest to the vendor's meter); "
             "instrumentation_duplicate: one call recorded by two instrumentations in one export.",
    )
    for row in marts.rows("""
            select source_system, record_outcome, sum(record_count), coalesce(sum(input_tokens), 0),
                coalesce(sum(output_tokens), 0)
            from main.fct_telemetry_record_accounting group by all order by 1, 3 desc, 2"""):
        accounting.rows.append([row[0], row[1], int(row[2]), int(row[3]), int(row[4])])

    retries = Section("retries", "Retries (attempts after the first of a logical request; each attempt with "
                                 "usage is billed)", ["source", "retried_requests", "retry_attempts", "cost_usd"])
    for row in marts.rows("""
            select source_system, count(distinct logical_request_id), count(*), coalesce(sum(cost_usd), 0)
            from main.fct_llm_calls where attempt_number > 1 group by all order by 1"""):
        retries.rows.append(list(row))

    unpriced = Section(
        "unpriced", "Unpriced models (no price row; estimate at the provider's median list price)",
        ["provider", "reported_model", "reason", "calls", "input_tokens", "output_tokens", "estimate_usd"],
    )
    for row in marts.rows("""
            select provider, reported_model, unpriced_reason, sum(call_count), sum(input_tokens),
                sum(output_tokens), sum(estimated_cost_usd)
            from main.fct_llm_unpriced_usage group by all order by 7 desc nulls last, 4 desc"""):
        unpriced.rows.append([row[0], row[1], row[2], int(row[3]), int(row[4] or 0), int(row[5] or 0), row[6]])

    quarantine = Section("quarantine", "Quarantined records and files, with reasons",
                         ["file", "source", "reason", "records", "lines"],
                         note="lines: the lines of a JSON-lines file (first 10; a span: its line); "
                              "CSV rows are not numbered.")
    rows = marts.rows("""
            select source_file, source_system, quarantine_reason, count(*), list(record_id)
            from main.fct_llm_quarantined_records group by all order by 1, 3""")
    numbers = line_numbers(sorted({row[0] for row in rows if row[0]}))
    for source_file, source, reason, records, record_ids in rows:
        found = sorted(numbers.get(record_id) for record_id in record_ids if record_id in numbers)
        shown = ", ".join(map(str, found[:10])) + (", ..." if len(found) > 10 else "")
        quarantine.rows.append([raw.original(source_file), source, reason, records, shown or None])
    for source_file, source, reason, records in marts.rows("""
            select source_file, source_system, 'unreadable file: ' || quarantine_reason, record_count
            from main.fct_raw_file_quarantine order by 1"""):
        quarantine.rows.append([raw.original(source_file), source, reason, records, None])
    for detected in skipped:
        quarantine.rows.append([str(detected.path), None, f"skipped: {detected.reason}", None, None])
    return [accounting, retries, unpriced, quarantine]


def line_numbers(files: Sequence[str]) -> dict[str, int]:
    """record_id -> line number, for the JSON-lines files given: the id the staging models give a
    line (macros/raw/record_id.sql: md5 of the file, the line's md5 and its occurrence among equal
    lines of the file), and for OTLP lines the ids of their spans (stg_otlp__spans' span_record_id:
    md5 of the line's id and the span's 1-based resource:scope:span position, or `malformed` /
    `empty`). CSV files are not numbered (their record text is a JSON rendering of the row)."""
    found: dict[str, int] = {}
    for source_file in files:
        if ".csv" in Path(source_file).name:
            continue
        seen: dict[str, int] = {}
        try:
            opener = gzip.open if source_file.endswith(".gz") else open
            with opener(source_file, "rb") as handle:
                for number, raw_line in enumerate(handle, start=1):
                    text = raw_line.rstrip(b"\n").removesuffix(b"\r")
                    if not text.strip(b" "):
                        continue
                    digest = _md5(text)
                    seen[digest] = seen.get(digest, 0) + 1
                    record_id = _md5(f"{source_file}:{digest}:{seen[digest]}".encode())
                    for identifier in (record_id, *_otlp_span_ids(record_id, text)):
                        found[identifier] = number
        except (OSError, EOFError, zlib.error):
            continue
    return found


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _otlp_span_ids(record_id: str, text: bytes) -> list[str]:
    """The span record ids stg_otlp__spans would give the spans of an OTLP/JSON line (any line: the
    ids of a line that is not OTLP match nothing)."""
    suffixes = ["malformed", "empty"]
    try:
        traces = json.loads(text)
        for r, resource in enumerate(traces.get("resourceSpans") or [], start=1):
            for s, scope in enumerate((resource or {}).get("scopeSpans") or [], start=1):
                suffixes += [f"{r}:{s}:{n}" for n in range(1, len((scope or {}).get("spans") or []) + 1)]
    except (ValueError, AttributeError, TypeError):
        pass
    return [_md5(f"{record_id}:{suffix}".encode()) for suffix in suffixes]


def invoice_section(marts: Marts) -> Section:
    section = Section(
        "invoices", "Invoice vs attributed, per provider and month",
        ["month", "provider", "invoice_total_usd", "token_usage_usd", "non_token_usd", "tax_credit_other_usd",
         "computed_usd", "attributed_usd", "unattributed_usd", "unexplained_delta_usd", "status", "explanation"],
        note="computed_usd: the telemetry's priced cost of the provider-month; attributed_usd: the part with a "
             "team; unexplained_delta_usd = token_usage - computed (positive: billed more than telemetry "
             "explains). The invoice's non-token charges, tax and credits are not compared.",
    )
    for row in marts.rows("""
            select billing_month, provider, invoice_total_usd, token_usage_usd, non_token_usage_usd,
                coalesce(tax_usd, 0) + coalesce(credit_usd, 0) + coalesce(adjustment_usd, 0)
                    + coalesce(purchase_usd, 0),
                computed_usd, computed_usd - coalesce(unattributed_usd, 0), unattributed_usd, delta_usd,
                comparison_status, explanation
            from main.fct_invoice_totals_monthly where has_invoice order by 1, 2"""):
        section.rows.append([str(row[0]), *row[1:]])
    return section


def audit_report(database: str, files: Sequence[Detected], raw: RawFolder, top: int) -> list[Section]:
    marts = Marts(database)
    try:
        sections = [inputs_section(files), totals_section(marts)]
        sections += [breakdown_section(marts, dimension, top) for dimension in DIMENSIONS]
        sections += coverage_sections(marts)
        sections += quality_sections(marts, raw, [f for f in files if f.kind is None])
        if any(f.kind in INVOICE_KINDS for f in files):
            sections.append(invoice_section(marts))
        return sections
    finally:
        marts.close()
