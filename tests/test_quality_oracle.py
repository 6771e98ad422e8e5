"""The edit format can express every quality-bench task's reference solution.

Each solution is written the way the format asks a model to (only the new or changed
definitions under each file's path), parsed and merged by the app's own code, applied to a
fresh copy of the task's repo and judged by the task's hidden tests. No model is involved:
a failure here is the merger's, and would fail any model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from quality.harness import judge, load_tasks, materialize  # noqa: E402
from quality.merge_oracle import oracle_answer  # noqa: E402

from desktop.core.apply import apply_changes  # noqa: E402
from desktop.core.changes import ChangeSet  # noqa: E402

TASKS = load_tasks()


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_reference_solution_written_as_definitions_passes_the_hidden_tests(task, tmp_path):
    repo = materialize(task, tmp_path / "repo")
    answer = oracle_answer(task)
    changeset = ChangeSet.from_answer(answer, root=repo)
    assert changeset.problems_report().strip() == ""
    assert changeset.accepted()
    if not task.files_to_create:  # edits only: the answer holds less than the files it changes
        assert len(answer) < sum(len(p.read_text()) for p in task.solution_dir.rglob("*.py"))
    apply_changes(changeset, backups_dir=tmp_path / "backups")
    verdict = judge(task, repo)
    assert verdict.passed, verdict.output_tail[-2000:]
