"""The semantic layer (models/marts/cost/_cost__semantic_models.yml): MetricFlow's
`mf validate-configs` passes, semantic checks and data-warehouse checks against a
copy of the published sample, and `mf query` of cost, calls, tokens and cost per
call by team equals the daily mart. MetricFlow (requirements-metricflow.txt, the
project's dbt-core, dbt-duckdb and duckdb pins) lives in a private venv (tests/conftest.py: private_venv); the
test skips, saying so, where it cannot be installed."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, PublishedSample, private_venv

PROJECT_FILES = ("dbt_project.yml", "models", "macros", "seeds", "data-tests", "profiles")


@pytest.fixture(scope="module")
def metricflow(published_sample: PublishedSample, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """MetricFlow's venv and a project folder of its own (mf reads <project>/target/semantic_manifest.json),
    parsed against a copy of the analyst database (mf opens its database for writing)."""
    venv = private_venv("metricflow", PROJECT_ROOT / "requirements-metricflow.txt")
    if venv is None:
        pytest.skip("dbt-metricflow (requirements-metricflow.txt) could not be installed into a private venv "
                    "here: the semantic layer was not validated")
    project = tmp_path_factory.mktemp("metricflow")
    for name in PROJECT_FILES:
        (project / name).symlink_to(PROJECT_ROOT / name)
    shutil.copyfile(published_sample.analyst, project / "llm_cost.duckdb")
    return venv, project


def run(venv: Path, project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DBT_PROFILES_DIR": str(project / "profiles"),
                   "LLM_COST_DUCKDB_PATH": str(project / "llm_cost.duckdb"),
                   "LLM_COST_RAW_DIR": str(PROJECT_ROOT / "data" / "sample")}
    environment.pop("DBT_TARGET_PATH", None)
    return subprocess.run([str(venv / "bin" / command[0]), *command[1:]], cwd=project, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)


def test_metricflow_validates_and_queries_the_metrics(metricflow: tuple[Path, Path],
                                                      published_sample: PublishedSample) -> None:
    venv, project = metricflow
    parsed = run(venv, project, "dbt", "parse", "--quiet")
    assert parsed.returncode == 0, parsed.stdout[-3000:] + parsed.stderr[-3000:]
    validated = run(venv, project, "mf", "validate-configs")
    output = validated.stdout + validated.stderr
    assert validated.returncode == 0, output[-5000:]
    assert "Successfully validated the semantics of built manifest (ERRORS: 0" in output
    assert "Successfully validated metrics against data warehouse (ERRORS: 0" in output
    result = project / "by_team.csv"
    queried = run(venv, project, "mf", "query", "--metrics", "llm_cost_usd,llm_calls,llm_tokens,llm_cost_per_call_usd",
                  "--group-by", "cost_daily__team", "--csv", str(result), "--quiet")
    assert queried.returncode == 0, queried.stdout[-3000:] + queried.stderr[-3000:]
    with result.open(newline="") as handle:
        metrics = {row["cost_daily__team"]: row for row in csv.DictReader(handle)}
    connection = duckdb.connect(str(published_sample.analyst), read_only=True)
    try:
        expected = connection.execute(
            "select team, sum(cost_usd), sum(call_count), sum(input_tokens) + sum(output_tokens),"
            " sum(cost_usd) / (sum(call_count) - sum(unpriced_call_count)) from fct_llm_cost_daily group by team"
        ).fetchall()
    finally:
        connection.close()
    assert set(metrics) == {team for team, *_ in expected}
    for team, cost, calls, tokens, per_call in expected:
        row = metrics[team]
        assert int(row["llm_calls"]) == calls and int(row["llm_tokens"]) == tokens
        assert abs(Decimal(row["llm_cost_usd"]) - cost) < Decimal("1e-9")
        assert abs(float(row["llm_cost_per_call_usd"]) - per_call) < 1e-9
