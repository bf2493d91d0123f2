"""The price book: filled from the shared reference, guarded by seed tests that
fail on a broken book, and every price dimension priced end to end (raw app
logs -> marts) with hand-computed expectations.

The end-to-end build runs in a copy of the project whose mapping seeds hold
one Azure deployment and one Bedrock application inference profile, the ids
the reference lists as "lookup required".
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_ROOT, Warehouse, dbt_environment_for, once_per_run, write_jsonl

REFERENCE = PROJECT_ROOT / "tests/reference"
BOOK = PROJECT_ROOT / "seeds/prices/llm_prices.csv"
APPLICATION_PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456"
MAPPINGS = {
    "azure_openai_deployments.csv": "chatgpt-v-2,gpt-4o-2024-08-06,data_zone,test deployment\n",
    "bedrock_inference_profiles.csv": f"{APPLICATION_PROFILE_ARN},us.anthropic.claude-3-7-sonnet-20250219-v1:0,test\n",
}
# What those mapped ids resolve to (model family, endpoint scope).
MAPPED = {"chatgpt-v-2": ("gpt-4o", "data_zone"), APPLICATION_PROFILE_ARN: ("claude-3-7-sonnet", "regional")}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def amount(text: str) -> Decimal | None:
    return Decimal(text) if text else None


# --- the book against the reference ----------------------------------------------

# Reference rows the book deliberately does not copy as they are.
NOT_COPIED = {
    "azure/global-standard/gpt-4o-mini": "same key and prices as azure/gpt-4o-mini, which also has a cache-read price",
    "azure/o4-mini": "the book keeps genai-prices' azure o4-mini (cache read 0.28; LiteLLM says 0.275)",
}


def book_key(row: dict[str, str]) -> tuple[str, str, str, str]:
    """(provider, model, endpoint scope, daily window start) the reference row is filed under."""
    provider = {"aws": "aws_bedrock", "azure": "azure_openai"}.get(row["provider"], row["provider"])
    model = row["model"]
    scope = "global"
    if provider == "aws_bedrock":
        if not model.startswith("global."):
            scope = "regional"
        model = re.sub(r"-v?\d+:\d+$", "", model.removeprefix("global.").removeprefix("regional."))
    if provider == "azure_openai":
        parts = model.split("/")
        scope = "data_zone" if parts[1:2] in (["eu"], ["us"]) else "global"
        model = {"o3-2025-04-16": "o3"}.get(parts[-1], parts[-1])
    window = ""
    if provider == "deepseek" and model in ("deepseek-chat", "deepseek-reasoner"):
        window = "00:30:00" if "time-of-day constraint" in row["notes"] else "16:30:00"
    return provider, model, scope, window


def test_every_reference_price_is_in_the_book() -> None:
    book = {(r["provider"], r["model"], r["endpoint_scope"], r["utc_time_from"], r["effective_from"]): r
            for r in read_csv(BOOK) if r["service_tier"] == "standard"}
    checked = 0
    for row in read_csv(REFERENCE / "reference_prices.csv"):
        if row["model"] in NOT_COPIED:
            continue
        ours = book[(*book_key(row), row["effective_from"])]
        assert ours["effective_to"] == row["effective_to"], row
        assert (amount(ours["input_usd_per_mtok"]), amount(ours["output_usd_per_mtok"] or "0"),
                amount(ours["cache_read_usd_per_mtok"]), amount(ours["cache_write_5m_usd_per_mtok"]),
                amount(ours["cache_write_1h_usd_per_mtok"])) == (
            amount(row["input_usd_per_mtok"]), amount(row["output_usd_per_mtok"] or "0"),
            amount(row["cache_read_usd_per_mtok"]), amount(row["cache_write_usd_per_mtok"]),
            amount(row["cache_write_1h_usd_per_mtok"])), row
        assert (amount(ours["long_context_threshold_tokens"]), amount(ours["long_context_input_usd_per_mtok"]),
                amount(ours["long_context_output_usd_per_mtok"])) == (
            amount(row["tier_threshold_tokens"]), amount(row["input_above_threshold_usd_per_mtok"]),
            amount(row["output_above_threshold_usd_per_mtok"])), row
        checked += 1
    # 119 reference rows: two Azure rows are not copied, eu and us data-zone gpt-4o share one row
    assert checked == 117


# --- end to end through the marts ---------------------------------------------------

# Our canonical names where the reference's suggestion names the same price row differently.
BOOK_NAME = {
    ("anthropic", "claude-sonnet-4"): "claude-sonnet-4-0",
    ("anthropic", "claude-opus-4"): "claude-opus-4-0",
    ("anthropic", "claude-3-5-haiku"): "claude-3-5-haiku-latest",
    ("anthropic", "claude-3-7-sonnet"): "claude-3-7-sonnet-latest",
    ("google", "claude-sonnet-4"): "claude-4-sonnet",
}
# Ids we leave unpriced although the reference suggests a priced model.
DELIBERATELY_UNRESOLVED = {
    "anthropic.claude-3-5-sonnet-20241022-v2:0:51k": "a provisioned-throughput variant, billed per hour, not per token",
    "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0": "GovCloud has its own prices, not in the book",
}
ALIAS_CASE_AT = "2026-11-20T12:00:00Z"


def bedrock_family(model: str) -> str:
    """`anthropic.claude-sonnet-4-20250514` -> `claude-sonnet-4`, how the reference names Bedrock models."""
    return re.sub(r"-\d{8}$", "", model.removeprefix("anthropic."))


def in_book(book: set[tuple[str, str]], provider: str, model: str) -> bool:
    if provider == "aws_bedrock":
        return any(p == provider and bedrock_family(m) == model for p, m in book)
    return (provider, model) in book


def expected_scope(provider: str, suggested: str) -> str:
    """Bedrock: `global` profiles global, geo profiles and in-region ids regional; others global."""
    return "regional" if provider == "aws_bedrock" and suggested != "global" else "global"


def alias_cases() -> list[dict[str, str]]:
    provider_aliases = read_csv(PROJECT_ROOT / "seeds/mappings/llm_provider_aliases.csv")
    providers = {r["provider_alias"]: r["provider"] for r in provider_aliases}
    return [{**row, "provider": providers[row["provider_hint"]]} for row in read_csv(REFERENCE / "model_aliases.csv")]


# (request id, provider, model, timestamp, input, cache write, output, service tier,
#  expected price_id, expected cost; None = unpriced)
DIMENSION_CALLS: list[tuple[str, str, str, str, int, int, int, str | None, str | None, str | None]] = [
    # o3's price cut on 2025-06-10 in the middle of a three-day range, 1M + 1M:
    # 10 + 40 = 50 before, 2 + 8 = 10 from 00:00 UTC on
    ("o3_before_cut", "openai", "o3-2025-04-16", "2025-06-09T23:59:59Z", 1_000_000, 0, 1_000_000, None,
     "openai-o3-global-start", "50"),
    ("o3_at_cut", "openai", "o3-2025-04-16", "2025-06-10T00:00:00Z", 1_000_000, 0, 1_000_000, None,
     "openai-o3-global-2025-06-10", "10"),
    ("o3_day_after", "openai", "o3", "2025-06-11T12:00:00Z", 1_000_000, 0, 1_000_000, None,
     "openai-o3-global-2025-06-10", "10"),
    # Sonnet 4.5 long context (200K): at the threshold 0.2M x 3 + 0.001M x 15 = 0.615;
    # one token over, the whole call at 6 / 22.5: 200001 x 6 / 1M + 0.001M x 22.5 = 1.222506
    ("long_context_at", "anthropic", "claude-sonnet-4-5-20250929", "2026-11-20T10:00:00Z", 200_000, 0, 1_000, None,
     "anthropic-claude-sonnet-4-5-global-start", "0.615"),
    ("long_context_over", "anthropic", "claude-sonnet-4-5-20250929", "2026-11-20T10:00:00Z", 200_001, 0, 1_000, None,
     "anthropic-claude-sonnet-4-5-global-start", "1.222506"),
    # Haiku 4.5, 1M input all written to the 5-minute cache: 1M x 1.25 (not the 1.00 input price)
    ("cache_write_5m", "anthropic", "claude-haiku-4-5", "2026-11-20T10:00:00Z", 1_000_000, 1_000_000, 0, None,
     "anthropic-claude-haiku-4-5-global-start", "1.25"),
    # Haiku 4.5 standard 1 + 5 = 6, batch 0.5 + 2.5 = 3
    ("standard_tier", "anthropic", "claude-haiku-4-5", "2026-11-20T10:00:00Z", 1_000_000, 0, 1_000_000, None,
     "anthropic-claude-haiku-4-5-global-start", "6"),
    ("batch_tier", "anthropic", "claude-haiku-4-5", "2026-11-20T10:00:00Z", 1_000_000, 0, 1_000_000, "batch",
     "anthropic-claude-haiku-4-5-global-batch-start", "3"),
    # Bedrock Sonnet 4.5: global profile 3 + 15 = 18; geo profile and system-profile ARN 3.3 + 16.5 = 19.8
    ("bedrock_global", "bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "2026-11-20T10:00:00Z",
     1_000_000, 0, 1_000_000, None, "aws_bedrock-anthropic.claude-sonnet-4-5-20250929-global-start", "18"),
    ("bedrock_regional", "bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "2026-11-20T10:00:00Z",
     1_000_000, 0, 1_000_000, None, "aws_bedrock-anthropic.claude-sonnet-4-5-20250929-regional-start", "19.8"),
    ("bedrock_profile_arn", "bedrock",
     "arn:aws:bedrock:us-west-2:726623243771:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
     "2026-11-20T10:00:00Z", 1_000_000, 0, 1_000_000, None,
     "aws_bedrock-anthropic.claude-sonnet-4-5-20250929-regional-start", "19.8"),
    # application inference profile mapped to Claude 3.7 Sonnet in-region: 3 + 15 = 18
    ("bedrock_application_profile", "bedrock", APPLICATION_PROFILE_ARN, "2026-11-20T10:00:00Z",
     1_000_000, 0, 1_000_000, None, "aws_bedrock-anthropic.claude-3-7-sonnet-20250219-regional-start", "18"),
    # Azure deployment chatgpt-v-2 = gpt-4o-2024-08-06 in a DataZone deployment: 2.75 + 11 = 13.75
    ("azure_deployment", "azure", "chatgpt-v-2", "2026-11-20T10:00:00Z", 1_000_000, 0, 1_000_000, None,
     "azure_openai-gpt-4o-data_zone-start", "13.75"),
    # DeepSeek off-peak until 00:30 UTC (0.135 + 0.55), standard hours from 00:30 (0.27 + 1.10)
    ("deepseek_off_peak", "deepseek", "deepseek-chat", "2026-11-20T00:29:59Z", 1_000_000, 0, 1_000_000, None,
     "deepseek-deepseek-chat-global-utc1630-start", "0.685"),
    ("deepseek_standard_hours", "deepseek", "deepseek-chat", "2026-11-20T00:30:00Z", 1_000_000, 0, 1_000_000, None,
     "deepseek-deepseek-chat-global-utc0030-start", "1.37"),
    # unpriced, never $0: an unknown model, and a tier the book has no row for
    ("unknown_model", "openai", "gpt-9-preview", "2026-11-20T10:00:00Z", 1_000, 0, 100, None, None, None),
    ("unpriced_tier", "openai", "gpt-4o", "2026-11-20T10:00:00Z", 1_000, 0, 100, "flex", None, None),
]


def app_log_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"timestamp": ALIAS_CASE_AT, "request_id": f"alias-{number}", "service.name": "alias-cases",
         "llm.provider": case["provider_hint"], "llm.model": case["raw_model_id"],
         "llm.input_tokens": 1_000, "llm.output_tokens": 100}
        for number, case in enumerate(alias_cases())
    ]
    for request_id, provider, model, at, tokens_in, cache_write, tokens_out, tier, _, _ in DIMENSION_CALLS:
        row = {"timestamp": at, "request_id": request_id, "service.name": "dimensions", "llm.provider": provider,
               "llm.model": model, "llm.input_tokens": tokens_in, "llm.cache_write_tokens": cache_write,
               "llm.output_tokens": tokens_out}
        rows.append(row | ({"llm.service_tier": tier} if tier else {}))
    return rows


def project_copy(root: Path, appended_rows: dict[str, str]) -> Path:
    """A copy of the project with lines appended to some of its seeds (by path under seeds/)."""
    project = root / "project"
    shutil.copytree(PROJECT_ROOT, project, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "target", "logs", "data", "__pycache__", ".pytest_cache"))
    for seed_path, lines in appended_rows.items():
        with (project / "seeds" / seed_path).open("a", encoding="utf-8") as handle:
            handle.write(lines)
    return project


def run_dbt_in(project: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(project / "scripts/run_dbt.py"), *args],
        env=dbt_environment_for(root / "warehouse.duckdb", root / "dbt_target", root / "raw"),
        capture_output=True, text=True, timeout=900, check=False,
    )


@pytest.fixture(scope="module")
def priced_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Build, in a copy of the project with example mapping-seed rows, one call per case."""

    def build(root: Path) -> None:
        project = project_copy(root, {f"mappings/{name}": line for name, line in MAPPINGS.items()})
        write_jsonl(root / "raw/logs/app/calls.jsonl", app_log_rows())
        result = run_dbt_in(project, root, "build", "--quiet", "--exclude", "test_type:unit")
        assert result.returncode == 0, f"dbt build failed:\n{result.stdout}\n{result.stderr}"

    return Warehouse(once_per_run(tmp_path_factory, "price_book", build) / "warehouse.duckdb", read_only=True)


