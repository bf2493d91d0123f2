"""Project conventions, checked over dbt's parsed manifest.

These tests replace the dbt-project-evaluator package, which cannot be
installed here: the module runs ``dbt parse`` against the in-memory ``lint``
target, loads the ``manifest.json`` it writes and re-implements the evaluator's
documentation, naming, structure, modeling, testing and governance rules as
plain assertions. Only resources of this project (package ``llm_cost``) are
checked; each failure lists every offending resource.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "llm_cost"
PRIMARY_KEY_TESTS = frozenset({"unique", "not_null"})

Manifest = dict[str, Any]
Node = dict[str, Any]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    """The manifest written by a fresh ``dbt parse`` of the project."""
    target_path = tmp_path_factory.mktemp("dbt_target")
    result = subprocess.run(
        [sys.executable, "scripts/run_dbt.py", "parse", "--target", "lint",
         "--target-path", str(target_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"dbt parse failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    with (target_path / "manifest.json").open(encoding="utf-8") as file:
        loaded: Manifest = json.load(file)
    return loaded


# --- helpers -----------------------------------------------------------------


def nodes(manifest: Manifest, resource_type: str) -> list[Node]:
    """This project's nodes of one resource type (model, seed, test...)."""
    return [
        node
        for node in manifest["nodes"].values()
        if node["package_name"] == PACKAGE and node["resource_type"] == resource_type
    ]


def sources(manifest: Manifest) -> list[Node]:
    """This project's source tables."""
    return [s for s in manifest["sources"].values() if s["package_name"] == PACKAGE]


def path_of(node: Node) -> PurePosixPath:
    """The node's file, relative to the project root."""
    return PurePosixPath(node["original_file_path"])


def layer(model: Node) -> str:
    """The folder directly under ``models/`` (``staging``, ``marts``...), or ''."""
    parts = path_of(model).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else ""


def label(node: Node) -> str:
    return f"{node['name']} ({node['original_file_path']})"


def parents(node: Node, resource_type: str) -> list[str]:
    """Unique ids of the node's direct parents of one resource type."""
    return [
        uid
        for uid in node["depends_on"].get("nodes", [])
        if uid.split(".", 1)[0] == resource_type
    ]


def is_blank(text: str | None) -> bool:
    return not (text or "").strip()


def assert_no_violations(rule: str, violations: Iterable[str]) -> None:
    """Fail with one line per violation (sorted, de-duplicated)."""
    found = sorted(set(violations))
    if found:
        listing = "\n".join(f"  - {violation}" for violation in found)
        pytest.fail(f"{rule}: {len(found)} violation(s)\n{listing}", pytrace=False)


# --- 1. documentation --------------------------------------------------------


def test_models_and_seeds_are_described(manifest: Manifest) -> None:
    assert_no_violations(
        "Every model and seed needs a description",
        (
            label(node)
            for kind in ("model", "seed")
            for node in nodes(manifest, kind)
            if is_blank(node["description"])
        ),
    )


def test_models_document_their_columns(manifest: Manifest) -> None:
    undocumented = [
        f"{label(model)}: no column declared in YAML"
        for model in nodes(manifest, "model")
        if not model["columns"]
    ]
    blank = [
        f"{label(node)}: column `{name}` has no description"
        for kind in ("model", "seed")
        for node in nodes(manifest, kind)
        for name, column in node["columns"].items()
        if is_blank(column["description"])
    ]
    assert_no_violations(
        "Every model declares its columns, each with a description",
        undocumented + blank,
    )


# --- 2. naming and folders ---------------------------------------------------

LAYER_PREFIXES: dict[str, tuple[str, ...]] = {
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_"),
}


def test_models_follow_layer_naming(manifest: Manifest) -> None:
    violations: list[str] = []
    for model in nodes(manifest, "model"):
        name, where = model["name"], layer(model)
        if where == "staging":
            folders = path_of(model).parts[2:-1]
            if len(folders) != 1:
                violations.append(f"{label(model)}: not in models/staging/<source>/")
            elif not re.fullmatch(
                rf"stg_{re.escape(folders[0])}__[a-z0-9]+(?:_[a-z0-9]+)*", name
            ):
                violations.append(
                    f"{label(model)}: expected name stg_{folders[0]}__<entity>"
                )
        elif where in LAYER_PREFIXES:
            if not name.startswith(LAYER_PREFIXES[where]):
                expected = " or ".join(LAYER_PREFIXES[where])
                violations.append(f"{label(model)}: name should start with {expected}")
        else:
            violations.append(
                f"{label(model)}: not under models/staging, models/intermediate "
                "or models/marts"
            )
    assert_no_violations("Models follow the layer naming conventions", violations)


def test_staging_models_sit_in_their_source_folder(manifest: Manifest) -> None:
    violations: list[str] = []
    for model in nodes(manifest, "model"):
        if layer(model) != "staging":
            continue
        folder = path_of(model).parent.name
        selected = parents(model, "source")
        source_names = sorted(
            {manifest["sources"][uid]["source_name"] for uid in selected}
        )
        if not source_names:
            violations.append(f"{label(model)}: selects from no source")
        elif source_names != [folder]:
            violations.append(
                f"{label(model)}: selects from source(s) {', '.join(source_names)} "
                f"but lives in models/staging/{folder}/"
            )
    assert_no_violations(
        "Staging models live in models/staging/<source they select from>/", violations
    )


# --- 3. layering ---------------------------------------------------------------


def test_only_staging_models_select_from_sources(manifest: Manifest) -> None:
    assert_no_violations(
        "Only staging models may select from sources",
        (
            f"{label(model)} selects from {', '.join(parents(model, 'source'))}"
            for model in nodes(manifest, "model")
            if layer(model) != "staging" and parents(model, "source")
        ),
    )


