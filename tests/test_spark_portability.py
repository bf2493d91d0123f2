"""The expression macros that read raw records give the same answer on DuckDB and on Spark.

Staging reads every raw value through a few expression macros (parse_event_timestamp,
parse_token_count, the JSON field macros, raw_record_id, token_cost); engine-specific SQL
lives in their dispatched implementations (macros/portability/ and beside their use). Each
case below is rendered by dbt with each engine's adapter and run on that engine (DuckDB in
memory; Spark in a local session with the `spark` target of profiles/profiles.yml, from the
venv of requirements-spark.txt), and must give the value worked out by hand: the traps of
Spark 3.5 that give a wrong answer without an error (`'\\d'` unescaped, `''` read as two
literals, a dotted JSON key, decimal precision loss) all fail here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

import nightly  # scripts/, on the path through conftest
from conftest import PROJECT_ROOT, dbt_environment_for, private_venv, write_jsonl
from test_bad_raw_files import BAD_FILES
from test_bad_raw_files import write_raw_folder as write_bad_files
from test_implausible_records import write_attacks
from test_nightly_operations import (
    CORRECTED_COSTS,
    COSTS_BEFORE_CORRECTIONS,
    DAILY_COSTS,
    add_a_negotiated_discount,
    app_calls,
    copy_project,
    correct_the_seeds,
    marts,
    write_calls_to_correct,
    write_file,
)
from test_worked_example import EXPECTED_COST as WORKED_EXAMPLE_COST
from test_worked_example import app_log_rows as worked_example_rows

# What one case renders: `text` goes in as a SQL string literal (sql_string_literal).
CASE_QUERY = """
{%- for case in var('portability_cases') %}
{%- set text = sql_string_literal(case.text) if case.text is not none else 'cast(null as ' ~ dbt.type_string() ~ ')' %}
select
    {{ loop.index }} as case_number,
    '=' || cast(
        {%- if case.macro == 'parse_event_timestamp' %} {{ parse_event_timestamp(text) }}
        {%- elif case.macro == 'parse_token_count' %} {{ parse_token_count(text) }}
        {%- elif case.macro == 'json_object_check' %} {{ json_object_check(text) }}
        {%- elif case.macro == 'json_field' %}
            nullif(trim({{ list_element(json_field_values(text, {'value': case.path}), 1) }}), '')
        {%- elif case.macro == 'raw_record_id' %}
            {{ raw_record_id(text, sql_string_literal(case.hash), case.copy_number) }}
        {%- elif case.macro == 'csv_column_names' %}
            {{ sql_string_literal(csv_column_names(case.text) | join('|')) }}
        {%- elif case.macro == 'token_cost' %}
            cast({{ token_cost(case.tokens, 'cast(' ~ case.price ~ ' as decimal(38, 12))') }} as decimal(38, 12))
        {%- elif case.macro == 'allocate_share' %}
            {#- in units of 1e-12: Spark writes a small decimal as 1E-12 #}
            cast({{ allocate_share(
                'cast(' ~ case.amount ~ ' as decimal(38, 12))', 'cast(' ~ case.weight ~ ' as decimal(38, 6))',
                'cast(' ~ case.total ~ ' as decimal(38, 6))'
            ) }} * 1000000000000 as decimal(38, 0))
        {%- elif case.macro == 'integer_divide' %} {{ integer_divide(case.dividend, case.divisor) }}
        {%- elif case.macro == 'row_fingerprint' %} {{ row_fingerprint(case.left) }} = {{ row_fingerprint(case.right) }}
        {%- endif %}
        as {{ dbt.type_string() }}
    ) as rendered
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
"""

TIMESTAMP = "parse_event_timestamp"
TOKENS = "parse_token_count"
# (case, expected value as the engine's text of it, or None for null)
CASES: list[tuple[dict[str, Any], str | None]] = [
    # epoch numbers, the unit told by magnitude
    ({"macro": TIMESTAMP, "text": "1772359200"}, "2026-03-01 10:00:00"),
    ({"macro": TIMESTAMP, "text": " 1772359200.5 "}, "2026-03-01 10:00:00.5"),
    ({"macro": TIMESTAMP, "text": "1772359200123"}, "2026-03-01 10:00:00.123"),
    ({"macro": TIMESTAMP, "text": "1772359200123456"}, "2026-03-01 10:00:00.123456"),
    ({"macro": TIMESTAMP, "text": "1772359200123456789"}, "2026-03-01 10:00:00.123457"),
    # ISO-8601 with and without offsets (none means UTC)
    ({"macro": TIMESTAMP, "text": "2026-03-01T10:00:00Z"}, "2026-03-01 10:00:00"),
    ({"macro": TIMESTAMP, "text": "2026-03-01T10:00:00.25+05:30"}, "2026-03-01 04:30:00.25"),
    ({"macro": TIMESTAMP, "text": "2026-03-01T10:00:00-0800"}, "2026-03-01 18:00:00"),
    ({"macro": TIMESTAMP, "text": "2026-03-01T10:00:00+14"}, "2026-02-28 20:00:00"),
    ({"macro": TIMESTAMP, "text": "2026-03-01 10:00"}, "2026-03-01 10:00:00"),
    ({"macro": TIMESTAMP, "text": "2026-03-01"}, "2026-03-01 00:00:00"),
    # what is not a time: null, never an error
    ({"macro": TIMESTAMP, "text": "2026-02-30T10:00:00Z"}, None),
    ({"macro": TIMESTAMP, "text": "2026-03-01T10:00:00+15:00"}, None),
    ({"macro": TIMESTAMP, "text": "2026-03-01T10:00:00 Europe/Paris"}, None),
    ({"macro": TIMESTAMP, "text": "infinity"}, None),
    ({"macro": TIMESTAMP, "text": "d"}, None),
    ({"macro": TIMESTAMP, "text": "17723592001234567890"}, None),
    ({"macro": TIMESTAMP, "text": None}, None),
    # token counts: whole numbers of at most 18 digits
    ({"macro": TOKENS, "text": "12"}, "12"),
    ({"macro": TOKENS, "text": " 12.000 "}, "12"),
    ({"macro": TOKENS, "text": "999999999999999999"}, "999999999999999999"),
    ({"macro": TOKENS, "text": "1234567890123456789"}, None),
    ({"macro": TOKENS, "text": "12.5"}, None),
    ({"macro": TOKENS, "text": "-1"}, None),
    ({"macro": TOKENS, "text": "1e3"}, None),
    ({"macro": TOKENS, "text": "d"}, None),
    ({"macro": TOKENS, "text": "12x"}, None),
    # JSON records: objects only; truncated lines and other documents are malformed
    ({"macro": "json_object_check", "text": '{"a": 1}'}, "true"),
    ({"macro": "json_object_check", "text": "{}"}, "true"),
    ({"macro": "json_object_check", "text": '{"a": [1, 2'}, "false"),
    ({"macro": "json_object_check", "text": "[1]"}, "false"),
    ({"macro": "json_object_check", "text": '"text"'}, "false"),
    ({"macro": "json_object_check", "text": "{'a': 1}"}, "false"),
    ({"macro": "json_object_check", "text": ""}, "false"),
    # JSON fields by path, a dotted key (OTel attribute names) included; values as text
    ({"macro": "json_field", "text": '{"team.id": "search"}', "path": '$."team.id"'}, "search"),
    ({"macro": "json_field", "text": '{"a": {"b.c": {"d": 5}}}', "path": '$.a."b.c".d'}, "5"),
    ({"macro": "json_field", "text": '{"usage": {"input_tokens": 1e3}}', "path": "$.usage.input_tokens"}, "1000.0"),
    ({"macro": "json_field", "text": '{"team": "  it\'s  "}', "path": "$.team"}, "it's"),
    ({"macro": "json_field", "text": '{"team": "\\u00e9quipe"}', "path": "$.team"}, "\u00e9quipe"),
    ({"macro": "json_field", "text": '{"team": "   "}', "path": "$.team"}, None),
    ({"macro": "json_field", "text": '{"team": null}', "path": "$.team"}, None),
    ({"macro": "json_field", "text": '{"a": 1, "a": 2}', "path": "$.a"}, "1"),
    ({"macro": "json_field", "text": '{"a": true}', "path": "$.a"}, "true"),
    # record ids: md5 of file, content hash and copy number; a quote in a file name is text
    ({"macro": "raw_record_id", "text": "/raw/logs/app/a.jsonl", "hash": "0123abcd", "copy_number": 2},
     "d636c983af684f91707f3ef5389bb308"),
    ({"macro": "raw_record_id", "text": "/raw/o'brien\\x.jsonl", "hash": "0123abcd", "copy_number": 1},
     "2c31ea43d249ef9178d14458e7c788bf"),
    # CSV header lines named as DuckDB's reader names them (its output for these lines)
    ({"macro": "csv_column_names", "text": 'a,b,a,A,"x,y",a_1'}, "a|b|a_1|A_2|x,y|a_1_1"),
    ({"macro": "csv_column_names", "text": '\ufeffteam.id,"say ""hi""",,'}, 'team.id|say "hi"|column2|column3'),
    # money: exact decimals, no precision lost
    ({"macro": "token_cost", "tokens": 12345, "price": "2.5"}, "0.030862500000"),
    ({"macro": "token_cost", "tokens": 999999999999, "price": "0.000001"}, "0.999999999999"),
    ({"macro": "token_cost", "tokens": 123456789012, "price": "75.123456"}, "9274500.657244265472"),
    # a share (in units of 1e-12) toward zero: $1 x 1/3 and -$1 x 1/3; $100 x 2/3 (no half-up to ...667); a
    # quotient just below a whole number of 1e-12 (1.999999999998 x 1e-12 is 1e-12, where Spark's
    # quotient rounds to 2 at its tenth decimal), and a share above $9.2M (2^63 units of 1e-12)
    ({"macro": "allocate_share", "amount": "1", "weight": "1", "total": "3"}, "333333333333"),
    ({"macro": "allocate_share", "amount": "-1", "weight": "1", "total": "3"}, "-333333333333"),
    ({"macro": "allocate_share", "amount": "100", "weight": "2", "total": "3"}, "66666666666666"),
    ({"macro": "allocate_share", "amount": "0.000000000002", "weight": "999999.999999", "total": "1000000"},
     "1"),
    ({"macro": "allocate_share", "amount": "123456789.123456789012", "weight": "0.5", "total": "1"},
     "61728394561728394506"),
    # truncated toward zero on both engines, each operand in parentheses (-7 // 1 + 1 would be -6)
    ({"macro": "integer_divide", "dividend": "-7", "divisor": "1 + 1"}, "-3"),
    ({"macro": "integer_divide", "dividend": "9223372036854775807", "divisor": "2"}, "4611686018427387903"),
    # a row's fingerprint (keep_unchanged_stamps): equal rows match, nulls included; a value moved to
    # another column, a null made empty or a decimal's last digit do not (Spark's hash skips a null)
    ({"macro": "row_fingerprint", "left": ["1", "'a'", "cast(null as int)"],
      "right": ["1", "'a'", "cast(null as int)"]}, "true"),
    ({"macro": "row_fingerprint", "left": ["cast(null as int)", "cast(5 as int)"],
      "right": ["cast(5 as int)", "cast(null as int)"]}, "false"),
    ({"macro": "row_fingerprint", "left": ["'a'", "cast(null as string)"], "right": ["'a'", "''"]}, "false"),
    ({"macro": "row_fingerprint", "left": ["cast(0.000000000001 as decimal(38, 12))"],
      "right": ["cast(0.000000000002 as decimal(38, 12))"]}, "false"),
]
# Every model of the project (README, "Running on Spark / Databricks"), compared with DuckDB's but
# for the columns that name the run (RUN_COLUMNS).
SPARK_MODELS = (
    # app logs
    "stg_app__llm_calls",
    # gateway and Bedrock logs
    "stg_bedrock__invocations", "stg_litellm__spend_logs",
    # OTLP traces
    "stg_otlp__spans", "int_otlp__llm_spans_in_context", "int_otlp__llm_call_records",
    # invoices
    "stg_openai__cost_lines", "stg_anthropic__cost_lines", "stg_aws_cur__line_items", "stg_focus__cost_lines",
    "int_invoice_lines_unioned", "int_invoice_lines_validated", "int_invoice_models_resolved",
    "int_invoice_lines_classified", "fct_invoice_lines",
    # prices, raw files and the call pipeline
    "int_llm_price_windows", "stg_raw_files__manifest", "stg_raw_files__retractions",
    "fct_raw_file_quarantine", "fct_raw_file_retractions", "int_llm_call_records_unioned",
    "int_llm_call_records_validated", "int_llm_call_records_classified", "int_llm_calls_normalized",
    "int_llm_calls_attributed", "int_llm_model_ids_resolved", "int_llm_calls_priced", "fct_llm_calls",
    # marts
    "int_telemetry_record_outcomes", "int_llm_token_costs_scoped", "dim_llm_dates", "dim_llm_models",
    "fct_llm_call_ownership", "fct_llm_cost_daily", "fct_llm_cost_by_environment", "fct_llm_cost_by_route",
    "fct_llm_cost_by_service", "fct_llm_cost_by_team", "fct_llm_cost_focus", "fct_llm_quarantined_records",
    "fct_llm_unpriced_usage", "fct_telemetry_record_accounting", "fct_llm_attribution_coverage",
    "fct_llm_attribution_fix_first", "fct_llm_budget_status", "int_llm_cost_period_cells",
    "fct_llm_cost_change_drivers",
    "int_llm_cost_day_cells", "fct_llm_cost_spikes", "fct_llm_route_unit_costs", "fct_invoice_totals_monthly",
    "fct_invoice_reconciliation", "fct_invoice_reconciliation_monthly", "fct_chargeback_monthly",
    "fct_pipeline_loads",
)
RUN_COLUMNS = (
    # app logs
    "loaded_at", "load_invocation_id", "context_loaded_at",
    # gateway and Bedrock logs
    # OTLP traces
    "in_context_at",
    # invoices
    # prices, raw files and the call pipeline
    "checked_at", "listed_at", "validated_at", "classified_at", "computed_at",
    # reference_version fingerprints the seeds as each engine renders a row as text (DuckDB a
    # row cast, Spark JSON): it only has to change with them, so its values are not compared.
    "reference_version",
    # marts
    "pipeline_load_id",
)
# What a night adds to history (the files retracted or newly quarantined tonight, the loads of each
# night): an incremental build differs from a full one there by design, so these are compared after
# the first build only.
NIGHT_HISTORY = ("stg_raw_files__retractions", "fct_raw_file_retractions", "fct_raw_file_quarantine",
                 "fct_pipeline_loads")
