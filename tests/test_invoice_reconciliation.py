"""Invoice reconciliation and chargeback, built over telemetry and vendor
exports written here with amounts computed by hand.

Prices used (seeds/prices/llm_prices.csv, USD per million tokens):
    openai gpt-5.4-mini             input 0.75, cache read 0.075, output 4.50
    anthropic claude-sonnet-4-0     input 3.00, cache read 0.30, output 15.00
    aws_bedrock claude-3-5-haiku    input 0.80, output 4.00 (regional)
    google gemini-2.5-flash         input 0.30, output 2.50
Days are in September 2026, long closed, so nothing is pending unless a test
says so. Billing scopes come from seeds/billing/billing_scopes.csv.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, PublishedSample, Warehouse, shared_build, write_jsonl
from generate_sample_invoices import invoice_files, sample_usage

DAY_1, DAY_2 = date(2026, 9, 14), date(2026, 9, 15)
SUPPORT_WORKSPACE = "wrkspc_01SupportBot7Kx"
DOC_INDEXER_PROFILE = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/d0c1ndx3r01"
BEDROCK_HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


# --- telemetry and invoice writers --------------------------------------------


def call(day: date, team: str | None, service: str, provider: str, model: str,
         input_tokens: int, output_tokens: int, cache_read: int = 0, number: int = 0) -> dict[str, Any]:
    """One flat app-log row; input counts every input token, cache reads included."""
    row: dict[str, Any] = {
        "timestamp": f"{day.isoformat()}T{10 + number:02d}:00:00Z",
        "request_id": f"{service}-{day.isoformat()}-{number}",
        "service.name": service,
        "deployment.environment": "production",
        "llm.provider": provider,
        "llm.model": model,
        "llm.input_tokens": input_tokens,
        "llm.output_tokens": output_tokens,
        "llm.cache_read_tokens": cache_read,
    }
    if team:
        row["team.id"] = team
    return row


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def openai_page(days: dict[date, list[tuple[str, str, str, int | None]]]) -> dict[str, Any]:
    """Costs API page: per day (line item, dollars, project, quantity); dollars as a long string."""
    return {"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": epoch(day), "end_time": epoch(day + timedelta(days=1)),
         "results": [{"object": "organization.costs.result",
                      "amount": {"value": dollars + "0" * 30, "currency": "usd"},
                      "line_item": line_item, "project_id": project,
                      "quantity": quantity, "quantity_unit": "tokens" if quantity else None}
                     for line_item, dollars, project, quantity in lines]}
        for day, lines in days.items()]}


def anthropic_page(days: dict[date, list[tuple[str, str | None, str | None, str]]]) -> dict[str, Any]:
    """Cost report page: per day (cost_type, model, token_type, amount in cents)."""
    return {"has_more": False, "next_page": None, "data": [
        {"starting_at": f"{day.isoformat()}T00:00:00Z",
         "ending_at": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
         "results": [{"amount": cents, "currency": "USD", "cost_type": cost_type,
                      "description": f"{model} {token_type}" if model else None, "model": model,
                      "token_type": token_type, "service_tier": "standard" if model else None,
                      "workspace_id": SUPPORT_WORKSPACE}
                     for cost_type, model, token_type, cents in lines]}
        for day, lines in days.items()]}


def csv_bytes(rows: list[dict[str, str]], compress: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    return gzip.compress(data) if compress else data


def cur_row(day: date, line_type: str, cost: str, usage_type: str = "", amount: str = "",
            **columns: str) -> dict[str, str]:
    """A CUR 2.0 row of Claude 3.5 Haiku sold through AWS Marketplace (amounts in millions)."""
    return {
        "identity_line_item_id": f"{line_type}-{usage_type}-{day}",
        "identity_time_interval": f"{day}T00:00:00Z/{day + timedelta(days=1)}T00:00:00Z",
        "bill_billing_entity": "AWS Marketplace",
        "bill_payer_account_id": "999988887777",
        "line_item_usage_account_id": "111122223333",
        "line_item_line_item_type": line_type,
        "line_item_usage_start_date": f"{day}T00:00:00Z",
        "line_item_product_code": "b7kx2qq9ahfz0dr4mn3ps5vw1",
        "line_item_usage_type": usage_type,
        "line_item_resource_id": DOC_INDEXER_PROFILE if usage_type else "",
        "line_item_usage_amount": amount,
        "line_item_currency_code": "USD",
        "line_item_unblended_cost": cost,
        "line_item_line_item_description": "Claude 3.5 Haiku (Amazon Bedrock Edition)",
        "product_product_family": "Amazon Bedrock",
        "product": json.dumps({"model": "Claude 3.5 Haiku", "provider": "Anthropic"}),
        "pricing_unit": "Units" if usage_type else "",
        **columns,
    }


def focus_row(day: date, description: str, cost: str, tokens: str, **columns: str) -> dict[str, str]:
    """A FOCUS 1.2 row of Gemini on Vertex AI."""
    return {
        "BilledCost": cost, "BillingAccountId": "01A2B3-C4D5E6-F7A8B9", "BillingCurrency": "USD",
        "ChargeCategory": "Usage", "ChargeDescription": description,
        "ChargePeriodStart": f"{day}T00:00:00Z", "ChargePeriodEnd": f"{day + timedelta(days=1)}T00:00:00Z",
        "ConsumedQuantity": tokens, "ConsumedUnit": "Tokens", "HostProviderName": "Google Cloud",
        "ProviderName": "Google Cloud", "ServiceCategory": "AI and Machine Learning",
        "ServiceSubcategory": "Generative AI", "ServiceName": "Vertex AI",
        "SubAccountId": "acme-ai-prod", "x_Model": "", **columns,
    }


def write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())


def statuses(warehouse: Warehouse, provider: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Daily reconciliation of a provider: (day, model, token type) -> (status, explanation)."""
    return {(str(day), model, token_type): (status, explanation)
            for day, model, token_type, status, explanation in warehouse.rows(
                "select usage_date, model, token_type, status, explanation"
                f" from fct_invoice_reconciliation where provider = '{provider}'")}


