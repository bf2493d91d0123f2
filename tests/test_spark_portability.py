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
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, private_venv

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
]
# The models built on Spark so far (README, "Running on Spark / Databricks"), compared with DuckDB's
# but for the columns that name the run (RUN_COLUMNS).
SPARK_MODELS = (
    # app logs
    "stg_app__llm_calls",
    # gateway and Bedrock logs
    # OTLP traces
    # invoices
    # prices, raw files and the call pipeline
    # marts
)
RUN_COLUMNS = (
    # app logs
    "loaded_at", "load_invocation_id", "context_loaded_at",
    # gateway and Bedrock logs
    # OTLP traces
    # invoices
    # prices, raw files and the call pipeline
    # marts
)
# Where the engines' JSON readers differ (documented in macros/raw/json_fields.sql): malformed
# by RFC 8259 either way, kept here so that a change on either side is noticed.
JSON_DIFFERENCES: dict[str, dict[str, str]] = {
    '{"a": 1,}': {"duckdb": "true", "spark": "false"},
    '{"a": NaN}': {"duckdb": "true", "spark": "false"},
    '{"a": 1} x': {"duckdb": "false", "spark": "true"},
}
ALL_CASES = CASES + [({"macro": "json_object_check", "text": text}, None) for text in JSON_DIFFERENCES]


