"""One bad raw file is quarantined with its reason, and the night goes on.

Before the pre-flight (scripts/raw_manifest.py), one file that DuckDB cannot
read at all failed the whole build: a byte that is not UTF-8, an empty or
truncated `.gz`, a Parquet file that does not open. A LiteLLM CSV with a
3 MB `messages` cell or with a column named `filename` failed too, though
nothing is wrong with it; and a file named `calls[1].jsonl` was read as the
glob it looks like (`calls1.jsonl`). Here all of them lie next to good files
of every source, in one build.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

import raw_manifest
from conftest import PROJECT_ROOT, Warehouse, build_into, otlp_span, otlp_traces_data

REFERENCE_SAMPLES = PROJECT_ROOT / "tests/fixtures/reference_formats"
COST_PER_CALL = Decimal("0.21")  # gpt-4o-mini: 1M input x 0.15 + 0.1M output x 0.60
START_NS = 1_772_712_000 * 1_000_000_000  # 2026-03-05T12:00:00Z
LITELLM_COLUMNS = ["request_id", "call_type", "status", "startTime", "model", "custom_llm_provider",
                   "prompt_tokens", "completion_tokens", "metadata", "messages"]


def app_call(request_id: str, team: str) -> dict[str, Any]:
    return {
        "timestamp": "2026-03-05T12:00:00+00:00", "request_id": request_id, "team.id": team,
        "service.name": "ranker", "deployment.environment": "production", "llm.provider": "openai",
        "llm.model": "gpt-4o-mini", "llm.input_tokens": 1_000_000, "llm.output_tokens": 100_000,
    }


def app_lines(team: str, count: int) -> bytes:
    return "".join(json.dumps(app_call(f"{team}-{n}", team)) + "\n" for n in range(count)).encode()


def litellm_csv(team: str, count: int, messages: str = "[]", extra: dict[str, str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LITELLM_COLUMNS + list(extra or {}), lineterminator="\n")
    writer.writeheader()
    for n in range(count):
        writer.writerow({
            "request_id": f"{team}-{n}", "call_type": "acompletion", "status": "success",
            "startTime": "2026-03-05 12:00:00", "model": "gpt-4o-mini", "custom_llm_provider": "openai",
            "prompt_tokens": "1000000", "completion_tokens": "100000",
            "metadata": json.dumps({"spend_logs_metadata": {"team": team, "service": "proxy"}}),
            "messages": messages, **(extra or {}),
        })
    return out.getvalue().encode()


def otlp_line(team: str) -> bytes:
    span = otlp_span("44444444444444444444444444444444", "00000000000000e1", "", 3, START_NS, {
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000,
        "gen_ai.response.id": f"resp-{team}",
    })
    data = otlp_traces_data({"service.name": "agent", "team.id": team, "deployment.environment.name": "production"},
                            [span])
    return (json.dumps(data) + "\n").encode()


def write(raw: Path, relative: str, content: bytes) -> None:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def parquet_from_csv(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    try:
        connection.execute(
            "copy (select * from read_csv(?, header = true, all_varchar = true)) to '"
            + str(target).replace("'", "''") + "' (format parquet)", [str(source)])
    finally:
        connection.close()


# file -> (reason prefix, record count) of every bad file
BAD_FILES = {
    "logs/app/bad/invalid_utf8.jsonl": ("invalid_utf8", 3),
    "logs/app/bad/empty.jsonl.gz": ("empty_gzip_file", 0),
    "logs/litellm/bad/invalid_utf8.csv": ("invalid_utf8", 2),
    "logs/bedrock/bad/mixed_line_endings.jsonl": ("mixed_line_endings", 3),
    "traces/otlp/bad/truncated.jsonl.gz": ("corrupt_gzip", None),
    "invoices/anthropic/2026-11/invalid_utf8.json": ("invalid_utf8", 1),
    "invoices/aws_cur/bad/corrupt.parquet": ("unreadable_parquet", None),
    "invoices/focus/bad/corrupt.parquet": ("unreadable_parquet", None),
}


def write_raw_folder(raw: Path) -> None:
    # good files of every source
    write(raw, "logs/app/good/calls.jsonl", app_lines("app-good", 2))
    write(raw, "logs/app/globs/calls1.jsonl", app_lines("plain-name", 2))
    write(raw, "logs/app/globs/calls[1].jsonl", app_lines("bracket-name", 1))
    write(raw, "logs/litellm/good/big_messages.csv",
          litellm_csv("litellm-big", 1, messages=json.dumps([{"role": "user", "content": "x" * 3_000_000}])))
    write(raw, "logs/litellm/good/filename_column.csv",
          litellm_csv("litellm-filename", 2, extra={"filename": "upload.txt"}))
    write(raw, "traces/otlp/good/traces.jsonl.gz", gzip.compress(otlp_line("otel-good")))
    bedrock_sample = (REFERENCE_SAMPLES / "bedrock_invocation_logs.jsonl").read_bytes()
    write(raw, "logs/bedrock/good/invocations.jsonl", bedrock_sample)
    shutil.copytree(PROJECT_ROOT / "data/sample/invoices", raw / "invoices", dirs_exist_ok=True)
    parquet_from_csv(PROJECT_ROOT / "data/sample/invoices/focus/gcp/2026-11/focus_cost.csv",
                     raw / "invoices/focus/parquet/focus_cost.parquet")
    # bad files
    lines = app_lines("app-bad", 3).split(b"\n")
    not_utf8 = b"\n".join([lines[0], lines[1].replace(b"ranker", b"rank\xff"), *lines[2:]])
    write(raw, "logs/app/bad/invalid_utf8.jsonl", not_utf8)
    write(raw, "logs/app/bad/empty.jsonl.gz", b"")
    write(raw, "logs/litellm/bad/invalid_utf8.csv", litellm_csv("litellm-bad", 2).replace(b"proxy", b"pr\xc3\x28xy", 1))
    bedrock = bedrock_sample.splitlines()[:3]
    mixed = bedrock[0] + b"\n" + bedrock[1] + b"\r\n" + bedrock[2] + b"\n"
    write(raw, "logs/bedrock/bad/mixed_line_endings.jsonl", mixed)
    write(raw, "traces/otlp/bad/truncated.jsonl.gz", gzip.compress(otlp_line("otel-bad") * 50)[:200])
    anthropic = (PROJECT_ROOT / "data/sample/invoices/anthropic/2026-11/cost_report.json").read_bytes()
    write(raw, "invoices/anthropic/2026-11/invalid_utf8.json", anthropic.replace(b"USD", b"US\xff", 1))
    write(raw, "invoices/aws_cur/bad/corrupt.parquet", b"PAR1" + os.urandom(64) + b"PAR1")
    good_parquet = (raw / "invoices/focus/parquet/focus_cost.parquet").read_bytes()
    write(raw, "invoices/focus/bad/corrupt.parquet", good_parquet[:100] + bytes(200) + good_parquet[300:])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Warehouse]:
    root = tmp_path_factory.mktemp("bad_raw_files")
    raw = root / "raw"
    write_raw_folder(raw)
    database = root / "warehouse.duckdb"
    return raw, database, build_into(raw, database)


def test_every_bad_file_is_quarantined_with_its_reason_and_records(built: tuple[Path, Path, Warehouse]) -> None:
    raw, _, warehouse = built
    quarantined = {
        str(Path(file).relative_to(raw)): (reason, count)
        for file, reason, count in warehouse.rows(
            "select source_file, quarantine_reason, record_count from fct_raw_file_quarantine")
    }
    assert set(quarantined) == set(BAD_FILES)
    for file, (reason, count) in BAD_FILES.items():
        assert quarantined[file][0].startswith(reason), (file, quarantined[file])
        if count is not None:
            assert quarantined[file][1] == count, (file, quarantined[file])
    assert warehouse.rows("select bool_and(is_new_in_latest_run) from fct_raw_file_quarantine") == [(True,)]
    # nothing of a quarantined file reached the pipeline
    assert warehouse.scalar(
        "select count(*) from fct_llm_calls where source_file in (select source_file from fct_raw_file_quarantine)"
    ) == 0


def test_good_records_are_billed_at_their_exact_cost(built: tuple[Path, Path, Warehouse]) -> None:
    _, _, warehouse = built
    assert warehouse.rows(
        "select team, count(*), sum(cost_usd) from fct_llm_calls"
        " where model = 'gpt-4o-mini' group by team order by team"
    ) == [
        ("app-good", 2, 2 * COST_PER_CALL),
        ("bracket-name", 1, COST_PER_CALL),  # calls[1].jsonl read as itself, not as the glob calls1.jsonl
        ("litellm-big", 1, COST_PER_CALL),
        ("litellm-filename", 2, 2 * COST_PER_CALL),
        ("otel-good", 1, COST_PER_CALL),
        ("plain-name", 2, 2 * COST_PER_CALL),
    ]
    assert warehouse.scalar(
        "select count(*) from fct_llm_calls where source_system = 'bedrock_invocation_logs'") == 4
    # the CSV's own `filename` column is kept as written
    assert warehouse.rows(
        "select distinct json_extract_string(record_text, '$.filename') from raw.litellm_spend_log_records"
        " where source_file like '%filename_column.csv'") == [("upload.txt",)]
    # every good invoice file gave lines: the sample's, and the Parquet FOCUS export
    assert warehouse.rows(
        "select invoice_source, count(distinct source_file) from fct_invoice_lines group by 1 order by 1"
    ) == [("anthropic_cost_report", 1), ("aws_cur", 1), ("focus", 2), ("openai_costs", 2)]


def test_the_accounting_reconciles_with_the_manifest(built: tuple[Path, Path, Warehouse]) -> None:
    _, _, warehouse = built
    # per readable telemetry file: the pre-flight's own count = the records staged and accounted for
    # (also enforced by data-tests/assert_raw_file_records_are_all_staged_and_accounted_for.sql)
    manifest = dict(warehouse.rows(
        "select source_system, sum(record_count) from staging.stg_raw_files__manifest"
        " where is_telemetry and file_status = 'ok' group by 1"))
    accounted = dict(warehouse.rows(
        "select source_system, sum(record_count) from fct_telemetry_record_accounting group by 1"))
    assert manifest == {"app_logs": 5, "litellm_spend_logs": 3, "otlp_traces": 1, "bedrock_invocation_logs": 5}
    assert {source: count for source, count in accounted.items() if source != "otlp_traces"} == {
        "app_logs": 5, "litellm_spend_logs": 3, "bedrock_invocation_logs": 5}
    assert accounted["otlp_traces"] == 1  # one line, one span


def test_a_bad_file_replaced_by_a_good_one_is_loaded_the_next_night(built: tuple[Path, Path, Warehouse]) -> None:
    raw, database, _ = built
    write(raw, "logs/app/bad/invalid_utf8.jsonl", app_lines("app-fixed", 3))
    # and a file rewritten with its modification time kept (as `cp -p` or a sync tool may do)
    rewritten = raw / "logs/app/good/calls.jsonl"
    kept = rewritten.stat()
    rewritten.write_bytes(app_lines("app-good", 3))
    os.utime(rewritten, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    warehouse = build_into(raw, database, generic_tests=False)  # the first build ran them over the bad files
    assert warehouse.rows(
        "select count(*), sum(cost_usd) from fct_llm_calls where team = 'app-fixed'") == [(3, 3 * COST_PER_CALL)]
    assert warehouse.rows(
        "select count(*), sum(cost_usd) from fct_llm_calls where team = 'app-good'") == [(3, 3 * COST_PER_CALL)]
    quarantined = {str(Path(file).relative_to(raw)) for (file,) in warehouse.rows(
        "select source_file from fct_raw_file_quarantine")}
    assert quarantined == set(BAD_FILES) - {"logs/app/bad/invalid_utf8.jsonl"}
    # the files already checked were not checked again, so none is new tonight
    assert warehouse.scalar("select count(*) from fct_raw_file_quarantine where is_new_in_latest_run") == 0
    assert warehouse.rows(
        "select file_count, record_count from fct_pipeline_loads"
        " where loaded_at = (select max(loaded_at) from fct_pipeline_loads)") == [(2, 6)]


def test_files_that_read_alike_share_a_read_layout_and_older_manifests_gain_it(tmp_path: Path) -> None:
    raw, database = tmp_path / "raw", str(tmp_path / "manifest.duckdb")
    write(raw, "logs/app/a.csv", b"request_id,llm.model\nr1,gpt-4o\n")
    write(raw, "logs/app/b.csv", b"request_id,llm.model\nr2,gpt-4o\nr3,gpt-4o\n")
    write(raw, "logs/app/c.csv", b"request_id,llm.model,customer_tier\nr4,gpt-4o,gold\n")
    write(raw, "logs/app/d.csv", b"request_id;llm.model\nr5;gpt-4o\n")  # another delimiter
    # read together, `key=value` folders of other keys or value types would be dropped or retyped
    write(raw, "logs/app/part=7/g.csv", b"request_id,llm.model\nr7,gpt-4o\n")
    write(raw, "logs/app/part=8/h.csv", b"request_id,llm.model\nr8,gpt-4o\n")
    write(raw, "logs/app/part=x/i.csv", b"request_id,llm.model\nr9,gpt-4o\n")
    write(raw, "logs/app/e.jsonl", app_lines("app-e", 1))
    write(raw, "logs/app/f.csv", b"request_id,llm.model\nr6,\xff\n")  # not UTF-8
    first = {Path(row.source_file).name: row for row in raw_manifest.refresh_manifest(str(raw), database)}
    layouts = {name: row.read_layout for name, row in first.items()}
    assert layouts["a.csv"] == layouts["b.csv"] and layouts["g.csv"] == layouts["h.csv"]
    assert len({layouts[name] for name in ["a.csv", "c.csv", "d.csv", "g.csv", "i.csv"]}) == 5
    assert layouts["e.jsonl"] is None and first["f.csv"].file_status == "quarantined" and layouts["f.csv"] is None

    # a manifest written before read_layout existed: its readable CSV files are checked again (and
    # so loaded again, as changed), the others kept as they were
    with duckdb.connect(database) as connection:
        connection.execute("alter table raw.file_manifest drop column read_layout")
    second = {Path(row.source_file).name: row for row in raw_manifest.refresh_manifest(str(raw), database)}
    assert {name: row.read_layout for name, row in second.items()} == layouts
    csv_files = {"a.csv", "b.csv", "c.csv", "d.csv", "g.csv", "h.csv", "i.csv"}
    assert {name for name, row in second.items() if row.checked_at != first[name].checked_at} == csv_files
    assert all(second[name].changed_at is not None for name in csv_files)
    assert second["e.jsonl"].changed_at is None and second["f.csv"].file_status == "quarantined"
