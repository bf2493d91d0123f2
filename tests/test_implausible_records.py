"""Hostile and absurd raw values: each bad record is quarantined with its reason,
the build never fails, every raw record is accounted for, and the good
records around the bad ones are billed at their exact cost.

One warehouse is built for the whole module over one file per source holding
the attacks (values that used to fail the build, lines that used to vanish,
values that used to be billed), with good records around them.

Costs are hand-computed from the price book (USD per million tokens):
gpt-4o-mini 0.15 in / 0.60 out; Claude 3.5 Haiku on Bedrock (regional)
0.80 in / 4.00 out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Warehouse, otlp_attribute, otlp_span, otlp_traces_data, shared_build

NOON = 1_772_712_000  # 2026-03-05T12:00:00Z
START = NOON * 1_000_000_000
TWENTY_SIX_DIGITS = "12345678901234567890123456"
RUN_TIME = datetime.now(UTC)


def app_row(request_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "timestamp": "2026-03-05T13:00:00+01:00", "request_id": request_id, "team.id": "search",
        "service.name": "ranker", "llm.provider": "openai", "llm.model": "gpt-4o-mini",
        "llm.input_tokens": 1_000_000, "llm.output_tokens": 0,
    }
    row.update(overrides)
    return row


# request_id -> cost (good) or quarantine reason (bad)
APP_GOOD = {
    "app-iso-offset": (app_row("app-iso-offset", **{"llm.output_tokens": 100_000}), Decimal("0.21")),
    "app-epoch-s": (app_row("app-epoch-s", timestamp=NOON, **{"llm.input_tokens": 2_000_000}),
                    Decimal("0.30")),
    "app-epoch-ns": (app_row("app-epoch-ns", timestamp=str(START)), Decimal("0.15")),
    # exactly at the ceiling (20M tokens): 19.9M x 0.15 + 0.1M x 0.60
    "app-at-ceiling": (app_row("app-at-ceiling", **{"llm.input_tokens": 19_900_000,
                                                   "llm.output_tokens": 100_000}), Decimal("3.045")),
    "app-max-offset": (app_row("app-max-offset", timestamp="2026-03-05T13:00:00+14:00"), Decimal("0.15")),
    "app-an-hour-ago": (app_row("app-an-hour-ago",
                                timestamp=(RUN_TIME - timedelta(hours=1)).isoformat()), Decimal("0.15")),
}
APP_BAD = {
    "app-26-digit-epoch": (app_row("app-26-digit-epoch", timestamp=TWENTY_SIX_DIGITS), "invalid_timestamp"),
    "app-infinity": (app_row("app-infinity", timestamp="infinity"), "invalid_timestamp"),
    "app-minus-infinity": (app_row("app-minus-infinity", timestamp="-infinity"), "invalid_timestamp"),
    "app-epoch-word": (app_row("app-epoch-word", timestamp="epoch"), "invalid_timestamp"),
    "app-offset-25h": (app_row("app-offset-25h", timestamp="2026-03-05T13:00:00+25:00"), "invalid_timestamp"),
    "app-offset-60m": (app_row("app-offset-60m", timestamp="2026-03-05T13:00:00+05:60"), "invalid_timestamp"),
    "app-offset-14h30": (app_row("app-offset-14h30", timestamp="2026-03-05T13:00:00-14:30"),
                         "invalid_timestamp"),
    "app-bc-date": (app_row("app-bc-date", timestamp="-2026-03-05"), "invalid_timestamp"),
    "app-year-12026": (app_row("app-year-12026", timestamp="12026-03-05T00:00:00Z"), "invalid_timestamp"),
    "app-year-1": (app_row("app-year-1", timestamp="0001-01-01T00:00:00Z"), "implausible_timestamp"),
    "app-year-9999": (app_row("app-year-9999", timestamp="9999-12-31T23:59:59Z"), "implausible_timestamp"),
    "app-2019": (app_row("app-2019", timestamp="2019-12-31T23:59:59Z"), "implausible_timestamp"),
    "app-epoch-zero": (app_row("app-epoch-zero", timestamp=0), "implausible_timestamp"),
    "app-in-3-days": (app_row("app-in-3-days", timestamp=(RUN_TIME + timedelta(days=3)).isoformat()),
                      "implausible_timestamp"),
    "app-1e15-tokens": (app_row("app-1e15-tokens", **{"llm.input_tokens": 10**15}), "implausible_token_count"),
    "app-21m-tokens": (app_row("app-21m-tokens", **{"llm.input_tokens": 12_000_000,
                                                    "llm.output_tokens": 9_000_000}),
                       "implausible_token_count"),
    "app-26-digit-tokens": (app_row("app-26-digit-tokens", **{"llm.output_tokens": int(TWENTY_SIX_DIGITS)}),
                            "invalid_token_count"),
}
# The same key twice in one record: which value counts is undefined.
APP_DUPLICATE_KEY_LINE = json.dumps(app_row("app-duplicate-key"))[:-1] + ', "llm.input_tokens": 5000000}'
# A repeated key the warehouse does not read changes nothing.
APP_UNREAD_DUPLICATE_LINE = json.dumps(app_row("app-unread-duplicate"))[:-1] + ', "note": 1, "note": 2}'
# A CSV header naming a column twice (DuckDB would silently keep the first).
APP_CSV_DUPLICATE_HEADER = (
    "timestamp,request_id,llm.provider,llm.model,llm.input_tokens,llm.output_tokens,llm.input_tokens\n"
    "2026-03-05T12:00:00Z,app-csv-duplicate-header,openai,gpt-4o-mini,10,0,5000000\n"
)
# A good CSV file beside it, with other columns: each file is read on its own, so its
# row has no `llm.input_tokens_1` and is billed (1M x 0.15); the empty team is null.
APP_CSV_BESIDE_DUPLICATE_HEADER = (
    "timestamp,request_id,llm.provider,llm.model,llm.input_tokens,llm.output_tokens,team.id\n"
    "2026-03-05T12:00:00Z,app-csv-beside-duplicate-header,openai,gpt-4o-mini,1000000,0,\n"
)

OTLP_NOT_TRACES_DATA = ["42", "[1, 2]", '"s"', "null", '{"resourceSpans": "oops"}',
                        '{"resourceLogs": []}', '{"resourceSpans": null}']
OTLP_EMPTY_BATCHES = ["{}", '{"resourceSpans": []}']


def llm_span(number: int, input_tokens: int | str = 1_000_000, output_tokens: int = 0,
             start: int | str = START, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    span = otlp_span(f"{number:032x}", f"{number:016x}", "", 3, START, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.id": f"resp-{number}", "gen_ai.usage.output_tokens": output_tokens,
    })
    span["startTimeUnixNano"] = str(start)
    span["attributes"].append(otlp_attribute("gen_ai.usage.input_tokens", input_tokens)
                              if isinstance(input_tokens, int)
                              else {"key": "gen_ai.usage.input_tokens", "value": {"intValue": input_tokens}})
    span["attributes"].extend(extra or [])
    return span


RESOURCE = {"service.name": "answers", "team.id": "qa"}
OTLP_SPANS = {
    # span number -> cost (good) or quarantine reason (bad)
    1: (llm_span(1, output_tokens=100_000), Decimal("0.21")),
    2: (llm_span(2, start=TWENTY_SIX_DIGITS), "invalid_timestamp"),
    3: (llm_span(3, start="0"), "implausible_timestamp"),
    4: (llm_span(4, input_tokens=10, extra=[otlp_attribute("gen_ai.usage.input_tokens", 5_000_000)]),
        "duplicate_key"),
    # the same key twice with the same value is not ambiguous
    5: (llm_span(5, input_tokens=2_000_000, extra=[otlp_attribute("gen_ai.usage.input_tokens", 2_000_000)]),
        Decimal("0.30")),
    6: (llm_span(6, input_tokens=str(10**15)), "implausible_token_count"),
}
# a resource whose attributes name the service twice, differently
OTLP_DUPLICATE_RESOURCE_KEY = {"resourceSpans": [{
    "resource": {"attributes": [otlp_attribute("service.name", "a"), otlp_attribute("service.name", "b")]},
    "scopeSpans": [{"scope": {"name": "tests"}, "spans": [llm_span(7)]}],
}]}
# spans inside a scopeSpans that is an object instead of a list: not TracesData
OTLP_NESTED_MISMATCH = {"resourceSpans": [{"scopeSpans": {"spans": [llm_span(8)]}}]}


def litellm_row(request_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "request_id": request_id, "call_type": "acompletion", "status": "success", "spend": 0.21,
        "prompt_tokens": 1_000_000, "completion_tokens": 100_000, "startTime": "2026-03-05T12:00:00Z",
        "model": "gpt-4o-mini", "custom_llm_provider": "openai",
        "metadata": {"spend_logs_metadata": {"team": "growth", "service": "checkout-api"},
                     "additional_usage_values": {"prompt_tokens_details": {"cached_tokens": 0}}},
        "cache_hit": "False",
    }
    row.update(overrides)
    return row


LITELLM_GOOD = {
    "litellm-good": (litellm_row("litellm-good"), Decimal("0.21")),
    # LiteLLM's own spend is only shown, never used: an absurd one is dropped, the call billed
    "litellm-absurd-spend": (litellm_row("litellm-absurd-spend", spend=int(TWENTY_SIX_DIGITS) * 10**4),
                             Decimal("0.21")),
}
LITELLM_BAD = {
    "litellm-epoch-word": (litellm_row("litellm-epoch-word", startTime="epoch"), "invalid_timestamp"),
    "litellm-26-digit-epoch": (litellm_row("litellm-26-digit-epoch", startTime=TWENTY_SIX_DIGITS),
                               "invalid_timestamp"),
}
LITELLM_DUPLICATE_KEY_LINES = {
    "litellm-duplicate-top": json.dumps(litellm_row("litellm-duplicate-top"))[:-1]
    + ', "prompt_tokens": 10}',
    "litellm-duplicate-team": json.dumps(litellm_row("litellm-duplicate-team")).replace(
        '"team": "growth"', '"team": "growth", "team": "search"'),
    "litellm-duplicate-cache": json.dumps(litellm_row("litellm-duplicate-cache")).replace(
        '"cached_tokens": 0', '"cached_tokens": 0, "cached_tokens": 900000'),
}


def bedrock_row(request_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": "2026-03-05T12:00:00Z",
        "accountId": "123456789012", "region": "us-east-1", "requestId": request_id,
        "operation": "Converse", "modelId": "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "input": {"inputTokenCount": 1_000_000}, "output": {"outputTokenCount": 100_000},
        "requestMetadata": {"team": "search", "service": "doc-indexer"},
    }
    row.update(overrides)
    return row


BEDROCK_GOOD = {"bedrock-good": (bedrock_row("bedrock-good"), Decimal("1.2"))}  # 0.80 + 0.40
BEDROCK_BAD = {
    "bedrock-26-digit-epoch": (bedrock_row("bedrock-26-digit-epoch", timestamp=TWENTY_SIX_DIGITS),
                               "invalid_timestamp"),
    "bedrock-1e15-tokens": (bedrock_row("bedrock-1e15-tokens", input={"inputTokenCount": 10**15}),
                            "implausible_token_count"),
}
BEDROCK_DUPLICATE_KEY_LINES = {
    "bedrock-duplicate-input": json.dumps(bedrock_row("bedrock-duplicate-input")).replace(
        '"inputTokenCount": 1000000', '"inputTokenCount": 1000000, "inputTokenCount": 10'),
    "bedrock-duplicate-tag": json.dumps(bedrock_row("bedrock-duplicate-tag")).replace(
        '"team": "search"', '"team": "search", "team": "growth"'),
}


def cur_line(line_id: str, cost: str, amount: str = "1.0", start: str = "2026-03-05T00:00:00Z") -> dict[str, str]:
    """A CUR 2.0 row of Claude 3.5 Haiku sold through AWS Marketplace (amounts in millions)."""
    return {
        "identity_line_item_id": line_id, "identity_time_interval": "2026-03-05T00:00:00Z/2026-03-06T00:00:00Z",
        "bill_payer_account_id": "999988887777", "line_item_usage_account_id": "111122223333",
        "line_item_line_item_type": "Usage", "line_item_usage_start_date": start,
        "line_item_product_code": "b7kx2qq9ahfz0dr4mn3ps5vw1",
        "line_item_usage_type": "USE1-MP:USE1_InputTokenCount-Units", "line_item_usage_amount": amount,
        "line_item_currency_code": "USD", "line_item_unblended_cost": cost,
        "line_item_line_item_description": "Claude 3.5 Haiku (Amazon Bedrock Edition)",
        "product_product_family": "Amazon Bedrock",
        "product": json.dumps({"model": "Claude 3.5 Haiku", "provider": "Anthropic"}), "pricing_unit": "Units",
    }


CUR_LINES = {
    "cur-good": (cur_line("cur-good", "0.8000000000"), "used", None),
    "cur-26-digit-cost": (cur_line("cur-26-digit-cost", TWENTY_SIX_DIGITS), "quarantined", "implausible_amount"),
    "cur-26-digit-amount": (cur_line("cur-26-digit-amount", "0.8", amount=TWENTY_SIX_DIGITS),
                            "quarantined", "implausible_quantity"),
    "cur-26-digit-start": (cur_line("cur-26-digit-start", "0.8", start=TWENTY_SIX_DIGITS),
                           "quarantined", "unreadable_charge_date"),
    # an export cannot bill a day before 2020 or after the day it was written (today, in this test)
    "cur-year-1": (cur_line("cur-year-1", "0.8", start="0001-03-05T00:00:00Z"),
                   "quarantined", "implausible_charge_date"),
    "cur-year-9999": (cur_line("cur-year-9999", "0.8", start="9999-03-05T00:00:00Z"),
                      "quarantined", "implausible_charge_date"),
}


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_attacks(root: Path) -> Path:
    raw = root / "raw"
    write_lines(raw / "logs/app/attacks.jsonl", [
        json.dumps(row) for row, _ in [*APP_GOOD.values(), *APP_BAD.values()]
    ] + [APP_DUPLICATE_KEY_LINE, APP_UNREAD_DUPLICATE_LINE])
    (raw / "logs/app/duplicate_header.csv").write_text(APP_CSV_DUPLICATE_HEADER, encoding="utf-8")
    (raw / "logs/app/good.csv").write_text(APP_CSV_BESIDE_DUPLICATE_HEADER, encoding="utf-8")
    write_lines(raw / "traces/otlp/attacks.jsonl", [
        json.dumps(otlp_traces_data(RESOURCE, [span for span, _ in OTLP_SPANS.values()])),
        json.dumps(OTLP_DUPLICATE_RESOURCE_KEY),
        json.dumps(OTLP_NESTED_MISMATCH),
        *OTLP_NOT_TRACES_DATA,
        *OTLP_EMPTY_BATCHES,
        "{not json",
    ])
    write_lines(raw / "logs/litellm/attacks.jsonl", [
        json.dumps(row) for row, _ in [*LITELLM_GOOD.values(), *LITELLM_BAD.values()]
    ] + list(LITELLM_DUPLICATE_KEY_LINES.values()))
    write_lines(raw / "logs/bedrock/attacks.jsonl", [
        json.dumps(row) for row, _ in [*BEDROCK_GOOD.values(), *BEDROCK_BAD.values()]
    ] + list(BEDROCK_DUPLICATE_KEY_LINES.values()))
    buffer = io.StringIO()
    rows = [row for row, _, _ in CUR_LINES.values()]
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (raw / "invoices/aws_cur").mkdir(parents=True)
    (raw / "invoices/aws_cur/cur.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return shared_build(tmp_path_factory, "attacks", write_attacks)  # asserts that dbt build succeeds


def test_each_bad_record_is_quarantined_with_its_reason(warehouse: Warehouse) -> None:
    quarantined = warehouse.rows(
        "select source_system, coalesce(span_id, request_id), quarantine_reason"
        " from fct_llm_quarantined_records"
    )
    expected = [
        *[("app_logs", request_id, reason) for request_id, (_, reason) in APP_BAD.items()],
        ("app_logs", "app-duplicate-key", "duplicate_key"),
        ("app_logs", "app-csv-duplicate-header", "duplicate_key"),
        *[("otlp_traces", f"{number:016x}", reason) for number, (_, reason) in OTLP_SPANS.items()
          if isinstance(reason, str)],
        ("otlp_traces", f"{7:016x}", "duplicate_key"),
        *[("otlp_traces", None, "not_traces_data")] * (len(OTLP_NOT_TRACES_DATA) + 1),
        ("otlp_traces", None, "malformed_json"),
        *[("litellm_spend_logs", request_id, reason) for request_id, (_, reason) in LITELLM_BAD.items()],
        *[("litellm_spend_logs", request_id, "duplicate_key") for request_id in LITELLM_DUPLICATE_KEY_LINES],
        *[("bedrock_invocation_logs", request_id, reason) for request_id, (_, reason) in BEDROCK_BAD.items()],
        *[("bedrock_invocation_logs", request_id, "duplicate_key")
          for request_id in BEDROCK_DUPLICATE_KEY_LINES],
    ]
    assert Counter(quarantined) == Counter(expected)


def test_good_records_are_billed_at_their_exact_cost(warehouse: Warehouse) -> None:
    billed = {
        (source, request_id): cost for source, request_id, cost in warehouse.rows(
            "select source_system, coalesce(span_id, request_id), cost_usd from fct_llm_calls"
        )
    }
    assert billed == {
        **{("app_logs", request_id): cost for request_id, (_, cost) in APP_GOOD.items()},
        ("app_logs", "app-unread-duplicate"): Decimal("0.15"),
        ("app_logs", "app-csv-beside-duplicate-header"): Decimal("0.15"),
        **{("otlp_traces", f"{number:016x}"): cost for number, (_, cost) in OTLP_SPANS.items()
           if isinstance(cost, Decimal)},
        **{("litellm_spend_logs", request_id): cost for request_id, (_, cost) in LITELLM_GOOD.items()},
        **{("bedrock_invocation_logs", request_id): cost for request_id, (_, cost) in BEDROCK_GOOD.items()},
    }
    assert warehouse.scalar(
        "select source_reported_cost_usd from fct_llm_calls where request_id = 'litellm-absurd-spend'"
    ) is None


def test_every_raw_record_is_accounted_for(warehouse: Warehouse) -> None:
    accounted = dict(warehouse.rows(
        "select source_system, sum(record_count) from fct_telemetry_record_accounting group by 1"
    ))
    # records read: app lines and CSV rows; OTLP spans plus one row per line without a
    # readable span (not JSON, not TracesData, or an empty batch); LiteLLM and Bedrock lines
    assert accounted == {
        "app_logs": len(APP_GOOD) + len(APP_BAD) + 2 + 2,
        "otlp_traces": (len(OTLP_SPANS) + 1 + 1 + len(OTLP_NOT_TRACES_DATA)
                        + len(OTLP_EMPTY_BATCHES) + 1),
        "litellm_spend_logs": len(LITELLM_GOOD) + len(LITELLM_BAD) + len(LITELLM_DUPLICATE_KEY_LINES),
        "bedrock_invocation_logs": len(BEDROCK_GOOD) + len(BEDROCK_BAD) + len(BEDROCK_DUPLICATE_KEY_LINES),
    }
    # the conservation test's own comparison: staged records = sum of outcomes, per source
    for model, source in [("stg_app__llm_calls", "app_logs"), ("stg_otlp__spans", "otlp_traces"),
                          ("stg_litellm__spend_logs", "litellm_spend_logs"),
                          ("stg_bedrock__invocations", "bedrock_invocation_logs")]:
        assert warehouse.scalar(f"select count(*) from staging.{model}") == accounted[source], source
    # an empty batch is a legitimate export line: accounted, not quarantined
    assert warehouse.scalar(
        "select count(*) from staging.stg_otlp__spans where is_traces_data and span_id is null"
    ) == len(OTLP_EMPTY_BATCHES)
    # tokens of implausible records stay out of every sum
    assert warehouse.scalar(
        "select max(input_tokens) from fct_telemetry_record_accounting where record_outcome = 'quarantined'"
    ) < 10**9


def test_invoice_lines_with_absurd_values_are_quarantined(warehouse: Warehouse) -> None:
    assert Counter(warehouse.rows("select line_status, status_reason from fct_invoice_lines")) == Counter(
        (status, reason) for _, status, reason in CUR_LINES.values()
    )
    assert warehouse.rows("select billed_usd from fct_invoice_lines where line_status = 'used'") == [
        (Decimal("0.8"),)
    ]