def test_staging_models_depend_on_no_models(manifest: Manifest) -> None:
    assert_no_violations(
        "Staging models select from sources (and seeds) only, never from models",
        (
            f"{label(model)} depends on {', '.join(parents(model, 'model'))}"
            for model in nodes(manifest, "model")
            if layer(model) == "staging" and parents(model, "model")
        ),
    )


def test_no_model_joins_a_source_to_a_model(manifest: Manifest) -> None:
    assert_no_violations(
        "No model depends on both a source and a model",
        (
            label(model)
            for model in nodes(manifest, "model")
            if parents(model, "source") and parents(model, "model")
        ),
    )


# --- 4. primary-key tests -----------------------------------------------------


def test_models_and_seeds_have_a_tested_primary_key(manifest: Manifest) -> None:
    column_tests: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for test in nodes(manifest, "test"):
        metadata = test.get("test_metadata") or {}
        if test.get("attached_node") and test.get("column_name"):
            key = (test["attached_node"], test["column_name"].lower())
            column_tests[key].add(metadata.get("name", ""))
    tested_keys = {
        uid for (uid, _), names in column_tests.items() if PRIMARY_KEY_TESTS <= names
    }
    assert_no_violations(
        "Every model and seed needs a column tested both unique and not_null",
        (
            label(node)
            for kind in ("model", "seed")
            for node in nodes(manifest, kind)
            if node["unique_id"] not in tested_keys
        ),
    )


# --- 5-6. sources -------------------------------------------------------------


def has_freshness(freshness: dict[str, Any] | None) -> bool:
    """True when a warn_after or error_after threshold has a count."""
    freshness = freshness or {}
    return any(
        (freshness.get(threshold) or {}).get("count") is not None
        for threshold in ("warn_after", "error_after")
    )


def test_sources_have_freshness(manifest: Manifest) -> None:
    assert_no_violations(
        "Every source table needs a freshness threshold (warn_after/error_after)",
        (
            f"{table['source_name']}.{table['name']} ({table['original_file_path']})"
            for table in sources(manifest)
            if not has_freshness(table.get("freshness"))
            and not has_freshness(table["config"].get("freshness"))
        ),
    )


def test_sources_and_source_tables_are_described(manifest: Manifest) -> None:
    missing_source = [
        f"source {table['source_name']} ({table['original_file_path']})"
        for table in sources(manifest)
        if is_blank(table["source_description"])
    ]
    missing_table = [
        f"source table {table['source_name']}.{table['name']} "
        f"({table['original_file_path']})"
        for table in sources(manifest)
        if is_blank(table["description"])
    ]
    assert_no_violations(
        "Every source and source table needs a description",
        missing_source + missing_table,
    )


# --- 7. public marts ------------------------------------------------------------


def test_marts_are_public_with_enforced_contracts(manifest: Manifest) -> None:
    violations: list[str] = []
    for model in nodes(manifest, "model"):
        if layer(model) != "marts":
            continue
        if not model["config"].get("contract", {}).get("enforced"):
            violations.append(f"{label(model)}: contract not enforced")
        if model.get("access") != "public":
            violations.append(
                f"{label(model)}: access is {model.get('access')!r}, not 'public'"
            )
        if not model["columns"]:
            violations.append(f"{label(model)}: no column declared in YAML")
        for name, column in model["columns"].items():
            if is_blank(column["description"]):
                violations.append(
                    f"{label(model)}: column `{name}` has no description"
                )
            if is_blank(column.get("data_type")):
                violations.append(f"{label(model)}: column `{name}` has no data_type")
    assert_no_violations(
        "Marts are public, contract-enforced and fully typed and described", violations
    )


# --- 8-9. YAML layout -----------------------------------------------------------


def test_models_are_documented_next_to_their_sql(manifest: Manifest) -> None:
    violations: list[str] = []
    for model in nodes(manifest, "model"):
        sql = path_of(model)
        expected = sql.parent / f"_{sql.parent.name}__models.yml"
        patch_path = model.get("patch_path")  # "llm_cost://models/..."
        if not patch_path:
            violations.append(
                f"{label(model)}: not documented in any YAML (expected {expected})"
            )
            continue
        documented_in = PurePosixPath(patch_path.split("://", 1)[-1])
        if documented_in != expected:
            violations.append(
                f"{label(model)}: documented in {documented_in}, expected {expected}"
            )
    assert_no_violations(
        "Each model is documented in _<folder>__models.yml beside its SQL", violations
    )


def test_model_tests_are_defined_beside_the_model(manifest: Manifest) -> None:
    models = {model["unique_id"]: model for model in nodes(manifest, "model")}
    violations = [
        f"{test['name']} ({test['original_file_path']}): tests "
        f"{models[test['attached_node']]['name']}, which lives in "
        f"{path_of(models[test['attached_node']]).parent}/"
        for test in nodes(manifest, "test")
        if test.get("test_metadata")
        and test.get("attached_node") in models
        and path_of(test).parent != path_of(models[test["attached_node"]]).parent
    ]
    assert_no_violations(
        "Generic tests on a model are defined in the model's own directory", violations
    )


# --- 10. macros -------------------------------------------------------------------


def test_macros_are_described(manifest: Manifest) -> None:
    assert_no_violations(
        "Every project macro needs a description (macros/_macros.yml)",
        (
            f"{macro['name']} ({macro['original_file_path']})"
            for macro in manifest["macros"].values()
            if macro["package_name"] == PACKAGE
            and macro["original_file_path"].startswith("macros/")
            and is_blank(macro["description"])
        ),
    )
