"""Public samples nobody on the project wrote, through the nightly job.

`fixtures/realworld/` is a copy of the shared realworld samples (see its
SOURCES.md): spans made by the real openai-v2 and OpenLLMetry Anthropic
instrumentations replaying their own test cassettes, a LiteLLM spend-log row
from LiteLLM's tests, a real Bedrock invocation log record, an OpenAI Costs
API page from the OpenAPI spec and FOCUS AI samples from the FOCUS spec.

Hand-computed from the price book (USD per million tokens):
- OpenLLMetry + Anthropic SDK cassette, claude-3-5-sonnet $3 in / $15 out /
  $0.30 cache read / $3.75 5-minute cache write. Each call is recorded twice
  (the SDK's own span and OpenLLMetry's, same response id):
  call 1: 4 uncached x 3 + 1163 written x 3.75 + 187 out x 15 = 7178.25
  call 2: 4 uncached x 3 + 1163 read x 0.30 + 202 out x 15 = 3390.90
  together $0.01056915, as SOURCES.md says.
- openai-v2 cassette, gpt-4o-mini $0.15 / $0.60: 12 x 0.15 + 5 x 0.60 = 4.8
  per M; its 404 is a failed attempt.
- LiteLLM, claude-3-7-sonnet-latest $3 / $15: 2095 x 3 + 503 x 15 = 13830.
- Bedrock, amazon.nova-lite regional $0.06 / $0.24: 4 x 0.06 + 38 x 0.24 = 9.36.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from conftest import PROJECT_ROOT, dbt_environment_for

REALWORLD_RAW = PROJECT_ROOT / "tests" / "fixtures" / "realworld" / "raw"


def test_realworld_samples_come_out_as_their_sources_say(tmp_path: Path) -> None:
    environment = dbt_environment_for(tmp_path / "build.duckdb", tmp_path / "target", REALWORLD_RAW)
    nightly = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "nightly.py"), "--quiet"],
                             env=environment, capture_output=True, text=True, check=False)
    assert nightly.returncode == 0, nightly.stdout + nightly.stderr

    connection = duckdb.connect(str(tmp_path / "build.analyst.duckdb"), read_only=True)
    try:
        calls = connection.execute(
            "select source_system, service, route, model, uncached_input_tokens, cache_read_tokens,"
            " cache_write_5m_tokens, output_tokens, cost_usd from fct_llm_calls order by all"
        ).fetchall()
        accounting = {(source, outcome): count for source, outcome, count in connection.execute(
            "select source_system, record_outcome, record_count from fct_telemetry_record_accounting"
        ).fetchall()}
        anthropic_total = connection.execute(
            "select count(*), sum(cost_usd) from fct_llm_calls where service = 'realworld-openllmetry-anthropic'"
        ).fetchone()
        invoice_lines = connection.execute(
            "select invoice_source, line_status, status_reason, count(*), sum(billed_usd)"
            " from fct_invoice_lines group by all order by all"
        ).fetchall()
    finally:
        connection.close()

    assert anthropic_total == (2, Decimal("0.01056915"))
    assert calls == [
        ("bedrock_invocation_logs", "unknown", "unknown", "amazon.nova-lite", 4, 0, 0, 38, Decimal("0.00000936")),
        ("litellm_spend_logs", "unknown", "unknown", "claude-3-7-sonnet-latest", 2095, 0, 0, 503,
         Decimal("0.01383")),
        ("otlp_traces", "realworld-openai-v2", "unknown", "gpt-4o-mini", 12, 0, 0, 5, Decimal("0.0000048")),
        # the SDK span's http.route is Anthropic's endpoint, not one of ours: no route
        ("otlp_traces", "realworld-openllmetry-anthropic", "unknown", "claude-3-5-sonnet", 4, 0, 1163, 187,
         Decimal("0.00717825")),
        ("otlp_traces", "realworld-openllmetry-anthropic", "unknown", "claude-3-5-sonnet", 4, 1163, 0, 202,
         Decimal("0.0033909")),
    ]
    assert accounting == {
        ("bedrock_invocation_logs", "billed"): 1,
        ("litellm_spend_logs", "billed"): 1,
        ("otlp_traces", "billed"): 3,
        ("otlp_traces", "instrumentation_duplicate"): 2,
        ("otlp_traces", "failed_attempt"): 1,
    }
    assert invoice_lines == [
        # the FOCUS spec's samples bill fictional providers (Solora AI, ...): set aside and counted,
        # BilledCost summed by hand over the four files
        ("focus", "quarantined", "unknown_provider", 9, Decimal("500146.50")),
        ("openai_costs", "used", None, 1, Decimal("0.06")),
    ]