def run_engine(python: Path, target: str, tmp_path: Path, environ: dict[str, str],
               models: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every case of ALL_CASES rendered on one engine (`values`, in order), and with `models` the
    seeds, raw relations and those models as that engine built them (tests/engine_runner.py)."""
    query = tmp_path / "cases.sql"
    query.write_text(CASE_QUERY, encoding="utf-8")
    variables = json.dumps({"portability_cases": [case for case, _ in ALL_CASES]})
    environment = {**environ, "DBT_TARGET_PATH": str(tmp_path / f"target-{target}"),
                   "DBT_LOG_PATH": str(tmp_path / f"logs-{target}")}
    completed = subprocess.run(
        [str(python), str(PROJECT_ROOT / "tests" / "engine_runner.py"), target, str(query), variables,
         *(["--build", ",".join(models)] if models else [])],
        env=environment, capture_output=True, text=True, timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    output = json.loads(completed.stdout.splitlines()[-1])
    rows = sorted(output["rows"], key=lambda row: row["case_number"])
    assert [row["case_number"] for row in rows] == list(range(1, len(ALL_CASES) + 1))
    values = [row["rendered"][1:] if row["rendered"] is not None else None for row in rows]
    return {"values": values, "tables": output["tables"]}


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
        # OTLP traces
        # invoices
        # prices, raw files and the call pipeline
        # marts
    ):
        add_files(root)
    return root


def app_logs(root: Path) -> None:
    """The sample's app logs (JSON lines and CSV) and OTLP traces, plus a gzipped JSON-lines file
    whose name holds a quote, glob characters and a backquote, with a blank line, a record written
    twice, one that names a key twice, and two that are not JSON objects; and a CSV file with its
    columns in another order and one more, quoted commas and quotes, and empty fields."""
    sample = PROJECT_ROOT / "data" / "sample"
    for path in [*sample.glob("logs/app/**/*"), *sample.glob("traces/otlp/**/*.jsonl")]:
        if path.is_file():
            target = root / path.relative_to(sample)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
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


def duckdb_tables(tmp_path: Path, raw: Path) -> dict[str, Any]:
    """Every seed, raw telemetry relation and model of SPARK_MODELS as DuckDB builds them
    (one `dbt build` of them, without tests, through scripts/run_dbt.py, whose pre-flight and hooks
    create the raw views), values as text."""
    database = tmp_path / "build.duckdb"
    environment = {**os.environ, "LLM_COST_RAW_DIR": str(raw), "LLM_COST_DUCKDB_PATH": str(database),
                   "DBT_TARGET_PATH": str(tmp_path / "target-duckdb")}
    command = ["build", "--quiet", "--select", "resource_type:seed", *SPARK_MODELS,
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
            if name.endswith("_records")}
        relations |= {name: f'staging."{name}"' for name in SPARK_MODELS}
        tables = {}
        for name, relation in relations.items():
            result = connection.execute(f"select * from {relation}")
            rows = [[f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S}" if isinstance(value, datetime)
                     else None if value is None else str(value) for value in row] for row in result.fetchall()]
            tables[name] = {"columns": [column[0] for column in result.description], "rows": rows}
    finally:
        connection.close()
    return tables


def test_expression_macros_give_the_hand_worked_values_on_duckdb(tmp_path: Path) -> None:
    values = run_engine(Path(sys.executable), "lint", tmp_path, dict(os.environ))["values"]
    assert describe(values) == describe(expected("duckdb"))


def test_spark_gives_the_same_values_seeds_raw_records_and_models(tmp_path: Path) -> None:
    """On a local Spark session: the same hand-worked values (the JSON differences aside); every
    seed loaded with the same columns and rows as DuckDB loads it (a null stays null, an
    apostrophe stays one; the price book's daily windows are 'HH:MM:SS' text there); every raw
    telemetry record, JSON lines and CSV, read with the same file, text, hash and copy number (so
    the same record id) from files listed by the same pre-flight, hostile names included; and
    the models of SPARK_MODELS built with the same rows."""
    venv = private_venv("spark", PROJECT_ROOT / "requirements-spark.txt")
    if venv is None:
        pytest.skip("dbt-spark and pyspark (requirements-spark.txt) could not be installed into a private venv")
    raw = raw_folder(tmp_path / "raw")
    environ = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "TZ": "UTC", "LLM_COST_RAW_DIR": str(raw),
               "LLM_COST_SPARK_WAREHOUSE": str(tmp_path / "spark"), "LLM_COST_DUCKDB_PATH": str(tmp_path / "unused")}
    spark = run_engine(venv / "bin" / "python", "spark", tmp_path, environ, models=SPARK_MODELS)
    assert describe(spark["values"]) == describe(expected("spark"))
    duckdb_built = duckdb_tables(tmp_path, raw)
    assert sorted(spark["tables"]) == sorted(duckdb_built)
    app_records = duckdb_built["raw.app_llm_call_records"]
    files = [row[app_records["columns"].index("source_file")] for row in app_records["rows"]]
    assert sum(file.endswith(".jsonl.gz") for file in files) == 6
    assert sum(file.endswith("batch [2].csv") for file in files) == 3
    assert sum(file.endswith(".csv") for file in files) > 3
    app_calls = duckdb_built["stg_app__llm_calls"]
    assert sorted(row[app_calls["columns"].index("has_duplicate_key")] for row in app_calls["rows"]).count("True") == 1
    assert sorted(row[app_calls["columns"].index("is_valid_json")] for row in app_calls["rows"]).count("False") == 2
    for name, table in duckdb_built.items():
        assert spark["tables"][name]["columns"] == table["columns"], name
        kept = [index for index, column in enumerate(table["columns"]) if column not in RUN_COLUMNS]
        spark_rows = sorted((tuple(row[index] for index in kept) for row in spark["tables"][name]["rows"]), key=str)
        assert spark_rows == sorted((tuple(row[index] for index in kept) for row in table["rows"]), key=str), name


def test_a_spark_night_gives_duckdb_the_relations_of_a_duckdb_build(tmp_path: Path) -> None:
    """`./scripts/nightly.sh --target spark` builds the seeds and SPARK_MODELS on Spark and gives the
    build database views over Spark's Parquet files with the same columns, DuckDB types and rows as
    a DuckDB build of the same selection (but RUN_COLUMNS), runs their data tests on DuckDB, and,
    while the marts are not ported, refuses to publish, saying so: no analyst file is written."""
    venv = private_venv("spark", PROJECT_ROOT / "requirements-spark.txt")
    if venv is None:
        pytest.skip("dbt-spark and pyspark (requirements-spark.txt) could not be installed into a private venv")
    raw = raw_folder(tmp_path / "raw")
    selection = ["--select", "resource_type:seed", *SPARK_MODELS]
    environ = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "TZ": "UTC", "LLM_COST_RAW_DIR": str(raw),
               "LLM_COST_SPARK_WAREHOUSE": str(tmp_path / "spark")}
    night = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "nightly.sh"), "--target", "spark", *selection],
        env={**environ, "LLM_COST_DUCKDB_PATH": str(tmp_path / "spark-night.duckdb"),
             "DBT_TARGET_PATH": str(tmp_path / "target-spark-night")},
        capture_output=True, text=True, timeout=1500, check=False,
    )
    assert night.returncode == 2, night.stdout[-3000:] + night.stderr[-3000:]
    assert "nightly: not yet ported to Spark: the build database lacks" in night.stderr, night.stderr[-3000:]
    assert "test.llm_cost" not in night.stderr, night.stderr[-3000:]  # the data tests passed on DuckDB
    assert not (tmp_path / "spark-night.analyst.duckdb").exists()
    duckdb_build = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "run_dbt.py"), "build", "--quiet", *selection,
         "--exclude", "resource_type:test", "resource_type:unit_test"],
        env={**environ, "LLM_COST_DUCKDB_PATH": str(tmp_path / "duckdb.duckdb"),
             "DBT_TARGET_PATH": str(tmp_path / "target-duckdb")},
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert duckdb_build.returncode == 0, duckdb_build.stdout[-3000:] + duckdb_build.stderr[-3000:]
    relations = json.loads((tmp_path / "target-spark-night" / "spark_relations.json").read_text(encoding="utf-8"))
    assert f"staging.{SPARK_MODELS[0]}" in relations
    connection = duckdb.connect()
    connection.execute(f"attach '{tmp_path / 'spark-night.duckdb'}' as spark_night (read_only)")
    connection.execute(f"attach '{tmp_path / 'duckdb.duckdb'}' as duckdb_build (read_only)")
    for relation in relations:
        schema, name = relation.split(".")
        columns = {catalog: [column[:2] for column in connection.execute(f'describe {catalog}."{schema}"."{name}"')
                             .fetchall()] for catalog in ("spark_night", "duckdb_build")}
        assert columns["spark_night"] == columns["duckdb_build"], relation
        kept = ", ".join(f'cast("{column[0]}" as varchar)' for column in columns["duckdb_build"]
                         if column[0] not in RUN_COLUMNS)
        rows = {catalog: sorted(connection.execute(f'select {kept} from {catalog}."{schema}"."{name}"').fetchall(),
                                key=str) for catalog in ("spark_night", "duckdb_build")}
        assert rows["spark_night"] == rows["duckdb_build"], relation
