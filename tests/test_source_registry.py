"""Adding a telemetry source is a staging folder plus one row of the source registry.

A copy of the project gains a fifth telemetry source, a made-up gateway log,
with nothing but its staging folder (model, model YAML, sources YAML) and one
entry of `llm_cost_sources` in dbt_project.yml. One build over a raw folder
holding its file (and one app-log record of a call it also saw) must bill its
calls at the price book's prices, rank it against the other sources by the
registry's meter rank, account for every one of its records, and pass every
data test (the accounting tests loop over the registry). A diff of the copy
against the project proves nothing else was edited.
"""

from __future__ import annotations

import difflib
import filecmp
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from conftest import PROJECT_ROOT, dbt_environment_for, write_jsonl

PROJECT_PARTS = ["dbt_project.yml", "models", "macros", "seeds", "data-tests", "profiles", "scripts"]
IGNORED = shutil.ignore_patterns("__pycache__", ".mypy_cache", ".ruff_cache")

REGISTRY_ROW = """\
    fakegw_logs:
      label: Fake gateway logs
      is_telemetry: true
      folder: logs/fakegw
      relation: fakegw_request_records
      globs:
        jsonl: ["**/*.jsonl", "**/*.jsonl.gz"]
      meter_rank: 0
      staging_model: stg_fakegw__requests
      call_records_model: stg_fakegw__requests
"""

SOURCES_YML = """\
version: 2

sources:
  - name: fakegw
    description: A made-up LLM gateway's request log (JSON lines under `logs/fakegw/`).
    schema: raw
    config:
      loaded_at_field: file_modified_at
      freshness:
        warn_after: {count: 26, period: hour}
    tables:
      - name: request_records
        identifier: "{{ var('llm_cost_sources').fakegw_logs.relation }}"
        description: One row per non-blank JSON line.
        columns:
          - name: record_text
            description: The line as written.
"""

MODELS_YML = """\
version: 2

models:
  - name: stg_fakegw__requests
    description: One row per gateway request record, with the shared call columns.
    columns:
      - name: record_id
        description: Id of the raw record.
        data_tests: [unique, not_null]
"""

STAGING_SQL = """\
{{ config(**incremental_contract()) }}
{%- set request_fields = {
    "event_timestamp_text": "$.ts",
    "request_id": "$.id",
    "team_id": "$.team",
    "service_name": "$.svc",
    "environment_raw": "$.env",
    "provider_raw": "$.vendor",
    "model_raw": "$.model",
    "input_tokens_text": "$.tokens_in",
    "output_tokens_text": "$.tokens_out",
    "cache_read_tokens_text": "$.tokens_cached",
} -%}
with

records as (

    select * from {{ source('fakegw', 'request_records') }}
    where {{ incremental_files() }}

),

identified as (

    select
        {{ raw_record_id('source_file', 'record_hash', 'copy_number') }} as record_id,
        source_file,
        file_modified_at,
        {{ load_columns() }},
        record_hash,
        {{ json_object_check('record_text') }} as is_valid_json,
        case
            when {{ json_object_check('record_text') }}
                then {{ json_field_values('record_text', request_fields) }}
        end as field_values
    from records

),

call_records as (

    select
        record_id,
        source_file,
        file_modified_at,
        loaded_at,
        load_invocation_id,
        loaded_at as context_loaded_at,
        is_valid_json,
        {{ json_field_columns('field_values', request_fields) }},
        request_id as provider_request_id,
        request_id as logical_group_key,
        'fakegw_logs' as source_system,
        cast(null as boolean) as is_traces_data,
        false as has_duplicate_key,
        cast(null as varchar) as trace_id,
        cast(null as varchar) as span_id,
        'ok' as attempt_status,
        false as is_proxy_cache_hit,
        cast(null as varchar) as operation_name,
        cast(null as varchar) as requested_model_raw,
        'flat_llm' as usage_convention,
        cast(null as varchar) as cache_write_tokens_text,
        cast(null as varchar) as cache_write_1h_tokens_text,
        cast(null as varchar) as reasoning_tokens_text,
        cast(null as varchar) as source_reported_cost_text,
        cast(null as varchar) as cost_center,
        cast(null as varchar) as http_route,
        cast(null as varchar) as url_path,
        cast(null as varchar) as job_name,
        cast(null as varchar) as service_tier_raw,
        cast(null as varchar) as aws_account_id,
        cast(null as varchar) as aws_region,
        cast(null as varchar) as customer_tier,
        'fakegw:' || coalesce(request_id, record_hash) as dedup_key,
        case when team_id is not null then 'log_record' end as team_origin
    from identified

)

select * from call_records
"""

# gpt-4o-mini, openai, global, standard (seeds/prices/llm_prices.csv): USD per
# million tokens 0.15 input, 0.6 output, 0.075 cache read.
FAKE_RECORDS: list[dict[str, Any]] = [
    # 1,000,000 input of which 400,000 cached, 100,000 output:
    # 600,000 x 0.15 + 400,000 x 0.075 + 100,000 x 0.6 = 0.09 + 0.03 + 0.06 = $0.18
    {"ts": "2026-03-02T10:00:00Z", "id": "gw-1", "team": "search", "svc": "ranker", "env": "production",
     "vendor": "openai", "model": "gpt-4o-mini", "tokens_in": 1_000_000, "tokens_out": 100_000,
     "tokens_cached": 400_000},
    # 2,000 input, 500 output: 2,000 x 0.15 + 500 x 0.6 = 0.0003 + 0.0003 = $0.0006
    {"ts": "2026-03-02T11:00:00Z", "id": "gw-2", "team": "support", "svc": "helpdesk", "env": "production",
     "vendor": "openai", "model": "gpt-4o-mini", "tokens_in": 2_000, "tokens_out": 500},
]
EXPECTED_COST = {"gw-1": Decimal("0.18"), "gw-2": Decimal("0.0006")}


