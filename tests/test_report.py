"""The monthly report (scripts/report.py) on the published sample: it builds in
seconds into one offline HTML file, every figure it embeds equals the marts
(checked with SQL of the tests' own, not the report's queries), and it renders
in a real browser (headless Chromium: plotly drew its SVG, no script error).
The sample is built once per test run (conftest.publish_sample)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, PublishedSample

MONTH = "2026-11"
MONTH_START = "2026-11-01"


def run_report(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/report.py", *arguments], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(published_sample: PublishedSample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("report") / "report.html"
    started = time.monotonic()
    result = run_report(MONTH, "--database", str(published_sample.analyst), "--output", str(output))
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"report: wrote {output}"
    assert elapsed < 60, f"the report took {elapsed:.1f} s"
    return output


@pytest.fixture(scope="module")
def data(report: Path) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>',
                      report.read_text(encoding="utf-8"), re.DOTALL)
    assert found, "no report-data block"
    return json.loads(found.group(1).replace("<\\/", "</"))


@pytest.fixture(scope="module")
def marts(published_sample: PublishedSample) -> Any:
    connection = duckdb.connect(str(published_sample.analyst), read_only=True)

    def query(sql: str) -> list[tuple[Any, ...]]:
        return connection.execute(sql).fetchall()

    yield query
    connection.close()


def money(value: str | None) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def test_report_is_one_offline_file_with_plotly_inlined_once(report: Path, data: dict[str, Any]) -> None:
    text = report.read_text(encoding="utf-8")
    assert data["month"] == MONTH_START
    assert re.findall(r"<script[^>]*\ssrc=", text) == [], "no external script"
    assert "<link" not in text, "no external stylesheet"
    assert text.count("Plotly.newPlot(") == data["figure_count"] >= 8
    # plotly.js's own banner, once: the first figure carries the library, the others reuse it
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", text)) == 1
    for section in ("team", "top", "models", "coverage", "drivers", "spikes", "budgets", "invoices", "chargeback"):
        assert f'<section id="{section}">' in text


def test_cost_calls_and_tokens_equal_the_calls(data: dict[str, Any], marts: Any) -> None:
    panels = data["panels"]
    cost, calls, unpriced, tokens = marts(
        "select sum(cost_usd), count(*), count(*) filter (where not is_priced),"
        " sum(input_tokens) + sum(output_tokens)"
        f" from fct_llm_calls where date_trunc('month', usage_date) = '{MONTH_START}'")[0]
    headline = panels["headline"][0]
    assert (money(headline["cost_usd"]), headline["call_count"], headline["unpriced_call_count"],
            headline["tokens"]) == (cost, calls, unpriced, tokens)
    assert calls == 148 and cost > 0
    by_team = dict(marts("select team, sum(cost_usd) from fct_llm_calls"
                         f" where date_trunc('month', usage_date) = '{MONTH_START}' group by team"))
    daily: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in panels["team_daily"]:
        daily[row["team"]] += money(row["cost_usd"])
    assert dict(daily) == {team: value or Decimal(0) for team, value in by_team.items()}
    assert {row["team"]: money(row["cost_usd"]) for row in panels["team_totals"]} == daily
    assert sum(daily.values()) == cost


def test_top_services_routes_and_model_mix_equal_the_calls(data: dict[str, Any], marts: Any) -> None:
    panels = data["panels"]
    where = f"where date_trunc('month', usage_date) = '{MONTH_START}'"
    services = marts(f"select service, sum(cost_usd), count(*) from fct_llm_calls {where}"
                     " group by service order by 2 desc nulls last, 1 limit 10")
    assert [(row["service"], money(row["cost_usd"]) if row["cost_usd"] else None, row["call_count"])
            for row in panels["top_services"]] == services
    routes = marts(f"select service, route, count(*) from fct_llm_calls {where}"
                   " group by all order by sum(cost_usd) desc nulls last, 1, 2 limit 10")
    assert [(row["service"], row["route"], row["call_count"]) for row in panels["top_routes"]] == routes
    models = marts(f"select provider, model, coalesce(sum(cost_usd), 0), count(*) from fct_llm_calls {where}"
                   " group by all order by all")
    assert sorted((row["provider"], row["model"], money(row["cost_usd"]), row["call_count"])
                  for row in panels["model_mix"]) == models


def test_coverage_and_fix_first_equal_the_finops_marts(data: dict[str, Any], marts: Any) -> None:
    panels = data["panels"]
    month_cost = money(panels["headline"][0]["cost_usd"])
    by_field: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in panels["coverage"]:
        by_field[row["ownership_field"]] += money(row["cost_usd"])
    assert by_field and all(total == month_cost for total in by_field.values()), by_field
    missing_team = marts("select sum(cost_usd) from fct_llm_call_ownership"
                         f" where team_provenance = 'missing' and date_trunc('month', usage_date) = '{MONTH_START}'")
    assert sum(money(row["cost_usd"]) for row in panels["coverage"]
               if row["ownership_field"] == "team" and row["provenance"] == "missing") == missing_team[0][0]
    fix_first = marts("select fix_rank, service, ownership_field, missing_cost_usd from fct_llm_attribution_fix_first"
                      f" where usage_month = '{MONTH_START}' order by fix_rank limit 10")
    assert [(row["fix_rank"], row["service"], row["ownership_field"], money(row["missing_cost_usd"]))
            for row in panels["fix_first"]] == fix_first
    assert fix_first[0][1] == "growth-experiments"


def test_drivers_spikes_and_budgets_equal_the_finops_marts(data: dict[str, Any], marts: Any) -> None:
    panels = data["panels"]
    total = next(row for row in panels["change_drivers"] if row["dimension"] == "total")
    assert money(total["cost_usd"]) == money(panels["headline"][0]["cost_usd"])
    assert (money(total["volume_effect_usd"]) + money(total["mix_effect_usd"]) + money(total["price_effect_usd"])
            == money(total["cost_delta_usd"]))
    teams = marts("select dimension_value, cost_usd from fct_llm_cost_change_drivers where period_grain = 'month'"
                  f" and period_start = '{MONTH_START}' and dimension = 'team' order by 1")
    assert sorted((row["dimension_value"], money(row["cost_usd"])) for row in panels["change_drivers"]
                  if row["dimension"] == "team") == teams
    spikes = marts("select count(*) from fct_llm_cost_spikes"
                   f" where is_spike and date_trunc('month', usage_date) = '{MONTH_START}'")[0][0]
    assert len(panels["spikes"]) == spikes
    budgets = dict(marts("select budget_id, month_to_date_cost_usd from fct_llm_budget_status"
                         f" where budget_month = '{MONTH_START}'"))
    assert budgets and {row["budget_id"]: money(row["month_to_date_cost_usd"]) for row in panels["budgets"]} == budgets
    # the burn-down ends at each budget's month-to-date spend
    last: dict[str, Decimal] = {}
    for row in panels["budget_burn"]:
        last[row["budget_id"]] = money(row["cumulative_cost_usd"])
    assert last == {budget: cost for budget, cost in budgets.items() if cost}


def test_invoices_and_chargeback_tie_to_the_invoice_totals(report: Path, data: dict[str, Any], marts: Any) -> None:
    panels = data["panels"]
    columns = ["provider", "has_invoice", "invoice_total_usd", "token_usage_usd", "computed_usd", "delta_usd",
               "status"]
    totals = marts(f"select {', '.join(columns)} from fct_invoice_totals_monthly"
                   f" where billing_month = '{MONTH_START}' order by provider")
    assert [tuple(row[column] for column in columns) for row in panels["invoice_vs_computed"]] == [
        tuple(str(value) if isinstance(value, Decimal) else value for value in row) for row in totals]
    assert {row[0] for row in totals} >= {"anthropic", "openai"}
    chargeback: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in panels["chargeback"]:
        chargeback[row["provider"]] += money(row["chargeback_usd"])
    invoiced = dict(marts("select provider, invoice_total_rounded_usd from fct_invoice_totals_monthly"
                          f" where billing_month = '{MONTH_START}' and has_invoice"))
    assert invoiced and all(chargeback[provider] == total for provider, total in invoiced.items())
    rows = marts("select provider, team, chargeback_usd from fct_chargeback_monthly"
                 f" where billing_month = '{MONTH_START}' order by provider, team")
    assert [(row["provider"], row["team"], money(row["chargeback_usd"])) for row in panels["chargeback"]] == rows
    # the tables show the same cents, and say that every provider ties
    text = report.read_text(encoding="utf-8")
    tie_out = text[text.index('<table id="chargeback-tie-out">'):]
    tie_out = tie_out[:tie_out.index("</table>")]
    assert tie_out.count("<td>yes</td>") == len(chargeback) and "<td>NO</td>" not in tie_out
    for _provider, _team, amount in rows:
        assert f"${amount:,.2f}" in text


def test_report_refuses_a_missing_database_and_a_bad_month(tmp_path: Path) -> None:
    missing = run_report(MONTH, "--database", str(tmp_path / "absent.duckdb"), "--output", str(tmp_path / "r.html"))
    assert missing.returncode == 2 and "no analyst database" in missing.stderr
    assert run_report("2026-13").returncode == 2
    assert not (tmp_path / "r.html").exists()


def test_seed_docs_are_persisted(published_sample: PublishedSample, marts: Any) -> None:
    undocumented = marts("select table_name from duckdb_tables() where schema_name = 'seeds'"
                         " and coalesce(comment, '') = ''")
    assert undocumented == []
    assert marts("select count(*) from duckdb_columns() where schema_name = 'seeds'"
                 " and table_name = 'team_budgets' and coalesce(comment, '') <> ''")[0][0] >= 5


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_headless_chromium(report: Path, data: dict[str, Any], tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium; scripts/test.sh installs it "
                    "when it runs as root): the report's rendering in a real browser was not checked")
    result = subprocess.run(
        [browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    dom, log = result.stdout, result.stderr
    console_errors = [line for line in log.splitlines() if "Uncaught" in line or ":ERROR:CONSOLE" in line]
    assert console_errors == [], "\n".join(console_errors)
    assert '<pre id="report-errors" hidden=""></pre>' in dom, "a script error was caught on the page"
    # every figure was drawn: plotly writes its SVG layers into each figure's div
    starts = [dom.find(f'id="figure-{figure}"') for figure in range(1, data["figure_count"] + 1)] + [len(dom)]
    assert -1 not in starts, "a figure's div is missing from the page"
    drawn = [figure for figure, (start, end) in enumerate(pairwise(starts), 1)
             if 'class="main-svg"' in dom[start:end]]
    assert len(drawn) == data["figure_count"], f"drawn: {drawn} of {data['figure_count']}"
    assert dom.count('class="main-svg"') >= data["figure_count"]
    assert "<h2>Chargeback (ties to the invoices)</h2>" in dom


def test_readme_shows_every_query_of_the_report() -> None:
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    from report import QUERIES

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name, sql in QUERIES.items()
               if sql.strip().replace("$month", "date '2026-11-01'") not in readme]
    assert missing == [], f"README, The monthly report, lacks the query of: {missing}"
