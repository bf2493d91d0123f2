"""The monthly LLM cost report: one self-contained HTML file from the analyst database.

    .venv/bin/python scripts/report.py 2026-11 [--database PATH] [--output PATH]

Reads the published analyst database read-only (default: where the nightly
publishes it, LLM_COST_ANALYST_DUCKDB_PATH, else beside LLM_COST_DUCKDB_PATH,
else target/llm_cost.analyst.duckdb) and writes target/reports/llm_cost_report_<month>.html
(plotly.js inlined once: it opens offline, no CDN). Every panel is one query of
QUERIES below on the public marts (the README's "For FinOps and analysts" lists
them); the rows each panel shows are also embedded as JSON in
<script type="application/json" id="report-data">, which the tests compare with the marts.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.subplots import make_subplots

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nightly import analyst_path
from run_dbt import PROJECT_ROOT, database_path

Row = dict[str, Any]

# One query per panel, on the public marts, with $month = the first day of the month.
QUERIES: dict[str, str] = {
    "headline": """
select sum(cost_usd) as cost_usd, sum(call_count) as call_count,
    sum(unpriced_call_count) as unpriced_call_count,
    sum(input_tokens) + sum(output_tokens) as tokens,
    count(distinct team) as team_count
from fct_llm_cost_daily
where date_trunc('month', usage_date) = $month""",
    "team_daily": """
select usage_date, team, sum(cost_usd) as cost_usd, sum(call_count) as call_count
from fct_llm_cost_daily
where date_trunc('month', usage_date) = $month
group by all
order by usage_date, team""",
    "team_totals": """
select team,
    sum(cost_usd) filter (where date_trunc('month', usage_date) = $month) as cost_usd,
    sum(cost_usd) filter (where date_trunc('month', usage_date) = $month - interval 1 month)
        as previous_cost_usd,
    sum(call_count) filter (where date_trunc('month', usage_date) = $month) as call_count
from fct_llm_cost_daily
where usage_date >= $month - interval 1 month and usage_date < $month + interval 1 month
group by team
having sum(call_count) filter (where date_trunc('month', usage_date) = $month) > 0
order by cost_usd desc nulls last, team""",
    "top_services": """
select service, string_agg(distinct team, ', ' order by team) as teams,
    sum(cost_usd) as cost_usd, sum(call_count) as call_count
from fct_llm_cost_daily
where date_trunc('month', usage_date) = $month
group by service
order by cost_usd desc nulls last, service
limit 10""",
    "top_routes": """
select service, route, sum(cost_usd) as cost_usd, sum(call_count) as call_count,
    sum(cost_usd) / nullif(sum(call_count) - sum(unpriced_call_count), 0) as cost_per_call_usd
from fct_llm_cost_daily
where date_trunc('month', usage_date) = $month
group by service, route
order by cost_usd desc nulls last, service, route
limit 10""",
    "model_mix": """
select provider, model, sum(cost_usd) as cost_usd, sum(call_count) as call_count,
    sum(unpriced_call_count) as unpriced_call_count,
    sum(input_tokens) + sum(output_tokens) as tokens
from fct_llm_cost_daily
where date_trunc('month', usage_date) = $month
group by provider, model
order by cost_usd desc nulls last, provider, model""",
    "coverage": """
select ownership_field, provenance, sum(call_count) as call_count, sum(cost_usd) as cost_usd
from fct_llm_attribution_coverage
where usage_month = $month
group by ownership_field, provenance
order by ownership_field, provenance""",
    "fix_first": """
select fix_rank, service, ownership_field, missing_in_sources, missing_call_count,
    missing_cost_usd, pct_of_field_missing_cost, how_to_fix
from fct_llm_attribution_fix_first
where usage_month = $month
order by fix_rank
limit 10""",
    "change_drivers": """
select dimension, dimension_value, has_previous_period, previous_cost_usd, cost_usd, cost_delta_usd,
    volume_effect_usd, mix_effect_usd, price_effect_usd, new_models, new_routes
