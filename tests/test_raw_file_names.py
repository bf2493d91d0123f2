"""Raw file names never run as SQL: a quote or a crafted name is just a name.

File names reach SQL text in the incremental predicates (the files a staging
model loads tonight, the files fct_llm_calls reprices). Before they were
escaped, `o'brien.jsonl` broke every night after the one that loaded it, and
a crafted name rewrote the predicate into `... or 1=1 ...`.
"""

from __future__ import annotations

from pathlib import Path

from test_nightly_operations import app_calls, copy_project, write_file

QUOTED = "logs/app/o'brien.jsonl"
CRAFTED = "logs/app/x') or 1=1 or source_file in ('.jsonl"


def test_quotes_and_sql_in_file_names_are_names(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    write_file(project, QUOTED, app_calls(0, 2))
    write_file(project, CRAFTED, app_calls(0, 3, team="ads"))
    assert project.nightly() == 0

    write_file(project, "logs/app/d1/plain.jsonl", app_calls(1, 1))
    assert project.nightly() == 0

    calls = project.rows("select source_file, count(*) from fct_llm_calls group by 1")
    assert sorted((str(Path(file).relative_to(project.raw)), count) for file, count in calls) == [
        ("logs/app/d1/plain.jsonl", 1), (QUOTED, 2), (CRAFTED, 3)]
    # the second night loaded only the new file: the crafted name did not widen its predicate
    assert project.rows(
        "select file_count, record_count from fct_pipeline_loads"
        " where loaded_at = (select max(loaded_at) from fct_pipeline_loads)"
    ) == [(1, 1)]
