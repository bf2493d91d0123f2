"""Explain the difference between two exports (OLD and NEW), each built by the pipeline into its own
warehouse: volume, mix and price effects that add up to the cost delta, new and vanished models and
routes, and coverage gained or lost.

The split is the one fct_llm_cost_change_drivers documents (models/marts/finops/_finops__docs.md,
finops_change_drivers), with N0, N1 the priced calls and C0, C1 the cost of OLD and NEW:

    volume = (N1 - N0) x C0 / N0   (C0 / N0 as allocate_share computes it; N0 = 0: all volume, C1@P0)
    price  = C1 - C1@P0
    mix    = delta - volume - price

C1@P0, NEW's calls at OLD's prices, is read from NEW's fct_llm_calls: each call's cost at the price
row of its key one calendar month (`cost_at_previous_month_prices_usd`) or seven days
(`cost_at_previous_week_prices_usd`) earlier. The
period is chosen from the gap between the exports' first days (28 days or more: month; 7 or more:
week; less: `none`, no re-pricing, so the price effect is 0), or given with --period.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from llm_cost_cli.report import OWNERSHIP_FIELDS, Section, others_label, pct

DIMENSIONS = {
    "total": "'all'",
    "team": "calls.team",
    "service": "calls.service",
    "route": "calls.route",
    "model": "calls.provider || '/' || calls.model",
}
# duckdb__allocate_share (macros/billing/allocate_cents.sql): amount x weight / total, toward zero at 1e-12.
ALLOCATE_SHARE = """cast(cast(cast(({amount}) * 1000000000000 as hugeint) * cast(round(({weight}) * 1000000) as hugeint)
    // nullif(cast(round(({total}) * 1000000) as hugeint), 0) as decimal(38, 0))
    * cast(0.000000000001 as decimal(13, 12)) as decimal(38, 12))"""


def choose_period(old_first: date | None, new_first: date | None) -> str:
    if old_first is None or new_first is None:
        return "none"
    gap = (new_first - old_first).days
    return "month" if gap >= 28 else "week" if gap >= 7 else "none"


def _groups(calls: str, value: str, period: str) -> str:
    at_previous = f"calls.cost_at_previous_{period}_prices_usd" if period in ("month", "week") else "calls.cost_usd"
    return f"""
        select {value} as value, count(*) as calls, count(*) filter (where calls.is_priced) as priced,
            coalesce(sum(calls.cost_usd), 0) as cost,
            coalesce(sum({at_previous}) filter (where calls.is_priced), 0) as cost_at_old_prices
        from {calls} as calls
        group by all"""


def compare_report(old_database: str, new_database: str, period: str, top: int) -> tuple[list[Section], str]:
    connection = duckdb.connect(new_database, read_only=True)
    try:
        connection.execute(f"attach '{old_database.replace(chr(39), chr(39) * 2)}' as old (read_only)")
        old_first = connection.execute("select min(usage_date) from old.main.fct_llm_calls").fetchone()[0]
        new_first = connection.execute("select min(usage_date) from main.fct_llm_calls").fetchone()[0]
        if period == "auto":
            period = choose_period(old_first, new_first)
        sections = [_summary(connection, old_first, new_first, period)]
        sections.append(_drivers(connection, period, top))
        sections.append(_members(connection))
        sections.append(_coverage(connection))
        return sections, period
    finally:
        connection.close()


def _summary(connection: duckdb.DuckDBPyConnection, old_first: date | None, new_first: date | None,
             period: str) -> Section:
    if period == "none":
        how = ("NEW is not re-priced (price effect 0): the exports' first days are under 7 days apart; "
               "--period month|week re-prices it")
    else:
        shift = "one month" if period == "month" else "7 days"
        how = f"NEW's calls re-priced at the price rows in effect {shift} earlier"
    section = Section("compare_totals", "OLD vs NEW", [
        "old_calls", "new_calls", "old_priced_calls", "new_priced_calls", "old_cost_usd", "new_cost_usd",
        "cost_delta_usd", "old_first_day", "old_last_day", "new_first_day", "new_last_day", "price_period",
    ], vertical=True, note=f"price_period {period}: {how}.")
    rows = {}
    for label, schema in (("old", "old.main"), ("new", "main")):
        rows[label] = connection.execute(f"""
            select count(*), count(*) filter (where is_priced), coalesce(sum(cost_usd), 0),
                min(usage_date), max(usage_date)
            from {schema}.fct_llm_calls""").fetchone()
    old, new = rows["old"], rows["new"]
    section.rows = [[old[0], new[0], old[1], new[1], old[2], new[2], new[2] - old[2],
                     str(old[3]), str(old[4]), str(new[3]), str(new[4]), period]]
    del old_first, new_first
    return section


def _drivers(connection: duckdb.DuckDBPyConnection, period: str, top: int) -> Section:
    section = Section(
        "compare_drivers", "Why the cost changed: volume + mix + price = delta",
        ["dimension", "value", "old_priced_calls", "new_priced_calls", "old_cost_usd", "new_cost_usd",
         "delta_usd", "volume_usd", "mix_usd", "price_usd", "status"],
        note="volume = (N1 - N0) x C0 / N0; price = C1 - C1 at OLD's prices; mix = the rest "
             "(cost per call at constant prices: model mix, tokens per call, cache use).",
    )
    for dimension, value in DIMENSIONS.items():
        volume = ALLOCATE_SHARE.format(amount="c0", weight="n1 - n0", total="n0")
        rows = connection.execute(f"""
            with
            old_groups as ({_groups('old.main.fct_llm_calls', value, period='none')}),
            new_groups as ({_groups('main.fct_llm_calls', value, period)}),
            joined as (
                select coalesce(new_groups.value, old_groups.value) as value,
                    coalesce(old_groups.priced, 0) as n0, coalesce(new_groups.priced, 0) as n1,
                    coalesce(old_groups.cost, 0) as c0, coalesce(new_groups.cost, 0) as c1,
                    coalesce(new_groups.cost_at_old_prices, 0) as c1p0,
                    case when old_groups.value is null then 'new'
                        when new_groups.value is null then 'vanished' else '' end as status
                from new_groups full outer join old_groups on new_groups.value = old_groups.value
            ),
            split as (
                select *, c1 - c0 as delta,
                    case when n0 = 0 then c1p0 else {volume} end as volume,
                    c1 - c1p0 as price
                from joined
            )
            select value, n0, n1, c0, c1, delta, volume, delta - volume - price as mix, price, status
            from split order by abs(delta) desc, value""").fetchall()
        shown = rows if dimension == "total" else rows[:top]
        for row in shown:
            section.rows.append([dimension, *row[:7], row[7], row[8], row[9] or None])
        rest = rows[len(shown):]
        if rest:
            sums = [sum((row[index] for row in rest), Decimal(0)) for index in range(1, 9)]
            section.rows.append([dimension, others_label(len(rest)), int(sums[0]), int(sums[1]), *sums[2:], None])
    return section


def _members(connection: duckdb.DuckDBPyConnection) -> Section:
    section = Section("compare_new_vanished", "New and vanished models and routes",
                      ["kind", "value", "status", "old_cost_usd", "new_cost_usd"])
    for kind, value in (("model", DIMENSIONS["model"]), ("route", DIMENSIONS["route"])):
        for row in connection.execute(f"""
                with
                old_values as (select {value} as value, coalesce(sum(calls.cost_usd), 0) as cost
                    from old.main.fct_llm_calls as calls group by 1),
                new_values as (select {value} as value, coalesce(sum(calls.cost_usd), 0) as cost
                    from main.fct_llm_calls as calls group by 1)
                select coalesce(new_values.value, old_values.value),
                    case when old_values.value is null then 'new' else 'vanished' end,
                    old_values.cost, new_values.cost
                from new_values full outer join old_values on new_values.value = old_values.value
                where old_values.value is null or new_values.value is null
                order by 2, 1""").fetchall():
            section.rows.append([kind, *row])
    return section


def _coverage(connection: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        "compare_coverage", "Coverage gained or lost (share carrying the field in telemetry)",
        ["field", "old_calls_pct", "new_calls_pct", "calls_change_pp", "old_cost_pct", "new_cost_pct",
         "cost_change_pp"],
        note="pp: percentage points (NEW minus OLD).",
    )
    shares: dict[str, dict[str, tuple[Any, Any]]] = {}
    for label, schema in (("old", "old.main"), ("new", "main")):
        for field_name, calls, carried_calls, cost, carried_cost in connection.execute(f"""
                select ownership_field, sum(call_count),
                    sum(call_count) filter (where provenance in ('telemetry', 'ancestor_span', 'other_source')),
                    coalesce(sum(cost_usd), 0),
                    coalesce(sum(cost_usd) filter (
                        where provenance in ('telemetry', 'ancestor_span', 'other_source')), 0)
                from {schema}.fct_llm_attribution_coverage group by 1""").fetchall():
            shares.setdefault(field_name, {})[label] = (pct(carried_calls or 0, calls), pct(carried_cost, cost))
    for field_name in OWNERSHIP_FIELDS:
        old = shares.get(field_name, {}).get("old", (None, None))
        new = shares.get(field_name, {}).get("new", (None, None))
        section.rows.append([
            field_name, old[0], new[0], None if old[0] is None or new[0] is None else new[0] - old[0],
            old[1], new[1], None if old[1] is None or new[1] is None else new[1] - old[1],
        ])
    return section
