"""The examples Plansmith reads from a plan by itself (desktop/core/stated_examples.py), run
against each task's reference solution and its untouched stub. No model runs.

    .venv/bin/python bench/bench_stated_examples.py --suite humaneval --split tuning [--list]
    .venv/bin/python bench/bench_stated_examples.py --suite project

Prints how many plans give checks, how many checks, how many fail the reference solution (a
wrong check: it would send a right answer to repair) and in how many tasks the stub already
passes every check (a check that tells nothing). `--list` names each task and each wrong check;
keep it to the tuning split and the project suite (never read the report split task by task).

`--hashes` prints, per task, only hashes of what the code reads from the plan (PlanSpec's files,
signatures, required names, identifiers and examples, and the stated checks). Run it at two
commits and `diff` the outputs: where nothing differs, a change left plan reading as it was on
those tasks. It shows no plan text, so it is safe on the report split.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

from desktop.core.plan_spec import PlanSpec  # noqa: E402
from desktop.core.reflection_examples import checks_for, codebase_names  # noqa: E402
from desktop.core.stated_examples import stated_checks  # noqa: E402
from quality.harness import load_tasks  # noqa: E402
from quality.humaneval import build_all, split_of  # noqa: E402


def python_files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py"))}


def failing(lines: list[str], names: dict[str, str], *, folders: list[Path]) -> list[str]:
    """The checks that fail on the folders copied over each other (the stub, then the solution)."""
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            shutil.copytree(folder, tmp, dirs_exist_ok=True)
        return [line for line in lines
                if subprocess.run([sys.executable, "-c", checks_for(line, names)], cwd=tmp,
                                  capture_output=True, timeout=20, check=False).returncode]


def reading_hashes(task) -> str:
    """Short hashes of each thing the code reads from the task's plan, in a fixed order."""
    files = python_files(task.repo_dir)
    spec = PlanSpec.from_text(task.plan)
    parts = [spec.files, [d.source for d in spec.definitions], spec.required, sorted(spec.identifiers),
             [(e.source, e.want) for e in spec.examples], stated_checks(task.plan, files, examples=spec.examples)]
    return " ".join(hashlib.sha256(repr(p).encode()).hexdigest()[:12] for p in parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=["humaneval", "project"], default="humaneval")
    parser.add_argument("--split", choices=["tuning", "report"])
    parser.add_argument("--list", action="store_true", help="name each task and each wrong check")
    parser.add_argument("--hashes", action="store_true", help="per task, hashes of what the code reads from the plan")
    args = parser.parse_args()
    tasks = load_tasks(build_all()) if args.suite == "humaneval" else load_tasks()
    if args.split:
        tasks = [t for t in tasks if split_of(t.id) == args.split]
    if args.hashes:
        for task in tasks:
            print(task.id, reading_hashes(task))
        return
    with_checks = n_checks = n_wrong = stub_passes = 0
    for task in tasks:
        files = python_files(task.repo_dir)
        plan = task.plan
        lines = stated_checks(plan, files, examples=PlanSpec.from_text(plan).examples)
        if not lines:
            print(f"none   {task.id}") if args.list else None
            continue
        names = codebase_names(files)
        wrong = failing(lines, names, folders=[task.repo_dir, task.solution_dir])
        with_checks, n_checks, n_wrong = with_checks + 1, n_checks + len(lines), n_wrong + len(wrong)
        stub_passes += not failing(lines, names, folders=[task.repo_dir])
        if args.list:
            print(f"{len(lines):>2}     {task.id}" + "".join(f"\n  WRONG {w}" for w in wrong))
    print(f"{args.suite} {args.split or ''}: {len(tasks)} tasks, {with_checks} with stated checks "
          f"({n_checks} checks), {n_wrong} fail the reference solution, "
          f"{stub_passes} tasks whose stub passes them all")


if __name__ == "__main__":
    main()