# One broken row per rule (price-book columns: id, provider, model, scope, tier, from, to,
# window from, window to, input, output, then cache, fee and long-context prices, source, checked).
BROKEN_PRICES = "".join(f"{row}{',' * 11},source,2026-11-26,\n" for row in [
    "overlap,openai,gpt-4o,global,standard,2026-01-01,,,,2.5,10",       # the open gpt-4o row covers 2026
    "gap_a,openai,gap-model,global,standard,,2026-01-01,,,1,2",
    "gap_b,openai,gap-model,global,standard,2026-02-01,,,,1,2",          # January is missing
    "negative,openai,negative-model,global,standard,,,,,-1,2",
    "unknown_provider,acme,acme-model,global,standard,,,,,1,2",
    "half_day,deepseek,half-day-model,global,standard,,,00:00:00,12:00:00,1,2",
])
BROKEN_ALIASES = ("openai/gpt-9,openai,gpt-9,gpt-9-unpriced,points to no price row\n"
                  "openai/gpt-4o-2024-05-13,openai,gpt-4o-2024-05-13,gpt-4o,hides a priced snapshot\n")


def test_seed_tests_fail_the_build_on_a_broken_price_book(tmp_path: Path) -> None:
    project = project_copy(tmp_path, {"prices/llm_prices.csv": BROKEN_PRICES,
                                      "mappings/llm_model_aliases.csv": BROKEN_ALIASES})
    seeds = ["llm_prices", "llm_providers", "llm_provider_aliases", "llm_model_aliases"]
    for command in (["seed", "--select", *seeds], ["run", "--select", "int_llm_price_windows"]):
        assert run_dbt_in(project, tmp_path, *command, "--quiet").returncode == 0, command
    result = run_dbt_in(project, tmp_path, "test", "--quiet", "--indirect-selection", "cautious",
                        "--select", *seeds, "int_llm_price_windows")
    assert result.returncode == 1, result.stdout
    run_results = json.loads((tmp_path / "dbt_target/run_results.json").read_text(encoding="utf-8"))
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in run_results["results"]
                if r["unique_id"].startswith("test.")}
    assert {name for name, status in statuses.items() if status not in ("pass", "fail")} == set()
    assert {name for name, status in statuses.items() if status == "fail"} == {
        "assert_price_periods_do_not_overlap",
        "assert_price_periods_leave_no_gaps",   # gap-model, and gpt-4o's open row followed by `overlap`
        "assert_price_rows_are_well_formed",
        "assert_price_time_windows_cover_the_day",
        "relationships_llm_prices_provider__provider__ref_llm_providers_",
        "assert_model_aliases_point_to_priced_models",
        "assert_model_aliases_do_not_shadow_prices",
    }


