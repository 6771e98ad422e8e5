"""Check every quality-benchmark task: the hidden tests fail on the original repo and pass
with the reference solution, the existing tests (visible/, where a task has them) pass on
both, and the task set keeps its quotas.

Structured tasks (the default) need the five plan sections; plain ones (``style = "plain"``
in task.toml) must read like a ticket instead: none of those sections and no spelled-out
signatures. The big-file quotas count structured tasks only.

    .venv/bin/python bench/quality/validate_tasks.py [-k SUBSTRING] [--jobs N]

Runs pytest once per task and state (two subprocesses per task), one task at a time unless
--jobs says otherwise. Exits 1 if anything is wrong.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PLAN_SECTIONS, Task, judge, load_tasks, materialize, overlay, real_lines, repo_files  # noqa: E402

MIN_TASKS = 22
MIN_BIG_EDIT_TASKS = 12
BIG_FILE_LINES = 150  # "existing file of over 150 lines", counted by real_lines()
MAX_REPO_LINES = 700  # all repo files together, physical lines


@dataclass
class Row:
    task: Task
    big_file: str = ""
    big_lines: int = 0
    repo_lines: int = 0
    original: str = ""
    solution: str = ""
    added: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)


def check_static(task: Task, row: Row) -> None:
    files = repo_files(task)
    row.repo_lines = sum(len(t.splitlines()) for t in files.values())
    if row.repo_lines > MAX_REPO_LINES:
        row.problems.append(f"repo has {row.repo_lines} lines (> {MAX_REPO_LINES})")
    solution = {
        p.relative_to(task.solution_dir).as_posix()
        for p in task.solution_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    expected = set(task.files_to_edit) | set(task.files_to_create)
    if solution != expected:
        row.problems.append(f"solution files {sorted(solution)} != edit+create {sorted(expected)}")
    if not expected:
        row.problems.append("task lists no files to edit or create")
    for rel in task.files_to_edit:
        if rel not in files:
            row.problems.append(f"files_to_edit {rel} not in repo/")
            continue
        sol = task.solution_dir / rel
        if sol.is_file():
            new = sol.read_text(encoding="utf-8")
            if new == files[rel]:
                row.problems.append(f"solution leaves {rel} unchanged")
            added, removed = _diff_size(files[rel], new)
            row.added += added
            row.removed += removed
            # A reference solution is the repo file plus the change; a large deletion
            # means it was written against an older version of repo/.
            old_len = len(files[rel].splitlines())
            if removed > max(10, old_len // 4):
                row.problems.append(f"solution removes {removed} of {old_len} lines of {rel} (stale?)")
        n = real_lines(files[rel])
        if n > row.big_lines:
            row.big_file, row.big_lines = rel, n
    for rel in task.files_to_create:
        if rel in files:
            row.problems.append(f"files_to_create {rel} already in repo/")
        elif (task.solution_dir / rel).is_file():
            row.added += len((task.solution_dir / rel).read_text(encoding="utf-8").splitlines())
    plan = task.plan
    if task.style == "plain":
        check_plain_plan(plan, row)
    else:
        for section in PLAN_SECTIONS:
            if not _has_section(plan, section):
                row.problems.append(f"plan.md lacks section {section!r}")
    if not list(task.hidden_dir.glob("test_*.py")):
        row.problems.append("hidden/ has no test_*.py")


def _has_section(plan: str, section: str) -> bool:
    return re.search(rf"^#+\s*{re.escape(section)}\b", plan, re.M | re.I) is not None


def check_plain_plan(plan: str, row: Row) -> None:
    """A plain plan reads like a ticket: none of the structured sections, no signatures."""
    for section in PLAN_SECTIONS:
        if _has_section(plan, section):
            row.problems.append(f"plain plan.md has the structured section {section!r}")
    for span in re.findall(r"`+([^`]+)`+", plan):
        if "(" in span or re.search(r"\bdef\s", span):
            row.problems.append(f"plain plan.md has a code span with a call or signature: {span!r}")
    if re.search(r"^\s*(?:async\s+)?def\s+\w+\s*\(", plan, re.M):
        row.problems.append("plain plan.md spells out a function signature")


def _diff_size(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) between two texts."""
    added = removed = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def check_dynamic(task: Task, row: Row, python: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="plansmith-validate-") as tmp:
        copy = materialize(task, Path(tmp) / "repo")
        before = judge(task, copy, python=python)
        row.original = f"{before.n_passed}p/{before.n_failed}f"
        if before.passed:
            row.problems.append("hidden tests PASS on the original repo")
        if before.n_failed == 0:
            row.problems.append("no hidden test fails on the original repo")
        if before.n_passed == 0:
            row.problems.append("no existing-behaviour test passes on the original repo")
        overlay(task.solution_dir, copy)
        after = judge(task, copy, python=python)
        row.solution = f"{after.n_passed}p/{after.n_failed}f"
        if not after.passed:
            row.problems.append("hidden tests FAIL with the solution:\n" + after.output_tail[-1500:])
        if task.visible_dir.is_dir():  # the existing tests pass before the change and after the solution
            for state, folder in (("the original repo", None), ("the solution", task.solution_dir)):
                copy = materialize(task, Path(tmp) / "repo")
                if folder is not None:
                    overlay(folder, copy)
                existing = judge(task, copy, python=python, tests=task.visible_dir)
                if not existing.passed:
                    row.problems.append(f"visible/ (existing tests) FAIL on {state}:\n" + existing.output_tail[-1500:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="only tasks whose id contains this")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--python", default=None, help="interpreter with pytest (default: this one)")
    args = ap.parse_args(argv)

    all_tasks = load_tasks()
    tasks = [t for t in all_tasks if args.k in t.id]
    rows = [Row(t) for t in tasks]
    for row in rows:
        check_static(row.task, row)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(lambda r: check_dynamic(r.task, r, args.python), rows))

    print(f"{'task':34} {'level':6} {'largest edited file':28} {'lines':>5} {'repo':>5} "
          f"{'change':>8} {'original':>9} {'solution':>9}  status")
    for r in rows:
        status = "ok" if not r.problems else "INVALID"
        change = f"+{r.added}/-{r.removed}"
        print(f"{r.task.id:34} {r.task.difficulty:6} {r.big_file or '(new files only)':28} "
              f"{r.big_lines:5} {r.repo_lines:5} {change:>8} {r.original:>9} {r.solution:>9}  {status}")
    bad = [r for r in rows if r.problems]
    for r in bad:
        for p in r.problems:
            print(f"\n[{r.task.id}] {p}")

    # The big-file quotas are the structured set's: plain tasks are small tickets on
    # small repos and neither count towards them nor dilute them.
    structured = [r for r in rows if r.task.style == "structured"]
    n_big = sum(1 for r in structured if r.big_lines > BIG_FILE_LINES)
    ok = not bad
    levels = {d: sum(1 for r in rows if r.task.difficulty == d) for d in ("easy", "medium")}
    print(f"\n{len(rows) - len(bad)}/{len(rows)} tasks valid ({levels['easy']} easy, "
          f"{levels['medium']} medium; {len(structured)} structured, "
          f"{len(rows) - len(structured)} plain); {n_big} structured ones edit an existing "
          f"file of more than {BIG_FILE_LINES} lines")
    if not args.k:
        n_structured = sum(1 for t in all_tasks if t.style == "structured")
        if len(all_tasks) < MIN_TASKS:
            print(f"too few tasks: {len(all_tasks)} < {MIN_TASKS}")
            ok = False
        if n_big < MIN_BIG_EDIT_TASKS:
            print(f"too few big-file edits: {n_big} < {MIN_BIG_EDIT_TASKS}")
            ok = False
        if 2 * n_big < n_structured:
            print("fewer than half the structured tasks edit a big existing file")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