def copy_project(destination: Path) -> None:
    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=IGNORED)
        else:
            shutil.copy(source, destination / part)


def add_fake_source(root: Path) -> None:
    """The whole change: a staging folder and one registry row."""
    folder = root / "models" / "staging" / "fakegw"
    folder.mkdir()
    (folder / "_fakegw__sources.yml").write_text(SOURCES_YML, encoding="utf-8")
    (folder / "_fakegw__models.yml").write_text(MODELS_YML, encoding="utf-8")
    (folder / "stg_fakegw__requests.sql").write_text(STAGING_SQL, encoding="utf-8")
    project_file = root / "dbt_project.yml"
    text = project_file.read_text(encoding="utf-8")
    anchor = "  llm_cost_sources:\n"
    assert text.count(anchor) == 1
    project_file.write_text(text.replace(anchor, anchor + REGISTRY_ROW), encoding="utf-8")


def edited_files(root: Path) -> dict[str, str]:
    """Every file of the copy that differs from the project: path -> added / changed."""
    found: dict[str, str] = {}

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        for name in comparison.left_only:
            found[f"{prefix}{name}"] = "removed"
        for name in comparison.right_only:
            path = Path(comparison.right) / name
            files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
            for file in files:
                found[f"{prefix}{file.relative_to(comparison.right)}"] = "added"
        for name in comparison.diff_files:
            found[f"{prefix}{name}"] = "changed"
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    for part in PROJECT_PARTS:
        left, right = PROJECT_ROOT / part, root / part
        if left.is_dir():
            walk(filecmp.dircmp(left, right, ignore=["__pycache__", ".mypy_cache", ".ruff_cache"]), f"{part}/")
        elif not filecmp.cmp(left, right, shallow=False):
            found[part] = "changed"
    return found


def test_a_fifth_telemetry_source_needs_only_its_staging_folder_and_a_registry_row(tmp_path: Path) -> None:
    root = tmp_path / "project"
    copy_project(root)
    add_fake_source(root)

    # Nothing else edited: new files only in the staging folder, and the
    # registry row is the only change to dbt_project.yml.
    edited = edited_files(root)
    assert {path for path, how in edited.items() if how == "added"} == {
        "models/staging/fakegw/_fakegw__sources.yml",
        "models/staging/fakegw/_fakegw__models.yml",
        "models/staging/fakegw/stg_fakegw__requests.sql",
    }
    assert {path: how for path, how in edited.items() if how != "added"} == {"dbt_project.yml": "changed"}
    diff = [
        line for line in difflib.unified_diff(
            (PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8").splitlines(),
            (root / "dbt_project.yml").read_text(encoding="utf-8").splitlines(), n=0, lineterm="",
        )
        if not line.startswith(("---", "+++", "@@"))
    ]
    assert diff == ["+" + line for line in REGISTRY_ROW.splitlines()]

    raw = tmp_path / "raw"
    write_jsonl(raw / "logs" / "fakegw" / "2026-03-02.jsonl", [*FAKE_RECORDS, FAKE_RECORDS[0]])
    with (raw / "logs" / "fakegw" / "2026-03-02.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    # the app saw call gw-1 too: the gateway (meter rank 0) is closer to the vendor's meter
    write_jsonl(raw / "logs" / "app" / "2026-03-02.jsonl", [{
        "timestamp": "2026-03-02T10:00:00.200Z", "request_id": "gw-1", "team.id": "search",
        "service.name": "ranker", "deployment.environment": "production", "llm.provider": "openai",
        "llm.model": "gpt-4o-mini", "llm.input_tokens": 1_000_000, "llm.output_tokens": 100_000,
    }])

    database = tmp_path / "build.duckdb"
    environment = dbt_environment_for(database, tmp_path / "target", raw)
    build = subprocess.run(
        # dbt's unit tests do not depend on the raw data: they run once, in test_sample_build.py
        [sys.executable, str(root / "scripts" / "run_dbt.py"), "build", "--quiet", "--exclude", "test_type:unit"],
        env=environment, capture_output=True, text=True, check=False,
    )
    # every data test passes, the accounting tests included (they loop over the registry)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]

    connection = duckdb.connect(str(database), read_only=True)
    try:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return connection.execute(sql).fetchall()

        # every call billed once, from the gateway, at the price book's prices
        assert rows("select source_system, team, cost_usd from fct_llm_calls order by team") == [
            ("fakegw_logs", "search", EXPECTED_COST["gw-1"]),
            ("fakegw_logs", "support", EXPECTED_COST["gw-2"]),
        ]
        accounting = dict(rows(
            "select source_system || '/' || record_outcome, record_count from fct_telemetry_record_accounting"
        ))
        assert accounting == {
            "fakegw_logs/billed": 2,
            "fakegw_logs/exact_duplicate": 1,
            "fakegw_logs/quarantined": 1,
            "app_logs/cross_source_duplicate": 1,
        }
        assert rows(
            "select source_system, is_telemetry, record_count from staging.stg_raw_files__manifest"
            " where source_system = 'fakegw_logs'"
        ) == [("fakegw_logs", True, 4)]
    finally:
        connection.close()
