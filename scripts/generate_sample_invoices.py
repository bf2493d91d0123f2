"""Write vendor invoice exports under data/sample/invoices/ that bill the
bundled sample telemetry (deterministic).

The sample telemetry is built into a temporary DuckDB file; its billed calls,
per day, provider, reported model, team and token bucket, are billed in each
vendor's own export format:

    invoices/openai/2026-11/costs_page_{1,2}.json   OpenAI Costs API pages
    invoices/anthropic/2026-11/cost_report.json     Anthropic cost report (cents)
    invoices/aws_cur/BILLING_PERIOD=2026-11/...gz   AWS CUR 2.0, Bedrock via Marketplace
    invoices/focus/gcp/2026-11/focus_cost.csv       FOCUS 1.2 export of Vertex AI

Every token line bills exactly the computed cost and tokens, except usage of
models the price book does not know, which the vendor bills at
UNPRICED_USD_PER_MTOK (reconciliation shows it `over`, `unpriced_usage`).
Beside the usage there is a web-search line (OpenAI), a code-execution line
(Anthropic), a tax, a credit and an EC2 row out of scope (AWS) and a credit
(Google). Billing scopes and model names come from seeds/billing/.

    python scripts/generate_sample_invoices.py [raw_dir]
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MILLION = Decimal(1_000_000)
UNPRICED_USD_PER_MTOK = {"input": Decimal("10"), "cache_read": Decimal("1"),
                         "cache_write": Decimal("10"), "output": Decimal("40")}
AWS_ACCOUNT = "111122223333"
GCP_PROJECT = "acme-ai-prod"


@dataclass(frozen=True)
class Usage:
    """Billed tokens of one day, provider, reported model, team and bucket."""

    usage_date: date
    provider: str
    reported_model: str
    model: str
    team: str
    bucket: str
    tokens: int
    cost_usd: Decimal | None

    @property
    def billed_usd(self) -> Decimal:
        if self.cost_usd is not None:
            return self.cost_usd
        return self.tokens * UNPRICED_USD_PER_MTOK[self.bucket] / MILLION


USAGE_SQL = " union all ".join(
    f"""select usage_date, provider, reported_model, model, team, '{bucket}',
               sum({tokens})::bigint, sum({cost})
        from fct_llm_calls group by all having sum({tokens}) > 0"""
    for bucket, tokens, cost in [
        ("input", "uncached_input_tokens", "input_cost_usd"),
        ("cache_read", "cache_read_tokens", "cache_read_cost_usd"),
        ("cache_write", "cache_write_tokens", "cache_write_cost_usd"),
        ("output", "output_tokens", "output_cost_usd"),
    ]
) + " order by all"


def sample_usage(warehouse: Path) -> list[Usage]:
    """The billed usage of a built warehouse, per token bucket."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [Usage(*row) for row in connection.execute(USAGE_SQL).fetchall()]
    finally:
        connection.close()


def build_sample(raw_dir: Path, workdir: Path) -> Path:
    """Build the telemetry marts of `raw_dir` into a DuckDB file under `workdir`."""
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    from run_dbt import run_dbt

    warehouse = workdir / "sample.duckdb"
    os.environ.update({"LLM_COST_RAW_DIR": str(raw_dir), "LLM_COST_DUCKDB_PATH": str(warehouse)})
    exit_code = run_dbt(["build", "--quiet", "--select", "+fct_llm_calls",
                         "--indirect-selection", "cautious",
                         "--target-path", str(workdir / "dbt_target")])
    if exit_code != 0:
        raise SystemExit(f"dbt build of the sample failed ({exit_code})")
    return warehouse


