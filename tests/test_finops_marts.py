"""The FinOps marts (models/marts/finops/) on a hand-made fixture, and tied to
fct_llm_calls on the bundled sample.

Prices from seeds/prices/llm_prices.csv (USD per million tokens, input / output):
    o3              10 / 40 until 2025-06-10, then 2 / 8
    gpt-4o-mini     0.15 / 0.60
    gpt-4.1-mini    0.40 / 1.60
so, per call:
    o3 1,000 in + 500 out in May        = 0.01 + 0.02      = $0.03
    o3 2,000 in + 500 out in June       = 0.004 + 0.004    = $0.008  (at May's prices 0.02 + 0.02 = $0.04)
    gpt-4o-mini 1,000 in + 1,000 out    = 0.00015 + 0.0006 = $0.00075
    o3 100k in + 100k out after the cut = 0.2 + 0.8        = $1.00
    gpt-4.1-mini 100k in + 100k out     = 0.04 + 0.16      = $0.20
    o3 500k in + 500k out after the cut = 1 + 4            = $5.00

Scenarios (all app logs, except two OTLP traces):
    A  analytics / insights-worker, May and June 2025: change drivers
    B  customer-experience / support-bot, September: a volume spike and a
       non-spike; its $150 budget exhausted
    C  payments / checkout-api, September: a spike from a model change
    D  October: attribution gaps (growth-experiments, billing-api), an OTLP
       route from an ancestor span, the ownership seed (doc-indexer), and a
       route five times dearer per request than its peers (insights-worker)
    E  search / doc-indexer, October 1-10 (the last day with calls): the
       $50 budget's projected run-out day

The fixture warehouse and the sample warehouse are built once per test run:
under pytest-xdist the first worker to need one builds it into the run's
shared temporary folder (under a lock) and the other reads it. dbt runs in a
subprocess (scripts/run_dbt.py, as conftest.build_into runs it in-process),
so that no connection of the build stays open and both workers can read the
file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import PublishedSample, Warehouse, otlp_span, otlp_traces_data, shared_build, write_jsonl

# --- the fixture ----------------------------------------------------------------


def calls(day: date, count: int, *, team: str | None, service: str, model: str, input_tokens: int,
          output_tokens: int, route: str | None = None, job: str | None = None,
          environment: str | None = "production", cost_center: str | None = None,
          hour: int = 12) -> list[dict[str, Any]]:
    """`count` app-log calls on `day`, one minute apart; keys left out when None."""
    rows = []
    for number in range(count):
        moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) + timedelta(minutes=number)
        row = {
            "timestamp": moment.isoformat(),
            "request_id": f"{service}-{moment:%Y%m%d%H%M}-{model}-{number}",
            "team.id": team,
            "cost_center": cost_center,
            "service.name": service,
            "deployment.environment": environment,
            "http.route": route,
            "job.name": job,
            "llm.provider": "openai",
            "llm.model": model,
            "llm.input_tokens": input_tokens,
            "llm.output_tokens": output_tokens,
        }
        rows.append({key: value for key, value in row.items() if value is not None})
    return rows


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def app_log_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    analytics = {"team": "analytics", "service": "insights-worker", "cost_center": "CC-4100"}
    # A. May 12-21: 10 x o3 at $0.03 = $0.30. June 12-26: 15 x o3 at $0.008 = $0.12
    # ($0.60 at May's prices), and June 12-15: 4 x gpt-4o-mini at $0.00075 = $0.003 on a new route.
    for day in days(date(2025, 5, 12), date(2025, 5, 21)):
        rows += calls(day, 1, **analytics, job="weekly-insights", model="o3",
                      input_tokens=1_000, output_tokens=500)
    for day in days(date(2025, 6, 12), date(2025, 6, 26)):
        rows += calls(day, 1, **analytics, job="weekly-insights", model="o3",
                      input_tokens=2_000, output_tokens=500)
    for day in days(date(2025, 6, 12), date(2025, 6, 15)):
        rows += calls(day, 1, **analytics, job="monthly-digest", model="gpt-4o-mini",
                      input_tokens=1_000, output_tokens=1_000, hour=13)
    # B. $1 calls: 10 on odd days and 20 on even days of September 1-28, 30 on the 29th, 60 on the 30th.
    support = {"team": "customer-experience", "service": "support-bot", "cost_center": "CC-2040",
               "route": "/api/tickets/{ticket_id}/reply", "model": "o3",
               "input_tokens": 100_000, "output_tokens": 100_000}
    for day in days(date(2025, 9, 1), date(2025, 9, 28)):
        rows += calls(day, 10 if day.day % 2 else 20, **support)
    rows += calls(date(2025, 9, 29), 30, **support)
    rows += calls(date(2025, 9, 30), 60, **support)
    # C. 10 calls a day of gpt-4.1-mini ($2 a day), except 10 of o3 ($10) on September 29.
    checkout = {"team": "payments", "service": "checkout-api", "cost_center": "CC-1010",
                "route": "/v1/checkout/{cart_id}/summary", "input_tokens": 100_000, "output_tokens": 100_000}
    for day in days(date(2025, 9, 1), date(2025, 9, 30)):
        rows += calls(day, 10, **checkout, model="o3" if day.day == 29 else "gpt-4.1-mini")
    # D. $1 calls in October without a team (growth-experiments is in no ownership seed):
    # 5 with a cost center, 3 without cost center or environment, 1 without cost center.
    growth = {"team": None, "service": "growth-experiments", "route": "/experiments/{experiment_id}/copy",
              "model": "o3", "input_tokens": 100_000, "output_tokens": 100_000}
    rows += calls(date(2025, 10, 3), 5, **growth, cost_center="CC-9000")
    rows += calls(date(2025, 10, 4), 3, **growth, environment=None)
    rows += calls(date(2025, 10, 5), 1, **growth)
    # billing-api: 6 x $1 with no route and no job.
    rows += calls(date(2025, 10, 6), 6, team="payments", service="billing-api", cost_center="CC-1010",
                  model="o3", input_tokens=100_000, output_tokens=100_000)
    # insights-worker: 2 x $5, 1M tokens per request where its peers use 200k.
    rows += calls(date(2025, 10, 10), 2, **analytics, job="weekly-insights", model="o3",
                  input_tokens=500_000, output_tokens=500_000)
    # E. doc-indexer, no team or cost center (the seed says search, CC-3020): 2 x $1 a day, October 1-10.
    for day in days(date(2025, 10, 1), date(2025, 10, 10)):
        rows += calls(day, 2, team=None, service="doc-indexer", job="nightly-reindex", model="o3",
                      input_tokens=100_000, output_tokens=100_000)
    return rows


def otlp_lines() -> list[dict[str, Any]]:
    """D. Two $1 support-bot calls on October 7, the route on the SERVER parent span."""
    lines = []
    start = int(datetime(2025, 10, 7, 12, tzinfo=UTC).timestamp()) * 1_000_000_000
    resource = {"service.name": "support-bot", "deployment.environment.name": "production",
                "team.id": "customer-experience"}
    for call in range(2):
        trace_id = f"{0xF1:016x}{call:016x}"
        server = otlp_span(trace_id, f"f1{call:06x}0001", "", 2, start + call,
                           {"http.route": "/api/tickets/{ticket_id}/reply"})
        llm = otlp_span(trace_id, f"f1{call:06x}0002", server["spanId"], 3, start + call + 10, {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "o3",
            "gen_ai.usage.input_tokens": 100_000,
            "gen_ai.usage.output_tokens": 100_000,
        })
        lines.append(otlp_traces_data(resource, [server, llm]))
    return lines


# --- builds, shared across xdist workers -------------------------------------


Query = Callable[[str], list[tuple[Any, ...]]]


def write_fixture(root: Path) -> Path:
    raw = root / "raw"
    write_jsonl(raw / "logs/app/2025/finops.jsonl", app_log_rows())
    write_jsonl(raw / "traces/otlp/2025/10/07/traces.jsonl", otlp_lines())
    return raw


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Query:
    return shared_build(tmp_path_factory, "finops_fixture", write_fixture).rows


@pytest.fixture(scope="module")
def sample_db(published_sample: PublishedSample) -> Query:
    return Warehouse(published_sample.build, read_only=True).rows


def d(value: str) -> Decimal:
    return Decimal(value)


# --- 1. attribution coverage ------------------------------------------------


def test_coverage_counts_each_fields_provenance(fixture_db: Query) -> None:
    coverage = {
        (service, field, provenance): (calls_, cost)
        for service, field, provenance, calls_, cost in fixture_db(
            "select service, ownership_field, provenance, sum(call_count), sum(cost_usd)"
            " from fct_llm_attribution_coverage where usage_month = '2025-10-01' group by all"
        )
    }
    # support-bot (OTLP): team, service and environment on the resource; the route from
    # the SERVER parent span; no cost center anywhere but the seed (CC-2040).
    assert coverage[("support-bot", "team", "telemetry")] == (2, d("2"))
    assert coverage[("support-bot", "route", "ancestor_span")] == (2, d("2"))
    assert coverage[("support-bot", "environment", "telemetry")] == (2, d("2"))
    assert coverage[("support-bot", "cost_center", "ownership_seed")] == (2, d("2"))
    # doc-indexer: 20 x $1, team and cost center from the seed.
    assert coverage[("doc-indexer", "team", "ownership_seed")] == (20, d("20"))
    assert coverage[("doc-indexer", "cost_center", "ownership_seed")] == (20, d("20"))
    assert coverage[("doc-indexer", "route", "telemetry")] == (20, d("20"))
    # growth-experiments: 9 x $1 without team; cost center on 5; environment on 6.
    assert coverage[("growth-experiments", "team", "missing")] == (9, d("9"))
    assert coverage[("growth-experiments", "cost_center", "telemetry")] == (5, d("5"))
    assert coverage[("growth-experiments", "cost_center", "missing")] == (4, d("4"))
    assert coverage[("growth-experiments", "environment", "telemetry")] == (6, d("6"))
    assert coverage[("growth-experiments", "environment", "missing")] == (3, d("3"))
    # billing-api: 6 x $1 without a route.
    assert coverage[("billing-api", "route", "missing")] == (6, d("6"))
    assert coverage[("billing-api", "team", "telemetry")] == (6, d("6"))


def test_fix_first_ranks_fields_by_unattributed_dollars(fixture_db: Query) -> None:
    assert fixture_db(
        "select fix_rank, service, ownership_field, missing_call_count, missing_cost_usd, missing_in_sources"
        " from fct_llm_attribution_fix_first order by usage_month, fix_rank"
    ) == [
        # October: team on growth-experiments ($9), then the route on billing-api ($6),
        # then growth-experiments' cost center ($4 = 3 + 1) and environment ($3).
        (1, "growth-experiments", "team", 9, d("9"), "app_logs"),
        (2, "billing-api", "route", 6, d("6"), "app_logs"),
        (3, "growth-experiments", "cost_center", 4, d("4"), "app_logs"),
        (4, "growth-experiments", "environment", 3, d("3"), "app_logs"),
    ]


# --- 2. change drivers ---------------------------------------------------------


def drivers(db: Query, dimension: str, value: str, period_start: str) -> tuple[Any, ...]:
    rows = db(
        "select previous_priced_call_count, priced_call_count, previous_cost_usd, cost_usd,"
        " cost_at_previous_prices_usd, cost_delta_usd, volume_effect_usd, mix_effect_usd,"
        " price_effect_usd, new_models, new_routes"
        " from fct_llm_cost_change_drivers where period_grain = 'month'"
        f" and dimension = '{dimension}' and dimension_value = '{value}' and period_start = '{period_start}'"
    )
    assert len(rows) == 1
    return rows[0]


def test_change_drivers_split_june_exactly(fixture_db: Query) -> None:
    # analytics, June vs May: N0 = 10, C0 = 0.30; N1 = 15 + 4 = 19, C1 = 0.12 + 0.003 = 0.123,
    # at May's prices 0.60 + 0.003 = 0.603.
    # delta = 0.123 - 0.30 = -0.177; volume = (19 - 10) x 0.30 / 10 = 0.27;
    # price = 0.123 - 0.603 = -0.48; mix = -0.177 - 0.27 + 0.48 = 0.033 (= 0.603 - 19 x 0.03).
    assert drivers(fixture_db, "team", "analytics", "2025-06-01") == (
        10, 19, d("0.30"), d("0.123"), d("0.603"),
        d("-0.177"), d("0.27"), d("0.033"), d("-0.48"), "openai/gpt-4o-mini", "monthly-digest",
    )
    # o3 alone: volume 5 x 0.03 = 0.15; price 0.12 - 0.60 = -0.48; mix 0.60 - 15 x 0.03 = 0.15.
    assert drivers(fixture_db, "model", "openai/o3", "2025-06-01")[5:9] == (
        d("-0.18"), d("0.15"), d("0.15"), d("-0.48"),
    )
    # gpt-4o-mini is new: all volume, no price change.
    assert drivers(fixture_db, "model", "openai/gpt-4o-mini", "2025-06-01")[5:9] == (
        d("0.003"), d("0.003"), d("0"), d("0"),
    )
    # July: analytics has no calls, the routes and models vanished: volume = -C0.
    assert fixture_db(
        "select cost_delta_usd, volume_effect_usd, mix_effect_usd, price_effect_usd, vanished_models,"
        " vanished_routes from fct_llm_cost_change_drivers where period_grain = 'month'"
        " and dimension = 'team' and dimension_value = 'analytics' and period_start = '2025-07-01'"
    ) == [(d("-0.123"), d("-0.123"), d("0"), d("0"), "openai/gpt-4o-mini, openai/o3",
           "monthly-digest, weekly-insights")]


# --- 3. spikes --------------------------------------------------------------------


def spikes(db: Query, team: str) -> dict[str, tuple[Any, ...]]:
    return {
        str(usage_date): rest
        for usage_date, *rest in db(
            "select usage_date, cost_usd, baseline_median_cost_usd, baseline_mad_cost_usd, robust_z_score,"
            " is_spike, probable_driver from fct_llm_cost_spikes"
            f" where dimension = 'team' and dimension_value = '{team}'"
        )
    }


def test_volume_spike_found_and_noisy_day_not_flagged(fixture_db: Query) -> None:
    support = spikes(fixture_db, "customer-experience")
    # September 29: $30 against September 1-28 (14 x $10, 14 x $20): median 15, MAD 5,
    # threshold 15 + 3.5 x 1.4826 x 5 = 40.95. Up 100% and $15, but within the noise:
    # robust z = 15 / 7.413 = 2.0235.
    assert support["2025-09-29"] == [d("30"), d("15"), d("5"), d("2.0235"), False, None]
    # September 30: $60 against September 2-29 (13 x 10, 14 x 20, 30): median 20, MAD 5,
    # threshold 45.95: a spike, 60 calls against a median of 20 at the same cost per call.
    assert support["2025-09-30"] == [d("60"), d("20"), d("5"), d("5.3959"), True, "volume"]
    september = {day: row for day, row in support.items() if day.startswith("2025-09")}
    assert [day for day, row in september.items() if row[4]] == ["2025-09-30"]


def test_model_change_spike(fixture_db: Query) -> None:
    payments = spikes(fixture_db, "payments")
    # A steady $2 a day (MAD 0, mean absolute deviation 0): threshold 2 + max($1, 50% x 2) = 3;
    # on September 29 the same calls on o3 cost $10, a model not seen in 28 days.
    assert payments["2025-09-29"] == [d("10"), d("2"), d("0"), None, True, "model_change"]
    assert fixture_db(
        "select new_models, new_model_cost_usd from fct_llm_cost_spikes"
        " where dimension = 'route' and dimension_value = '/v1/checkout/{cart_id}/summary'"
        " and usage_date = '2025-09-29'"
    ) == [("openai/o3", d("10"))]
    # Back to $2 the next day: no spike.
    assert payments["2025-09-30"][4] is False


# --- 4. budgets ------------------------------------------------------------------------


def test_budget_projected_run_out_day(fixture_db: Query) -> None:
    # search, as of October 10 (the last day with calls): $2 a day since the 1st = $20;
    # the last 7 days $14, $2 a day; forecast 20 + 14 x 21 / 7 = $62.
    # $50 budget: 20 + 2 x (d - 10) >= 50 first on d = 25.
    assert fixture_db(
        "select as_of_date, is_month_closed, month_to_date_cost_usd, run_rate_days, run_rate_usd_per_day,"
        " forecast_month_end_cost_usd, exhausted_on, projected_run_out_on, budget_status"
        " from fct_llm_budget_status where budget_id = 'search@start' and budget_month = '2025-10-01'"
    ) == [(date(2025, 10, 10), False, d("20"), 7, d("2"), d("62"), None, date(2025, 10, 25),
           "projected_to_run_out")]


def test_budget_exhausted_in_a_closed_month(fixture_db: Query) -> None:
    assert fixture_db(
        "select budget_id, month_to_date_cost_usd, forecast_month_end_cost_usd, exhausted_on,"
        " projected_run_out_on, budget_status, run_rate_usd_per_day"
        " from fct_llm_budget_status where budget_month = '2025-09-01' and month_to_date_cost_usd > 0"
        " order by budget_id"
    ) == [
        # 10 + 20 + ... reaches $150 on the 10th; September's $510 in all.
        ("customer-experience@start", d("510"), d("510"), date(2025, 9, 10), None, "exhausted", None),
        # $2 a day: $40 on the 20th for the team; the 15th for checkout-api's $30. $68 in all.
        ("payments/checkout-api@start", d("68"), d("68"), date(2025, 9, 15), None, "exhausted", None),
        ("payments@start", d("68"), d("68"), date(2025, 9, 20), None, "exhausted", None),
    ]


# --- 5. unit costs ----------------------------------------------------------------------


def test_mispriced_route_stands_out(fixture_db: Query) -> None:
    # October, production: every route pays $1 a request (200k tokens, $0.005 per 1k tokens)
    # except weekly-insights: $5 a request for 1M tokens, at the same price per token.
    assert fixture_db(
        "select service, route, cost_per_request_usd, cost_per_1k_tokens_usd, cost_per_request_vs_peers,"
        " cost_per_request_rank, is_cost_per_request_outlier, is_cost_per_1k_tokens_outlier"
        " from fct_llm_route_unit_costs where usage_month = '2025-10-01' and environment = 'production'"
        " order by cost_per_request_rank"
    ) == [
        ("insights-worker", "weekly-insights", d("5"), d("0.005"), d("5"), 1, True, False),
        ("billing-api", "unknown", d("1"), d("0.005"), d("1"), 2, False, False),
        ("doc-indexer", "nightly-reindex", d("1"), d("0.005"), d("1"), 3, False, False),
        ("growth-experiments", "/experiments/{experiment_id}/copy", d("1"), d("0.005"), d("1"), 4, False, False),
        ("support-bot", "/api/tickets/{ticket_id}/reply", d("1"), d("0.005"), d("1"), 5, False, False),
    ]


# --- tie-out on the bundled sample ---------------------------------------------------


def test_every_mart_ties_to_fct_llm_calls_on_the_sample(sample_db: Query) -> None:
    calls_, cost = sample_db("select count(*), sum(cost_usd) from fct_llm_calls")[0]
    assert calls_ > 100 and cost > 0

    assert sample_db("select count(*), sum(cost_usd) from fct_llm_call_ownership") == [(calls_, cost)]
    assert sample_db(
        "select ownership_field, sum(call_count), sum(cost_usd) from fct_llm_attribution_coverage"
        " group by all order by all"
    ) == [(field, calls_, cost) for field in ["cost_center", "environment", "route", "service", "team"]]
    assert sample_db(
        "select f.ownership_field, f.missing_cost_usd, c.cost from fct_llm_attribution_fix_first as f"
        " join (select usage_month, service, ownership_field, coalesce(sum(cost_usd), 0) as cost"
        "       from fct_llm_attribution_coverage where provenance = 'missing' group by all) as c"
        " using (usage_month, service, ownership_field) where f.missing_cost_usd != c.cost"
    ) == []

    for grain in ["month", "week"]:
        assert sample_db(
            "select dimension, sum(cost_usd), sum(call_count) from fct_llm_cost_change_drivers"
            f" where period_grain = '{grain}' group by all order by all"
        ) == [(dimension, cost, calls_) for dimension in ["model", "route", "service", "team", "total"]]
    assert sample_db(
        "select count(*) from fct_llm_cost_change_drivers"
        " where volume_effect_usd + mix_effect_usd + price_effect_usd != cost_delta_usd"
    ) == [(0,)]

    assert sample_db(
        "select dimension, sum(cost_usd), sum(call_count) from fct_llm_cost_spikes group by all order by all"
    ) == [(dimension, cost, calls_) for dimension in ["route", "service", "team"]]

    assert sample_db(
        "select sum(cost_usd), sum(call_count) from fct_llm_route_unit_costs"
    ) == [(cost, calls_)]

    # every budget's month to date = its team's (and service's) calls up to the as-of day
    assert sample_db(
        "select b.budget_id, b.month_to_date_cost_usd, coalesce(sum(c.cost_usd), 0)"
        " from fct_llm_budget_status as b left join fct_llm_calls as c"
        "   on c.team = b.team and (b.service is null or c.service = b.service)"
        "   and c.usage_date between b.budget_month and b.as_of_date"
        " group by all having b.month_to_date_cost_usd != coalesce(sum(c.cost_usd), 0)"
    ) == []
    assert sample_db("select count(*) from fct_llm_budget_status") == [(5,)]