# Where the engines' JSON readers differ (documented in macros/raw/json_fields.sql): malformed
# by RFC 8259 either way, kept here so that a change on either side is noticed.
JSON_DIFFERENCES: dict[str, dict[str, str]] = {
    '{"a": 1,}': {"duckdb": "true", "spark": "false"},
    '{"a": NaN}': {"duckdb": "true", "spark": "false"},
    '{"a": 1} x': {"duckdb": "false", "spark": "true"},
}
ALL_CASES = CASES + [({"macro": "json_object_check", "text": text}, None) for text in JSON_DIFFERENCES]


def run_engine(python: Path, target: str, tmp_path: Path, environ: dict[str, str],
               models: tuple[str, ...] = (), raw_states: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Every case of ALL_CASES rendered on one engine (`values`, in order), and with `models` the
    seeds, raw relations and those models as that engine built them from each of `raw_states` in
    turn (`states`, tests/engine_runner.py)."""
    query = tmp_path / "cases.sql"
    query.write_text(CASE_QUERY, encoding="utf-8")
    variables = json.dumps({"portability_cases": [case for case, _ in ALL_CASES]})
    environment = {**environ, "DBT_TARGET_PATH": str(tmp_path / f"target-{target}"),
                   "DBT_LOG_PATH": str(tmp_path / f"logs-{target}")}
    completed = subprocess.run(
        [str(python), str(PROJECT_ROOT / "tests" / "engine_runner.py"), target, str(query), variables,
         *(["--build", ",".join(models)] if models else []),
         *(["--raw-states", ",".join(map(str, raw_states))] if raw_states else [])],
        env=environment, capture_output=True, text=True, timeout=1800, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    output = json.loads(completed.stdout.splitlines()[-1])
    rows = sorted(output["rows"], key=lambda row: row["case_number"])
    assert [row["case_number"] for row in rows] == list(range(1, len(ALL_CASES) + 1))
    values = [row["rendered"][1:] if row["rendered"] is not None else None for row in rows]
    return {"values": values, **{key: value for key, value in output.items() if key != "rows"}}


def expected(engine: str) -> list[str | None]:
    return [value for _, value in CASES] + [JSON_DIFFERENCES[text][engine] for text in JSON_DIFFERENCES]


def describe(values: list[str | None]) -> list[tuple[str, str | None]]:
    return [(json.dumps(case), value) for (case, _), value in zip(ALL_CASES, values, strict=True)]


def raw_folder(root: Path) -> Path:
    """The raw layout both engines build from: one builder per source system below."""
    for add_files in (
        # app logs
        app_logs,
        # gateway and Bedrock logs
        gateway_and_bedrock_logs,
        # OTLP traces
        otlp_traces,
        # invoices
        invoice_exports,
        # prices, raw files and the call pipeline
        # marts
    ):
        add_files(root)
    return root


def main_test_fixtures(root: Path) -> Path:
    """Beside raw_folder's files, the raw folder of tests/test_bad_raw_files.py, each file one
    folder deeper than in that test (`<source folder>/main_tests/bad_raw_files/...`), so that none
    replaces a file of raw_folder: every bad file (quarantined by the pre-flight both engines
    share) and the good ones beside them (a 3 MB LiteLLM message, a CSV with its own `filename`
    column, glob characters in names, Parquet files of other column types). The implausible-records
    test's folder is compared by a slow test (test_implausible_records_build_alike_on_spark): read
    beside these, it cost the in-suite test a third more CPU (404 against 305 CPU-s, measured)."""
    written = root.with_name(f"{root.name}-bad_raw_files")
    write_bad_files(written)
    for path in sorted(written.rglob("*")):
        if path.is_file():
            top, source, *rest = path.relative_to(written).parts
            target = root.joinpath(top, source, "main_tests", "bad_raw_files", *rest)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


def app_logs(root: Path) -> None:
    """The sample's app logs (JSON lines and CSV) and OTLP traces, the worked example's calls
    (tests/test_worked_example.py, EXPECTED_COST), plus a gzipped JSON-lines file
    whose name holds a quote, glob characters and a backquote, with a blank line, a record written
    twice, one that names a key twice, and two that are not JSON objects; and a CSV file with its
    columns in another order and one more, quoted commas and quotes, and empty fields."""
    sample = PROJECT_ROOT / "data" / "sample"
    for path in [*sample.glob("logs/app/**/*"), *sample.glob("traces/otlp/**/*.jsonl")]:
        if path.is_file():
            target = root / path.relative_to(sample)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    write_jsonl(root / "logs" / "app" / "worked_example" / "calls.jsonl", worked_example_rows())
    lines = next(iter(sorted(sample.glob("logs/app/**/*.jsonl")))).read_text(encoding="utf-8").splitlines()
    hostile = root / "logs" / "app" / "extra" / "o'brien [x] {y}`.jsonl.gz"
    hostile.parent.mkdir(parents=True)
    duplicate_key = lines[2].rstrip().removesuffix("}") + ', "llm.model": "other-model"}'
    records = [lines[0], "", lines[1], lines[1], duplicate_key, "not json", "[1, 2]"]
    hostile.write_bytes(gzip.compress("\n".join(records).encode() + b"\n"))
    (root / "logs" / "app" / "extra" / "batch [2].csv").write_text(
        "llm.model,team.id,timestamp,request_id,llm.provider,llm.input_tokens,llm.output_tokens,note\n"
        'gpt-4o-mini,search,2026-11-21T10:00:00Z,req_csv_1,openai,100,20,"a, ""quoted"" note"\n'
        "gpt-4o-mini,,2026-11-21T11:00:00Z,req_csv_2,openai,,5,\n"
        'gpt-4o-mini,search,1763722800,req_csv_3,openai,7,"",caf\u00e9\n',
        encoding="utf-8",
    )


# A JSON object that names a key twice: DuckDB's reader keeps the first value, Spark's the last
# (otlp_traces writes a span named twice); both engines' values, so that a change is noticed.
REPEATED_JSON_KEY = {"duckdb": "chat first-name", "spark": "chat last-name"}


def otlp_traces(root: Path) -> None:
    """The recorded OTLP/JSON of real instrumentation libraries (tests/fixtures: the conformance
    recordings of scripts/record_conformance.py and the real-world replays), plus a JSON-lines
    file of hostile lines: a span that names a JSON key twice (REPEATED_JSON_KEY), an LLM span
    whose attribute list names a key twice with two values, attribute values of odd types (a
    double below 1e-3, a double and a bool written as strings), a truncated line, lines that are
    not objects or not TracesData, and an empty export."""
    fixtures = PROJECT_ROOT / "tests" / "fixtures"
    for kind in ("conformance", "realworld"):
        for path in sorted((fixtures / kind / "raw" / "traces" / "otlp").glob("*.jsonl")):
            target = root / "traces" / "otlp" / kind / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    recorded = (fixtures / "conformance" / "raw" / "traces" / "otlp" / "openai-v2-default.jsonl")
    first_line = recorded.read_text(encoding="utf-8").splitlines()[0]

    def batch(name: str, span_id: str, attributes: list[dict[str, Any]]) -> str:
        span = {"traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": span_id, "name": name, "kind": 3,
                "startTimeUnixNano": "1764000000000000000", "endTimeUnixNano": "1764000001000000000",
                "attributes": attributes, "status": {}}
        resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "hostile"}}]}
        return json.dumps({"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": [span]}]}]})

    def text(value: str) -> dict[str, Any]:
        return {"stringValue": value}

    llm = [{"key": "gen_ai.provider.name", "value": text("openai")},
           {"key": "gen_ai.request.model", "value": text("gpt-4o-mini")}]
    repeated_name = batch("chat first-name", "00f067aa0ba902b7", llm).replace(
        '"name": "chat first-name"', '"name": "chat first-name", "name": "chat last-name"')
    conflicting = batch("chat conflicting", "00f067aa0ba902b8", [
        *llm, {"key": "team.id", "value": text("search")}, {"key": "team.id", "value": text("ads")}])
    odd_types = batch("chat odd types", "00f067aa0ba902b9", [
        *llm, {"key": "gen_ai.usage.input_tokens", "value": {"doubleValue": 0.0003264}},
        {"key": "gen_ai.usage.output_tokens", "value": {"doubleValue": "12.5"}},
        {"key": "gen_ai.usage.total_tokens", "value": {"doubleValue": 1.5e17}},
        {"key": "cost_center", "value": {"boolValue": "true"}}])
    lines = [repeated_name, conflicting, odd_types, first_line[: len(first_line) // 2], "[1, 2]", "42",
             '{"resourceSpans": "oops"}', "{}", first_line]
    hostile = root / "traces" / "otlp" / "extra" / "hostile.jsonl"
    hostile.parent.mkdir(parents=True)
    hostile.write_text("\n".join(lines) + "\n", encoding="utf-8")


def gateway_and_bedrock_logs(root: Path) -> None:
    """LiteLLM spend logs and Bedrock invocation logs (the bundled sample has none: the reference
    records of tests/fixtures/reference_formats and the realworld samples), plus what the field
    produces: floats in `spend` and token counts that Spark writes in Java's form (3.264E-4, 1.0E7)
    and a string of that form, request tags of every JSON type, `metadata` as JSON text, missing
    fields and objects, duplicate keys, lines that are not JSON objects; gzipped files with and
    without `.gz` (without: quarantined by the pre-flight, read by neither engine); a LiteLLM CSV
    export with JSON in quoted fields and empty fields, and one with a multi-line prompt in a
    quoted field."""
    fixtures = PROJECT_ROOT / "tests" / "fixtures"
    litellm, bedrock = root / "logs" / "litellm", root / "logs" / "bedrock"
    for source, target in (
        (fixtures / "reference_formats" / "litellm_spend_logs.jsonl", litellm / "2026" / "03" / "02" / "spend.jsonl"),
        (fixtures / "realworld" / "raw" / "logs" / "litellm" / "spend_logs_2025-03-24.jsonl",
         litellm / "realworld" / "spend_logs_2025-03-24.jsonl"),
        (fixtures / "reference_formats" / "bedrock_invocation_logs.jsonl", bedrock / "2026" / "03" / "02" / "log.json"),
        (fixtures / "realworld" / "raw" / "logs" / "bedrock" / "AWSLogs_us-east-1_2025-03-11.json",
         bedrock / "realworld" / "AWSLogs_us-east-1_2025-03-11.json"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    spend_logs = [
        {"request_id": "float-1", "spend": 0.0003264, "prompt_tokens": 12.0, "completion_tokens": 1e7,
         "startTime": "2026-03-02T14:05:00Z", "model": "gpt-4o-mini", "status": "success",
         "request_tags": ["env:production", 1, 0.5, None, {"k": 1}, [1, 2], True]},
        {"request_id": "float-2", "spend": 1e-7, "total_tokens": 1.5e21, "request_tags": [0.00012, 1e-7, 2.5e7],
         "metadata": {"additional_usage_values": {"prompt_tokens_details": {"cached_tokens": 1e7,
                                                                            "text_tokens": 3.5e-5}}}},
        {"request_id": "float-3", "spend": "3.264E-4", "prompt_tokens": -1.25e-4, "completion_tokens": 12345678.9,
         "request_tags": "[\"a\", 0.5]", "metadata": "{\"user_api_key_team_alias\": \"payments\"}"},
        {"request_id": "missing-fields"},
        {},
        {"request_id": "nulls", "spend": None, "metadata": None, "request_tags": None, "cache_hit": None},
        {"request_id": "not-objects", "metadata": "not json", "request_tags": {"a": 1},
         "spend_logs_metadata": "x"},
        {"request_id": "chatcmpl-1_cache_hit1772460390.512", "status": "failure", "cache_hit": "None",
         "metadata": {"spend_logs_metadata": {"team": "search", "env": "staging", "cost_center": "cc-1"}}},
    ]
    lines = [json.dumps(record) for record in spend_logs]
    lines += ['{"request_id": "dup", "spend": 0.5, "spend": 0.00025}',
              '{"request_id": "dup-meta", "metadata": {"spend_logs_metadata": {"team": "a", "team": "b"}}}',
              "", "not json", "[1, 2]", '"text"']
    (litellm / "extra").mkdir(parents=True)
    (litellm / "extra" / "spend [floats].jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (litellm / "extra" / "spend.jsonl.gz").write_bytes(gzip.compress("\n".join(lines[:3]).encode()))
    (litellm / "extra" / "spend_gzipped_without_suffix.jsonl").write_bytes(gzip.compress(lines[0].encode()))
    (litellm / "extra" / "spend_export.csv").write_text(
        "request_id,call_type,spend,startTime,model,prompt_tokens,completion_tokens,metadata,request_tags,cache_hit\n"
        'csv-1,acompletion,0.0003264,2026-03-02T14:05:00Z,gpt-4o-mini,1840,212,'
        '"{""user_api_key_team_alias"": ""payments"", ""spend_logs_metadata"": {""service"": ""checkout""}}",'
        '"[""service:checkout"", ""env:production""]",False\n'
        "csv-2,acompletion,3.264E-4,,,,,,,\n"
        'csv-3,,1e-7,2026-03-02T14:06:00Z,claude-3-5-haiku,"",5,{},[],True\n',
        encoding="utf-8",
    )
    (litellm / "extra" / "spend_export_with_prompt.csv").write_text(
        "request_id,spend,messages\n"
        'csv-4,0.5,"[{""role"": ""user"", ""content"": ""line one\nline two""}]"\n',
        encoding="utf-8",
    )
    invocations = [
        {"schemaType": "ModelInvocationLog", "timestamp": "2026-03-02T14:07:02Z", "requestId": "bedrock-float",
         "operation": "Converse", "modelId": "amazon.nova-lite-v1:0",
         "input": {"inputTokenCount": 1e7, "cacheReadInputTokenCount": 0.0},
         "output": {"outputTokenCount": 3.0e-4}, "requestMetadata": {"team": "search", "env": "dev"}},
        {"schemaType": "ModelInvocationLog", "requestId": "bedrock-missing"},
        {"schemaType": "ModelInvocationLog", "requestId": "bedrock-error", "errorCode": "ThrottlingException",
         "input": None, "output": {}, "requestMetadata": "team=search"},
        {"schemaType": "SomethingElse", "requestId": "other-schema", "requestMetadata": {"team": "x"}},
    ]
    records = [json.dumps(record) for record in invocations]
    records += ['{"schemaType": "ModelInvocationLog", "requestId": "dup-tag",'
                ' "requestMetadata": {"team": "a", "team": "b"}}', "", "not json"]
    (bedrock / "extra").mkdir(parents=True)
    (bedrock / "extra" / "invocations.json.gz").write_bytes(gzip.compress("\n".join(records).encode() + b"\n"))
    (bedrock / "extra" / "invocations_gzipped_without_suffix.json").write_bytes(gzip.compress(records[0].encode()))


def invoice_exports(root: Path) -> None:
    """The sample's invoice exports (OpenAI and Anthropic pages, a gzipped CUR CSV in a
    `BILLING_PERIOD=` folder, a FOCUS CSV) and the realworld samples (tests/fixtures/realworld), plus
    pages that are not readable (truncated, an error object, a JSON-lines file with a bad line,
    blank lines), and Parquet exports: a CUR file (DOUBLE amounts, some below 1e-4, which DuckDB
    writes as `1.2e-06`; maps, a timestamp) in a `BILLING_PERIOD=` folder and a FOCUS file (DECIMAL
    cost, timestamps)."""
    for sample in (PROJECT_ROOT / "data" / "sample", PROJECT_ROOT / "tests" / "fixtures" / "realworld" / "raw"):
        for path in sample.glob("invoices/**/*"):
            if path.is_file():
                target = root / path.relative_to(sample)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    extra = root / "invoices" / "openai" / "extra"
    extra.mkdir(parents=True)
    page = json.loads(next(iter(sorted((PROJECT_ROOT / "data" / "sample").glob("invoices/openai/**/*.json"))))
                      .read_text(encoding="utf-8"))
    (extra / "broken.json").write_text('{"object": "page", "data": [{"start_time": 17', encoding="utf-8")
    (extra / "error.json").write_text('{"error": {"message": "rate limited"}}\n', encoding="utf-8")
    (extra / "pages.jsonl.gz").write_bytes(gzip.compress(
        "\n".join([json.dumps(page), "", "{not json", json.dumps(page)]).encode()))
    (extra / "blank lines.json").write_text('\n{\n\n  "object": "page",\n   \n  "data": []\n}\n\n',
                                             encoding="utf-8")
    connection = duckdb.connect()
    cur = root / "invoices" / "aws_cur" / "BILLING_PERIOD=2026-12" / "cur-00001.parquet"
    cur.parent.mkdir(parents=True)
    connection.execute(
        "copy (select 'li_p1' as identity_line_item_id, 'AWS Marketplace' as bill_billing_entity,"
        " 'Usage' as line_item_line_item_type, timestamp '2026-12-02 00:00:00' as line_item_usage_start_date,"
        " 'c8sq1l6dzq3y8bpv0ex5u3w5v' as line_item_product_code,"
        " 'USE1-MP:USE1_InputTokenCount-Units' as line_item_usage_type,"
        " 0.004096::double as line_item_usage_amount, 'USD' as line_item_currency_code,"
        " 0.00032768::double as line_item_unblended_cost, 10000000.0::double as line_item_net_unblended_cost,"
        " map {'product_name': 'Claude 3.5 Haiku (Amazon Bedrock Edition)', 'model': 'Claude 3.5 Haiku',"
        " 'provider': 'Anthropic'} as product, map {'user_team': 'search'} as resource_tags"
        " union all select 'li_p2', 'AWS', 'Usage', timestamp '2026-12-02 01:30:00.5', 'AmazonEC2',"
        " 'USE1-BoxUsage:t3.medium', 24, 'USD', 1.5, 0.25, map {'product_name': 'EC2'}, map {}"
        " union all select 'li_p3', 'AWS Marketplace', 'Usage', timestamp '2026-12-02 02:00:00',"
        " 'c8sq1l6dzq3y8bpv0ex5u3w5v', 'USE1-MP:USE1_OutputTokenCount-Units', 0.00004, 'USD', 1.2e-06,"
        " 1e-06, map {'product_name': 'Claude 3.5 Haiku (Amazon Bedrock Edition)', 'model': 'Claude 3.5 Haiku',"
        " 'provider': 'Anthropic'}, map {'user_team': 'search'}"
        f") to '{cur}' (format parquet)")
    focus = root / "invoices" / "focus" / "parquet" / "export.parquet"
    focus.parent.mkdir(parents=True)
    connection.execute(
        "copy (select 0.75::decimal(18, 10) as BilledCost, 'USD' as BillingCurrency,"
        " 'Usage' as ChargeCategory, 'gpt-5.4-mini input' as ChargeDescription,"
        " timestamp '2026-09-14' as ChargePeriodStart, 'OpenAI' as HostProviderName,"
        " 'AI and Machine Learning' as ServiceCategory, '{\"team\": \"search\"}' as Tags"
        " union all select 5, 'USD', 'Usage', 'Llama input', timestamp '2026-09-14', 'Oracle',"
        f" 'AI and Machine Learning', null) to '{focus}' (format parquet)")
    connection.close()


def changed_raw_state(before: Path, after: Path) -> Path:
    """`before` as a nightly's next raw folder may find it (files' times kept): a new file, a
    rewritten JSON-lines and CSV file (its last row gone), an emptied file and a deleted CSV
    file, all of the sample's app logs."""
    shutil.copytree(before, after)
    app = after / "logs" / "app" / "2026" / "11"
    lines = (app / "23" / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    (app / "24").mkdir()
    (app / "24" / "calls.jsonl").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    rewritten = (app / "21" / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    (app / "21" / "calls.jsonl").write_text("\n".join(rewritten[1:]) + "\n", encoding="utf-8")
    (app / "22" / "calls.jsonl").write_text("", encoding="utf-8")
    batch = (app / "21" / "batch_calls.csv").read_text(encoding="utf-8").splitlines()
    (app / "21" / "batch_calls.csv").write_text("\n".join(batch[:-1]) + "\n", encoding="utf-8")
    (app / "20" / "batch_calls.csv").unlink()
    _, llm_span = split_trace()
    (after / "traces" / "otlp" / "late").mkdir(parents=True)
    (after / "traces" / "otlp" / "late" / "llm.jsonl").write_text(llm_span + "\n", encoding="utf-8")
    return after


# The trace of split_trace: the sample's first trace under this id, and its server span's route.
SPLIT_TRACE_ID = "f1e2d3c4b5a6978800112233445566ff"
SPLIT_TRACE_ROUTE = "/v1/checkout/{cart_id}/summary"


def split_trace() -> tuple[str, str]:
    """The sample's first OTLP trace under SPLIT_TRACE_ID as two TracesData lines: its server span
    (which gives the LLM span its route) and its LLM span."""
    first_file = sorted((PROJECT_ROOT / "data" / "sample" / "traces" / "otlp").rglob("*.jsonl"))[0]
    batch = json.loads(first_file.read_text(encoding="utf-8").splitlines()[0])
    trace_id = batch["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    batch = json.loads(json.dumps(batch).replace(trace_id, SPLIT_TRACE_ID))
    (resource_spans,) = batch["resourceSpans"]
    server_scope, llm_scope = resource_spans["scopeSpans"]
    assert server_scope["spans"][0]["attributes"][0]["value"]["stringValue"] == SPLIT_TRACE_ROUTE
    return tuple(json.dumps({"resourceSpans": [{**resource_spans, "scopeSpans": [scope]}]})  # type: ignore[return-value]
                 for scope in (server_scope, llm_scope))


def late_raw_state(before: Path, after: Path) -> Path:
    """`before` a night later: an app-log file of an earlier day arriving now, repeating two records
    of a file loaded before (which copy is billed is decided again), and the server span of the LLM
    span that arrived the night before (its route: late context)."""
    shutil.copytree(before, after)
    app = after / "logs" / "app" / "2026" / "11"
    repeated = (app / "23" / "calls.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    (app / "19").mkdir()
    (app / "19" / "late.jsonl").write_text("\n".join(repeated) + "\n", encoding="utf-8")
    server_span, _ = split_trace()
    (after / "traces" / "otlp" / "late" / "server.jsonl").write_text(server_span + "\n", encoding="utf-8")
    return after


def comparable(table: dict[str, Any], columns: list[str],
               replaced: dict[str, str] | None = None) -> list[tuple[str | None, ...]]:
    """A table's rows as tuples of `columns` (by name: Spark stores a partition column last)
    but RUN_COLUMNS, sorted; a value in `replaced` as its replacement (REPEATED_JSON_KEY)."""
    kept = [table["columns"].index(column) for column in columns if column not in RUN_COLUMNS]
    replaced = replaced or {}
    return sorted((tuple(replaced.get(row[index], row[index]) for index in kept) for row in table["rows"]), key=str)


def differences(columns: list[str], spark_rows: list[tuple[str | None, ...]],
                duckdb_rows: list[tuple[str | None, ...]]) -> list[dict[str, tuple[str | None, str | None]]]:
    """For a failed comparison: the first rows that differ, paired in sorted order, by column."""
    names = [column for column in columns if column not in RUN_COLUMNS]
    spark_only = [row for row in spark_rows if row not in duckdb_rows][:3]
    duckdb_only = [row for row in duckdb_rows if row not in spark_rows][:3]
    return [{name: (left, right) for name, left, right in zip(names, spark_row, duckdb_row, strict=True)
             if left != right} | {"rows": (str(len(spark_rows)), str(len(duckdb_rows)))}
            for spark_row, duckdb_row in zip(spark_only, duckdb_only, strict=False)] or [
        {"spark_only": spark_only, "duckdb_only": duckdb_only}]  # type: ignore[dict-item]


def duckdb_tables(folder: Path, raw: Path, models: tuple[str, ...]) -> dict[str, Any]:
    """Every seed, raw relation and model of `models` as DuckDB builds them from `raw` into a
    new database in `folder` (one `dbt build` of them, without tests, through scripts/run_dbt.py,
    whose pre-flight and hooks create the raw views), values as text."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "build.duckdb"
    environment = dbt_environment_for(database, folder / "target-duckdb", raw)
    command = ["build", "--quiet", "--select", "resource_type:seed", *models,
               "--exclude", "resource_type:test", "resource_type:unit_test"]
    completed = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "run_dbt.py"), *command],
                               env=environment, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    connection = duckdb.connect(str(database), read_only=True)
    try:
        relations = {name: f'seeds."{name}"' for (name,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'seeds'").fetchall()}
        relations |= {f"raw.{name}": f'raw."{name}"' for (name,) in connection.execute(
            "select view_name from duckdb_views() where schema_name = 'raw'").fetchall()
            if name.endswith(("_records", "_invoice_pages", "_invoice_rows"))}
        relations |= {name: f'{schema}."{name}"' for schema, name in connection.execute(
            "select schema_name, table_name from duckdb_tables() union all"
            " select schema_name, view_name from duckdb_views() where not internal").fetchall()
            if name in models}
        tables = {}
        for name, relation in relations.items():
            result = connection.execute(f"select * from {relation}")
            rows = [[(value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value)
                     .isoformat(" ", "microseconds") if isinstance(value, datetime)
                     else None if value is None else str(value) for value in row] for row in result.fetchall()]
            tables[name] = {"columns": [column[0] for column in result.description], "rows": rows}
    finally:
        connection.close()
    return tables


def test_expression_macros_give_the_hand_worked_values_on_duckdb(tmp_path: Path) -> None:
    values = run_engine(Path(sys.executable), "lint", tmp_path, dict(os.environ))["values"]
    assert describe(values) == describe(expected("duckdb"))


# The Spark tests that build the project more than once (an incremental night, a whole nightly job)
# take minutes each: run with LLM_COST_SLOW_SPARK_TESTS=1 (README, Tests), not in the suite's 15.
slow_spark_test = pytest.mark.skipif(os.environ.get("LLM_COST_SLOW_SPARK_TESTS") != "1",
                                     reason="builds on Spark more than once: LLM_COST_SLOW_SPARK_TESTS=1 runs it")


# The in-suite session is short and its data small: the JVM's first compiler tier alone and a
# single-threaded collector spend about a third less CPU on it (measured on 2 cores: 166-184
# CPU-s without, 125-131 with), given the code cache the JVM's default compilers reserve (240 MB):
# the first tier alone reserves 48 MB, which a build of every model fills, and the JVM then stops
# compiling (every model built in 325 s with 48 MB, 259 s with 240 MB). The slow tests' sessions
# run for many minutes and keep the JVM's defaults, as production Spark nights do.
SPARK_TEST_SESSION = {"SPARK_LOCAL_IP": "127.0.0.1"}
QUICK_SPARK_TEST_SESSION = {
    **SPARK_TEST_SESSION,
    "JDK_JAVA_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=240m",
}


def spark_venv() -> Path:
    venv = private_venv("spark", PROJECT_ROOT / "requirements-spark.txt")
    if venv is None:
        pytest.skip("dbt-spark and pyspark (requirements-spark.txt) could not be installed into a private venv")
    return venv


def built_on_both_engines(tmp_path: Path, raw_states: tuple[Path, ...], models: tuple[str, ...] = SPARK_MODELS,
                          session: dict[str, str] = SPARK_TEST_SESSION,
                          ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Spark's hand-worked values, checked, and each of `raw_states` built on Spark in turn (in
    LLM_COST_RAW_DIR, tmp_path/raw: incremental after the first) and by DuckDB from scratch; every
    seed, raw relation and model of `models` of each state equal on both engines, but
    NIGHT_HISTORY after the first. Returns Spark's output and DuckDB's tables of each state."""
    raw = tmp_path / "raw"
    environ = {**os.environ, **session, "TZ": "UTC", "LLM_COST_RAW_DIR": str(raw),
               "LLM_COST_RETRACT_DELETED_FILES": "1",
               "LLM_COST_SPARK_WAREHOUSE": str(tmp_path / "spark"), "LLM_COST_DUCKDB_PATH": str(tmp_path / "unused")}
    spark = run_engine(spark_venv() / "bin" / "python", "spark", tmp_path, environ, models=models,
                       raw_states=raw_states)
    assert describe(spark["values"]) == describe(expected("spark"))
    duckdb_states = []
    for number, state in enumerate(raw_states):
        shutil.rmtree(raw)
        shutil.copytree(state, raw)  # the same paths and files' times as Spark read
        duckdb_states.append(duckdb_tables(tmp_path / f"duckdb-{number}", raw, models))
    as_on_spark = {REPEATED_JSON_KEY["duckdb"]: REPEATED_JSON_KEY["spark"]}
    for state, (spark_tables, duckdb_tables_built) in enumerate(zip(spark["states"], duckdb_states, strict=True)):
        assert sorted(spark_tables) == sorted(duckdb_tables_built)
        for name, table in duckdb_tables_built.items():
            if state and name in NIGHT_HISTORY:
                continue
            columns = table["columns"]
            assert sorted(spark_tables[name]["columns"]) == sorted(columns), name
            spark_rows, duckdb_rows = comparable(spark_tables[name], columns), comparable(table, columns, as_on_spark)
            assert spark_rows == duckdb_rows, (state, name, differences(columns, spark_rows, duckdb_rows))
    return spark, duckdb_states


def test_spark_gives_the_same_values_seeds_raw_records_and_models(tmp_path: Path) -> None:
    """On a local Spark session: the same hand-worked values (the JSON differences aside); every
    seed loaded with the same columns and rows as DuckDB loads it (a null stays null, an
    apostrophe stays one; the price book's daily windows are 'HH:MM:SS' text there); every raw
    telemetry record, JSON lines and CSV, read with the same file, text, hash and copy number (so
    the same record id) from files listed by the same pre-flight, hostile names included; and
    every model of the project, every public mart included, built from the bundled sample and
    those files with the same rows (incrementally too: the slow tests below), the worked
    example's team costs among them."""
    assert sorted(SPARK_MODELS) == sorted(path.stem for path in (PROJECT_ROOT / "models").rglob("*.sql"))
    first = main_test_fixtures(raw_folder(tmp_path / "states" / "first"))
    spark, (duckdb_built,) = built_on_both_engines(tmp_path, (first,), session=QUICK_SPARK_TEST_SESSION)
    daily = spark["states"][0]["fct_llm_cost_daily"]
    team_column, cost_column = (daily["columns"].index(column) for column in ("team", "cost_usd"))
    assert {team: sum(Decimal(row[cost_column]) for row in daily["rows"] if row[team_column] == team)
            for team in WORKED_EXAMPLE_COST} == WORKED_EXAMPLE_COST  # the worked example, on Spark

    def values(name: str, column: str, main_tests: bool = False) -> list[str | None]:
        """`column` of DuckDB's `name` (equal to Spark's) in raw_folder's files, or main_test_fixtures'."""
        table = duckdb_built[name]
        file, index = (table["columns"].index(wanted) for wanted in ("source_file", column))
        return [row[index] for row in table["rows"] if ("/main_tests/" in row[file]) == main_tests]

    files = values("raw.app_llm_call_records", "source_file")
    assert sum(file.endswith(".jsonl.gz") for file in files) == 6
    assert sum(file.endswith("batch [2].csv") for file in files) == 3
    assert sum(file.endswith(".csv") for file in files) > 3
    assert values("stg_app__llm_calls", "has_duplicate_key").count("True") == 1
    assert values("stg_app__llm_calls", "is_valid_json").count("False") == 2
    assert values("stg_otlp__spans", "span_name").count(REPEATED_JSON_KEY["duckdb"]) == 1
    assert values("stg_otlp__spans", "has_duplicate_key").count("True") == 1
    assert values("stg_otlp__spans", "is_valid_json").count("False") == 1
    assert values("stg_otlp__spans", "is_traces_data").count("False") == 4
    # the bad-file test's folder is compared too: every bad file quarantined with its reason
    quarantined = {Path(file).relative_to(tmp_path / "raw").as_posix(): reason for file, reason in zip(
        values("fct_raw_file_quarantine", "source_file", main_tests=True),
        values("fct_raw_file_quarantine", "quarantine_reason", main_tests=True), strict=True)}
    bad_files = {"/".join([*Path(file).parts[:2], "main_tests", "bad_raw_files", *Path(file).parts[2:]]): reason
                 for file, (reason, _) in BAD_FILES.items()}
    assert sorted(quarantined) == sorted(bad_files)
    assert all(quarantined[file].startswith(reason) for file, reason in bad_files.items()), quarantined


@slow_spark_test
def test_implausible_records_build_alike_on_spark(tmp_path: Path) -> None:
    """tests/test_implausible_records.py's raw folder (hostile values in every source, a CSV header
    that names a column twice beside a good CSV file) built on Spark: every seed, raw record and
    model equal to DuckDB's build, so its quarantines and exact costs hold on Spark too."""
    spark, _ = built_on_both_engines(tmp_path, (write_attacks(tmp_path / "states" / "attacks"),),
                                     session=QUICK_SPARK_TEST_SESSION)
    quarantined = spark["states"][0]["fct_llm_quarantined_records"]
    reason = quarantined["columns"].index("quarantine_reason")
    assert "duplicate_key" in {row[reason] for row in quarantined["rows"]}


@slow_spark_test
def test_an_incremental_spark_night_equals_a_full_duckdb_build(tmp_path: Path) -> None:
    """Every model of SPARK_MODELS, the public marts included, built three times on Spark, then
    incrementally from a changed raw folder (changed_raw_state) and from one a night later
    (late_raw_state): each time equal to DuckDB's full build of the same folder (but
    NIGHT_HISTORY after the first); only the changed files loaded again, the deleted and the
    emptied file retracted, and the LLM span whose server span came a night later given its route.
    Spark reads a CSV file again only when it changed: the rows of an unchanged one are still those
    its first build wrote (spark_csv_rows_select)."""
    first = raw_folder(tmp_path / "states" / "first")
    changed = changed_raw_state(first, tmp_path / "states" / "changed")
    spark, _ = built_on_both_engines(tmp_path, (first, changed, late_raw_state(changed, tmp_path / "states" / "late")))
    raw = tmp_path / "raw"
    calls = [state["fct_llm_calls"] for state in spark["states"][1:]]
    trace_column, route_column = (calls[0]["columns"].index(column) for column in ("trace_id", "route"))
    assert [[row[route_column] for row in table["rows"] if row[trace_column] == SPLIT_TRACE_ID]
            for table in calls] == [["unknown"], [SPLIT_TRACE_ROUTE]]
    before, after = (state["stg_app__llm_calls"] for state in spark["states"][:2])
    file_column, loaded_column = (before["columns"].index(column) for column in ("source_file", "loaded_at"))
    loads = [{row[file_column].removeprefix(str(raw)): row[loaded_column] for row in table["rows"]}
             for table in (before, after)]
    assert set(loads[0]) - set(loads[1]) == {"/logs/app/2026/11/20/batch_calls.csv", "/logs/app/2026/11/22/calls.jsonl"}
    assert set(loads[1]) - set(loads[0]) == {"/logs/app/2026/11/24/calls.jsonl"}
    reloaded = {file for file in loads[1] if loads[1][file] != loads[0].get(file)}
    assert reloaded == {"/logs/app/2026/11/21/calls.jsonl", "/logs/app/2026/11/21/batch_calls.csv",
                        "/logs/app/2026/11/24/calls.jsonl"}
    # Spark's CSV rows table: a partition per CSV file still there; the unchanged files' rows written
    # by the first build, the rewritten file's by the second, a build (a minute) later, and none since
    rows_table = tmp_path / "spark" / "raw.db" / "app_llm_call_records__csv_rows"
    written: dict[str, int] = {}
    for part in rows_table.glob("file_key=*/*.parquet"):
        key = part.parent.name.removeprefix("file_key=")
        written[key] = max(written.get(key, 0), part.stat().st_mtime_ns)
    keys = {day: hashlib.md5(f"{raw}/logs/app/2026/11/{day}/batch_calls.csv".encode()).hexdigest()
            for day in ("20", "21", "22", "23")}
    assert keys["20"] not in written and {keys["22"], keys["23"]} < set(written)
    rewritten = written.pop(keys["21"])
    assert rewritten - max(written.values()) > 10 * 10**9
    retractions = spark["states"][1]["fct_raw_file_retractions"]
    file_column, kind_column, count_column = (retractions["columns"].index(column)
                                              for column in ("source_file", "retraction_kind", "record_count"))
    assert sorted((row[file_column].removeprefix(str(raw)), row[kind_column], row[count_column])
                  for row in retractions["rows"]) == [("/logs/app/2026/11/20/batch_calls.csv", "deleted", "6"),
                                                      ("/logs/app/2026/11/22/calls.jsonl", "emptied", "18")]


@slow_spark_test
def test_a_spark_night_publishes_what_a_duckdb_night_publishes(tmp_path: Path) -> None:
    """`./scripts/nightly.sh --target spark` on the bundled sample: every model built on Spark, the
    data tests run on DuckDB over Spark's Parquet, and the analyst database published with every
    mart and seed of a DuckDB night, column for column, type for type and row for row (but
    RUN_COLUMNS); the same exit code. Spark runs a second night on the same inputs, which rebuilds
    the models that read the current date over the views of the first night."""
    spark_venv()  # installed, as nightly.sh would
    environ = {**os.environ, **SPARK_TEST_SESSION, "TZ": "UTC",
               "LLM_COST_RAW_DIR": str(PROJECT_ROOT / "data" / "sample"),
               "LLM_COST_SPARK_WAREHOUSE": str(tmp_path / "spark")}
    nights = {}
    for engine in ("spark", "spark", "duckdb"):
        nights[engine] = subprocess.run(
            [str(PROJECT_ROOT / "scripts" / "nightly.sh"), *(["--target", "spark"] if engine == "spark" else [])],
            env={**environ, "LLM_COST_DUCKDB_PATH": str(tmp_path / f"{engine}.duckdb"),
                 "DBT_TARGET_PATH": str(tmp_path / f"target-{engine}")},
            capture_output=True, text=True, timeout=1800, check=False,
        )
        assert nights[engine].returncode in (0, 1), nights[engine].stdout[-3000:] + nights[engine].stderr[-3000:]
    assert nights["spark"].returncode == nights["duckdb"].returncode, nights["spark"].stderr[-3000:]
    spark_results = json.loads((tmp_path / "target-spark" / "run_results-spark.json").read_text(encoding="utf-8"))
    # the Spark build's node times, kept beside the tests' (the second night built the date-reading marts)
    assert {result["unique_id"]: result["status"] for result in spark_results["results"]}.get(
        "model.llm_cost.fct_chargeback_monthly") == "success"
    connection = duckdb.connect()
    catalogs = ("spark_night", "duckdb_night")
    for catalog, engine in zip(catalogs, ("spark", "duckdb"), strict=True):
        connection.execute(f"attach '{tmp_path / f'{engine}.analyst.duckdb'}' as {catalog} (read_only)")
    tables = {catalog: sorted(connection.execute(  # not the publication log: hashes of rows with run stamps
        "select schema_name, table_name from duckdb_tables() where database_name = ? and schema_name != 'publication'",
        [catalog]).fetchall()) for catalog in catalogs}
    assert tables["spark_night"] == tables["duckdb_night"]
    assert ("main", "fct_chargeback_monthly") in tables["duckdb_night"]
    for schema, name in tables["duckdb_night"]:
        columns = {catalog: [column[:2] for column in connection.execute(
            f'describe {catalog}."{schema}"."{name}"').fetchall()] for catalog in catalogs}
        assert columns["spark_night"] == columns["duckdb_night"], name
        kept = ", ".join(f'cast("{column}" as varchar)' for column, _ in columns["duckdb_night"]
                         if column not in RUN_COLUMNS)
        rows = {catalog: sorted(connection.execute(f'select {kept} from {catalog}."{schema}"."{name}"').fetchall(),
                                key=str) for catalog in catalogs}
        assert rows["spark_night"] == rows["duckdb_night"], name


@slow_spark_test
def test_corrected_seeds_reach_history_on_spark_as_on_duckdb(tmp_path: Path) -> None:
    """test_nightly_operations' corrections on Spark: a night on the Spark target, then three seeds
    corrected (a price, a new model alias, a service's new owner from a date) and a second Spark
    night, without a full refresh: the past days repriced and reattributed by hand, and the marts
    equal to a DuckDB night's over the corrected seeds."""
    raw = tmp_path / "raw"
    on_spark, on_duckdb = (copy_project(tmp_path / engine, raw=raw) for engine in ("spark", "duckdb"))
    write_calls_to_correct(on_spark)
    spark_night = {**SPARK_TEST_SESSION, "TZ": "UTC", "LLM_COST_SPARK_PYTHON": str(spark_venv() / "bin" / "python"),
                   "LLM_COST_SPARK_WAREHOUSE": str(tmp_path / "spark-warehouse")}
    assert on_spark.nightly("--target", "spark", environ=spark_night) in (0, 1)
    assert on_spark.rows(DAILY_COSTS) == COSTS_BEFORE_CORRECTIONS
    correct_the_seeds(on_spark)
    assert on_spark.nightly("--target", "spark", environ=spark_night) in (0, 1)
    assert on_spark.rows(DAILY_COSTS) == CORRECTED_COSTS
    correct_the_seeds(on_duckdb)
    assert on_duckdb.nightly() in (0, 1)
    assert marts(on_spark, across_engines=True) == marts(on_duckdb, across_engines=True)


@slow_spark_test
def test_a_killed_spark_build_and_a_new_price_seed_end_as_duckdb_nights(tmp_path: Path) -> None:
    """test_nightly_operations' killed run and new seed on Spark: a Spark night, then a Spark build
    killed (the JVM with it) once staging has loaded a new day, and a Spark night: the marts equal
    an uninterrupted DuckDB night's; then a new seed that affects prices (a negotiated discount)
    and a Spark night without a full refresh: the past days repriced by hand, and the marts equal a
    DuckDB night's over the same seeds."""
    raw = tmp_path / "raw"
    on_spark, on_duckdb = (copy_project(tmp_path / engine, raw=raw) for engine in ("spark", "duckdb"))
    spark_night = {**SPARK_TEST_SESSION, "TZ": "UTC", "LLM_COST_SPARK_PYTHON": str(spark_venv() / "bin" / "python"),
                   "LLM_COST_SPARK_WAREHOUSE": str(tmp_path / "spark-warehouse")}
    write_file(on_spark, "logs/app/d0/a.jsonl", app_calls(0, 3))
    assert on_spark.nightly("--target", "spark", environ=spark_night) == 0
    write_file(on_spark, "logs/app/d1/a.jsonl", app_calls(1, 5))
    killed = subprocess.Popen(
        [spark_night["LLM_COST_SPARK_PYTHON"], str(on_spark.root / "scripts" / "spark_build.py"),
         str(tmp_path / "relations.json"), "build", "--target", "spark"],
        env={**on_spark.environment(), **spark_night}, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert killed.stdout is not None
    for line in killed.stdout:
        if "int_llm_call_records_unioned" in line:  # staging has loaded day 1 on Spark; kill mid-build
            os.killpg(killed.pid, signal.SIGKILL)
            break
    assert killed.wait() == -signal.SIGKILL
    assert on_spark.nightly("--target", "spark", environ=spark_night) == 0
    assert on_duckdb.nightly() == 0
    assert marts(on_spark, across_engines=True) == marts(on_duckdb, across_engines=True)

    for project in (on_spark, on_duckdb):
        add_a_negotiated_discount(project)
    assert on_spark.nightly("--target", "spark", environ=spark_night) == 0
    assert on_duckdb.nightly() == 0
    # 0.18 per call before, 0.135 after (test_a_new_seed_that_affects_prices_reaches_history_without_a_full_refresh)
    assert on_spark.rows("select usage_date::varchar, cost_usd from fct_llm_cost_daily order by 1") == [
        ("2026-03-01", Decimal("0.405")), ("2026-03-02", Decimal("0.675"))]
    assert marts(on_spark, across_engines=True) == marts(on_duckdb, across_engines=True)


def test_a_spark_night_refuses_nulls_its_contracts_forbid(tmp_path: Path) -> None:
    """Spark's Parquet tables do not enforce a contract's not-null constraints (DuckDB does, when
    it writes the table): the Spark night checks them on the views it makes over Spark's files."""
    manifest = {"nodes": {"model.llm_cost.fct_budget": {
        "resource_type": "model", "schema": "main", "name": "fct_budget", "alias": "fct_budget",
        "config": {"contract": {"enforced": True}},
        "columns": {"team": {"data_type": "varchar", "constraints": [{"type": "not_null"}]},
                    "note": {"data_type": "varchar", "constraints": []}},
    }}}
    folder = tmp_path / "spark" / "fct_budget"
    folder.mkdir(parents=True)
    build = tmp_path / "build.duckdb"
    connection = duckdb.connect()
    connection.execute(f"copy (select 'search' as team, null::varchar as note) to '{folder / 'a.parquet'}'")
    connection.close()
    nightly.mirror_spark_relations(build, {"main.fct_budget": str(folder)}, manifest)
    connection = duckdb.connect(str(build), read_only=True)
    assert connection.execute("select * from main.fct_budget").fetchall() == [("search", None)]
    connection.close()

    connection = duckdb.connect()
    connection.execute(f"copy (select null::varchar as team, 'x' as note) to '{folder / 'b.parquet'}'")
    connection.close()
    with pytest.raises(nightly.NightlyError, match=r"main\.fct_budget \(team\)"):
        nightly.mirror_spark_relations(build, {"main.fct_budget": str(folder)}, manifest)
