"""Write a synthetic raw-export corpus of any size, with its ground truth.

    python scripts/generate_corpus.py OUT_DIR --calls 1000000 --days 30 \
        [--start 2026-07-15] [--mix app=1] [--seed 7] [--truth-dir DIR]

Calls land in the raw layout of the design (LLM_COST_RAW_DIR): app logs as
JSONL and CSV under logs/app/, OTLP traces under traces/otlp/ and, only when
the mix asks for it, LiteLLM spend logs under logs/litellm/. `--mix` shares
the calls between sources (`app=0.7,otlp=0.3`); app-log calls are written
4:1 as JSONL and CSV. Files are split by UTC day (`dt=YYYY-MM-DD/part=N/`).

The traffic is skewed (a few heavy services and routes, a long tail of
models), and carries what the warehouse must handle: about 1% exact
duplicates, retry chains, calls without a team (owned or unowned services),
aliased and mixed-case model ids, models missing from the price book,
environment spellings, ISO-8601 (with offsets) and epoch timestamps, and a
few malformed lines and unknown providers. Every call is standard tier,
under 100k input tokens, without cache writes.

The ground truth (`TRUTH_DIR/daily.csv`, default OUT_DIR/../truth) is the
daily mart grain of fct_llm_cost_daily, computed from what the generator
decided to write (never by reading the files back) and priced in Python from
seeds/prices/llm_prices.csv. `TRUTH_DIR/manifest.json` counts the records
written, billed and expected in quarantine. The same arguments, seeds and
DuckDB version always give the same files, byte for byte: DuckDB's hash of
the seed, the call number and a tag drives every choice.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
SLOTS = 1 << 16
MILLION = Decimal(1_000_000)
MAX_INPUT_TOKENS = 99_999
TRUTH_COLUMNS = (
    "usage_date", "team", "service", "route", "environment", "provider", "model",
    "call_count", "unpriced_call_count", "input_tokens", "cache_read_tokens",
    "output_tokens", "reasoning_tokens", "cost_usd",
)
SOURCES = ("app_jsonl", "app_csv", "otlp", "litellm")

# How each canonical provider is spelled by app logs and current OTel GenAI,
# by deprecated OTel GenAI (`gen_ai.system`) and by LiteLLM.
PROVIDER_SPELLINGS = {
    "openai": ("openai", "openai", "openai"),
    "anthropic": ("anthropic", "anthropic", "anthropic"),
    "google": ("gcp.vertex_ai", "vertex_ai", "vertex_ai"),
    "aws_bedrock": ("aws.bedrock", "aws.bedrock", "bedrock"),
    "azure_openai": ("azure.ai.openai", "az.ai.openai", "azure"),
    "mistral": ("mistral_ai", "mistral_ai", "mistral"),
    "deepseek": ("deepseek", "deepseek", "deepseek"),
    "groq": ("groq", "groq", "groq"),
}
UNKNOWN_PROVIDER = "acme-llm"


@dataclass(frozen=True)
class Candidate:
    """A model the corpus may use; kept only when the seeds agree on how it is priced."""

    provider: str  # canonical provider
    reported: str  # model id as telemetry reports it
    rule: str  # key: a price-book key (any case) | alias: a row of llm_model_aliases | unpriced
    kind: str = "chat"  # chat | reasoning | embedding


@dataclass(frozen=True)
class Model:
    provider: str
    reported: str
    expected: str  # model in the marts: the price-book key, else the lower-cased id
    scope: str  # endpoint scope the price is looked up with
    kind: str
    priced: bool


# Long tail, heaviest first (Zipf weights by position). Alias candidates of both
# generations of seeds/mappings/llm_model_aliases.csv and both spellings of the
# Bedrock keys are listed: only those the seeds know are used.
CANDIDATES = (
    Candidate("openai", "gpt-4o-mini", "key"),
    Candidate("anthropic", "claude-sonnet-4-5", "key"),
    Candidate("openai", "gpt-5-mini", "key", "reasoning"),
    Candidate("openai", "gpt-4o-2024-08-06", "alias"),
    Candidate("google", "gemini-2.5-flash", "key"),
    Candidate("anthropic", "claude-haiku-4-5-20251001", "alias"),
    Candidate("anthropic", "claude-sonnet-4", "alias"),
    Candidate("openai", "text-embedding-3-small", "key", "embedding"),
    Candidate("openai", "gpt-4.1-mini", "key"),
    Candidate("openai", "gpt-5.6-terra", "key", "reasoning"),
    Candidate("aws_bedrock", "amazon.nova-micro-v1:0", "key"),
    Candidate("aws_bedrock", "amazon.nova-micro", "key"),
    Candidate("openai", "o4-mini", "key", "reasoning"),
    Candidate("anthropic", "claude-opus-4-5", "key"),
    Candidate("openai", "gpt-5-2025-08-07", "alias", "reasoning"),
    Candidate("anthropic", "claude-3.7-sonnet", "alias"),
    Candidate("azure_openai", "gpt-4o", "key"),
    Candidate("google", "gemini-2.5-pro", "key", "reasoning"),
    Candidate("openai", "gpt-5.6-luna", "key"),
    Candidate("openai", "GPT-4.1-Nano", "key"),
    Candidate("anthropic", "claude-sonnet-4-5-20250929", "alias"),
    Candidate("google", "gemini-2.5-pro-preview-06-05", "alias", "reasoning"),
    Candidate("anthropic", "claude-sonnet-5", "key"),
    Candidate("mistral", "mistral-large-2512", "key"),
    Candidate("openai", "gpt-5.4-nano", "key"),
    Candidate("azure_openai", "o4-mini-2025-04-16", "alias", "reasoning"),
    Candidate("google", "gemini-2.0-flash", "key"),
    Candidate("groq", "llama-3.3-70b-versatile", "key"),
    Candidate("aws_bedrock", "amazon.nova-pro-v1:0", "key"),
    Candidate("aws_bedrock", "amazon.nova-pro", "key"),
    Candidate("deepseek", "deepseek-v4-flash", "key"),
    Candidate("openai", "gpt-7-preview", "unpriced"),
    Candidate("mistral", "codestral", "key"),
    Candidate("anthropic", "claude-experimental-ft", "unpriced"),
    Candidate("mistral", "mistral-large-2411", "alias"),
    Candidate("openai", "o3", "key", "reasoning"),
    Candidate("google", "gemini-9-ultra-exp", "unpriced"),
    Candidate("aws_bedrock", "meta.llama3-3-70b-instruct-v1:0", "key"),
    Candidate("aws_bedrock", "meta.llama3-3-70b-instruct", "key"),
    Candidate("mistral", "acme-support-ft", "unpriced"),
)


@dataclass(frozen=True)
class Service:
    name: str
    team: str | None  # team.id the service sends (None: never sends one)
    team_share: float  # share of its calls that carry team.id
    owner: str | None  # its team in seeds/ownership/service_ownership.csv
    routes: tuple[str, ...] = ()  # http.route values, heaviest first
    jobs: tuple[str, ...] = ()  # job.name values of non-HTTP work
    legacy_otel: bool = False  # emits deprecated OTel GenAI attribute names


# Heaviest first (Zipf weights by position).
SERVICES = (
    Service("support-bot", "customer-experience", 0.5, "customer-experience",
            ("/api/tickets/{ticket_id}/reply", "/api/tickets/{ticket_id}/summarize", "/api/chat")),
    Service("checkout-api", "payments", 0.5, "payments",
            ("/v1/checkout/{cart_id}/summary", "/v1/fraud/explain")),
    Service("search-gateway", "search", 1.0, None,
            ("/search/answer", "/search", "/search/rerank"), legacy_otel=True),
    Service("doc-indexer", "search", 0.5, "search", jobs=("nightly-reindex", "embed-backfill")),
    Service("copilot-api", "developer-productivity", 1.0, None,
            ("/v1/complete", "/v1/chat", "/v1/review/{pr_id}")),
    Service("insights-worker", "analytics", 0.5, "analytics",
            jobs=("weekly-insights", "anomaly-explain"), legacy_otel=True),
    Service("risk-scorer", "risk", 1.0, None, ("/v2/score", "/v2/explain/{case_id}")),
    Service("marketing-studio", "marketing", 1.0, None,
            ("/campaigns/{campaign_id}/copy", "/campaigns/{campaign_id}/alt-text")),
    Service("growth-experiments", None, 0.0, None, ("/experiments/{experiment_id}/copy",)),
    Service("contract-reviewer", "legal-ops", 1.0, None,
            ("/contracts/{contract_id}/clauses",), ("bulk-review",), legacy_otel=True),
    Service("mobile-assistant", "mobile", 1.0, None, ("/assist", "/assist/voice")),
    Service("data-labeler", "data-science", 1.0, None, jobs=("label-batch", "eval-suite")),
    Service("translation-svc", "localization", 1.0, None, ("/translate", "/translate/batch")),
    Service("sql-assistant", "analytics", 1.0, None, ("/nl2sql",)),
    Service("legacy-summarizer", None, 0.0, None, jobs=("summarize-digest",), legacy_otel=True),
    Service("incident-copilot", "platform", 1.0, None,
            ("/incidents/{incident_id}/summary",), ("postmortem-draft",)),
    Service("onboarding-bot", "customer-experience", 1.0, None, ("/onboarding/chat",)),
    Service("hr-helpdesk", "people", 1.0, None, ("/ask",)),
    Service("code-migrator", "platform", 1.0, None, jobs=("migrate-repo",)),
    Service("ads-ranker", "marketing", 1.0, None, ("/rank",)),
)

# (as written, as the marts show it after seeds/mappings/environment_aliases.csv, weight)
ENVIRONMENTS = (
    ("production", "production", 40), ("prod", "production", 25), ("Production", "production", 8),
    ("PRD", "production", 5), ("staging", "staging", 8), ("stg", "staging", 4),
    ("dev", "development", 4), ("qa", "test", 2), ("canary", "canary", 2), (None, "unknown", 2),
)
UTC_OFFSETS = ("Z", "+00:00", "+02:00", "-05:00", "+05:30")
INPUT_MEDIANS = (900, 2_500, 6_000, 14_000, 400, 1_800)
OUTPUT_MEDIANS = (180, 450, 900, 60, 300)


@dataclass(frozen=True)
class Shares:
    """Probabilities of the irregularities the corpus carries."""

    duplicate: float = 0.01  # record (app, LiteLLM) or OTLP line delivered twice
    malformed: float = 0.0005  # extra unreadable line / row with a bad token count
    unknown_provider: float = 0.0002  # app-log call naming a provider nobody knows
    retry: float = 0.03  # call needing a second attempt
    second_retry: float = 0.005  # call needing a third attempt
    failed_with_usage: float = 0.2  # OTLP failed attempt that still reports usage
    cache_hit: float = 0.005  # LiteLLM response-cache hit (no provider call)
    missing_route: float = 0.02  # HTTP call without http.route
    cache_read: float = 0.35  # call reading from the prompt cache
    primary_model: float = 0.7  # call using its route's main model


# ---------------------------------------------------------------- seeds


def seed_rows(relative_path: str) -> list[dict[str, str]]:
    with (SEEDS / relative_path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_mappings() -> None:
    """Fail loudly when the mapping seeds no longer say what the truth assumes."""
    problems: list[str] = []
    provider_aliases = {row["provider_alias"]: row["provider"]
                        for row in seed_rows("mappings/llm_provider_aliases.csv")}
    for provider, spellings in PROVIDER_SPELLINGS.items():
        problems += [f"provider alias {s!r} is not {provider!r}"
                     for s in spellings if provider_aliases.get(s) != provider]
    if UNKNOWN_PROVIDER in provider_aliases:
        problems.append(f"{UNKNOWN_PROVIDER!r} is a known provider")
    environment_aliases = {row["environment_alias"]: row["environment"]
                           for row in seed_rows("mappings/environment_aliases.csv")}
    for written, expected, _ in ENVIRONMENTS:
        key = (written or "").strip().lower()
        if written is not None and environment_aliases.get(key, key) != expected:
            problems.append(f"environment {written!r} is not normalised to {expected!r}")
    owners = {row["service_name"]: row for row in seed_rows("ownership/service_ownership.csv")}
    for service in SERVICES:
        row = owners.get(service.name)
        owner = row["team"] if row and not row["valid_from"] and not row["valid_to"] else None
        if (row is None) != (service.owner is None) or (row and owner != service.owner):
            problems.append(f"ownership of {service.name!r} differs from the seed")
    if problems:
        raise SystemExit("seeds changed under the generator:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Price:
    price_id: str
    effective_from: date | None
    effective_to: date | None
    input: Decimal
    output: Decimal
    cache_read: Decimal | None
    unsupported: str | None  # why the truth cannot price with this row, if it cannot


def unsupported_pricing(row: dict[str, str]) -> str | None:
    """Price-book features the truth does not model (its calls never need them)."""
    if row.get("request_fee_usd"):
        return "request fee"
    if row.get("utc_time_from") or row.get("utc_time_to"):
        return "time-of-day price"
    threshold = row.get("long_context_threshold_tokens")
    if threshold and int(threshold) <= MAX_INPUT_TOKENS:
        return "long-context tier below the corpus's largest input"
    return None


def load_prices() -> dict[tuple[str, str, str], list[Price]]:
    """Standard-tier price rows by (provider, model, endpoint scope), read by column name."""
    book: dict[tuple[str, str, str], list[Price]] = defaultdict(list)
    for row in seed_rows("prices/llm_prices.csv"):
        if row.get("service_tier", "standard") != "standard":
            continue
        book[(row["provider"], row["model"], row["endpoint_scope"])].append(Price(
            row["price_id"],
            date.fromisoformat(row["effective_from"]) if row["effective_from"] else None,
            date.fromisoformat(row["effective_to"]) if row["effective_to"] else None,
            Decimal(row["input_usd_per_mtok"]),
            Decimal(row["output_usd_per_mtok"]),
            Decimal(row["cache_read_usd_per_mtok"]) if row["cache_read_usd_per_mtok"] else None,
            unsupported_pricing(row),
        ))
    return book


def price_on(book: dict[tuple[str, str, str], list[Price]], key: tuple[str, str, str],
             day: date) -> Price | None:
    rows = [p for p in book.get(key, [])
            if (p.effective_from is None or p.effective_from <= day)
            and (p.effective_to is None or day < p.effective_to)]
    if len(rows) > 1:
        raise SystemExit(f"ambiguous standard-tier price for {key} on {day}: "
                         f"{[p.price_id for p in rows]}")
    return rows[0] if rows else None


def resolve_models(book: dict[tuple[str, str, str], list[Price]]) -> tuple[list[Model], dict[str, str]]:
    """The candidates the seeds agree on, with their mart model and scope; and the
    others, with the reason they are left out."""
    default_scopes = {row["provider"]: row["default_endpoint_scope"]
                      for row in seed_rows("mappings/llm_providers.csv")}
    aliases = {(row["provider"], row["model_alias"]): row
               for row in seed_rows("mappings/llm_model_aliases.csv")}
    priced_models = {(provider, model) for provider, model, _ in book}
    models: list[Model] = []
    dropped: dict[str, str] = {}
    for candidate in CANDIDATES:
        reported = candidate.reported.lower()
        alias = aliases.get((candidate.provider, reported))
        scope = default_scopes[candidate.provider]
        if candidate.rule == "alias":
            if alias is None:
                dropped[candidate.reported] = "not in llm_model_aliases"
                continue
            expected, scope = alias["model"], alias.get("endpoint_scope") or scope
        elif alias is not None:
            dropped[candidate.reported] = "is an alias"
            continue
        else:
            expected = reported
        key = (candidate.provider, expected, scope)
        if candidate.rule == "unpriced":
            if (candidate.provider, expected) in priced_models:
                dropped[candidate.reported] = "is in the price book"
                continue
        elif key not in book:
            dropped[candidate.reported] = f"no standard-tier price for {key}"
            continue
        unsupported = {p.unsupported for p in book.get(key, []) if p.unsupported}
        if unsupported:
            dropped[candidate.reported] = ", ".join(sorted(unsupported))
            continue
        models.append(Model(candidate.provider, candidate.reported, expected, scope,
                            candidate.kind, candidate.rule != "unpriced"))
    return models, dropped


# ---------------------------------------------------------------- catalogues


def zipf_weights(count: int, exponent: float) -> list[float]:
    return [1 / (rank ** exponent) for rank in range(1, count + 1)]


def slot_ranges(weights: Sequence[float]) -> list[tuple[int, int]]:
    """Split SLOTS hash slots between items by weight (at least one each)."""
    total = sum(weights)
    counts = [max(1, math.floor(SLOTS * w / total)) for w in weights]
    counts[0] += SLOTS - sum(counts)
    ranges, start = [], 0
    for count in counts:
        ranges.append((start, start + count))
        start += count
    return ranges


def sql_literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if any(c in text for c in "'\"\\"):
        raise ValueError(f"catalogue value needs no quoting: {text!r}")
    return f"'{text}'"


def create_table(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[str],
                 rows: Iterable[Sequence[object]]) -> None:
    values = ", ".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in rows)
    con.execute(f"create table {name} as select * from (values {values}) as t({', '.join(columns)})")


def create_catalogues(con: duckdb.DuckDBPyConnection, models: Sequence[Model]) -> None:
    create_table(con, "models", (
        "model_id", "provider", "provider_app", "provider_legacy", "provider_litellm",
        "reported", "expected", "scope", "kind",
    ), [(i, m.provider, *PROVIDER_SPELLINGS[m.provider], m.reported, m.expected, m.scope, m.kind)
        for i, m in enumerate(models)])
    # a route's main model: a priced chat or reasoning model of the heavier half
    primaries = [i for i, m in enumerate(models[:len(models) // 2 + 1])
                 if m.priced and m.kind != "embedding"]
    workloads: list[tuple[object, ...]] = []
    weights: list[float] = []
    for service, service_weight in zip(SERVICES, zipf_weights(len(SERVICES), 1.1), strict=True):
        paths = [(r, None) for r in service.routes] + [(None, j) for j in service.jobs]
        for (route, job), path_weight in zip(paths, zipf_weights(len(paths), 1.0), strict=True):
            n = len(workloads)
            primary = primaries[(n * 7) % len(primaries)]
            workloads.append((
                n, service.name, service.team, service.team_share, service.owner,
                route, job, service.legacy_otel, primary,
                INPUT_MEDIANS[n % len(INPUT_MEDIANS)], OUTPUT_MEDIANS[n % len(OUTPUT_MEDIANS)],
            ))
            weights.append(service_weight * path_weight / sum(zipf_weights(len(paths), 1.0)))
    create_table(con, "workloads", (
        "workload_id", "service", "team", "team_share", "owner", "route", "job",
        "legacy_otel", "primary_model_id", "input_median", "output_median",
    ), workloads)
    create_table(con, "environments", ("environment_id", "written", "expected"),
                 [(i, w, e) for i, (w, e, _) in enumerate(ENVIRONMENTS)])
    create_table(con, "utc_offsets", ("offset_id", "suffix", "offset_minutes"), [
        (i, s, 0 if s in ("Z", "+00:00") else
         (1 if s[0] == "+" else -1) * (int(s[1:3]) * 60 + int(s[4:6])))
        for i, s in enumerate(UTC_OFFSETS)])
    for name, item_weights in (
        ("workload_slots", weights),
        ("model_slots", zipf_weights(len(models), 1.2)),
        ("environment_slots", [w for _, _, w in ENVIRONMENTS]),
    ):
        create_table(con, name + "_ranges", ("item_id", "slot_from", "slot_to"),
                     [(i, a, b) for i, (a, b) in enumerate(slot_ranges(item_weights))])
        con.execute(f"""
            create table {name} as
            select item_id, unnest(range(slot_from, slot_to)) as slot from {name}_ranges
        """)


# ---------------------------------------------------------------- calls


def create_random_macros(con: duckdb.DuckDBPyConnection, stream: int) -> None:
    """h(number, attempt, tag): a 64-bit hash, in the random stream, of one record's
    number, attempt (< 4) and a tag (< 64) naming the choice; u(...): the same as a
    uniform number in [0, 1); slot(number, tag): a hash slot. DuckDB hashes a single
    integer well, but not several (their high bits correlate), hence one packed key."""
    con.execute(f"""
        set variable stream = {stream};
        create macro h(n, a, t) as hash(xor(n * 256 + a * 64 + t, getvariable('stream')));
        create macro u(n, a, t) as h(n, a, t) / 18446744073709551616.0;
        create macro slot(n, t) as h(n, 0, t) % {SLOTS};
    """)


def create_attempts(con: duckdb.DuckDBPyConnection, calls: int, days: int, start: date,
                    mix: dict[str, float], shares: Shares) -> None:
    """One row per attempt record to write, with everything the writers and the truth need."""
    total = sum(mix.values())
    bounds, running = [], 0.0
    for source in SOURCES:
        running += mix.get(source, 0.0) / total
        bounds.append(running)
    source_case = " ".join(f"when u_source < {b!r} then '{s}'" for s, b in zip(SOURCES, bounds, strict=True))
    con.execute(f"""
        create table attempts as
        with
        drawn as (
            select
                i as call_index,
                case {source_case} else 'app_jsonl' end as source,
                workload_slots.item_id as workload_id,
                environment_slots.item_id as environment_id,
                case when u(i, 0, 1) < {shares.primary_model} then -1 else model_slots.item_id end
                    as tail_model_id,
                cast(floor(u(i, 0, 2) * {days}) as integer) as day_index,
                30000000 + cast(floor(u(i, 0, 3) * 86340000000) as bigint) as time_of_day_us,
                1 + cast(u(i, 0, 4) < {shares.retry} as integer)
                    + cast(u(i, 0, 5) < {shares.second_retry} as integer) as attempt_count,
                u(i, 0, 6) as u_team,
                u(i, 0, 7) < {shares.missing_route} as route_missing,
                u(i, 0, 8) as u_cache
            from (select i, u(i, 0, 0) as u_source from range({calls}) as r(i)) as calls
            inner join workload_slots on workload_slots.slot = slot(i, 10)
            inner join environment_slots on environment_slots.slot = slot(i, 11)
            inner join model_slots on model_slots.slot = slot(i, 12)
        ),
        expanded as (
            select *, unnest(range(attempt_count)) as attempt_no from drawn
        ),
        sized as (
            select
                expanded.*,
                expanded.u_team < workloads.team_share as has_team,
                workloads.legacy_otel,
                case when tail_model_id < 0 then workloads.primary_model_id else tail_model_id end
                    as model_id,
                attempt_no = attempt_count - 1 as is_last_attempt,
                least({MAX_INPUT_TOKENS}, greatest(1, cast(floor(
                    workloads.input_median * exp((u(call_index, attempt_no, 20) - 0.5) * 3)
                ) as bigint))) as drawn_input_tokens,
                greatest(1, cast(floor(
                    workloads.output_median * exp((u(call_index, attempt_no, 21) - 0.5) * 2.5)
                ) as bigint)) as drawn_output_tokens,
                u(call_index, attempt_no, 22) as u_share,
                (date '{start.isoformat()}' + day_index) as usage_date,
                epoch_us(timestamp '{start.isoformat()}') + day_index * 86400000000
                    + time_of_day_us - (attempt_count - 1 - attempt_no) * 2000000 as called_at_us
            from expanded
            inner join workloads on expanded.workload_id = workloads.workload_id
        ),
        attempted as (
            select
                sized.*,
                models.kind,
                case
                    when source in ('app_jsonl', 'app_csv') then true
                    when is_last_attempt then true
                    when source = 'otlp' then u(call_index, attempt_no, 23) < {shares.failed_with_usage}
                    else false
                end as has_usage,
                source in ('app_jsonl', 'app_csv')
                    and u(call_index, attempt_no, 24) < {shares.unknown_provider} as unknown_provider
            from sized
            inner join models on sized.model_id = models.model_id
        )
        select
            call_index, attempt_no, is_last_attempt, source, workload_id, model_id,
            environment_id, has_team, route_missing, usage_date, called_at_us,
            cast(floor(u(call_index, attempt_no, 25) * {len(UTC_OFFSETS)}) as integer) as offset_id,
            case
                when u(call_index, attempt_no, 26) < 0.7 then 'iso'
                when u(call_index, attempt_no, 26) < 0.9 then 'epoch_ms'
                else 'epoch_s'
            end as timestamp_format,
            has_usage,
            drawn_input_tokens as input_tokens,
            case
                when kind != 'embedding' and u_cache < {shares.cache_read}
                    then cast(floor(drawn_input_tokens * u_share * 0.9) as bigint)
                else 0
            end as cache_read_tokens,
            case when kind = 'embedding' then 0 else drawn_output_tokens end as output_tokens,
            case
                -- deprecated OTel GenAI names have no reasoning count
                when kind = 'reasoning' and not (source = 'otlp' and legacy_otel)
                    then cast(floor(drawn_output_tokens * u_share * 0.8) as bigint)
                else 0
            end as reasoning_tokens,
            unknown_provider,
            has_usage and not unknown_provider as is_billed,
            source != 'otlp' and has_usage and not unknown_provider
                and u(call_index, attempt_no, 28) < {shares.duplicate} as is_duplicated,
            source in ('app_jsonl', 'app_csv') and has_usage and not unknown_provider
                and u(call_index, attempt_no, 29) < {shares.malformed} as has_malformed_copy,
            source = 'litellm' and is_last_attempt
                and u(call_index, attempt_no, 30) < {shares.cache_hit} as has_cache_hit
        from attempted
        order by usage_date, call_index, attempt_no
    """)
    con.execute("""
        create view attempt_details as
        select
            attempts.*,
            workloads.service,
            case when has_team then workloads.team end as team_sent,
            coalesce(case when has_team then workloads.team end, workloads.owner, 'unattributed')
                as team_expected,
            case when not route_missing then workloads.route end as http_route,
            workloads.job as job_name,
            workloads.legacy_otel,
            printf('%016x', h(call_index, attempt_no, 27)) as request_key,
            models.* exclude (model_id),
            environments.written as environment_written,
            environments.expected as environment_expected,
            utc_offsets.suffix as utc_offset_suffix,
            utc_offsets.offset_minutes as utc_offset_minutes
        from attempts
        inner join workloads on attempts.workload_id = workloads.workload_id
        inner join models on attempts.model_id = models.model_id
        inner join environments on attempts.environment_id = environments.environment_id
        inner join utc_offsets on attempts.offset_id = utc_offsets.offset_id
    """)


# ---------------------------------------------------------------- writers


def parts_expression(rows_per_day: float, rows_per_file: int, key: str) -> str:
    """The file part a record goes to: enough parts per day to keep files near rows_per_file."""
    parts = max(1, math.ceil(rows_per_day / rows_per_file))
    return f"h({key}) % {parts}"


TEXT_LINES = "format csv, header false, quote '', escape '', delimiter '\x01', file_extension 'jsonl'"


def write_by_day(con: duckdb.DuckDBPyConnection, query: str, folder: Path, file_format: str) -> None:
    """Write query's rows, one UTC day at a time (the query reads view `day_attempts`),
    to FOLDER/dt=YYYY-MM-DD/part=N/records_0.*; a day at a time bounds memory."""
    days = [day for (day,) in con.execute(
        "select distinct usage_date from attempts order by 1").fetchall()]
    for day in days:
        con.execute(f"""
            create or replace temp view day_attempts as
            select * from attempt_details where usage_date = date '{day.isoformat()}'
        """)
        target = folder / f"dt={day.isoformat()}"
        target.mkdir(parents=True, exist_ok=True)
        con.execute(f"""
            copy ({query}) to '{target}' (
                {file_format}, partition_by (part), filename_pattern 'records_{{i}}',
                overwrite_or_ignore true
            )
        """)


TIMESTAMP_TEXT = """
    case timestamp_format
        when 'iso' then strftime(
                make_timestamp(called_at_us + cast(utc_offset_minutes as bigint) * 60000000),
                '%Y-%m-%dT%H:%M:%S.%f'
            ) || utc_offset_suffix
        when 'epoch_ms' then cast(called_at_us // 1000 as varchar)
        else cast(called_at_us // 1000000 as varchar)
    end
"""

APP_RECORDS = f"""
    select
        *,
        {TIMESTAMP_TEXT} as timestamp_text,
        'req_' || request_key as request_id,
        case when unknown_provider then '{UNKNOWN_PROVIDER}' else provider_app end
            as provider_written,
        reported as model_written
    from day_attempts
"""


def json_member(key: str, value_sql: str, quoted: bool = True) -> str:
    """`,"key":value`, or '' when the value is null (the key is left out)."""
    value = f"""'"' || {value_sql} || '"'""" if quoted else f"cast({value_sql} as varchar)"
    return f"""coalesce(',"{key}":' || {value}, '')"""


def write_app_jsonl(con: duckdb.DuckDBPyConnection, out: Path, rows_per_day: float,
                    rows_per_file: int) -> None:
    line = " || ".join([
        """'{"timestamp":' || case when timestamp_format = 'iso' then '"' || timestamp_text || '"'
            else timestamp_text end""",
        json_member("request_id", "request_id"),
        json_member("team.id", "team_sent"),
        json_member("service.name", "service"),
        json_member("deployment.environment", "environment_written"),
        json_member("http.route", "http_route"),
        json_member("job.name", "job_name"),
        json_member("llm.provider", "provider_written"),
        json_member("llm.model", "model_written"),
        json_member("llm.input_tokens", "input_tokens", quoted=False),
        json_member("llm.output_tokens", "output_tokens", quoted=False),
        json_member("llm.cache_read_tokens", "cache_read_tokens", quoted=False),
        json_member("llm.reasoning_tokens", "nullif(reasoning_tokens, 0)", quoted=False),
        "'}'",
    ])
    part = parts_expression(rows_per_day, rows_per_file, "call_index, attempt_no, 49")
    write_by_day(con, f"""
        with
        records as (
            select
                {part} as part, call_index, attempt_no, is_duplicated, has_malformed_copy,
                {line} as line
            from ({APP_RECORDS}) where source = 'app_jsonl'
        ),
        written as (
            select *, 0 as copy_no from records
            union all
            select *, 1 from records where is_duplicated
            union all
            select * replace (left(line, length(line) // 2) as line), 2 from records
            where has_malformed_copy
        )
        select part, line from written order by part, call_index, attempt_no, copy_no
    """, out / "logs/app/jsonl", TEXT_LINES)


APP_CSV_COLUMNS = {
    "timestamp": "timestamp_text",
    "request_id": "request_id",
    "team.id": "team_sent",
    "service.name": "service",
    "deployment.environment": "environment_written",
    "http.route": "http_route",
    "job.name": "job_name",
    "llm.provider": "provider_written",
    "llm.model": "model_written",
    "llm.input_tokens": "cast(input_tokens as varchar)",
    "llm.output_tokens": "cast(output_tokens as varchar)",
    "llm.cache_read_tokens": "cast(cache_read_tokens as varchar)",
    "llm.reasoning_tokens": "cast(reasoning_tokens as varchar)",
}


def write_app_csv(con: duckdb.DuckDBPyConnection, out: Path, rows_per_day: float,
                  rows_per_file: int) -> None:
    columns = ", ".join(f'{sql} as "{key}"' for key, sql in APP_CSV_COLUMNS.items())
    part = parts_expression(rows_per_day, rows_per_file, "call_index, attempt_no, 49")
    write_by_day(con, f"""
        with
        records as (
            select
                {part} as part, call_index, attempt_no, is_duplicated, has_malformed_copy,
                {columns}
            from ({APP_RECORDS}) where source = 'app_csv'
        ),
        written as (
            select *, 0 as copy_no from records
            union all
            select *, 1 from records where is_duplicated
            union all
            select * replace ('n/a' as "llm.output_tokens"), 2 from records
            where has_malformed_copy
        )
        select * exclude (call_index, attempt_no, is_duplicated, has_malformed_copy, copy_no)
        from written order by part, call_index, attempt_no, copy_no
    """, out / "logs/app/csv", "format csv, header true")


def otlp_attribute(key: str, value_sql: str, kind: str = "stringValue") -> str:
    """One OTLP KeyValue as JSON text with a leading comma, '' when the value is null."""
    return f"""coalesce(',{{"key":"{key}","value":{{"{kind}":"' || {value_sql} || '"}}}}', '')"""


def otlp_span(span_id: str, parent_id: str | None, name: str, kind: int, start: str,
              attributes: str, status: str = "'{}'") -> str:
    parent = f"""',"parentSpanId":"' || {parent_id} || '"'""" if parent_id else "''"
    return f"""
        '{{"traceId":"' || trace_id || '","spanId":"' || {span_id} || '"' || {parent}
        || ',"name":"' || {name} || '","kind":{kind},"startTimeUnixNano":"'
        || cast({start} as varchar) || '000","endTimeUnixNano":"'
        || cast({start} + 1500000 as varchar) || '000","attributes":['
        || ltrim({attributes}, ',') || '],"status":' || {status} || '}}'
    """


def write_otlp(con: duckdb.DuckDBPyConnection, out: Path, calls_per_day: float,
               calls_per_line: int, rows_per_file: int, shares: Shares) -> dict[str, int]:
    """TracesData lines: per call a SERVER span (route) or job root span, sometimes an
    INTERNAL span between it and the LLM spans, and one LLM CLIENT span per attempt."""
    lines_per_day = max(1, math.ceil(calls_per_day / calls_per_line))
    current, legacy = "not legacy_otel", "legacy_otel"
    llm_attributes = " || ".join([
        otlp_attribute("gen_ai.operation.name",
                       "case when kind = 'embedding' then 'embeddings' else 'chat' end"),
        otlp_attribute("gen_ai.provider.name", f"case when {current} then provider_app end"),
        otlp_attribute("gen_ai.system", f"case when {legacy} then provider_legacy end"),
        otlp_attribute("gen_ai.request.model", "expected"),
        otlp_attribute("gen_ai.response.model", "case when has_usage then reported end"),
        otlp_attribute("gen_ai.response.id", "case when has_usage then 'resp_' || request_key end"),
        otlp_attribute("error.type", "case when not is_last_attempt then 'overloaded_error' end"),
        *[otlp_attribute(key, f"case when has_usage and {cond} then cast({col} as varchar) end",
                         "intValue")
          for key, cond, col in (
              # Bedrock instrumentations copy Bedrock's count, which excludes cache reads
              ("gen_ai.usage.input_tokens", current,
               "input_tokens - case when provider = 'aws_bedrock' then cache_read_tokens else 0 end"),
              # Gemini instrumentations report candidates only: thoughts are not in output
              ("gen_ai.usage.output_tokens", current,
               "output_tokens - case when provider = 'google' then reasoning_tokens else 0 end"),
              ("gen_ai.usage.prompt_tokens", legacy, "input_tokens"),
              ("gen_ai.usage.completion_tokens", legacy, "output_tokens"),
              ("gen_ai.usage.cache_read.input_tokens", current, "nullif(cache_read_tokens, 0)"),
              ("gen_ai.usage.cache_read_input_tokens", legacy, "nullif(cache_read_tokens, 0)"),
              ("gen_ai.usage.reasoning.output_tokens", current, "nullif(reasoning_tokens, 0)"),
          )],
    ])
    failed_status = """case when is_last_attempt then '{}'
        else '{"code":2,"message":"upstream overloaded"}' end"""
    resource_attributes = " || ".join([
        otlp_attribute("service.name", "service"),
        otlp_attribute("deployment.environment.name", f"case when {current} then environment_written end"),
        otlp_attribute("deployment.environment", f"case when {legacy} then environment_written end"),
        otlp_attribute("team.id", "team_sent"),
    ])
    write_by_day(con, f"""
        with
        calls as (
            select
                *,
                (usage_date - date '2000-01-01') * 1000000 + h(call_index, 0, 40) % {lines_per_day}
                    as line_key,
                printf('%016x%016x', h(call_index, 0, 41), h(call_index, 0, 42)) as trace_id,
                printf('%016x', h(call_index, 0, 43)) as root_span_id,
                case when h(call_index, 0, 44) % 10 < 3
                    then printf('%016x', h(call_index, 0, 45)) end as chain_span_id,
                called_at_us - attempt_no * 2000000 as call_started_us
            from day_attempts
            where source = 'otlp'
        ),
        spans as (
            select
                line_key, service, environment_written, team_sent, legacy_otel,
                0 as scope_order, call_index, -2 as span_order,
                case
                    when job_name is null then {otlp_span(
                        "root_span_id", None, "'POST ' || coalesce(http_route, '/')", 2,
                        "call_started_us - 5000",
                        otlp_attribute("http.request.method", "'POST'")
                        + " || " + otlp_attribute("http.route", "http_route"))}
                    else {otlp_span("root_span_id", None, "'job ' || job_name", 1,
                                    "call_started_us - 5000", "''")}
                end as span_json
            from calls where attempt_no = 0
            union all
            select
                line_key, service, environment_written, team_sent, legacy_otel,
                1, call_index, -1,
                {otlp_span("chain_span_id", "root_span_id", "'chain'", 1, "call_started_us - 1000", "''")}
            from calls where attempt_no = 0 and chain_span_id is not null
            union all
            select
                line_key, service, environment_written, team_sent, legacy_otel,
                1, call_index, attempt_no,
                {otlp_span("printf('%016x', h(call_index, attempt_no, 46))",
                           "coalesce(chain_span_id, root_span_id)",
                           "case when kind = 'embedding' then 'embeddings ' else 'chat ' end || expected",
                           3, "called_at_us", llm_attributes, failed_status)}
            from calls
        ),
        scopes as (
            select
                line_key, service, environment_written, team_sent, legacy_otel, scope_order,
                '{{"scope":{{"name":"'
                || case when scope_order = 0 then 'opentelemetry.instrumentation.fastapi'
                    when legacy_otel then 'opentelemetry.instrumentation.langchain'
                    else 'opentelemetry.instrumentation.openai_v2' end
                || '"}},"spans":[' || string_agg(span_json, ',' order by call_index, span_order)
                || ']}}' as scope_json
            from spans
            group by line_key, service, environment_written, team_sent, legacy_otel, scope_order
        ),
        resources as (
            select
                line_key,
                concat_ws('/', service, environment_written, team_sent) as resource_key,
                '{{"resource":{{"attributes":[' || ltrim({resource_attributes}, ',')
                || ']}},"scopeSpans":[' || string_agg(scope_json, ',' order by scope_order)
                || ']}}' as resource_json
            from scopes
            group by line_key, service, environment_written, team_sent, legacy_otel
        ),
        lines as (
            select
                line_key,
                {parts_expression(lines_per_day, max(1, rows_per_file // calls_per_line), "line_key, 0, 49")}
                    as part,
                '{{"resourceSpans":[' || string_agg(resource_json, ',' order by resource_key)
                || ']}}' as line
            from resources
            group by line_key
        ),
        written as (
            select part, line_key, 0 as copy_no, line from lines
            union all
            select part, line_key, 1, line from lines
            where u(line_key, 0, 47) < {shares.duplicate}
            union all
            select part, line_key, 2, left(line, length(line) // 2) from lines
            where u(line_key, 0, 48) < {shares.malformed * calls_per_line}
        )
        select part, line from written order by part, line_key, copy_no
    """, out / "traces/otlp", TEXT_LINES)
    lines, duplicated, malformed = con.execute(f"""
        select count(*), count(*) filter (where u(line_key, 0, 47) < {shares.duplicate}),
            count(*) filter (where u(line_key, 0, 48) < {shares.malformed * calls_per_line})
        from (
            select distinct (usage_date - date '2000-01-01') * 1000000
                + h(call_index, 0, 40) % {lines_per_day} as line_key
            from attempts where source = 'otlp'
        )
    """).fetchone() or (0, 0, 0)
    return {"lines": lines, "duplicated_lines": duplicated, "expected_quarantined_records": malformed}


def write_litellm(con: duckdb.DuckDBPyConnection, out: Path, rows_per_day: float,
                  rows_per_file: int) -> None:
    """LiteLLM_SpendLogs rows: a failure row per failed attempt (no usage), a success row
    with inclusive prompt_tokens and the cache split in additional_usage_values, and a
    spend-0 row for each response-cache hit (not a provider call)."""
    part = parts_expression(rows_per_day, rows_per_file, "call_index, attempt_no, 49")
    caller = " || ".join([
        """'{"service":"' || service || '"'""",
        json_member("route", "http_route"),
        json_member("job", "job_name"),
        json_member("env", "environment_written"),
        "'}'",
    ])
    success_usage = """'{"prompt_tokens_details":{"cached_tokens":' || cache_read_tokens
        || ',"text_tokens":' || (input_tokens - cache_read_tokens)
        || '},"completion_tokens_details":{"reasoning_tokens":' || reasoning_tokens
        || '},"cache_read_input_tokens":' || cache_read_tokens
        || ',"cache_creation_input_tokens":0}'"""
    row = f"""
        '{{"request_id":"' || row_id || '","call_type":"acompletion","api_key":"'
        || sha256(coalesce(team_sent, service)) || '","spend":' || spend
        || ',"total_tokens":' || (prompt_tokens + completion_tokens)
        || ',"prompt_tokens":' || prompt_tokens || ',"completion_tokens":' || completion_tokens
        || ',"startTime":"' || strftime(make_timestamp(called_at_us), '%Y-%m-%dT%H:%M:%S.%fZ')
        || '","endTime":"' || strftime(make_timestamp(called_at_us + 1500000), '%Y-%m-%dT%H:%M:%S.%fZ')
        || '","model":"' || reported
        || '","model_group":"' || expected || '","custom_llm_provider":"' || provider_litellm
        || '","metadata":{{"user_api_key_alias":"' || service || '-key"'
        || {json_member("user_api_key_team_alias", "team_sent")}
        || ',"spend_logs_metadata":' || {caller}
        || ',"status":"' || status || '","additional_usage_values":' || usage_values
        || '}},"cache_hit":"' || cache_hit || '","cache_key":"Cache OFF","request_tags":["service:'
        || service || '"]' || {json_member("team_id", "'team-' || team_sent")}
        || ',"status":"' || status || '","messages":{{}},"response":{{}}}}'
    """
    write_by_day(con, f"""
        with
        attempt_rows as (
            select *, {part} as part
            from day_attempts
            where source = 'litellm'
        ),
        rows as (
            select
                *,
                case when has_usage then 'chatcmpl-' else 'litellm-' end || request_key as row_id,
                case when has_usage then 'success' else 'failure' end as status,
                'False' as cache_hit,
                case when has_usage then input_tokens else 0 end as prompt_tokens,
                case when has_usage then output_tokens else 0 end as completion_tokens,
                case when has_usage then {success_usage} else '{{}}' end as usage_values,
                case when has_usage then '0.001' else '0.0' end as spend
            from attempt_rows
            union all
            select
                * replace (called_at_us + 60000000 as called_at_us),
                'chatcmpl-' || request_key || '_cache_hit' || (called_at_us + 60000000) // 1000000,
                'success', 'True', input_tokens, output_tokens, '{{}}', '0.0'
            from attempt_rows where has_cache_hit
        ),
        lines as (select part, call_index, attempt_no, is_duplicated, {row} as line from rows),
        written as (
            select *, 0 as copy_no from lines
            union all
            select *, 1 from lines where is_duplicated
        )
        select part, line from written order by part, call_index, attempt_no, line, copy_no
    """, out / "logs/litellm", TEXT_LINES)


# ---------------------------------------------------------------- truth


def write_truth(con: duckdb.DuckDBPyConnection, book: dict[tuple[str, str, str], list[Price]],
                truth_dir: Path, manifest: dict[str, Any]) -> None:
    """Price the billed attempts per day and price key in Python, sum to the mart grain."""
    route = """coalesce(http_route, case when source != 'otlp' then job_name end, 'unknown')"""
    groups = con.execute(f"""
        select
            usage_date, team_expected, service, {route}, environment_expected,
            provider, expected, scope,
            count(*), sum(input_tokens), sum(cache_read_tokens), sum(output_tokens),
            sum(reasoning_tokens)
        from attempt_details
        where is_billed
        group by all
    """).fetchall()
    daily: dict[tuple[Any, ...], list[Any]] = {}
    for (day, team, service, route_value, environment, provider, model, scope,
         calls, input_tokens, cache_read, output, reasoning) in groups:
        key = (day.isoformat(), team, service, route_value, environment, provider, model)
        row = daily.setdefault(key, [0, 0, 0, 0, 0, 0, None])
        price = price_on(book, (provider, model, scope), day)
        row[0] += calls
        row[2] += input_tokens
        row[3] += cache_read
        row[4] += output
        row[5] += reasoning
        if price is None:
            row[1] += calls
            continue
        cache_read_price = price.input if price.cache_read is None else price.cache_read
        cost = ((input_tokens - cache_read) * price.input + cache_read * cache_read_price
                + output * price.output) / MILLION
        row[6] = cost if row[6] is None else row[6] + cost
    truth_dir.mkdir(parents=True, exist_ok=True)
    with (truth_dir / "daily.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRUTH_COLUMNS)
        for key in sorted(daily):
            *counts, cost = daily[key]
            writer.writerow([*key, *counts, "" if cost is None else f"{cost:f}"])
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def record_counts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What was written, billed and expected in quarantine, per source."""
    rows = con.execute("""
        select
            source,
            count(distinct call_index),
            count(*),
            count(*) filter (where is_billed),
            count(*) filter (where is_duplicated),
            count(*) filter (where has_malformed_copy) + count(*) filter (where unknown_provider),
            count(*) filter (where not has_usage),
            count(*) filter (where has_cache_hit)
        from attempts group by source order by source
    """).fetchall()
    return {source: {
        "calls": calls, "attempts": attempts, "billed_attempts": billed,
        "duplicated_records": duplicated, "expected_quarantined_records": quarantined,
        "attempts_without_usage": failed, "cache_hits": cache_hits,
    } for source, calls, attempts, billed, duplicated, quarantined, failed, cache_hits in rows}


# ---------------------------------------------------------------- main


def generate(out: Path, calls: int, days: int, start: date, mix: dict[str, float], seed: int,
             truth_dir: Path, rows_per_file: int, otlp_calls_per_line: int,
             shares: Shares = Shares()) -> dict[str, Any]:
    check_mappings()
    book = load_prices()
    models, dropped = resolve_models(book)
    started = time.monotonic()
    con = duckdb.connect(config={"threads": os.cpu_count() or 1, "memory_limit": "4GB"})
    create_catalogues(con, models)
    stream_key = hashlib.sha256(f"{seed}:{start.isoformat()}".encode()).digest()
    create_random_macros(con, int.from_bytes(stream_key[:8]) >> 2)
    create_attempts(con, calls, days, start, mix, shares)
    share = {s: mix.get(s, 0.0) / sum(mix.values()) for s in SOURCES}
    per_day = {s: calls * share[s] / days for s in SOURCES}
    if share["app_jsonl"]:
        write_app_jsonl(con, out, per_day["app_jsonl"], rows_per_file)
    if share["app_csv"]:
        write_app_csv(con, out, per_day["app_csv"], rows_per_file)
    if share["litellm"]:
        write_litellm(con, out, per_day["litellm"], rows_per_file)
    counts = record_counts(con)
    if share["otlp"]:
        counts["otlp"].update(
            write_otlp(con, out, per_day["otlp"], otlp_calls_per_line, rows_per_file, shares))
    manifest = {
        "calls": calls, "days": days, "start": start.isoformat(), "seed": seed,
        "mix": {s: round(share[s], 4) for s in SOURCES if share[s]},
        "models": [m.reported for m in models],
        "models_left_out": dropped,
        "sources": counts,
    }
    write_truth(con, book, truth_dir, manifest)
    manifest["seconds"] = round(time.monotonic() - started, 1)
    return manifest


def parse_mix(text: str) -> dict[str, float]:
    """`app=0.7,otlp=0.3` -> shares per source; app splits 4:1 into JSONL and CSV."""
    mix: dict[str, float] = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        value = float(weight or 1)
        if name == "app":
            mix["app_jsonl"], mix["app_csv"] = value * 0.8, value * 0.2
        elif name in ("otlp", "litellm"):
            mix[name] = value
        else:
            raise argparse.ArgumentTypeError(f"unknown source {name!r} (app, otlp, litellm)")
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="raw export root to write (LLM_COST_RAW_DIR)")
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 7, 15))
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("app=1"),
                        help="shares of calls per source, e.g. app=0.7,otlp=0.3,litellm=0.1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--truth-dir", type=Path, help="default: OUT/../truth")
    parser.add_argument("--rows-per-file", type=int, default=250_000)
    parser.add_argument("--otlp-calls-per-line", type=int, default=50)
    args = parser.parse_args()
    manifest = generate(args.out, args.calls, args.days, args.start, args.mix, args.seed,
                        args.truth_dir or args.out.parent / "truth", args.rows_per_file,
                        args.otlp_calls_per_line)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
