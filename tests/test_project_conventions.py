"""Project conventions, checked over dbt's parsed manifest.

These tests replace the dbt-project-evaluator package, which cannot be
installed here: the module runs ``dbt parse`` against the in-memory ``lint``
target, loads the ``manifest.json`` it writes and re-implements the evaluator's
documentation, naming, structure, modeling, testing and governance rules as
plain assertions. Only resources of this project (package ``llm_cost``) are
checked; each failure lists every offending resource.

Three DAG-shape rules (rejoined upstream concepts, model fanout, too many
joins) have deliberate exceptions today: they are compared with explicit
allow-lists, each entry with its reason, and an entry that stops being a
violation fails too, so the lists only shrink.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import pytest
import yaml

from conftest import PROJECT_ROOT, once_per_run

PACKAGE = "llm_cost"

Manifest = dict[str, Any]
Node = dict[str, Any]


def parse_project(target_path: Path) -> None:
    """Run ``dbt parse`` against the in-memory ``lint`` target into target_path (its output in parse.log)."""
    result = subprocess.run(
        [sys.executable, "scripts/run_dbt.py", "parse", "--target", "lint",
         "--target-path", str(target_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    (target_path / "parse.log").write_text(result.stdout, encoding="utf-8")
    if result.returncode != 0:
        pytest.fail(
            f"dbt parse failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The target folder of a fresh ``dbt parse`` of the project, once per test run."""
    return once_per_run(tmp_path_factory, "project_conventions_dbt_target", parse_project)


@pytest.fixture(scope="session")
def manifest(parsed: Path) -> Manifest:
    with (parsed / "manifest.json").open(encoding="utf-8") as file:
        loaded: Manifest = json.load(file)
    return loaded


def test_dbt_parses_the_project_without_a_deprecation(parsed: Path) -> None:
    """dbt only warns of a deprecation, such as a key written twice in a YAML file (the second
    silently wins: a macro's argument documented twice lost the first description)."""
    log = (parsed / "parse.log").read_text(encoding="utf-8")
    assert "Deprecated functionality" not in log, log


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


# `unique_across_history` (macros/testing/test_unique_across_history.sql) is `unique` whose
# tested rows may be the new ones only (tested_rows): it still compares them with every row.
UNIQUE_TESTS = frozenset({"unique", "unique_across_history"})
# Views whose key is tested downstream, on the model that stores their rows, instead of
# recomputing the view over every call for each test (28 s of a 10M-call nightly). The
# check below proves the cover: each view feeds the next through views alone, and the last
# one's rows are what fct_llm_calls stores (it selects from it, keyed by the same column).
# A view only adds columns and left joins, so a null or repeated key in any of them is one
# in fct_llm_calls, whose key tests (unique_across_history + not_null) find it.
PRIMARY_KEY_TESTED_DOWNSTREAM: dict[str, tuple[str, str]] = {
    "int_llm_calls_normalized": ("fct_llm_calls", "call_id"),
    "int_llm_calls_attributed": ("fct_llm_calls", "call_id"),
    "int_llm_calls_priced": ("fct_llm_calls", "call_id"),
}


def test_models_and_seeds_have_a_tested_primary_key(manifest: Manifest) -> None:
    column_tests: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for test in nodes(manifest, "test"):
        metadata = test.get("test_metadata") or {}
        if test.get("attached_node") and test.get("column_name"):
            key = (test["attached_node"], test["column_name"].lower())
            column_tests[key].add(metadata.get("name", ""))
    tested_key_columns = {
        key for key, names in column_tests.items() if "not_null" in names and names & UNIQUE_TESTS
    }
    tested_keys = {uid for uid, _ in tested_key_columns}
    models = {node["name"]: node for node in nodes(manifest, "model")}
    assert_no_violations(
        "Every model and seed needs a column tested both unique and not_null",
        (
            label(node)
            for kind in ("model", "seed")
            for node in nodes(manifest, kind)
            if node["unique_id"] not in tested_keys and node["name"] not in PRIMARY_KEY_TESTED_DOWNSTREAM
        ),
    )

    def cover_problem(name: str, keeper: str, column: str) -> str | None:
        view, stored = models.get(name), models.get(keeper)
        if view is None or stored is None:
            return "not a model any more"
        if view["unique_id"] in tested_keys:
            return "has a key test of its own now (remove the entry)"
        if (stored["unique_id"], column) not in tested_key_columns:
            return f"{keeper}.{column} is not tested unique and not_null"
        path, current = [], view
        while current["name"] != keeper:  # down the chain of views to the stored model
            if current["config"]["materialized"] != "view":
                return f"{current['name']} on the way to {keeper} is not a view"
            children = [m for m in models.values() if current["unique_id"] in m["depends_on"]["nodes"]
                        and (m["name"] == keeper or m["name"] in PRIMARY_KEY_TESTED_DOWNSTREAM)]
            if len(children) != 1 or len(path) > len(PRIMARY_KEY_TESTED_DOWNSTREAM):
                return f"{current['name']} does not lead to {keeper} through the listed views"
            path.append(current["name"])
            current = children[0]
        if column not in (view.get("columns") or {}):
            return f"its {column} is not documented"
        return None

    assert_no_violations(
        "A key tested downstream must be covered by the stored model's key tests",
        (f"{name}: {problem}" for name, (keeper, column) in PRIMARY_KEY_TESTED_DOWNSTREAM.items()
         if (problem := cover_problem(name, keeper, column))),
    )


