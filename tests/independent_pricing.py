"""An independent pricing of calls from the seeds, in plain Python (no SQL, no dbt).

Tests compare the warehouse with it: it resolves the model ids the test
fixtures report (not every rule of the warehouse's resolver), picks the price
row in effect, and prices each billable bucket.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
MILLION = Decimal(1_000_000)


def seed(name: str) -> list[dict[str, str]]:
    (path,) = SEEDS.glob(f"**/{name}.csv")
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def price_key(provider: str, model_id: str, default_scope: str,
              aliases: dict[tuple[str, str], str], priced: set[tuple[str, str]]) -> tuple[str, str]:
    """(model, endpoint scope) for the ids the fixtures report: Bedrock geo prefix and
    version suffix, a dated snapshot, then the alias seed; the id itself when nothing fits."""
    model_id, scope = model_id.lower(), default_scope
    if provider == "aws_bedrock":
        geo, _, rest = model_id.partition(".")
        if geo in {"global", "us", "eu", "apac", "jp", "au", "ca"}:
            model_id, scope = rest, "global" if geo == "global" else "regional"
        model_id = re.sub(r"-v?\d+:\d+$", "", model_id)
    for candidate in (model_id, re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{8})$", "", model_id)):
        if (provider, candidate) in priced:
            return candidate, scope
        if (provider, candidate) in aliases:
            return aliases[(provider, candidate)], scope
    return model_id, scope


def in_daily_window(price: dict[str, str], time_of_day: str) -> bool:
    """The price row's daily UTC window [from, to) contains the time; it may wrap midnight."""
    start, end = price["utc_time_from"], price["utc_time_to"]
    if not start:
        return True
    if start < end:
        return start <= time_of_day < end
    return time_of_day >= start or time_of_day < end


@dataclass(frozen=True)
class Buckets:
    """Billable token buckets of one call; output includes reasoning."""

    uncached_input: int = 0
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    output: int = 0


class PriceBook:
    """The seeded price book, read once."""

    def __init__(self) -> None:
        self.prices = seed("llm_prices")
        self.scopes = {row["provider"]: row["default_endpoint_scope"] for row in seed("llm_providers")}
        self.aliases = {(row["provider"], row["model_alias"]): row["model"] for row in seed("llm_model_aliases")}
        self.priced = {(row["provider"], row["model"]) for row in self.prices}

    def price_row(self, provider: str, model_id: str, at: datetime, service_tier: str) -> dict[str, str] | None:
        """The row in effect for the call (UTC `at`), or None when the model is unpriced."""
        model, scope = price_key(provider, model_id, self.scopes[provider], self.aliases, self.priced)
        moment = at.strftime("%Y-%m-%d %H:%M:%S")
        matching = [p for p in self.prices
                    if (p["provider"], p["model"], p["endpoint_scope"], p["service_tier"])
                    == (provider, model, scope, service_tier)
                    and (p["effective_from"] or "0000") <= moment < (p["effective_to"] or "9999")
                    and in_daily_window(p, moment[11:])]
        assert len(matching) <= 1, matching
        return matching[0] if matching else None

    @staticmethod
    def cost(price: dict[str, str], buckets: Buckets) -> Decimal:
        """USD for the buckets. Above the long-context threshold (all input counts) every
        bucket takes its long-context price; an empty cache price is the input price."""
        all_input = buckets.uncached_input + buckets.cache_read + buckets.cache_write_5m + buckets.cache_write_1h
        threshold = price["long_context_threshold_tokens"]
        prefix = "long_context_" if threshold and all_input > int(threshold) else ""

        def rate(bucket: str, fallback: str = "input") -> Decimal:
            return Decimal(price[f"{prefix}{bucket}_usd_per_mtok"] or price[f"{prefix}{fallback}_usd_per_mtok"])

        return (buckets.uncached_input * rate("input")
                + buckets.cache_read * rate("cache_read")
                + buckets.cache_write_5m * rate("cache_write_5m")
                + buckets.cache_write_1h * rate("cache_write_1h")
                + buckets.output * rate("output")) / MILLION + Decimal(price["request_fee_usd"] or 0)
