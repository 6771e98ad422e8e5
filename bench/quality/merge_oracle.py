"""Can the edit format express every task's reference solution? (no model involved)

For each task, the reference solution is rewritten the way the edit format asks a model to
write it: under each changed Python file's path, only the new or changed top-level
definitions, imports and assignments, and for a changed class only its new or changed
members inside its `class` line. That answer goes through the app's own parser and merger
(ChangeSet.from_answer), is applied to a fresh copy of the repo and judged by the hidden
tests. A task that fails here would fail for any model, so this checks the merger against
real code, not the model.

    python bench/quality/merge_oracle.py [--tasks 01,02]
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from quality.harness import judge, load_tasks, materialize  # noqa: E402

from desktop.core.apply import apply_changes  # noqa: E402
from desktop.core.changes import ChangeSet  # noqa: E402


def _key(node: ast.stmt):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return ("def", node.name)
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return ("var", node.targets[0].id)
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return ("var", node.target.id)
    return None


def _source(lines: list[str], node: ast.stmt) -> str:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    return "\n".join(lines[start:node.end_lineno])


def minimal_snippet(old_text: str, new_text: str) -> str:
    """Only what changed, as definitions (the way the format asks a model to write it)."""
    old, new = ast.parse(old_text), ast.parse(new_text)
    new_lines = new_text.split("\n")
    old_by_key = {_key(n): n for n in old.body if _key(n)}
    old_imports = {ast.unparse(n) for n in old.body if isinstance(n, (ast.Import, ast.ImportFrom))}
    parts = []
    for node in new.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if ast.unparse(node) not in old_imports:
                parts.append(_source(new_lines, node))
            continue
        key = _key(node)
        if key is None:
            continue
        before = old_by_key.get(key)
        if before is not None and ast.dump(before) == ast.dump(node):
            continue
        if isinstance(node, ast.ClassDef) and isinstance(before, ast.ClassDef):
            old_members = {_key(m): m for m in before.body if _key(m)}
            members = [m for m in node.body if _key(m) and (
                _key(m) not in old_members or ast.dump(old_members[_key(m)]) != ast.dump(m))]
            if members:
                parts.append(f"class {node.name}:\n" + "\n\n".join(_source(new_lines, m) for m in members))
            continue
        parts.append(_source(new_lines, node))
    return "\n\n\n".join(parts) + "\n"


def oracle_answer(task) -> str:
    blocks = []
    for path in sorted(task.solution_dir.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(task.solution_dir).as_posix()
        new_text = path.read_text(encoding="utf-8")
        old_path = task.repo_dir / rel
        if not old_path.exists():
            body = new_text
        elif old_path.read_text(encoding="utf-8") == new_text:
            continue
        elif rel.endswith(".py"):
            body = minimal_snippet(old_path.read_text(encoding="utf-8"), new_text)
        else:
            continue  # the tasks change only Python files
        blocks.append(f"{rel}\n```python\n{body}```\n")
    return "\n".join(blocks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", help="comma-separated task id prefixes (default: all)")
    args = parser.parse_args()
    tasks = load_tasks()
    if args.tasks:
        tasks = [t for t in tasks if t.id.startswith(tuple(args.tasks.split(",")))]
    passed = 0
    with tempfile.TemporaryDirectory(prefix="plansmith-oracle-") as tmp:
        for task in tasks:
            repo = materialize(task, Path(tmp) / task.id)
            answer = oracle_answer(task)
            changeset = ChangeSet.from_answer(answer, root=repo)
            problems = changeset.problems_report().strip()
            if changeset.accepted():
                apply_changes(changeset, backups_dir=Path(tmp) / "backups")
            verdict = judge(task, repo)
            passed += verdict.passed
            lines = sum(b.count("\n") for b in answer.split("```python")[1:])
            print(f"{task.id:<30} {'pass' if verdict.passed else 'FAIL'}  answer {lines:>3} lines"
                  + (f"\n{problems}" if problems else "")
                  + ("" if verdict.passed else "\n" + verdict.output_tail[-1500:]), flush=True)
    print(f"\n{passed}/{len(tasks)} reference solutions pass when written as definitions and merged")
    return 0 if passed == len(tasks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
