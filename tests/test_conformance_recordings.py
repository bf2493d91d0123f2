"""What the real instrumentation libraries emit, replayed through the warehouse.

`fixtures/conformance/` holds OTLP/JSON recorded by `scripts/record_conformance.py`:
the real SDKs and instrumentation libraries (pinned in requirements-conformance.txt)
calling a fake vendor server, inside an app with SERVER, INTERNAL and batch-job
spans, one scenario (and one `service.name`) per library combination. The server
logged every response it sent (`truth/<scenario>.jsonl`): that log is the truth.

Every call the vendor answered must come out of the warehouse once, with the
vendor's tokens in every bucket, priced from the price book by an independent
calculator, on the route, environment and team the app set; every span must be
accounted for. A library that does not record a bucket is listed in
LIBRARY_GAPS with what the user sees instead (the README's support matrix says
the same); the test prices exactly that over- or under-statement.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_ROOT, Warehouse, shared_build
from independent_pricing import Buckets, PriceBook, seed

# Other recordings made the same way (another --seed, other pinned versions) can be
# tested in place of the committed ones: CONFORMANCE_RECORDINGS=/path ./scripts/test.sh
CONFORMANCE = Path(os.environ.get("CONFORMANCE_RECORDINGS") or PROJECT_ROOT / "tests" / "fixtures" / "conformance")
SCENARIOS = sorted(path.stem for path in (CONFORMANCE / "truth").glob("*.jsonl"))

@dataclass(frozen=True)
class Gap:
    """A bucket a library does not record; in telemetry its tokens land in `lands_in`
    (None: they stay where they are, e.g. reasoning inside output, so only the
    reasoning column reads 0 and the cost is right). The bucket `service_tier`
    means the tier is not recorded: the call is priced at `lands_in` instead."""

    bucket: str
    lands_in: str | None
    streaming_only: bool = False


# What each library leaves out (the README's support matrix says the same).
LIBRARY_GAPS: dict[str, list[Gap]] = {
    # openai-v2 records prompt and completion tokens only: cached input is priced as
    # uncached, so telemetry over-states cost; reasoning stays inside output
    "openai-v2-default": [Gap("cache_read", "uncached_input"), Gap("reasoning", None)],
    "openai-v2-latest-experimental": [Gap("cache_read", "uncached_input"), Gap("reasoning", None)],
    # OpenLLMetry's openai instrumentation drops reasoning tokens of streamed calls
    "openai-openllmetry": [Gap("reasoning", None, streaming_only=True)],
    # OpenInference records no service tier: a flex or priority call is priced as standard
    "openai-openinference": [Gap("service_tier", "standard")],
}


@dataclass(frozen=True)
class TruthCall:
    """One response the fake vendor sent with HTTP 200: a billable call."""

    scenario: str
    provider: str
    response_id: str
    trace_id: str
    response_model: str
    service_tier: str
    service_name: str
    environment: str | None
    route: str | None
    team: str | None
    context_propagated: bool
    streaming: bool
    at: datetime
    buckets: Buckets
    reasoning: int


def truth_calls(scenario: str) -> list[TruthCall]:
    calls = []
    for line in (CONFORMANCE / "truth" / f"{scenario}.jsonl").read_text(encoding="utf-8").splitlines():
        response: dict[str, Any] = json.loads(line)
        if response["http_status"] != 200:
            continue
        calls.append(TruthCall(
            scenario=scenario,
            provider=response["provider"],
            response_id=response["response_id"],
            trace_id=response["app_trace_id"],
            response_model=response["response_model"],
            service_tier="standard" if response["service_tier"] in (None, "default", "standard", "auto")
            else response["service_tier"],
            service_name=response["service_name"],
            environment=response["environment"],
            route=response["route"] or response["job_name"],
            team=response["team"],
            context_propagated=response["context_propagated"],
            streaming=response["streaming"],
            at=datetime.fromisoformat(response["timestamp"]).replace(tzinfo=None),
            buckets=Buckets(
                uncached_input=response["uncached_input_tokens"],
                cache_read=response["cache_read_tokens"],
                cache_write_5m=response["cache_write_5m_tokens"],
                cache_write_1h=response["cache_write_1h_tokens"],
                output=response["output_tokens"],
            ),
            reasoning=response["reasoning_tokens"],
        ))
    return calls


def as_telemetry_sees_it(call: TruthCall) -> tuple[Buckets, int, str]:
    """The call's buckets, reasoning tokens and service tier after the library's gaps."""
    values, reasoning, service_tier = dict(vars(call.buckets)), call.reasoning, call.service_tier
    for gap in LIBRARY_GAPS.get(call.scenario, []):
        if gap.streaming_only and not call.streaming:
            continue
        if gap.bucket == "reasoning":
            reasoning = 0
            continue
        if gap.bucket == "service_tier":
            service_tier = gap.lands_in or service_tier
            continue
        if gap.lands_in:
            values[gap.lands_in] += values[gap.bucket]
        values[gap.bucket] = 0
    return Buckets(**values), reasoning, service_tier


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return shared_build(tmp_path_factory, "conformance", lambda _root: CONFORMANCE / "raw")


def billed_rows(warehouse: Warehouse, calls: list[TruthCall]) -> list[dict[str, Any]]:
    """The billed rows of the calls' service, one per call, in the calls' order.

    A row is the call's when it carries the vendor's response id; libraries that record
    no vendor response id (OpenInference; OpenLLMetry's Bedrock spans, which carry the
    Anthropic message id at most) are matched to the other calls in time order.
    Fails when the service has more or fewer billed rows than the vendor answered."""
    columns = ["request_id", "trace_id", "service", "route", "environment", "team", "provider",
               "uncached_input_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
               "output_tokens", "reasoning_tokens", "cost_usd", "is_priced"]
    rows = [dict(zip(columns, row, strict=True)) for row in warehouse.rows(
        f"select {', '.join(columns)} from fct_llm_calls"
        f" where service = '{calls[0].service_name}' order by called_at"
    )]
    assert len(rows) == len(calls), f"{calls[0].scenario}: {len(rows)} billed rows for {len(calls)} vendor calls"
    by_response_id = {row["request_id"]: row for row in rows if row["request_id"]}
    assert len(by_response_id) == len([row for row in rows if row["request_id"]]), "a response id billed twice"
    truth_ids = {call.response_id for call in calls}
    without_id = [row for row in rows if row["request_id"] not in truth_ids]
    matched = {}
    for call in sorted(calls, key=lambda call: call.at):
        matched[call.response_id] = by_response_id.get(call.response_id) or without_id.pop(0)
    return [matched[call.response_id] for call in calls]


def test_the_recordings_cover_every_library_in_the_matrix() -> None:
    assert SCENARIOS, "no recordings"
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for scenario in SCENARIOS:
        assert truth_calls(scenario), scenario
        assert (CONFORMANCE / "raw" / "traces" / "otlp" / f"{scenario}.jsonl").exists(), scenario
        assert f"`{scenario}`" in readme, f"the README's support matrix does not name {scenario}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_call_is_billed_once_with_the_vendors_tokens_and_price(warehouse: Warehouse, scenario: str) -> None:
    calls = truth_calls(scenario)
    book = PriceBook()
    service_cost = Decimal(0)
    misstatement = Decimal(0)  # telemetry's cost minus the vendor's, over the calls priced both ways
    for call, row in zip(calls, billed_rows(warehouse, calls), strict=True):
        buckets, reasoning, service_tier = as_telemetry_sees_it(call)
        assert (row["service"], row["provider"]) == (call.service_name, call.provider)
        assert (row["uncached_input_tokens"], row["cache_read_tokens"], row["cache_write_5m_tokens"],
                row["cache_write_1h_tokens"], row["output_tokens"], row["reasoning_tokens"]) == (
            buckets.uncached_input, buckets.cache_read, buckets.cache_write_5m, buckets.cache_write_1h,
            buckets.output, reasoning), f"{scenario} {call.response_id}"
        price = book.price_row(call.provider, call.response_model, call.at, service_tier)
        if price is None:
            assert (row["is_priced"], row["cost_usd"]) == (False, None), call
            continue
        assert row["cost_usd"] == book.cost(price, buckets), f"{scenario} {call.response_id}"
        service_cost += book.cost(price, buckets)
        vendor_price = book.price_row(call.provider, call.response_model, call.at, call.service_tier)
        if vendor_price is not None:
            misstatement += book.cost(price, buckets) - book.cost(vendor_price, call.buckets)
    assert warehouse.scalar(
        f"select sum(cost_usd) from fct_llm_cost_daily where service = '{calls[0].service_name}'"
    ) == service_cost
    gaps = {gap.bucket for gap in LIBRARY_GAPS.get(scenario, [])}
    if "cache_read" in gaps and any(call.buckets.cache_read for call in calls):
        assert misstatement > 0, "cached input read as uncached over-states the cost"
    elif gaps <= {"reasoning"}:
        assert misstatement == 0, "a library that records every priced bucket is exact"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ownership_comes_from_the_app_not_the_vendor_endpoint(warehouse: Warehouse, scenario: str) -> None:
    aliases = {row["environment_alias"]: row["environment"] for row in seed("environment_aliases")}
    owners = {row["service_name"]: row["team"] for row in seed("service_ownership")}
    calls = truth_calls(scenario)
    for call, row in zip(calls, billed_rows(warehouse, calls), strict=True):
        environment = (call.environment or "").strip().lower()
        # a call made where the trace context was lost (a worker thread) cannot know the
        # app's job or team: the service and environment (resource attributes) remain
        assert (row["route"], row["environment"], row["team"]) == (
            (call.route if call.context_propagated else None) or "unknown",
            aliases.get(environment, environment) or "unknown",
            (call.team if call.context_propagated else None) or owners.get(call.service_name, "unattributed"),
        ), f"{scenario} {call.response_id}"


def test_every_span_is_accounted_for(warehouse: Warehouse) -> None:
    """Each call's library spans are one billed call and, where two instrumentations
    recorded it, an instrumentation duplicate; the app's own spans are not LLM calls."""
    app_spans, library_spans = 0, 0
    for scenario in SCENARIOS:
        for line in (CONFORMANCE / "raw" / "traces" / "otlp" / f"{scenario}.jsonl").read_text().splitlines():
            for resource in json.loads(line)["resourceSpans"]:
                for scope in resource["scopeSpans"]:
                    if scope["scope"]["name"] == "conformance.app":
                        app_spans += len(scope["spans"])
                    else:
                        library_spans += len(scope["spans"])
    calls = sum(len(truth_calls(scenario)) for scenario in SCENARIOS)
    assert dict(warehouse.rows(
        "select record_outcome, record_count from fct_telemetry_record_accounting where source_system = 'otlp_traces'"
    )) == {"billed": calls, "instrumentation_duplicate": library_spans - calls, "non_llm_span": app_spans}