def chargeback(warehouse: Warehouse, provider: str) -> dict[str, Decimal]:
    return dict(warehouse.rows(
        f"select team, chargeback_usd from fct_chargeback_monthly where provider = '{provider}'"))


# --- 1. exports that match the telemetry exactly --------------------------------


def write_exact(root: Path) -> Path:
    raw = root / "raw"
    write_jsonl(raw / "logs/app/calls.jsonl", [
        # three teams, one gpt-5.4-mini call each: 10M x 0.75 + 2M x 4.50 = 7.50 + 9.00 = 16.50
        *[call(DAY_1, team, f"svc-{team}", "openai", "gpt-5.4-mini", 10_000_000, 2_000_000, number=n)
          for n, team in enumerate(["alpha", "beta", "gamma"])],
        # 3M x 3.00 + 1M cache read x 0.30 + 0.5M x 15.00 = 9.00 + 0.30 + 7.50 = 16.80
        call(DAY_1, "customer-experience", "support-bot", "anthropic", "claude-sonnet-4-20250514",
             4_000_000, 500_000, cache_read=1_000_000),
        # 2M x 3.00 + 0.2M x 15.00 = 6.00 + 3.00 = 9.00
        call(DAY_2, "customer-experience", "support-bot", "anthropic", "claude-sonnet-4-20250514",
             2_000_000, 200_000),
        # 5M x 0.80 + 1M x 4.00 = 4.00 + 4.00 = 8.00
        call(DAY_1, "search", "doc-indexer", "aws.bedrock", BEDROCK_HAIKU, 5_000_000, 1_000_000),
        # 10M x 0.30 + 1M x 2.50 = 3.00 + 2.50 = 5.50
        call(DAY_1, "analytics", "insights-worker", "gcp.gemini", "gemini-2.5-flash", 10_000_000, 1_000_000),
    ])
    write(raw / "invoices/openai/2026-09/costs.json", json.dumps(openai_page({DAY_1: [
        ("gpt-5.4-mini-2026-03-17, input", "22.5", "proj_Default4Zt9", 30_000_000),  # 3 x 7.50
        ("gpt-5.4-mini-2026-03-17, output", "27.0", "proj_Default4Zt9", 6_000_000),  # 3 x 9.00
        ("web search tool calls", "50.50", "proj_Default4Zt9", None),  # 49.50 + 50.50 = 100.00
    ]}), indent=2))
    write(raw / "invoices/anthropic/2026-09/cost_report.json", json.dumps(anthropic_page({
        DAY_1: [("tokens", "claude-sonnet-4-20250514", "uncached_input_tokens", "900.00000"),
                ("tokens", "claude-sonnet-4-20250514", "cache_read_input_tokens", "30.00000"),
                ("tokens", "claude-sonnet-4-20250514", "output_tokens", "750.00000")],
        DAY_2: [("tokens", "claude-sonnet-4-20250514", "uncached_input_tokens", "600.00000"),
                ("tokens", "claude-sonnet-4-20250514", "output_tokens", "300.00000")],
    })))
    write(raw / "invoices/aws_cur/2026-09/cur-00001.csv.gz", csv_bytes([
        cur_row(DAY_1, "Usage", "4.0000000000", "USE1-MP:USE1_InputTokenCount-Units", "5.000000"),
        cur_row(DAY_1, "Usage", "4.0000000000", "USE1-MP:USE1_OutputTokenCount-Units", "1.000000"),
    ], compress=True))
    write(raw / "invoices/focus/gcp/focus.csv", csv_bytes([
        focus_row(DAY_1, "Gemini 2.5 Flash Text Input - Predictions", "3.00", "10000000"),
        focus_row(DAY_1, "Gemini 2.5 Flash Text Output - Predictions", "2.50", "1000000"),
    ]))
    return raw


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return shared_build(tmp_path_factory, "invoices_exact", write_exact)