def seed_rows(name: str) -> list[dict[str, str]]:
    with (PROJECT_ROOT / "seeds/billing" / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def scope_key_of_team(provider: str) -> dict[str, str]:
    """Invoice scope key (project, workspace, profile ARN) of each team with its own scope."""
    return {row["team"]: row["invoice_scope_key"] for row in seed_rows("billing_scopes")
            if row["provider"] == provider and row["team"] and row["invoice_scope_key"]}


def invoice_name_of_model() -> dict[str, str]:
    return {row["model"]: row["invoice_model_name"] for row in seed_rows("invoice_model_names")}


def text(amount: Decimal) -> str:
    """A decimal amount as plain text, without exponent or trailing zeros."""
    return f"{amount.normalize():f}" if amount else "0"


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def iso(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def by_day(usage: list[Usage], provider: str) -> dict[date, list[Usage]]:
    days: defaultdict[date, list[Usage]] = defaultdict(list)
    for row in usage:
        if row.provider == provider:
            days[row.usage_date].append(row)
    return dict(sorted(days.items()))


def openai_pages(usage: list[Usage]) -> list[dict[str, Any]]:
    """Costs API pages grouped by project and line item, two days per page."""
    directions = {"input": "input", "cache_read": "cached input",
                  "cache_write": "cache write", "output": "output"}
    projects = scope_key_of_team("openai")
    buckets = []
    for day, rows in by_day(usage, "openai").items():
        results = [{
            "object": "organization.costs.result",
            "amount": {"value": text(row.billed_usd), "currency": "usd"},
            "line_item": f"{row.reported_model}, {directions[row.bucket]}",
            "project_id": projects.get(row.team, "proj_Default4Zt9"),
            "quantity": row.tokens,
            "quantity_unit": "tokens",
        } for row in rows]
        if not buckets:
            results.append({"object": "organization.costs.result",
                            "amount": {"value": "0.025", "currency": "usd"},
                            "line_item": "web search tool calls",
                            "project_id": projects["payments"],
                            "quantity": None, "quantity_unit": None})
        buckets.append({"object": "bucket", "start_time": epoch(day),
                        "end_time": epoch(day + timedelta(days=1)), "results": results})
    pages = [buckets[:2], buckets[2:]]
    return [{"object": "page", "data": page, "has_more": number == 0,
             "next_page": "page_2" if number == 0 else None}
            for number, page in enumerate(pages)]


def anthropic_page(usage: list[Usage]) -> dict[str, Any]:
    """Cost report grouped by workspace and description; amounts in cents."""
    token_types = {"input": ("uncached_input_tokens", "Input Tokens"),
                   "cache_read": ("cache_read_input_tokens", "Cache Read"),
                   "cache_write": ("cache_creation.ephemeral_5m_input_tokens", "Cache Write (5m)"),
                   "output": ("output_tokens", "Output Tokens")}
    workspaces = scope_key_of_team("anthropic")
    buckets = []
    days = by_day(usage, "anthropic")
    for day, rows in days.items():
        results = [{
            "amount": text(row.billed_usd * 100), "currency": "USD", "cost_type": "tokens",
            "description": f"{row.model} Usage - {token_types[row.bucket][1]}",
            "model": row.reported_model, "service_tier": "standard",
            "token_type": token_types[row.bucket][0], "context_window": "0-200k",
            "inference_geo": None, "workspace_id": workspaces.get(row.team),
        } for row in rows]
        if day == max(days):
            results.append({"amount": "5.00000", "currency": "USD", "cost_type": "code_execution",
                            "description": "Code Execution Usage", "model": None,
                            "service_tier": None, "token_type": None, "context_window": None,
                            "inference_geo": None,
                            "workspace_id": workspaces["customer-experience"]})
        buckets.append({"starting_at": iso(day), "ending_at": iso(day + timedelta(days=1)),
                        "results": results})
    return {"data": buckets, "has_more": False, "next_page": None}


CUR_COLUMNS = [
    "identity_line_item_id", "identity_time_interval", "bill_invoice_id", "bill_billing_entity",
    "bill_payer_account_id", "bill_billing_period_start_date", "line_item_usage_account_id",
    "line_item_line_item_type", "line_item_usage_start_date", "line_item_usage_end_date",
    "line_item_product_code", "line_item_usage_type", "line_item_resource_id",
    "line_item_usage_amount", "line_item_currency_code", "line_item_unblended_rate",
    "line_item_unblended_cost", "line_item_line_item_description", "product_product_family",
    "product_region_code", "product", "pricing_unit", "resource_tags",
]


def cur_rows(usage: list[Usage]) -> list[dict[str, str]]:
    """CUR 2.0 rows: Claude on Bedrock sold through AWS Marketplace, in millions of tokens."""
    usage_types = {"input": "InputTokenCount", "cache_read": "CacheReadInputTokenCount",
                   "cache_write": "CacheWriteInputTokenCount", "output": "OutputTokenCount"}
    names, profiles = invoice_name_of_model(), scope_key_of_team("aws_bedrock")
    rows: list[dict[str, str]] = []

    def add(day: date, line_type: str, product_code: str, cost: Decimal, **columns: str) -> None:
        rows.append({
            "identity_line_item_id": f"li{len(rows) + 1:05d}",
            "identity_time_interval": f"{iso(day)}/{iso(day + timedelta(days=1))}",
            "bill_invoice_id": "", "bill_payer_account_id": AWS_ACCOUNT,
            "bill_billing_period_start_date": iso(day.replace(day=1)),
            "line_item_usage_account_id": AWS_ACCOUNT, "line_item_line_item_type": line_type,
            "line_item_usage_start_date": iso(day),
            "line_item_usage_end_date": iso(day + timedelta(days=1)),
            "line_item_product_code": product_code, "line_item_currency_code": "USD",
            "line_item_unblended_cost": f"{cost:.10f}", "product_region_code": "us-east-1",
            "resource_tags": "{}", **columns,
        })

    days = by_day(usage, "aws_bedrock")
    for day, day_rows in days.items():
        for row in day_rows:
            name = names[row.model]
            product = {"product_name": f"{name} (Amazon Bedrock Edition)", "provider": "Anthropic",
                       "model": name, "inference_type": row.bucket.replace("_", " ") + " tokens",
                       "feature": "On-demand Inference"}
            millions = Decimal(row.tokens) / MILLION
            add(day, "Usage", "c8sq1l6dzq3y8bpv0ex5u3w5v", row.billed_usd,
                bill_billing_entity="AWS Marketplace",
                line_item_usage_type=f"USE1-MP:USE1_{usage_types[row.bucket]}-Units",
                line_item_resource_id=profiles.get(row.team, ""),
                line_item_usage_amount=text(millions),
                line_item_unblended_rate=text(row.billed_usd / millions),
                line_item_line_item_description=f"{product['product_name']} {product['inference_type']}",
                product_product_family="Amazon Bedrock", product=json.dumps(product),
                pricing_unit="Units", resource_tags=json.dumps({"user_team": row.team}))
    last_day = max(days)
    add(last_day, "Tax", "c8sq1l6dzq3y8bpv0ex5u3w5v", Decimal("0.01"),
        bill_billing_entity="AWS Marketplace", product_product_family="Amazon Bedrock",
        line_item_line_item_description="Tax for product code c8sq1l6dzq3y8bpv0ex5u3w5v")
    add(last_day, "Credit", "AmazonBedrock", Decimal("-0.02"), bill_billing_entity="AWS",
        product_product_family="Amazon Bedrock",
        line_item_line_item_description="AWS Activate credit")
    add(last_day, "Usage", "AmazonEC2", Decimal("1.2345"), bill_billing_entity="AWS",
        line_item_usage_type="USE1-BoxUsage:t3.medium", line_item_usage_amount="24",
        line_item_unblended_rate="0.0514375", product_product_family="Compute Instance",
        pricing_unit="Hrs", line_item_line_item_description="t3.medium On Demand Linux")
    return rows


FOCUS_COLUMNS = [
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
    "ChargePeriodEnd", "ChargePeriodStart", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "EffectiveCost", "HostProviderName", "InvoiceIssuerName", "ListCost", "PricingQuantity",
    "PricingUnit", "ProviderName", "PublisherName", "RegionId", "ServiceCategory", "ServiceName",
    "ServiceProviderName", "ServiceSubcategory", "SkuId", "SubAccountId", "SubAccountName", "Tags",
]


def focus_rows(usage: list[Usage]) -> list[dict[str, str]]:
    """FOCUS 1.2 rows of Gemini on Vertex AI, as Google Cloud's FOCUS view writes them."""
    kinds = {"input": "Text Input", "cache_read": "Cached Text Input",
             "cache_write": "Text Input Caching", "output": "Text Output"}
    rows: list[dict[str, str]] = []

    def add(day: date, category: str, cost: Decimal, **columns: str) -> None:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        rows.append({
            "BilledCost": f"{cost:.12f}", "BillingAccountId": "01A2B3-C4D5E6-F7A8B9",
            "BillingAccountName": "Acme billing", "BillingCurrency": "USD",
            "BillingPeriodEnd": iso(month_end), "BillingPeriodStart": iso(day.replace(day=1)),
            "ChargeCategory": category, "ChargeClass": "", "ChargePeriodEnd": iso(day + timedelta(days=1)),
            "ChargePeriodStart": iso(day), "ContractedCost": f"{cost:.12f}",
            "EffectiveCost": f"{cost:.12f}", "HostProviderName": "Google Cloud",
            "InvoiceIssuerName": "Google Cloud", "ListCost": f"{cost:.12f}",
            "ProviderName": "Google Cloud", "PublisherName": "Google", "RegionId": "us-central1",
            "ServiceCategory": "AI and Machine Learning", "ServiceName": "Vertex AI",
            "ServiceProviderName": "Google", "ServiceSubcategory": "Generative AI",
            "SubAccountId": GCP_PROJECT, "SubAccountName": GCP_PROJECT, "Tags": "{}", **columns,
        })

    days = by_day(usage, "google")
    for day, day_rows in days.items():
        for row in day_rows:
            description = f"{row.model.replace('-', ' ').title()} {kinds[row.bucket]} - Predictions"
            add(day, "Usage", row.billed_usd, ChargeDescription=description,
                ChargeFrequency="Usage-Based", ConsumedQuantity=str(row.tokens),
                ConsumedUnit="Tokens", PricingQuantity=text(Decimal(row.tokens) / MILLION),
                PricingUnit="1000000 Tokens", SkuId=f"vertex-{row.model}-{row.bucket}",
                Tags=json.dumps({"team": row.team}))
    add(max(days), "Credit", Decimal("-0.01"), ChargeDescription="Vertex AI free trial credit",
        ChargeFrequency="One-Time")
    return rows


def csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def invoice_files(usage: list[Usage]) -> dict[str, bytes]:
    """Every invoice export, by path under the raw directory."""
    month = f"{min(row.usage_date for row in usage):%Y-%m}"
    files = {f"invoices/openai/{month}/costs_page_{number}.json":
             (json.dumps(page, indent=2) + "\n").encode()
             for number, page in enumerate(openai_pages(usage), start=1)}
    files[f"invoices/anthropic/{month}/cost_report.json"] = (
        json.dumps(anthropic_page(usage), indent=2) + "\n").encode()
    files[f"invoices/aws_cur/BILLING_PERIOD={month}/llm-cost-cur-00001.csv.gz"] = gzip.compress(
        csv_text(CUR_COLUMNS, cur_rows(usage)).encode(), mtime=0)
    files[f"invoices/focus/gcp/{month}/focus_cost.csv"] = csv_text(
        FOCUS_COLUMNS, focus_rows(usage)).encode()
    return files


def write_invoices(usage: list[Usage], raw_dir: Path) -> None:
    for relative_path, content in invoice_files(usage).items():
        path = raw_dir / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def main(raw_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        usage = sample_usage(build_sample(raw_dir, Path(workdir)))
    write_invoices(usage, raw_dir)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else PROJECT_ROOT / "data/sample")
