"""The nightly build over the bundled sample, checked against an independent
pricing of the same raw files written in plain Python (no SQL, no dbt)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import PROJECT_ROOT, PublishedSample, Warehouse, dbt_environment_for
from independent_pricing import MILLION, in_daily_window, price_key, seed
from nightly import not_null_columns
from run_dbt import PREFLIGHT_DONE_VARIABLE

SAMPLE = PROJECT_ROOT / "data/sample"


def sample_calls() -> list[dict[str, Any]]:
    """Billable calls of the sample, exact duplicates and unusable records removed."""
    calls: dict[str, dict[str, Any]] = {}
    for path in sorted(SAMPLE.glob("logs/app/**/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            calls[f"app:{line}"] = row
    for path in sorted(SAMPLE.glob("logs/app/**/*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                calls[f"csv:{path}:{sorted(row.items())}"] = row
    for path in sorted(SAMPLE.glob("traces/otlp/**/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for resource_spans in json.loads(line)["resourceSpans"]:
                resource = {a["key"]: a["value"] for a in resource_spans["resource"]["attributes"]}
                spans = [s for scope in resource_spans["scopeSpans"] for s in scope["spans"]]
                routes = {s["spanId"]: s["attributes"][0]["value"]["stringValue"]
                          for s in spans if s["kind"] == 2}
                for span in spans:
                    attributes = {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}
                    if "gen_ai.usage.input_tokens" not in attributes:
                        continue
                    calls[f"otlp:{span['traceId']}:{span['spanId']}"] = {
                        "timestamp": int(span["startTimeUnixNano"]) / 1e9,
                        "team.id": resource.get("team.id", {}).get("stringValue"),
                        "service.name": resource["service.name"]["stringValue"],
                        "http.route": routes.get(span["parentSpanId"]),
                        "llm.provider": attributes["gen_ai.provider.name"],
                        "llm.model": attributes["gen_ai.response.model"],
                        "llm.input_tokens": attributes["gen_ai.usage.input_tokens"],
                        "llm.output_tokens": attributes["gen_ai.usage.output_tokens"],
                        "llm.cache_read_tokens": attributes["gen_ai.usage.cache_read.input_tokens"],
                    }
    return list(calls.values())


def independent_cost_by_team() -> dict[str, Decimal | None]:
    providers = {row["provider_alias"]: row["provider"] for row in seed("llm_provider_aliases")}
    scopes = {row["provider"]: row["default_endpoint_scope"] for row in seed("llm_providers")}
    aliases = {(row["provider"], row["model_alias"]): row["model"] for row in seed("llm_model_aliases")}
    owners = {row["service_name"]: row["team"] for row in seed("service_ownership")}
    prices = [p for p in seed("llm_prices") if p["service_tier"] == "standard"]
    priced = {(p["provider"], p["model"]) for p in prices}
    totals: dict[str, Decimal | None] = defaultdict(lambda: Decimal(0))
    for call in sample_calls():
        provider = providers[call["llm.provider"]]
        model, scope = price_key(provider, call["llm.model"], scopes[provider], aliases, priced)
        timestamp = call["timestamp"]
        at = (datetime.fromtimestamp(float(timestamp), UTC) if isinstance(timestamp, (int, float))
              else datetime.fromisoformat(timestamp)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        team = call.get("team.id") or owners.get(call["service.name"], "unattributed")
        matching = [p for p in prices if (p["provider"], p["model"], p["endpoint_scope"]) == (provider, model, scope)
                    and (p["effective_from"] or "0000") <= at < (p["effective_to"] or "9999")
                    and in_daily_window(p, at[11:])]
        totals.setdefault(team, Decimal(0))
        if not matching:
            continue
        (price,) = matching
        tokens_in, cache_read = int(call["llm.input_tokens"]), int(call.get("llm.cache_read_tokens") or 0)
        cost = ((tokens_in - cache_read) * Decimal(price["input_usd_per_mtok"])
                + cache_read * Decimal(price["cache_read_usd_per_mtok"] or price["input_usd_per_mtok"])
                + int(call["llm.output_tokens"]) * Decimal(price["output_usd_per_mtok"])) / MILLION
        totals[team] = (totals[team] or Decimal(0)) + cost
    return dict(totals)


@pytest.fixture(scope="module")
def sample_warehouse(published_sample: PublishedSample) -> Warehouse:
    return Warehouse(published_sample.build, read_only=True)


def test_dbt_unit_tests_pass(published_sample: PublishedSample, tmp_path: Path) -> None:
    """dbt's unit tests (`unit_tests:` in the models' YAML) need no data, only their models'
    parents as relations: they run once in the suite, over a copy of the sample's build."""
    database = tmp_path / "llm_cost.duckdb"
    shutil.copyfile(published_sample.build, database)
    environment = {**dbt_environment_for(database, tmp_path / "target", SAMPLE), PREFLIGHT_DONE_VARIABLE: "1"}
    result = subprocess.run([sys.executable, "scripts/run_dbt.py", "test", "--select", "test_type:unit"],
                            cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stdout[-5000:]
    written = sum(len(yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests") or [])
                  for path in (PROJECT_ROOT / "models").rglob("*.yml"))
    passed = re.findall(rf"\d+ of {written} PASS \w+::\w+", result.stdout)
    assert len(passed) == written, result.stdout[-3000:]


def test_the_built_marts_enforce_the_not_null_constraints_of_their_contracts(
        published_sample: PublishedSample, sample_warehouse: Warehouse) -> None:
    """The not-null columns of a contracted table are declared as constraints, not tested
    (tests/test_project_conventions.py): the tables dbt wrote must carry them."""
    manifest = json.loads((published_sample.build.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    declared = {(relation, column) for relation, columns in not_null_columns(manifest).items() for column in columns}
    assert len(declared) > 80
    enforced = set(sample_warehouse.rows(
        "select schema_name || '.' || table_name, unnest(constraint_column_names) from duckdb_constraints()"
        " where database_name = current_database() and constraint_type = 'NOT NULL'"))
    assert declared <= enforced, sorted(declared - enforced)


def test_team_costs_match_an_independent_computation(sample_warehouse: Warehouse) -> None:
    expected = independent_cost_by_team()
    assert set(expected) == {"payments", "customer-experience", "search", "analytics", "unattributed"}
    assert sample_warehouse.cost_by("team") == expected


def test_nothing_is_lost(sample_warehouse: Warehouse) -> None:
    assert sample_warehouse.rows(
        "select record_outcome, sum(record_count) from fct_telemetry_record_accounting group by 1 order by 1"
    ) == [("billed", 148), ("exact_duplicate", 4), ("failed_attempt", 4), ("non_llm_span", 60)]
    unpriced = sample_warehouse.rows(
        "select model, count(*), bool_and(cost_usd is null) from fct_llm_calls where not is_priced group by 1"
    )
    assert unpriced == [("gpt-9-preview", 4, True)]
    assert sample_warehouse.scalar("select count(*) from fct_llm_calls") == len(sample_calls())


def test_every_attribution_rule_appears(sample_warehouse: Warehouse) -> None:
    assert sample_warehouse.rows(
        "select attribution_rule, team, count(*) from fct_llm_calls"
        " where service in ('growth-experiments', 'insights-worker', 'support-bot')"
        " group by all order by all"
    ) == [
        ("log_record", "customer-experience", 40),
        ("service_ownership", "analytics", 20),
        ("unattributed", "unattributed", 12),
    ]