def test_exports_that_match_telemetry_are_all_matched(exact: Warehouse) -> None:
    assert exact.rows(
        "select provider, status, count(*), bool_and(invoiced_tokens is not distinct from"
        " case when provider = 'anthropic' then null else computed_tokens end)"
        " from fct_invoice_reconciliation group by all order by all"
    ) == [("anthropic", "matched", 5, True), ("aws_bedrock", "matched", 2, True),
          ("google", "matched", 2, True), ("openai", "matched", 2, True)]
    assert exact.rows(
        "select provider, billing_scope_id, model, status, invoiced_usd, computed_usd"
        " from fct_invoice_reconciliation_monthly order by provider"
    ) == [
        ("anthropic", "anthropic/wrkspc_support", "claude-sonnet-4-0", "matched",
         Decimal("25.8"), Decimal("25.8")),                     # 16.80 + 9.00
        ("aws_bedrock", "aws_bedrock/aip_doc_indexer", "anthropic.claude-3-5-haiku-20241022",
         "matched", Decimal("8"), Decimal("8")),
        ("google", "google/acme-ai-prod", "gemini-2.5-flash", "matched", Decimal("5.5"), Decimal("5.5")),
        ("openai", "openai/organization", "gpt-5.4-mini", "matched", Decimal("49.5"), Decimal("49.5")),
    ]


def test_non_token_charges_are_shown_beside_the_model_comparison(exact: Warehouse) -> None:
    assert exact.rows(
        "select invoice_total_usd, token_usage_usd, non_token_usage_usd, computed_usd, status"
        " from fct_invoice_totals_monthly where provider = 'openai'"
    ) == [(Decimal("100"), Decimal("49.5"), Decimal("50.5"), Decimal("49.5"), "matched")]


