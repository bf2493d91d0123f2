"""Render report sections: a terminal table (rich), JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from llm_cost_cli.report import Section

FORMATS = ("table", "json", "csv", "markdown")
_NUMBER = "\x00num:"


def money(value: Decimal) -> str:
    """$ with cents for large amounts, up to 6 decimals (trailing zeros dropped) for small ones."""
    if abs(value) >= 100:
        return f"${value:,.2f}"
    text = f"{value:.6f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}".replace("$-", "-$")


def cell(column: str, value: Any) -> str:
    """A value as the table and Markdown formats print it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        if column.endswith("_usd"):
            return money(value)
        if column.endswith("_pct"):
            return f"{value:.2f}%"
        return f"{value.normalize():f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _plain(value: Any) -> Any:
    """A JSON value; decimals keep their exact digits as JSON numbers."""
    if isinstance(value, Decimal):
        return f"{_NUMBER}{value.normalize():f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_json(sections: Sequence[Section], extra: dict[str, Any] | None = None) -> str:
    document: dict[str, Any] = dict(extra or {})
    for section in sections:
        records = [{key: _plain(value) for key, value in record.items()} for record in section.records()]
        document[section.name] = records[0] if section.vertical and records else records
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return re.sub(r'"\\u0000num:(-?[0-9.]+)"', r"\1", text)


def to_csv(sections: Sequence[Section]) -> str:
    """Each section as a CSV block (its own header, `section` first), blocks separated by a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for index, section in enumerate(sections):
        if index:
            out.write("\n")
        writer.writerow(["section", *section.columns])
        for row in section.rows:
            writer.writerow([section.name, *[
                "" if value is None else f"{value.normalize():f}" if isinstance(value, Decimal) else value
                for value in row
            ]])
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(sections: Sequence[Section]) -> str:
    lines: list[str] = []
    for section in map(vertical, sections):
        lines += [f"### {section.title}", ""]
        if not section.rows:
            lines += ["(none)", ""]
            continue
        lines.append("| " + " | ".join(section.columns) + " |")
        lines.append("|" + "|".join(" ---: " if _numeric(section, i) else " --- "
                                    for i in range(len(section.columns))) + "|")
        for row in section.rows:
            lines.append("| " + " | ".join(_escape(cell(c, v)) for c, v in zip(section.columns, row, strict=True))
                         + " |")
        if section.note:
            lines += ["", f"_{section.note}_"]
        lines.append("")
    return "\n".join(lines)


def _numeric(section: Section, index: int) -> bool:
    values = [row[index] for row in section.rows if row[index] is not None]
    return bool(values) and all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in values)


def vertical(section: Section) -> Section:
    """A one-row section as measure / value rows, each value formatted by its own column."""
    if not section.vertical:
        return section
    row = section.rows[0] if section.rows else [None] * len(section.columns)
    return Section(section.name, section.title, ["measure", "value"],
                   [[column, cell(column, value)] for column, value in zip(section.columns, row, strict=True)],
                   section.note)


def print_tables(sections: Sequence[Section], console: Console) -> None:
    for section in map(vertical, sections):
        table = Table(title=section.title, title_justify="left", title_style="bold", caption=section.note,
                      caption_justify="left", show_lines=False)
        for index, column in enumerate(section.columns):
            table.add_column(column, justify="right" if _numeric(section, index) else "left",
                             overflow="fold")
        for row in section.rows:
            table.add_row(*[cell(c, v) for c, v in zip(section.columns, row, strict=True)])
        if not section.rows:
            console.print(f"[bold]{section.title}[/bold]: (none)\n")
            continue
        console.print(table)
        console.print()
