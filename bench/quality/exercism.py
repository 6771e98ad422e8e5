"""Exercism practice exercises as plan-to-code tasks, in the layout `harness.load_tasks` reads.

    python bench/quality/exercism.py --from DIR [--out DIR]    # builds the tasks, prints the folder

DIR holds one folder per exercise, as in a checkout of Exercism's Python track
(`exercises/practice/<slug>/`: `.docs/instructions.md`, `.docs/instructions.append.md` when there
is one, the stub `<module>.py`, its tests `<module>_test.py`, `.meta/example.py`) or the same
files flat in the exercise's folder. Nothing of it is kept in git: the exercises are someone
else's material, copied into a cache folder by whoever runs the bench. Each becomes what a user
would hand Plansmith, the way aider's edit benchmark hands them to a model:

- `repo/<module>.py`: the exercise's stub (its functions and classes with `pass` bodies);
- `plan.md`: a title naming the module, the instructions (and their Python-specific
  appendix), and "Keep the existing function and class names";
- `hidden/<module>_test.py`: the exercise's tests;
- `solution/<module>.py`: the example solution, used only to validate the task.

Exercises are numbered in the order of their slugs: even numbers are the tuning split, odd
the report split. Each task's tests are run on the stub (they must fail; a stub that holds a
solution is derived from the example instead) and on the example (they must pass), and a task
that does not pass both is left out (`--no-validate` skips this).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CACHE = Path.home() / ".cache" / "plansmith-bench"


def _first(folder: Path, *names: str) -> Path | None:
    return next((folder / n for n in names if (folder / n).is_file()), None)


def read_exercise(folder: Path) -> dict[str, str] | None:
    """The exercise's parts by role, or None when one is missing."""
    slug = folder.name
    module = slug.replace("-", "_")
    parts = {
        "instructions": _first(folder, ".docs/instructions.md", "instructions.md"),
        "append": _first(folder, ".docs/instructions.append.md", "instructions.append.md"),
        "stub": _first(folder, f"{module}.py"),
        "tests": _first(folder, f"{module}_test.py"),
        "example": _first(folder, ".meta/example.py", "example.py"),
    }
    if any(parts[k] is None for k in ("instructions", "tests", "example")):
        return None
    texts = {k: p.read_text(encoding="utf-8") for k, p in parts.items() if p is not None}
    texts["module"] = module
    if "stub" not in texts:
        try:
            texts["stub"] = stub_of(texts["example"])
        except SyntaxError:
            return None
    return texts


def _stubbed(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    node.body = [ast.Pass()]
    return node


def stub_of(example: str) -> str:
    """A stub as the track writes them, for an exercise whose stub is missing: the example's
    public functions and its classes' methods with `pass` bodies, an exception class as it is
    (most of the track's stubs hold no constants; the few that do set them to None)."""
    out: list[ast.stmt] = []
    for node in ast.parse(example).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            out.append(_stubbed(node))
        elif isinstance(node, ast.ClassDef):
            if any(isinstance(b, ast.Name) and b.id.endswith(("Error", "Exception")) for b in node.bases):
                out.append(node)
                continue
            methods = [_stubbed(n) for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            node.body = methods or [ast.Pass()]
            out.append(node)
    return "\n\n\n".join(ast.unparse(n) for n in out) + "\n"


def plan_of(parts: dict[str, str]) -> str:
    body = parts["instructions"].strip()
    if parts.get("append", "").strip():
        body += "\n\n" + parts["append"].strip()
    return f"# Implement `{parts['module']}.py`\n\n{body}\n\nKeep the existing function and class names.\n"


def build_task(number: int, slug: str, parts: dict[str, str], root: Path) -> Path:
    task_id = f"ex{number:03d}-{slug}"
    folder = root / task_id
    module = parts["module"]
    split = "tuning" if number % 2 == 0 else "report"
    files = {
        f"repo/{module}.py": parts["stub"],
        "plan.md": plan_of(parts),
        f"solution/{module}.py": parts["example"],
        f"hidden/{module}_test.py": parts["tests"],
        "task.toml": (
            f'id = "{task_id}"\ntitle = "Exercism {slug}"\ndifficulty = "easy"\n'
            f'files_to_edit = ["{module}.py"]\nfiles_to_create = []\n'
            f'notes = "Exercism {split} split"\nstyle = "plain"\n'
        ),
    }
    if folder.exists():
        shutil.rmtree(folder)
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def _passes(task: Path, files: Path) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        for f in files.iterdir():
            shutil.copy(f, tmp)
        for f in (task / "hidden").iterdir():
            shutil.copy(f, tmp)
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", tmp],
                              cwd=tmp, capture_output=True, timeout=120)
        return proc.returncode == 0


def build_all(source: Path, out: Path | None = None, *, validate: bool = True) -> Path:
    """Every exercise under `source` as a task folder under `out` (default: the cache)."""
    out = out or CACHE / "exercism-tasks"
    out.mkdir(parents=True, exist_ok=True)
    folders = sorted(p for p in source.iterdir() if p.is_dir())
    for number, folder in enumerate(folders):
        parts = read_exercise(folder)
        if parts is None:
            print(f"{folder.name}: incomplete, left out", file=sys.stderr)
            continue
        task = build_task(number, folder.name, parts, out)
        if validate and _passes(task, task / "repo"):  # a stub stored with its solution in it
            try:
                parts["stub"] = stub_of(parts["example"])
            except SyntaxError:
                pass
            task = build_task(number, folder.name, parts, out)
        if validate and (_passes(task, task / "repo") or not _passes(task, task / "solution")):
            print(f"{folder.name}: the stub passes or the example fails its tests, left out", file=sys.stderr)
            shutil.rmtree(task)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-validate", action="store_true")
    args = parser.parse_args()
    print(build_all(args.source, args.out, validate=not args.no_validate))


if __name__ == "__main__":
    main()