from fct_llm_cost_change_drivers
where period_grain = 'month' and period_start = $month and dimension in ('total', 'team')
order by dimension desc, abs(cost_delta_usd) desc, dimension_value""",
    "spikes": """
select usage_date, dimension, dimension_value, cost_usd, baseline_median_cost_usd,
    spike_threshold_usd, excess_cost_usd, probable_driver, new_routes, new_models
from fct_llm_cost_spikes
where is_spike and date_trunc('month', usage_date) = $month
order by usage_date, excess_cost_usd desc""",
    "spike_baseline": """
select count(*) as group_day_count, count(*) filter (where has_baseline) as with_baseline_count
from fct_llm_cost_spikes
where date_trunc('month', usage_date) = $month""",
    "budgets": """
select budget_id, team, service, monthly_budget_usd, as_of_date, month_to_date_cost_usd,
    budget_used_pct, run_rate_usd_per_day, forecast_month_end_cost_usd, forecast_over_budget_usd,
    exhausted_on, projected_run_out_on, budget_status, days_in_month
from fct_llm_budget_status
where budget_month = $month
order by budget_id""",
    "budget_burn": """
select budgets.budget_id, daily.usage_date,
    sum(sum(daily.cost_usd)) over (partition by budgets.budget_id order by daily.usage_date)
        as cumulative_cost_usd
from fct_llm_budget_status as budgets
inner join fct_llm_cost_daily as daily
    on daily.team = budgets.team
    and (budgets.service is null or daily.service = budgets.service)
    and date_trunc('month', daily.usage_date) = budgets.budget_month
    and daily.usage_date <= budgets.as_of_date
where budgets.budget_month = $month
group by budgets.budget_id, daily.usage_date
order by budgets.budget_id, daily.usage_date""",
    "invoice_vs_computed": """
select provider, has_invoice, invoice_total_usd, token_usage_usd, non_token_usage_usd, tax_usd,
    credit_usd, computed_usd, delta_usd, status, explanation
from fct_invoice_totals_monthly
where billing_month = $month
order by provider""",
    "chargeback": """
select provider, team, measured_usd, allocated_usd, chargeback_usd, provider_total_rounded_usd,
    chargeback_basis, allocation_rule, is_provisional
