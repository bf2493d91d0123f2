"""The FOCUS export (fct_llm_cost_focus) of the published sample passes the FinOps
Foundation's validator (focus-validator 1.0.0, `--validate-version 1.0`), exported
to CSV as the README says (datetimes as ISO 8601 UTC). The validator and its pins
(requirements-focus.txt) live in a private venv (tests/conftest.py: private_venv), never in the project's .venv; the
test skips, saying so, where they cannot be installed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, PublishedSample, private_venv

# The README's CSV export (Month-end reconciliation, step 4): FOCUS datetimes are
# ISO 8601 in UTC with a `Z`; everything else is written as the mart holds it.
FOCUS_CSV_EXPORT = """
copy (
    select * replace (
        strftime("BillingPeriodStart", '%Y-%m-%dT%H:%M:%SZ') as "BillingPeriodStart",
        strftime("BillingPeriodEnd", '%Y-%m-%dT%H:%M:%SZ') as "BillingPeriodEnd",
        strftime("ChargePeriodStart", '%Y-%m-%dT%H:%M:%SZ') as "ChargePeriodStart",
        strftime("ChargePeriodEnd", '%Y-%m-%dT%H:%M:%SZ') as "ChargePeriodEnd"
    )
    from fct_llm_cost_focus {where}
) to '{path}' (header)
"""


@pytest.fixture(scope="module")
def validator() -> Path:
    venv = private_venv("focus", PROJECT_ROOT / "requirements-focus.txt")
    if venv is None:
        pytest.skip("focus-validator (requirements-focus.txt) could not be installed into a private venv here: "
                    "the FOCUS export was not validated")
    return venv


def validate(venv: Path, csv_file: Path) -> subprocess.CompletedProcess[str]:
    """Run the validator from its site-packages: it reads its currency-code list by a
    path relative to the working directory (focus_validator/utils/currency_codes.csv)."""
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    return subprocess.run(
        [str(venv / "bin" / "focus-validator"), "--data-file", str(csv_file), "--validate-version", "1.0"],
        cwd=site_packages, capture_output=True, text=True, timeout=300, check=False,
    )


def export(database: Path, path: Path, where: str = "") -> Path:
    connection = duckdb.connect(str(database), read_only=True)
    try:
        connection.execute(FOCUS_CSV_EXPORT.format(where=where, path=path))
        assert connection.execute(f"select count(*) from read_csv('{path}')").fetchone()[0] > 0
    finally:
        connection.close()
    return path


def test_focus_export_passes_the_focus_validator(validator: Path, published_sample: PublishedSample,
                                                 tmp_path: Path) -> None:
    csv_file = export(published_sample.analyst, tmp_path / "focus.csv")
    result = validate(validator, csv_file)
    assert result.returncode == 0 and "Validation succeeded." in result.stdout, result.stdout + result.stderr
    assert "Errors encountered" not in result.stdout
    month = export(published_sample.analyst, tmp_path / "focus_2026-11.csv",
                   "where \"BillingPeriodStart\" = '2026-11-01'")
    assert "Validation succeeded." in validate(validator, month).stdout


def test_the_validator_is_not_vacuous(validator: Path, published_sample: PublishedSample, tmp_path: Path) -> None:
    """Without InvoiceIssuer and with a timestamp not in UTC, the same validator fails the file."""
    csv_file = export(published_sample.analyst, tmp_path / "focus.csv")
    connection = duckdb.connect()
    broken = tmp_path / "broken.csv"
    connection.execute(
        f"copy (select * exclude (\"InvoiceIssuer\") replace (replace(\"ChargePeriodStart\", 'Z', '') as"
        f" \"ChargePeriodStart\") from read_csv('{csv_file}', all_varchar = true)) to '{broken}' (header)")
    connection.close()
    output = validate(validator, broken).stdout
    assert "Validation failed!" in output
    assert "InvoiceIssuer_Required failed" in output and "ChargePeriodStart_IsDateTime failed" in output