def test_chargeback_splits_an_uneven_remainder_to_the_cent(exact: Warehouse) -> None:
    # $100.00 invoiced; each team measured 16.50 and gets a third of the 50.50
    # remainder: 16.50 + 16.8333... = 33.3333...; largest remainder gives the
    # odd cent to the first team by name.
    assert chargeback(exact, "openai") == {
        "alpha": Decimal("33.34"), "beta": Decimal("33.33"), "gamma": Decimal("33.33")}
    assert exact.rows(
        "select team, measured_usd, allocation_rule from fct_chargeback_monthly"
        " where provider = 'openai' order by team"
    ) == [(team, Decimal("16.5"), "proportional") for team in ("alpha", "beta", "gamma")]
    assert chargeback(exact, "anthropic") == {"customer-experience": Decimal("25.80")}


def test_focus_export_carries_the_attributed_cost(exact: Warehouse) -> None:
    # 49.50 + 25.80 + 8.00 + 5.50 = 88.80, all Usage in AI and Machine Learning
    assert exact.rows(
        'select sum("BilledCost"), sum("EffectiveCost"), count(distinct "ServiceCategory"),'
        ' count(distinct "ChargeCategory") from fct_llm_cost_focus'
    ) == [(Decimal("88.8"), Decimal("88.8"), 1, 1)]
    tags, quantity, unit, sku = exact.rows(
        'select "Tags", "ConsumedQuantity", "ConsumedUnit", "SkuId" from fct_llm_cost_focus'
        " where x_Provider = 'aws_bedrock' and x_TokenType = 'output'")[0]
    assert json.loads(tags) == {"team": "search", "service": "doc-indexer", "route": "unknown",
                                "environment": "production"}
    assert (quantity, unit, sku) == (1_000_000, "Tokens",
                                     "aws_bedrock:anthropic.claude-3-5-haiku-20241022:output")


# --- 2. a missing day, a price error, cache tokens, non-token charges, credits ---


def write_deviations(root: Path) -> Path:
    raw = root / "raw"
    yesterday = date.today() - timedelta(days=1)
    write_jsonl(raw / "logs/app/calls.jsonl", [
        # 16.50 a day; the invoice splits day 1's 10M input into 8M + 2M cached, and lacks day 2
        call(DAY_1, "payments", "checkout-api", "openai", "gpt-5.4-mini", 10_000_000, 2_000_000),
        call(DAY_2, "payments", "checkout-api", "openai", "gpt-5.4-mini", 10_000_000, 2_000_000),
        # recent usage, still settling at the vendor
        call(yesterday, "payments", "checkout-api", "openai", "gpt-5.4-mini", 1_000_000, 0),
        # 16.80 on day 1; day 2 is invoiced but missing from telemetry
        call(DAY_1, "customer-experience", "support-bot", "anthropic", "claude-sonnet-4-20250514",
             4_000_000, 500_000, cache_read=1_000_000),
        # 5M x 0.80 + 1M x 4.00; the vendor bills output at 5.00 per million
        call(DAY_1, "search", "doc-indexer", "aws.bedrock", BEDROCK_HAIKU, 5_000_000, 1_000_000),
        # a model the price book does not know, from a service no team owns
        call(DAY_1, None, "growth-experiments", "gcp.gemini", "gemini-9-ultra", 1_000_000, 0),
    ])
    write(raw / "invoices/openai/costs.json", json.dumps(openai_page({
        DAY_1: [("gpt-5.4-mini, input", "6.0", "proj_Checkout8Lq2", 8_000_000),        # 8M x 0.75
                ("gpt-5.4-mini, cached input", "0.15", "proj_Checkout8Lq2", 2_000_000),  # 2M x 0.075
                ("gpt-5.4-mini, output", "9.0", "proj_Checkout8Lq2", 2_000_000)],
        yesterday: [("gpt-5.4-mini, input", "0.75", "proj_Checkout8Lq2", 1_000_000)],
    })))
    write(raw / "invoices/anthropic/cost_report.json", json.dumps(anthropic_page({
        DAY_1: [("tokens", "claude-sonnet-4-20250514", "uncached_input_tokens", "900.00000"),
                ("tokens", "claude-sonnet-4-20250514", "cache_read_input_tokens", "30.00000"),
                ("tokens", "claude-sonnet-4-20250514", "output_tokens", "750.00000"),
                ("code_execution", None, None, "42.50000")],
        DAY_2: [("tokens", "claude-sonnet-4-20250514", "uncached_input_tokens", "600.00000"),
                ("tokens", "claude-sonnet-4-20250514", "output_tokens", "300.00000")],
    })))
    write(raw / "invoices/aws_cur/cur.csv", csv_bytes([
        cur_row(DAY_1, "Usage", "4.0000000000", "USE1-MP:USE1_InputTokenCount-Units", "5.000000"),
        cur_row(DAY_1, "Usage", "5.0000000000", "USE1-MP:USE1_OutputTokenCount-Units", "1.000000"),
        cur_row(DAY_2, "Tax", "1.2000000000"),
        cur_row(DAY_2, "Credit", "-2.0000000000"),
    ]))
    write(raw / "invoices/focus/focus.csv", csv_bytes([
        focus_row(DAY_1, "Gemini 9 Ultra Input", "1.00", "1000000", x_Model="gemini-9-ultra"),
    ]))
    return raw