# --- 5-6. sources -------------------------------------------------------------


# Source tables whose rows arrive only when something happens, so their age says nothing.
SOURCES_WITHOUT_FRESHNESS = {
    "raw_files.file_retractions": "a row is written only when a loaded raw file is retracted",
}


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
            and f"{table['source_name']}.{table['name']}" not in SOURCES_WITHOUT_FRESHNESS
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


def test_raw_sources_are_the_registry_relations(manifest: Manifest) -> None:
    """Each raw view a staging model reads is named once, in the source registry (var
    llm_cost_sources: telemetry and invoices alike): the sources YAML takes its identifier from
    there, so the raw view, the pre-flight and the source cannot drift apart."""
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    registry = project["vars"]["llm_cost_sources"]
    relations = {entry["relation"] for entry in registry.values()}
    read = {table["identifier"] for table in sources(manifest)
            if table["schema"] == "raw" and table["source_name"] != "raw_files"}
    assert_no_violations(
        "Raw source tables and the registry's relations are the same set",
        [f"{name}: a raw source outside the registry" for name in read - relations]
        + [f"{name}: in the registry, read by no source" for name in relations - read],
    )
    assert_no_violations(
        "Sources YAML names each raw relation through the registry var, not literally",
        (f"{path}: {name}" for path in sorted((PROJECT_ROOT / "models" / "staging").glob("*/_*__sources.yml"))
         for name in relations if f"identifier: {name}" in path.read_text(encoding="utf-8")),
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


def test_contracted_tables_state_not_null_as_a_constraint(manifest: Manifest) -> None:
    """A contracted table (rebuilt whole every run) declares a column not null with
    `constraints: [{type: not_null}]`, which DuckDB enforces as it writes the table (and a Spark
    night checks, scripts/nightly.py): a `not_null` test there would be one more dbt node per
    column and night for what the table already guarantees. Key columns keep their pair of
    primary-key tests; incremental marts keep their tests (a table built before its
    constraint was declared keeps the old definition until a full refresh), and so do views."""
    tables = {
        model["unique_id"]: model
        for model in nodes(manifest, "model")
        if model["config"].get("contract", {}).get("enforced") and model["config"]["materialized"] == "table"
    }
    keys = {
        (test["attached_node"], test["column_name"])
        for test in nodes(manifest, "test")
        if test.get("test_metadata", {}).get("name") in ("unique", "unique_across_history")
    }
    assert_no_violations(
        "A contracted table's not-null columns are constraints; not_null tests are for its keys",
        (
            f"{label(tables[test['attached_node']])}: column `{test['column_name']}` has a not_null test"
            for test in nodes(manifest, "test")
            if test.get("test_metadata", {}).get("name") == "not_null"
            and test["attached_node"] in tables
            and (test["attached_node"], test["column_name"]) not in keys
        ),
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
    project_macros = [macro for macro in manifest["macros"].values()
                      if macro["package_name"] == PACKAGE and macro["original_file_path"].startswith("macros/")]
    names = {macro["name"] for macro in project_macros}
    assert_no_violations(
        "Every project macro needs a description (macros/_macros.yml); an engine's implementation"
        " (`duckdb__x`, `spark__x`, `default__x`) is described by the macro `x` that dispatches to it",
        (
            f"{macro['name']} ({macro['original_file_path']})"
            for macro in project_macros
            if is_blank(macro["description"]) and macro["name"].partition("__")[2] not in names
        ),
    )


# --- 11. DAG shape (dbt-project-evaluator's modeling rules) ------------------
#
# The evaluator's graph (int_all_dag_relationships): every resource but tests
# (models, seeds, snapshots, analyses, sources, exposures, metrics), linked to
# its direct parents by `depends_on.nodes`. Thresholds are the evaluator's
# defaults.

MODELS_FANOUT_THRESHOLD = 3  # var models_fanout_threshold: this many leaf children or more
TOO_MANY_JOINS_THRESHOLD = 7  # var too_many_joins_threshold: this many direct parents or more

# A -> B -> C with also A -> C, where B feeds nothing but C (evaluator:
# fct_rejoining_of_upstream_concepts). Key: (A, B, C).
ALLOWED_REJOINS: dict[tuple[str, str, str], str] = {
    ("int_llm_calls_attributed", "int_llm_model_ids_resolved", "int_llm_calls_priced"):
        "model ids are resolved once per distinct (provider, reported id) of the calls, then joined back to "
        "every call: the resolution rules run over a few hundred ids, not millions of calls",
    ("llm_prices", "int_llm_model_ids_resolved", "int_llm_calls_priced"):
        "the resolver only needs the price book's model keys (does a candidate id exist?); the priced view "
        "needs the price rows themselves (period, daily window, tier, long-context prices)",
    ("int_invoice_lines_validated", "int_invoice_models_resolved", "int_invoice_lines_classified"):
        "invoice model texts are resolved once per distinct (provider, text), then joined back to every "
        "invoice line, as telemetry model ids are",
    ("int_llm_token_costs_scoped", "fct_invoice_totals_monthly", "fct_chargeback_monthly"):
        "chargeback takes each provider-month's invoice total and status from the totals mart but needs the "
        "per-team measured cost, which the totals mart keeps only summed per provider",
}

# A resource with MODELS_FANOUT_THRESHOLD or more direct children that are
# leaf models (evaluator: fct_model_fanout). Key: (parent, its leaf children).
ALLOWED_FANOUTS: dict[tuple[str, tuple[str, ...]], str] = {
    ("fct_llm_calls", ("dim_llm_models", "fct_llm_route_unit_costs", "fct_llm_unpriced_usage", "fct_pipeline_loads")):
        "the stored row per billed call is the fact every call-level mart aggregates, each at its own grain: "
        "models and the price rows that applied, cost per logical request and route, unpriced usage, "
        "per-load totals",
    ("fct_llm_cost_daily", ("dim_llm_dates", "fct_llm_cost_by_environment", "fct_llm_cost_by_route",
                            "fct_llm_cost_by_service", "fct_llm_cost_by_team")):
        "the four fct_llm_cost_by_* views are one-dimension rollups of the daily mart (macro cost_rollup), "
        "one per dimension analysts query; dim_llm_dates is MetricFlow's time spine over its days",
    ("llm_prices", ("dim_llm_models", "fct_llm_unpriced_usage", "int_llm_price_windows")):
        "the price book is reference data: dim_llm_models shows its rows, fct_llm_unpriced_usage estimates "
        "unpriced tokens at its typical prices, and int_llm_price_windows exists for the price-book data tests",
}

# A model with TOO_MANY_JOINS_THRESHOLD or more direct parents (evaluator:
# fct_too_many_joins). Key: (model, number of direct parents).
ALLOWED_JOINS: dict[tuple[str, int], str] = {}

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Dag:
    """The project's resources (tests excluded) and their direct edges."""

    names: Mapping[str, str]  # unique_id -> resource name (`source_name.table` for sources)
    types: Mapping[str, str]  # unique_id -> resource type
    parents: Mapping[str, frozenset[str]]
    children: Mapping[str, frozenset[str]]

    def of_type(self, *resource_types: str) -> list[str]:
        return [uid for uid, kind in self.types.items() if kind in resource_types]


@pytest.fixture(scope="module")
def dag(manifest: Manifest) -> Dag:
    resources = {
        uid: resource
        for section in ("nodes", "sources", "exposures", "metrics")
        for uid, resource in manifest.get(section, {}).items()
        if resource["package_name"] == PACKAGE and resource["resource_type"] != "test"
    }
    parents = {
        uid: frozenset(resource.get("depends_on", {}).get("nodes", [])) & resources.keys()
        for uid, resource in resources.items()
    }
    children: defaultdict[str, set[str]] = defaultdict(set)
    for child, its_parents in parents.items():
        for parent in its_parents:
            children[parent].add(child)
    return Dag(
        names={
            uid: f"{r['source_name']}.{r['name']}" if r["resource_type"] == "source" else r["name"]
            for uid, r in resources.items()
        },
        types={uid: r["resource_type"] for uid, r in resources.items()},
        parents=parents,
        children={uid: frozenset(children[uid]) for uid in resources},
    )


def assert_only_allowed(
    rule: str, found: Iterable[Key], allowed: Mapping[Key, str], show: Callable[[Key], str]
) -> None:
    """Fail on a violation missing from the allow-list, and on an allow-list
    entry that is no longer a violation (so the list shrinks as the DAG is fixed)."""
    violations = set(found)
    assert_no_violations(
        rule,
        [f"{show(key)}: not allow-listed (fix it, or add it to the allow-list with its reason)"
         for key in violations - allowed.keys()]
        + [f"{show(key)}: allow-listed but no longer a violation (remove the entry)"
           for key in allowed.keys() - violations]
        + [f"{show(key)}: allow-list entry needs a one-line reason"
           for key, reason in allowed.items() if is_blank(reason) or "\n" in reason],
    )


def rejoined_upstream_concepts(dag: Dag) -> set[tuple[str, str, str]]:
    """(A, B, C): A is both a direct and a second-level parent of C, through a
    B whose only child is C (exposures and metrics left out, as the evaluator does)."""
    in_dag = set(dag.of_type("model", "seed", "snapshot", "analysis", "source"))
    found: set[tuple[str, str, str]] = set()
    for a in in_dag:
        for b in dag.children[a] & in_dag:
            b_children = dag.children[b] & in_dag
            if len(b_children) == 1:
                (c,) = b_children
                if c in dag.children[a]:
                    found.add((dag.names[a], dag.names[b], dag.names[c]))
    return found


def test_no_rejoining_of_upstream_concepts(dag: Dag) -> None:
    assert_only_allowed(
        "No model rejoins an upstream concept through a model used only there "
        "(dbt-project-evaluator fct_rejoining_of_upstream_concepts)",
        rejoined_upstream_concepts(dag),
        ALLOWED_REJOINS,
        lambda key: " -> ".join(key) + f" (and {key[0]} -> {key[2]})",
    )


def test_no_model_fanout(dag: Dag) -> None:
    leaves = {uid for uid in dag.of_type("model") if not dag.children[uid]}
    found: set[tuple[str, tuple[str, ...]]] = set()
    for parent in dag.names:
        leaf_children = sorted(dag.names[child] for child in dag.children[parent] & leaves)
        if len(leaf_children) >= MODELS_FANOUT_THRESHOLD:
            found.add((dag.names[parent], tuple(leaf_children)))
    assert_only_allowed(
        f"No resource has {MODELS_FANOUT_THRESHOLD} or more leaf models as direct children "
        "(dbt-project-evaluator fct_model_fanout)",
        found,
        ALLOWED_FANOUTS,
        lambda key: f"{key[0]} -> {', '.join(key[1])}",
    )


def test_no_model_has_too_many_joins(dag: Dag) -> None:
    assert_only_allowed(
        f"No model has {TOO_MANY_JOINS_THRESHOLD} or more direct parents "
        "(dbt-project-evaluator fct_too_many_joins)",
        (
            (dag.names[uid], len(dag.parents[uid]))
            for uid in dag.of_type("model")
            if len(dag.parents[uid]) >= TOO_MANY_JOINS_THRESHOLD
        ),
        ALLOWED_JOINS,
        lambda key: f"{key[0]} ({key[1]} direct parents)",
    )


# --- 12. DAG hygiene (the evaluator's other cheap rules) ----------------------


def test_no_root_models(dag: Dag) -> None:
    assert_no_violations(
        "Every model selects from a ref() or source() (dbt-project-evaluator fct_root_models)",
        (dag.names[uid] for uid in dag.of_type("model") if not dag.parents[uid]),
    )


def test_no_model_joins_several_sources(dag: Dag) -> None:
    assert_no_violations(
        "A model selects from at most one source (dbt-project-evaluator fct_multiple_sources_joined)",
        (
            f"{dag.names[uid]} selects from {', '.join(sorted(dag.names[p] for p in sources))}"
            for uid in dag.of_type("model")
            if len(sources := [p for p in dag.parents[uid] if dag.types[p] == "source"]) > 1
        ),
    )


def test_each_source_feeds_one_model(dag: Dag) -> None:
    assert_no_violations(
        "Each source table is selected by exactly one model, its staging model "
        "(dbt-project-evaluator fct_source_fanout and fct_unused_sources)",
        (
            f"source {dag.names[uid]} is selected by "
            f"{', '.join(sorted(dag.names[c] for c in models)) or 'no model'}"
            for uid in dag.of_type("source")
            if len(models := [c for c in dag.children[uid] if dag.types[c] == "model"]) != 1
        ),
    )


def test_no_duplicate_sources(manifest: Manifest) -> None:
    by_relation: defaultdict[tuple[str, str, str], list[str]] = defaultdict(list)
    for table in sources(manifest):
        relation = (table["database"] or "", table["schema"] or "", table["identifier"] or table["name"])
        by_relation[relation].append(f"{table['source_name']}.{table['name']}")
    assert_no_violations(
        "No two source tables name the same relation (dbt-project-evaluator fct_duplicate_sources)",
        (
            f"{'.'.join(relation)}: {', '.join(sorted(names))}"
            for relation, names in by_relation.items()
            if len(names) > 1
        ),
    )


# The evaluator's patterns (find_all_hard_coded_references): `from` / `join`
# followed by a `{{ var(...) }}`, a two- or three-part name, or a quoted name,
# each part optionally quoted; never right after `distinct `.
_OPEN, _CLOSE = r"[\[`\"']", r"[\]`\"']"
_PART = rf"{_OPEN}?\w+{_CLOSE}?"
HARD_CODED_REFERENCE = re.compile(
    r"(?<!distinct\s)(?:from|join)\s+("
    r"{{\s*var\s*\(\s*['\"]?[^)'\"]+['\"]?\s*(?:,\s*['\"]?[^)'\"]+['\"]?\s*)?\)\s*}}"
    rf"|{_PART}\.{_PART}(?:\.{_PART})?(?=\s|$)"
    rf"|{_OPEN}\w+{_CLOSE}(?=\s|$)"
    r")",
    re.IGNORECASE,
)


def test_no_hard_coded_references(manifest: Manifest) -> None:
    assert_no_violations(
        "Models select through ref() and source(), never a hard-coded relation "
        "(dbt-project-evaluator fct_hard_coded_references)",
        (
            f"{label(model)}: {match.group(1)}"
            for model in nodes(manifest, "model")
            if model.get("language", "sql") == "sql"
            for match in HARD_CODED_REFERENCE.finditer(model["raw_code"])
        ),
    )


# --- 13. what a quiet night rebuilds ---------------------------------------------

# The night's clock in SQL: a model that reads it changes from one day to the next with no new
# input, so a night whose inputs are the last published night's (scripts/night_inputs.py) still
# rebuilds it. processed_at() is not the clock: it stamps rows with the run's start.
READS_CURRENT_DATE = re.compile(
    r"\b(current_date|current_timestamp|localtimestamp|now\s*\(|today\s*\(|get_current_time)", re.IGNORECASE)
CURRENT_DATE_TAG = "reads_current_date"


def test_models_that_read_the_current_date_are_tagged(manifest: Manifest) -> None:
    """The tag, and only where it belongs: on each model whose SQL or whose macros (through every
    macro they call) read the current date, the selector of the nightly's quiet night."""
    def reads_clock(macro_ids: Iterable[str], seen: set[str]) -> bool:
        for macro_id in macro_ids:
            macro = manifest["macros"].get(macro_id)
            if macro_id in seen or macro is None:
                continue
            seen.add(macro_id)
            if READS_CURRENT_DATE.search(macro["macro_sql"]) or reads_clock(macro["depends_on"]["macros"], seen):
                return True
        return False

    models = nodes(manifest, "model")
    reading = {model["name"] for model in models if READS_CURRENT_DATE.search(model["raw_code"])
               or reads_clock(model["depends_on"]["macros"], set())}
    tagged = {model["name"] for model in models if CURRENT_DATE_TAG in model["tags"]}
    assert reading, "no model reads the current date: drop the tag and the nightly's selector"
    assert_no_violations(
        f"A model that reads the current date carries the tag {CURRENT_DATE_TAG}, and only such a model",
        [f"{name}: reads it, untagged" for name in reading - tagged]
        + [f"{name}: tagged, reads no date" for name in tagged - reading],
    )
