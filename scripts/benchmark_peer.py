"""The Python peer of docs/benchmarks.md: what a user might write instead of the
warehouse -- read the app logs line by line, drop unusable and duplicate
records, price every call with the genai-prices library, sum by day, team,
service, route, environment, provider and model.

    /tmp/peer-venv/bin/python scripts/benchmark_peer.py RAW_DIR OUT_CSV

Runs in its own environment (standard library + genai-prices, see
docs/benchmarks.md), never the project's. Reads logs/app/ only (JSONL and
CSV). Names come from the project's mapping seeds; prices come from
genai-prices' own data, so its totals differ from the price book's where the
two disagree or genai-prices lacks a model (such calls count as unpriced).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from genai_prices import Usage, calc_price

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GENAI_PRICES_PROVIDER = {
    "openai": "openai", "anthropic": "anthropic", "google": "google", "aws_bedrock": "aws",
    "azure_openai": "azure", "mistral": "mistral", "deepseek": "deepseek", "groq": "groq",
}


def seed(path: str) -> list[dict[str, str]]:
    with (PROJECT_ROOT / "seeds" / path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def records(raw_dir: Path) -> Iterator[dict[str, str]]:
    """Each app-log record once: exact duplicates (same line, or same CSV row in one
    file) and lines that are not JSON objects are skipped."""
    seen: set[bytes] = set()
    for path in sorted(raw_dir.glob("logs/app/**/*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                digest = hashlib.md5(line.encode()).digest()
                if digest in seen:
                    continue
                seen.add(digest)
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield {key: str(value) for key, value in record.items() if value is not None}
    for path in sorted(raw_dir.glob("logs/app/**/*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                digest = hashlib.md5(f"{path}:{sorted(row.items())}".encode()).digest()
                if digest not in seen:
                    seen.add(digest)
                    yield {key: value for key, value in row.items() if value}


def called_at(text: str) -> datetime:
    if text.replace(".", "", 1).isdigit():
        number = float(text)
        return datetime.fromtimestamp(number if number < 1e11 else number / 1000, UTC)
    return datetime.fromisoformat(text).astimezone(UTC)


def main(raw_dir: Path, out: Path) -> None:
    providers = {row["provider_alias"]: row["provider"] for row in seed("mappings/llm_provider_aliases.csv")}
    environments = {row["environment_alias"]: row["environment"]
                    for row in seed("mappings/environment_aliases.csv")}
    owners = {row["service_name"]: row["team"] for row in seed("ownership/service_ownership.csv")}
    totals: dict[tuple[str, ...], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for record in records(raw_dir):
        provider = providers.get(record.get("llm.provider", "").strip().lower())
        if provider is None:
            continue
        try:
            when = called_at(record["timestamp"].strip())
            input_tokens, output_tokens = int(record["llm.input_tokens"]), int(record["llm.output_tokens"])
            cache_read = int(record.get("llm.cache_read_tokens", 0))
            model = record["llm.model"].strip()
        except (KeyError, ValueError):
            continue
        environment = record.get("deployment.environment", "").strip().lower()
        service = record.get("service.name", "unknown")
        key = (
            when.date().isoformat(),
            record.get("team.id") or owners.get(service, "unattributed"),
            service,
            record.get("http.route") or record.get("job.name") or "unknown",
            environments.get(environment, environment or "unknown"),
            provider,
            model.lower(),
        )
        try:
            cost: Decimal | None = calc_price(
                Usage(input_tokens=input_tokens, cache_read_tokens=cache_read,
                      output_tokens=output_tokens),
                model_ref=model, provider_id=GENAI_PRICES_PROVIDER[provider],
                genai_request_timestamp=when,
            ).total_price
        except LookupError:
            cost = None
        row = totals[key]
        row[0] += 1
        row[1] += cost is None
        row[2] += cost or 0
        row[3] += input_tokens + output_tokens
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["usage_date", "team", "service", "route", "environment", "provider",
                         "model", "call_count", "unpriced_call_count", "cost_usd", "tokens"])
        for key in sorted(totals):
            writer.writerow([*key, *totals[key]])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