def test_reference_model_ids_resolve_to_the_suggested_price_key(priced_warehouse: Warehouse) -> None:
    book = {(r["provider"], r["model"]) for r in read_csv(BOOK)}
    resolved = {(provider, reported): (model, scope, is_priced) for provider, reported, model, scope, is_priced
                in priced_warehouse.rows("select provider, reported_model, model, endpoint_scope, is_priced"
                                         " from fct_llm_calls where service = 'alias-cases'")}
    mismatches, priced = [], 0
    for case in alias_cases():
        provider, raw = case["provider"], case["raw_model_id"]
        model, scope, is_priced = resolved[(provider, raw)]
        suggested = BOOK_NAME.get((provider, case["suggested_canonical_model"]), case["suggested_canonical_model"])
        actual = bedrock_family(model) if provider == "aws_bedrock" else model
        if raw in MAPPED:
            expected: tuple[Any, ...] = (*MAPPED[raw], True)
        elif raw in DELIBERATELY_UNRESOLVED or not in_book(book, provider, suggested):
            expected = (raw.lower(), False)
        else:
            expected = (suggested, expected_scope(provider, case["suggested_endpoint_scope"]), True)
        got = (actual, scope, is_priced) if expected[-1] else (model, is_priced)
        priced += 1 if expected[-1] else 0
        if got != expected:
            mismatches.append(f"{provider} {raw}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)
    # 89 ids: 14 stay unpriced (12 name models the book does not price, 2 are DELIBERATELY_UNRESOLVED)
    assert priced == 75


@pytest.mark.parametrize(
    ("request_id", "price_id", "cost"),
    [(call[0], call[8], call[9]) for call in DIMENSION_CALLS],
    ids=[call[0] for call in DIMENSION_CALLS],
)
def test_each_price_dimension_costs_what_was_computed_by_hand(
    priced_warehouse: Warehouse, request_id: str, price_id: str | None, cost: str | None
) -> None:
    assert priced_warehouse.rows(
        f"select price_id, cost_usd, is_priced from fct_llm_calls where request_id = '{request_id}'"
    ) == [(price_id, Decimal(cost) if cost else None, cost is not None)]


def test_long_context_and_scope_and_tier_are_on_the_call(priced_warehouse: Warehouse) -> None:
    assert priced_warehouse.rows(
        "select request_id, is_long_context, endpoint_scope, service_tier, model_resolution_rule"
        " from fct_llm_calls where request_id in"
        " ('long_context_at', 'long_context_over', 'batch_tier', 'bedrock_global', 'azure_deployment')"
        " order by request_id"
    ) == [
        ("azure_deployment", False, "data_zone", "standard", "without_snapshot_date"),
        ("batch_tier", False, "global", "batch", "exact"),
        ("bedrock_global", False, "global", "standard", "without_version_suffix"),
        ("long_context_at", False, "global", "standard", "without_snapshot_date"),
        ("long_context_over", True, "global", "standard", "without_snapshot_date"),
    ]


def test_unpriced_usage_is_listed_with_its_reason(priced_warehouse: Warehouse) -> None:
    listed = priced_warehouse.rows(
        "select reported_model, service_tier, unpriced_reason, call_count, input_tokens, output_tokens,"
        " first_seen_at = last_seen_at, estimated_cost_usd > 0"
        " from fct_llm_unpriced_usage where reported_model in ('gpt-9-preview', 'gpt-4o') order by 1"
    )
    assert listed == [
        ("gpt-4o", "flex", "no_price_for_endpoint_scope_or_tier", 1, 1_000, 100, True, True),
        ("gpt-9-preview", "standard", "unresolved_model", 1, 1_000, 100, True, True),
    ]
    assert priced_warehouse.scalar(
        "select count(*) from fct_llm_calls where not is_priced and cost_usd is not null"
    ) == 0


def test_model_dimension_shows_which_price_applied_when(priced_warehouse: Warehouse) -> None:
    assert priced_warehouse.rows(
        "select price_id, reported_models, call_count, cast(first_called_at as varchar),"
        " cast(last_called_at as varchar), cost_usd"
        " from dim_llm_models where provider = 'openai' and model = 'o3' order by first_called_at"
    ) == [
        ("openai-o3-global-start", "o3-2025-04-16", 1, "2025-06-09 23:59:59", "2025-06-09 23:59:59", Decimal(50)),
        ("openai-o3-global-2025-06-10", "o3, o3-2025-04-16", 3, "2025-06-10 00:00:00", "2026-11-20 12:00:00",
         Decimal("20.0028")),
    ]

