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


VISIBLE = [t for t in TASKS if t.visible_dir.is_dir()]


@pytest.mark.parametrize("task", VISIBLE, ids=[t.id for t in VISIBLE])
def test_the_codebases_existing_tests_as_the_check_command_pass_the_solution_and_catch_a_broken_file(task, tmp_path):
    """The app's own Checker runs visible/ as `bench_quality.py --visible-check` does: the
    reference solution leaves no new failure, and emptying the file the plan edits makes some."""
    from quality.harness import visible_check_command

    from desktop.core.checks import Checker

    repo = materialize(task, tmp_path / "repo")
    checker = Checker(repo, scratch_dir=tmp_path / "scratch", command=visible_check_command(task))
    solution = [(p.relative_to(task.solution_dir).as_posix(), p.read_text(encoding="utf-8"))
                for p in sorted(task.solution_dir.rglob("*.py"))]
    [good] = checker.run(solution)
    assert good.ok and good.passed >= 5 and good.failed == 0, good.output[-2000:]
    target = (task.files_to_edit or task.files_to_create)[0]
    edited = target if target in task.files_to_edit else next(
        p.relative_to(repo).as_posix() for p in sorted(repo.rglob("*.py")) if p.name != "__init__.py")
    [broken] = checker.run([(edited, "")])
    assert not broken.ok and broken.new_failures, broken.output[-2000:]


def test_the_summary_says_what_each_arm_gained_and_lost_against_an_earlier_run(tmp_path):
    """`bench_quality.py --summary-only NEW --against OLD`, as a results README is written from."""
    import json
    import subprocess

    def row(task, app, base):
        arm = {"passed": app, "files_changed": 1, "repairs": 0, "seconds": 1.0}
        return {"task": task, "app": arm, "baseline": {**arm, "passed": base}}

    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text("".join(json.dumps(r) + "\n" for r in [row("he001", True, True), row("he003", False, True),
                                                            row("he005", True, False)]))
    new.write_text("".join(json.dumps(r) + "\n" for r in [row("he001", False, True), row("he003", True, True),
                                                            row("he007", True, True)]))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_quality.py"), "--summary-only", str(new),
                          "--against", str(old)], capture_output=True, text=True, timeout=300, check=True).stdout
    assert "on the 2 tasks both hold" in out
    assert "app: 1 -> 1; gained he003; lost he001" in out
    assert "baseline: 2 -> 2; gained none; lost none" in out


def test_the_replay_finds_the_runs_a_change_could_alter_and_shows_no_text(tmp_path):
    """`bench_replay.py`: the checks a recorded reflection gives and the answer the checks keep,
    replayed by the code; against HEAD itself nothing differs."""
    import json
    import subprocess

    import bench_replay

    files = {"pkg/finder.py": "def find(search_list, value):\n    pass\n"}
    plan = ">>> find([1, 2], 2)\n1\n"
    reflection = "## Plan\n\n```python\nfrom solution import find\nassert find([1, 2], 2) == 1\n```\n"
    assert bench_replay._checks(reflection, plan, files).splitlines() == [
        "from pkg.finder import find", "assert find([1, 2], 2) == 1"]

    def turn(kind, *messages):
        failures = [{"id": "line 2", "message": m} for m in messages]
        return {"kind": kind, "problems": "\n".join(f"- {m}" for m in messages),
                "checks": [{"kind": "examples", "command": "", "failures": failures}]}

    turns = [turn("implementation", "gave None (expected 1)"), turn("retry", "gave 7 (expected 1)"),
             turn("retry", "gave None (expected 1)")]
    assert bench_replay._kept(turns) == [0, 1]  # as many failures: the answer that gave a value

    # A run that asked for the examples block: the block's start, as the checkout writes it.
    assert bench_replay._opening({"notices": [bench_replay.ASKED]}, plan, files) == (
        "```python\nfrom pkg.finder import find\nassert ")
    assert bench_replay._opening({"notices": []}, plan, files) == ""

    # No answer passed: the early exits each would be tried without (the file's own `if` stays).
    guarded = {"kind": "implementation", "problems": "- gave -1 (expected 1)", "checks": [{"kind": "examples"}],
               "text": "pkg/finder.py\n```python\ndef find(search_list, value):\n    if not search_list:\n"
                       "        return -1\n    if len(search_list) < 3:\n        return -1\n    return 1\n```\n"}
    own = {"pkg/finder.py": "def find(search_list, value):\n    if not search_list:\n        return -1\n    pass\n"}
    assert bench_replay._exits([guarded, turn("retry", "gave 7 (expected 1)")], own) == [[4], []]
    assert bench_replay._exits([{**guarded, "problems": "", "checks": [{"kind": "examples"}]}], own) == []

    row = {"task": "02-textutils-slugify", "app": {"reflection": reflection, "turns": turns}}
    results = tmp_path / "rows.jsonl"
    results.write_text(json.dumps(row) + "\n")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_replay.py"), "--rev", "HEAD", "--suite",
                          "project", str(results)], capture_output=True, text=True, timeout=300, check=True).stdout
    assert out.strip() == "1 recorded runs; 0 could go another way with this checkout than at HEAD: none"


def test_the_oracle_judges_every_state_a_run_reached_and_refuses_rows_outside_the_tuning_split(tmp_path):
    """`bench_oracle.py`: the states are the first answer with each repair on top, each answer
    written afresh, an early-exit edit on the answer it was kept with; report rows are refused."""
    import json
    import subprocess

    import bench_oracle

    def turn(kind, text, kept=False):
        return {"kind": kind, "text": text, "kept": kept}

    turns = [turn("reflection", "r"), turn("implementation", "a", True), turn("repair", "b", True),
             turn("retry", "c"), turn("retry", "d"), turn("edit", "e", True)]
    assert bench_oracle.states(turns) == [
        (["a"], True), (["a", "b"], True), (["a", "b", "e"], True), (["c"], False), (["d"], False)]

    report = {"task": "he001-x", "suite": "humaneval", "split": "report", "app": {"passed": False}}
    results = tmp_path / "rows.jsonl"
    results.write_text(json.dumps(report) + "\n")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_oracle.py"), str(results)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "refused: 1 row(s) are not from the HumanEval tuning split" in done.stderr