@pytest.fixture(scope="module")
def deviations(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return shared_build(tmp_path_factory, "invoices_deviations", write_deviations)


def test_a_day_missing_from_the_invoice_or_from_telemetry(deviations: Warehouse) -> None:
    openai, anthropic = statuses(deviations, "openai"), statuses(deviations, "anthropic")
    assert openai[("2026-09-15", "gpt-5.4-mini", "input")] == ("missing_invoice", None)
    assert openai[("2026-09-15", "gpt-5.4-mini", "output")] == ("missing_invoice", None)
    assert anthropic[("2026-09-15", "claude-sonnet-4-0", "input")] == ("missing_telemetry", None)
    assert anthropic[("2026-09-15", "claude-sonnet-4-0", "output")] == ("missing_telemetry", None)
    assert {status for key, (status, _) in anthropic.items() if key[0] == "2026-09-14"} == {"matched"}


def test_a_price_error_is_told_apart_from_missing_usage(deviations: Warehouse) -> None:
    # same 1M output tokens on both sides, $5.00 billed against $4.00 computed
    assert deviations.rows(
        "select token_type, status, delta_usd, token_delta, implied_price_ratio, explanation"
        " from fct_invoice_reconciliation where provider = 'aws_bedrock' order by token_type"
    ) == [("input", "matched", Decimal("0"), 0, Decimal("1"), None),
          ("output", "over", Decimal("1"), 0, Decimal("1.25"), "price_difference")]


def test_cache_tokens_counted_differently_are_explained(deviations: Warehouse) -> None:
    # telemetry 10M uncached; invoice 8M uncached + 2M cached: same 10M input in total
    openai = statuses(deviations, "openai")
    assert openai[("2026-09-14", "gpt-5.4-mini", "input")] == ("under", "cache_token_difference")
    assert openai[("2026-09-14", "gpt-5.4-mini", "cache_read")] == (
        "missing_telemetry", "cache_token_difference")
    assert openai[("2026-09-14", "gpt-5.4-mini", "output")] == ("matched", None)


def test_unpriced_and_unattributed_usage_are_explained(deviations: Warehouse) -> None:
    assert statuses(deviations, "google") == {
        ("2026-09-14", "gemini-9-ultra", "input"): ("over", "unpriced_usage")}
    assert deviations.rows(
        "select computed_usd, unpriced_tokens from fct_invoice_reconciliation where provider = 'google'"
    ) == [(None, 1_000_000)]
    # nobody to charge: the whole invoice line goes to `unattributed`
    assert deviations.rows(
        "select team, allocation_rule, chargeback_usd from fct_chargeback_monthly where provider = 'google'"
    ) == [("unattributed", "unattributed", Decimal("1.00"))]


def test_recent_days_are_pending(deviations: Warehouse) -> None:
    yesterday = date.today() - timedelta(days=1)
    assert deviations.rows(
        "select status, comparison_status from fct_invoice_reconciliation"
        f" where usage_date = '{yesterday}'"
    ) == [("pending", "matched")]
    assert deviations.scalar(
        "select status from fct_invoice_totals_monthly"
        f" where provider = 'openai' and billing_month = '{yesterday.replace(day=1)}'"
    ) == "pending"


def test_taxes_credits_and_tool_charges_are_kept_out_of_the_model_comparison(deviations: Warehouse) -> None:
    assert deviations.rows(
        "select provider, token_usage_usd, non_token_usage_usd, tax_usd, credit_usd, invoice_total_usd"
        " from fct_invoice_totals_monthly where billing_month = '2026-09-01'"
        " and provider in ('aws_bedrock', 'anthropic') order by provider"
    ) == [
        # tokens: day 1 16.80 + day 2 9.00 = 25.80; code execution 42.5 cents = 0.425
        ("anthropic", Decimal("25.8"), Decimal("0.425"), Decimal("0"), Decimal("0"), Decimal("26.225")),
        # 4.00 + 5.00 usage, 1.20 tax, -2.00 credit
        ("aws_bedrock", Decimal("9"), Decimal("0"), Decimal("1.2"), Decimal("-2"), Decimal("8.2")),
    ]
    assert deviations.rows(
        "select charge_type, charge_description from fct_invoice_lines"
        " where charge_type <> 'token_usage' order by charge_type"
    ) == [("credit", "Claude 3.5 Haiku (Amazon Bedrock Edition)"),
          ("non_token_usage", "code_execution"),
          ("tax", "Claude 3.5 Haiku (Amazon Bedrock Edition)")]


def test_chargeback_totals_equal_invoice_totals_to_the_cent(deviations: Warehouse) -> None:
    rows = deviations.rows(
        "select totals.provider, totals.billing_month, totals.invoice_total_rounded_usd,"
        " sum(chargeback.chargeback_usd)"
        " from fct_invoice_totals_monthly as totals"
        " inner join fct_chargeback_monthly as chargeback using (provider, billing_month)"
        " where totals.has_invoice group by all")
    assert len(rows) == 5
    assert all(invoiced == charged for _, _, invoiced, charged in rows)
    # search was measured at 8.00 and is charged the whole 8.20 (9.00 + 1.20 - 2.00)
    assert chargeback(deviations, "aws_bedrock") == {"search": Decimal("8.20")}


# --- 3. unreadable, duplicated and out-of-scope exports ---------------------------


def write_messy(root: Path) -> Path:
    raw = root / "raw"
    write_jsonl(raw / "logs/app/calls.jsonl", [
        call(DAY_1, "payments", "checkout-api", "openai", "gpt-5.4-mini", 1_000_000, 0)])
    line = ("gpt-5.4-mini, input", "0.75", "proj_Checkout8Lq2", 1_000_000)
    older = raw / "invoices/openai/pull_1.json"
    write(older, json.dumps(openai_page({DAY_1: [line, line]})))       # first pull, double-billed
    write(raw / "invoices/openai/pull_2.json.gz",
          gzip.compress(json.dumps(openai_page({DAY_1: [line]})).encode()))
    write(raw / "invoices/openai/broken.json", '{"object": "page", "data": [{"start_time": 17')
    write(raw / "invoices/openai/error.json", '{"error": {"message": "rate limited"}}')
    write(raw / "invoices/anthropic/pages.jsonl", "\n".join([
        json.dumps(anthropic_page({DAY_2: [("web_search", None, None, "10.0")]})), "{not json"]))
    write(raw / "invoices/aws_cur/cur.csv", csv_bytes([
        cur_row(DAY_1, "Usage", "not-a-number", "USE1-MP:USE1_InputTokenCount-Units", "1.0"),
        cur_row(DAY_1, "Usage", "3.00", "USE1-MP:USE1_OutputTokenCount-Units", "1.0",
                line_item_currency_code="EUR"),
        cur_row(DAY_1, "Usage", "9.99", "USE1-BoxUsage:t3.medium", "24",
                line_item_product_code="AmazonEC2", product_product_family="Compute Instance",
                product="{}"),
    ]))
    (raw / "invoices/focus").mkdir(parents=True)
    focus = duckdb.connect()
    focus.execute(
        "copy (select 0.75::decimal(18, 10) as BilledCost, 'USD' as BillingCurrency,"
        " 'Usage' as ChargeCategory, 'gpt-5.4-mini input' as ChargeDescription,"
        " timestamp '2026-09-14' as ChargePeriodStart, 'OpenAI' as HostProviderName,"
        " 'AI and Machine Learning' as ServiceCategory"
        " union all select 5, 'USD', 'Usage', 'Llama input', timestamp '2026-09-14', 'Oracle',"
        " 'AI and Machine Learning')"
        f" to '{raw / 'invoices/focus/export.parquet'}' (format parquet)")
    focus.close()
    return raw


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return shared_build(tmp_path_factory, "invoices_messy", write_messy)


def test_bad_exports_are_quarantined_or_set_aside_never_lost(messy: Warehouse) -> None:
    assert messy.rows(
        "select invoice_source, line_status, status_reason, count(*) from fct_invoice_lines"
        " group by all order by all"
    ) == [
        ("anthropic_cost_report", "quarantined", "malformed_json", 1),
        ("anthropic_cost_report", "used", None, 1),
        ("aws_cur", "out_of_scope", "not_llm_spend", 1),
        ("aws_cur", "quarantined", "unreadable_amount", 1),
        ("aws_cur", "quarantined", "unsupported_currency", 1),
        ("focus", "quarantined", "unknown_provider", 1),
        ("focus", "superseded", "vendor_export_preferred", 1),
        ("openai_costs", "quarantined", "malformed_json", 1),
        ("openai_costs", "quarantined", "unexpected_page_shape", 1),
        ("openai_costs", "superseded", "newer_delivery", 2),
        ("openai_costs", "used", None, 1),
    ]


def test_the_newest_delivery_of_a_day_is_reconciled_once(messy: Warehouse) -> None:
    assert messy.rows(
        "select status, invoiced_usd, invoice_line_count from fct_invoice_reconciliation"
        " where provider = 'openai'"
    ) == [("matched", Decimal("0.75"), 1)]


# --- 4. the bundled sample ----------------------------------------------------------


@pytest.fixture(scope="module")
def sample(published_sample: PublishedSample) -> Warehouse:
    return Warehouse(published_sample.build, read_only=True)


def test_sample_invoices_are_what_the_generator_writes_for_the_sample(sample: Warehouse) -> None:
    expected = invoice_files(sample_usage(sample.path))
    written = {str(path.relative_to(PROJECT_ROOT / "data/sample")): path.read_bytes()
               for path in sorted((PROJECT_ROOT / "data/sample/invoices").rglob("*")) if path.is_file()}
    assert written == expected, "run scripts/generate_sample_invoices.py after changing the sample"


def test_sample_reconciles_except_the_unpriced_preview_model(sample: Warehouse) -> None:
    assert sample.rows(
        "select provider, model, comparison_status, explanation"
        " from fct_invoice_reconciliation_monthly order by all"
    ) == [
        ("anthropic", "claude-sonnet-4-0", "matched", None),
        ("aws_bedrock", "anthropic.claude-3-5-haiku-20241022", "matched", None),
        ("google", "gemini-2.5-flash", "matched", None),
        ("openai", "gpt-4o-mini", "matched", None),
        ("openai", "gpt-5.4-mini", "matched", None),
        ("openai", "gpt-9-preview", "over", "unpriced_usage"),
    ]
    assert sample.scalar(
        "select count(*) from fct_invoice_totals_monthly as totals"
        " inner join (select provider, billing_month, sum(chargeback_usd) as charged"
        " from fct_chargeback_monthly group by all) as charged using (provider, billing_month)"
        " where totals.invoice_total_rounded_usd <> charged.charged"
    ) == 0