from fct_chargeback_monthly
where billing_month = $month
order by provider, team""",
}

PANEL_TITLES: dict[str, str] = {
    "team": "Cost by team over time",
    "top": "Top services and routes",
    "models": "Model mix",
    "coverage": "Attribution coverage, and the fields to fix first",
    "drivers": "Change drivers: volume, mix, price",
    "spikes": "Spikes",
    "budgets": "Budget burn-down",
    "invoices": "Invoice vs computed, per provider",
    "chargeback": "Chargeback (ties to the invoices)",
}

ERROR_CATCHER = """<script>
window.reportErrors = [];
window.addEventListener('error', function (event) {
  window.reportErrors.push(String(event.message));
  var box = document.getElementById('report-errors');
  if (box) { box.hidden = false; box.textContent += 'Script error: ' + event.message + '\\n'; }
});
</script>"""

STYLE = """<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; padding-top: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; } .note { color: #555; } .kpi { display: inline-block; margin-right: 2rem; }
.kpi b { display: block; font-size: 1.6rem; } #report-errors { color: #b00; }
</style>"""


@dataclass
class Report:
    month: date
    data: dict[str, list[Row]]
    sections: list[str]
    figure_count: int = 0

    def figure(self, figure: go.Figure) -> str:
        """The figure's div; the first one carries plotly.js inline, the others reuse it."""
        figure.update_layout(template="plotly_white", margin={"t": 40, "b": 40, "l": 60, "r": 20})
        self.figure_count += 1
        return figure.to_html(
            full_html=False, include_plotlyjs=self.figure_count == 1, include_mathjax=False,
            div_id=f"figure-{self.figure_count}", config={"displaylogo": False, "responsive": True},
        )


def parse_month(value: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM, got {value!r}")
    year, month = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12:
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM, got {value!r}")
    return date(year, month, 1)


def default_database() -> Path:
    return analyst_path(database_path(os.environ), dict(os.environ))


def fetch(connection: duckdb.DuckDBPyConnection, month: date) -> dict[str, list[Row]]:
    data: dict[str, list[Row]] = {}
    for name, sql in QUERIES.items():
        result = connection.execute(sql, {"month": month})
        columns = [column[0] for column in result.description]
        data[name] = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    return data


def jsonable(value: Any) -> Any:
    """Money stays exact in the embedded data: decimals as strings, dates as ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def num(value: Any) -> float:
    return float(value) if value is not None else 0.0


def usd(value: Any) -> str:
    """Dollars to the cent; amounts under $10 that are not whole cents to four places (small calls)."""
    if value is None:
        return ""
    amount = Decimal(value)
    places = 2 if abs(amount) >= 10 or amount == amount.quantize(Decimal("0.01")) else 4
    text = f"${abs(amount):,.{places}f}"
    return f"-{text}" if amount < 0 else text


def cell(value: Any, money: bool) -> str:
    if money:
        return f'<td class="num">{usd(value)}</td>'
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = f"{value:,}" if isinstance(value, int) else f"{float(value):,.2f}"
        return f'<td class="num">{text}</td>'
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def table(rows: list[Row], columns: list[str], table_id: str) -> str:
    if not rows:
        return '<p class="note">No rows this month.</p>'
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>" + "".join(cell(row[column], column.endswith("_usd")) for column in columns) + "</tr>"
        for row in rows
    )
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def section(key: str, intro: str, *parts: str) -> str:
    return (f'<section id="{key}"><h2>{html.escape(PANEL_TITLES[key])}</h2>'
            f'<p class="note">{intro}</p>{"".join(parts)}</section>')


def team_panel(report: Report) -> str:
    daily = report.data["team_daily"]
    figure = go.Figure()
    for team in sorted({row["team"] for row in daily}):
        rows = [row for row in daily if row["team"] == team]
        figure.add_bar(name=team, x=[row["usage_date"] for row in rows], y=[num(row["cost_usd"]) for row in rows])
    figure.update_layout(barmode="stack", title="Daily cost by team (USD)", yaxis_title="USD")
    return section("team", "Daily cost of priced calls by team (fct_llm_cost_daily); the table adds the previous "
                   "month and the calls.",
                   report.figure(figure),
                   table(report.data["team_totals"], ["team", "cost_usd", "previous_cost_usd", "call_count"],
                         "team-totals"))


def top_panel(report: Report) -> str:
    services, routes = report.data["top_services"], report.data["top_routes"]
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Top services", "Top routes"), horizontal_spacing=0.25)
    figure.add_bar(x=[num(row["cost_usd"]) for row in services][::-1], y=[row["service"] for row in services][::-1],
                   orientation="h", name="service", row=1, col=1)
    figure.add_bar(x=[num(row["cost_usd"]) for row in routes][::-1],
                   y=[f"{row['service']} {row['route']}" for row in routes][::-1],
                   orientation="h", name="route", row=1, col=2)
    figure.update_layout(showlegend=False, height=420)
    return section("top", "The ten dearest services and routes of the month (fct_llm_cost_daily).",
                   report.figure(figure),
                   table(services, ["service", "teams", "cost_usd", "call_count"], "top-services"),
                   table(routes, ["service", "route", "cost_usd", "call_count", "cost_per_call_usd"], "top-routes"))


def models_panel(report: Report) -> str:
    models = report.data["model_mix"]
    figure = go.Figure(go.Pie(labels=[f"{row['provider']}/{row['model']}" for row in models],
                              values=[num(row["cost_usd"]) for row in models], hole=0.45, sort=False))
    figure.update_layout(title="Share of cost by provider/model")
    return section("models", "Cost, calls and tokens per provider and model; unpriced calls carry no cost and "
                   "are counted apart (fct_llm_cost_daily).",
                   report.figure(figure),
                   table(models, ["provider", "model", "cost_usd", "call_count", "unpriced_call_count", "tokens"],
                         "model-mix"))


def coverage_panel(report: Report) -> str:
    coverage = report.data["coverage"]
    figure = go.Figure()
    for provenance in sorted({row["provenance"] for row in coverage}):
        rows = [row for row in coverage if row["provenance"] == provenance]
        figure.add_bar(name=provenance, y=[row["ownership_field"] for row in rows],
                       x=[num(row["cost_usd"]) for row in rows], orientation="h")
    figure.update_layout(barmode="stack", title="Cost by ownership field and where it came from (USD)")
    return section("coverage", "How each ownership field of the month's spend was attributed "
                   "(fct_llm_attribution_coverage), and the service and field to fix first, ranked by the "
                   "dollars they leave unattributed (fct_llm_attribution_fix_first).",
                   report.figure(figure),
                   table(report.data["fix_first"],
                         ["fix_rank", "service", "ownership_field", "missing_in_sources", "missing_call_count",
                          "missing_cost_usd", "pct_of_field_missing_cost", "how_to_fix"], "fix-first"))


def drivers_panel(report: Report) -> str:
    rows = report.data["change_drivers"]
    total = next((row for row in rows if row["dimension"] == "total"), None)
    teams = [row for row in rows if row["dimension"] == "team"]
    parts: list[str] = []
    if total is not None:
        figure = go.Figure(go.Waterfall(
            x=["previous month", "volume", "mix", "price", "this month"],
            measure=["absolute", "relative", "relative", "relative", "total"],
            y=[num(total["previous_cost_usd"]), num(total["volume_effect_usd"]), num(total["mix_effect_usd"]),
               num(total["price_effect_usd"]), 0],
        ))
        figure.update_layout(title="Total cost: previous month to this month (USD)")
        parts.append(report.figure(figure))
        if not total["has_previous_period"]:
            parts.append('<p class="note">No previous month with calls: everything is new (volume).</p>')
    parts.append(table(teams, ["dimension_value", "previous_cost_usd", "cost_usd", "cost_delta_usd",
                               "volume_effect_usd", "mix_effect_usd", "price_effect_usd", "new_models",
                               "new_routes"], "change-drivers"))
    return section("drivers", "Why spend changed against the previous month, split into volume (more or fewer "
                   "calls), mix (cost per call at constant prices) and price (price-book changes), which add "
                   "up to the delta (fct_llm_cost_change_drivers).", *parts)


def spikes_panel(report: Report) -> str:
    spikes = report.data["spikes"]
    baseline = report.data["spike_baseline"][0]
    parts: list[str] = []
    if spikes:
        figure = go.Figure(go.Scatter(
            x=[row["usage_date"] for row in spikes], y=[num(row["excess_cost_usd"]) for row in spikes],
            mode="markers", text=[f"{row['dimension']} {row['dimension_value']}" for row in spikes],
            marker={"size": 12}))
        figure.update_layout(title="Spike days: cost above the threshold (USD)")
        parts.append(report.figure(figure))
    else:
        parts.append(f'<p class="note">No spike this month ({baseline["with_baseline_count"]} of '
                     f'{baseline["group_day_count"]} group-days had a long enough baseline).</p>')
    parts.append(table(spikes, ["usage_date", "dimension", "dimension_value", "cost_usd",
                                "baseline_median_cost_usd", "spike_threshold_usd", "excess_cost_usd",
                                "probable_driver", "new_routes", "new_models"], "spikes"))
    return section("spikes", "Days whose cost of a team, service or route broke its own robust baseline "
                   "(median + MAD), with the probable driver (fct_llm_cost_spikes).", *parts)


def budgets_panel(report: Report) -> str:
    budgets, burn = report.data["budgets"], report.data["budget_burn"]
    figure = go.Figure()
    for budget in budgets:
        limit = num(budget["monthly_budget_usd"])
        rows = [row for row in burn if row["budget_id"] == budget["budget_id"]]
        used = [100 * num(row["cumulative_cost_usd"]) / limit if limit else 0.0 for row in rows]
        figure.add_scatter(name=budget["budget_id"], x=[row["usage_date"] for row in rows], y=used,
                                  mode="lines+markers", legendgroup=budget["budget_id"])
        month_end = date(report.month.year + report.month.month // 12, report.month.month % 12 + 1, 1)
        if rows and budget["forecast_month_end_cost_usd"] is not None and limit:
            figure.add_scatter(name=f"{budget['budget_id']} forecast", x=[rows[-1]["usage_date"], month_end],
                             y=[used[-1], 100 * num(budget["forecast_month_end_cost_usd"]) / limit],
                             mode="lines", line={"dash": "dot"}, legendgroup=budget["budget_id"],
                             showlegend=False)
    figure.add_hline(y=100, line_dash="dash", line_color="#b00", annotation_text="budget")
    figure.update_layout(title="Budget used, % (month to date, then forecast at the run rate)",
                         yaxis_title="% of monthly budget")
    return section("budgets", "Each budget of seeds/team_budgets.csv: cumulative spend as a share of the budget, "
                   "and the forecast to month end at the run rate (fct_llm_budget_status).",
                   report.figure(figure),
                   table(budgets, ["budget_id", "monthly_budget_usd", "month_to_date_cost_usd", "budget_used_pct",
                                   "run_rate_usd_per_day", "forecast_month_end_cost_usd",
                                   "forecast_over_budget_usd", "exhausted_on", "projected_run_out_on",
                                   "budget_status"], "budgets"))


def invoices_panel(report: Report) -> str:
    rows = report.data["invoice_vs_computed"]
    figure = go.Figure()
    providers = [row["provider"] for row in rows]
    figure.add_bar(name="invoiced, token usage", x=providers, y=[num(row["token_usage_usd"]) for row in rows])
    figure.add_bar(name="computed from telemetry", x=providers, y=[num(row["computed_usd"]) for row in rows])
    figure.add_bar(name="invoice total", x=providers, y=[num(row["invoice_total_usd"]) for row in rows])
    figure.update_layout(barmode="group", title="Invoice vs computed (USD)")
    return section("invoices", "Each provider's invoice against the cost computed from telemetry: only token "
                   "usage is compared; the total adds non-token usage, tax and credits "
                   "(fct_invoice_totals_monthly).",
                   report.figure(figure),
                   table(rows, ["provider", "has_invoice", "invoice_total_usd", "token_usage_usd",
                                "non_token_usage_usd", "tax_usd", "credit_usd", "computed_usd", "delta_usd",
                                "status", "explanation"], "invoices"))


def chargeback_panel(report: Report) -> str:
    rows = report.data["chargeback"]
    teams: dict[str, Decimal] = {}
    providers: dict[str, tuple[Decimal, Decimal]] = {}
    for row in rows:
        teams[row["team"]] = teams.get(row["team"], Decimal(0)) + row["chargeback_usd"]
        charged, total = providers.get(row["provider"], (Decimal(0), row["provider_total_rounded_usd"]))
        providers[row["provider"]] = (charged + row["chargeback_usd"], total)
    by_team = [{"team": team, "chargeback_usd": amount} for team, amount in sorted(teams.items())]
    tie_out = [{"provider": provider, "chargeback_usd": charged, "provider_total_rounded_usd": total,
                "ties": "yes" if charged == total else "NO"}
               for provider, (charged, total) in sorted(providers.items())]
    figure = go.Figure()
    for provider in sorted(providers):
        provider_rows = [row for row in rows if row["provider"] == provider]
        figure.add_bar(name=provider, x=[row["team"] for row in provider_rows],
                       y=[num(row["chargeback_usd"]) for row in provider_rows])
    figure.update_layout(barmode="stack", title="Chargeback by team and provider (USD)")
    return section("chargeback", "What each team is charged: its measured cost plus its share of the rest of "
                   "the invoice, in cents that add up to each invoice total (fct_chargeback_monthly).",
                   report.figure(figure),
                   table(by_team, ["team", "chargeback_usd"], "chargeback-by-team"),
                   table(tie_out, ["provider", "chargeback_usd", "provider_total_rounded_usd", "ties"],
                         "chargeback-tie-out"),
                   table(rows, ["provider", "team", "measured_usd", "allocated_usd", "chargeback_usd",
                                "chargeback_basis", "allocation_rule", "is_provisional"], "chargeback"))


def render(month: date, data: dict[str, list[Row]], database: Path) -> str:
    report = Report(month=month, data=data, sections=[])
    headline = data["headline"][0]
    panels = [team_panel(report), top_panel(report), models_panel(report), coverage_panel(report),
              drivers_panel(report), spikes_panel(report), budgets_panel(report), invoices_panel(report),
              chargeback_panel(report)]
    payload = {"month": month.isoformat(), "figure_count": report.figure_count,
               "panels": {name: [{key: jsonable(value) for key, value in row.items()} for row in rows]
                          for name, rows in data.items()}}
    embedded = json.dumps(payload, sort_keys=True).replace("</", "<\\/")
    kpis = "".join(f'<span class="kpi">{label}<b>{value}</b></span>' for label, value in [
        ("Cost", usd(headline["cost_usd"] or 0)), ("Calls", f"{headline['call_count'] or 0:,}"),
        ("Unpriced calls", f"{headline['unpriced_call_count'] or 0:,}"), ("Tokens", f"{headline['tokens'] or 0:,}"),
        ("Teams", f"{headline['team_count']:,}")])
    toc = "".join(f'<li><a href="#{key}">{html.escape(title)}</a></li>' for key, title in PANEL_TITLES.items())
    title = f"LLM cost report {month:%Y-%m}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{STYLE}'
            f"{ERROR_CATCHER}</head><body><h1>{title}</h1>"
            f'<p class="note">From {html.escape(database.name)}; money in USD at price-book prices, unpriced '
            f"calls counted apart. Queries: README, For FinOps and analysts, The monthly report.</p>"
            f'<pre id="report-errors" hidden></pre><div>{kpis}</div><ol>{toc}</ol>{"".join(panels)}'
            f'<script type="application/json" id="report-data">{embedded}</script></body></html>')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("month", type=parse_month, help="the month to report, YYYY-MM")
    parser.add_argument("--database", type=Path, default=None,
                        help="analyst database to read (default: the nightly's published file)")
    parser.add_argument("--output", type=Path, default=None,
                        help="HTML file to write (default: target/reports/llm_cost_report_<month>.html)")
    arguments = parser.parse_args(argv)
    month: date = arguments.month
    database: Path = arguments.database or default_database()
    output: Path = arguments.output or PROJECT_ROOT / "target" / "reports" / f"llm_cost_report_{month:%Y-%m}.html"
    if not database.is_file():
        print(f"report: no analyst database at {database} (run scripts/nightly.sh first, or pass --database)",
              file=sys.stderr)
        return 2
    connection = duckdb.connect(str(database), read_only=True)
    try:
        data = fetch(connection, month)
    finally:
        connection.close()
    if not data["headline"][0]["call_count"]:
        print(f"report: no calls in {month:%Y-%m} in {database}", file=sys.stderr)
        return 2
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    temporary.write_text(render(month, data, database), encoding="utf-8")
    temporary.replace(output)
    print(f"report: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
