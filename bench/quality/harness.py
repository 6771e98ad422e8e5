"""Held-out quality benchmark: load plan-to-code tasks, copy their repos, judge a result.

Each task lives in ``bench/quality/tasks/NN-name/`` with ``repo/`` (the codebase the model
edits), ``plan.md`` (the only spec the model sees), ``hidden/`` (acceptance tests the model
never sees), ``solution/`` (a reference solution, full files overlaying ``repo/``, used only to
validate the task) and ``task.toml``.

Standard library only; the hidden tests run under pytest in a subprocess.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TASKS_DIR = ROOT / "tasks"
DIFFICULTIES = ("easy", "medium")
# "structured": plan.md has the five PLAN_SECTIONS and spells out signatures;
# "plain": written the way people write tickets (prose, bullets, no fixed sections).
STYLES = ("structured", "plain")
PLAN_SECTIONS = (
    "Components to reuse",
    "User stories",
    "Requirements",
    "Edge cases",
    "Implementation steps",
)
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
_TAIL_CHARS = 4000


class TaskError(Exception):
    """A task directory is malformed (missing file, bad task.toml)."""


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    path: Path
    plan_path: Path
    repo_dir: Path
    hidden_dir: Path
    solution_dir: Path
    visible_dir: Path  # the codebase's existing tests (optional): a check command, never the judge
    difficulty: str
    files_to_edit: tuple[str, ...]
    files_to_create: tuple[str, ...]
    notes: str = ""
    style: str = "structured"

    @property
    def plan(self) -> str:
        return self.plan_path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class JudgeResult:
    passed: bool
    n_passed: int
    n_failed: int
    output_tail: str
    timed_out: bool = False


def load_tasks(root: Path | None = None) -> list[Task]:
    """Every task under ``root`` (default: ``bench/quality/tasks``), sorted by id."""
    root = Path(root) if root is not None else TASKS_DIR
    tasks = [_load_task(d) for d in sorted(root.iterdir()) if (d / "task.toml").is_file()]
    if not tasks:
        raise TaskError(f"no tasks found under {root}")
    return tasks


def _load_task(path: Path) -> Task:
    try:
        meta = tomllib.loads((path / "task.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TaskError(f"{path.name}/task.toml: {exc}") from exc
    for key in ("id", "title", "difficulty", "files_to_edit", "files_to_create"):
        if key not in meta:
            raise TaskError(f"{path.name}/task.toml: missing key {key!r}")
    if meta["id"] != path.name:
        raise TaskError(f"{path.name}/task.toml: id {meta['id']!r} differs from its folder name")
    if meta["difficulty"] not in DIFFICULTIES:
        raise TaskError(f"{path.name}/task.toml: difficulty must be one of {DIFFICULTIES}")
    style = meta.get("style", "structured")
    if style not in STYLES:
        raise TaskError(f"{path.name}/task.toml: style must be one of {STYLES}")
    task = Task(
        id=meta["id"],
        title=meta["title"],
        path=path,
        plan_path=path / "plan.md",
        repo_dir=path / "repo",
        hidden_dir=path / "hidden",
        solution_dir=path / "solution",
        visible_dir=path / "visible",
        difficulty=meta["difficulty"],
        files_to_edit=tuple(meta["files_to_edit"]),
        files_to_create=tuple(meta["files_to_create"]),
        notes=meta.get("notes", ""),
        style=style,
    )
    for p in (task.plan_path,):
        if not p.is_file():
            raise TaskError(f"{path.name}: missing {p.name}")
    for d in (task.repo_dir, task.hidden_dir, task.solution_dir):
        if not d.is_dir():
            raise TaskError(f"{path.name}: missing {d.name}/")
    return task


def repo_files(task: Task) -> dict[str, str]:
    """The task's original repo as ``{relative posix path: text}`` (no caches)."""
    out = {}
    for p in sorted(task.repo_dir.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            out[p.relative_to(task.repo_dir).as_posix()] = p.read_text(encoding="utf-8")
    return out


def visible_check_command(task: Task, python: str | None = None) -> str:
    """The check command that runs the task's existing tests (``visible/``) from the codebase's
    folder, reading no configuration or conftest from around them (their own pytest.ini)."""
    folder = shlex.quote(str(task.visible_dir))
    return (f"{shlex.quote(python or sys.executable)} -m pytest -q -p no:cacheprovider "
            f"-c {folder}/pytest.ini {folder}")


def materialize(task: Task, dest: Path) -> Path:
    """Copy the task's ``repo/`` to ``dest`` (removed first if it exists); return the copy."""
    dest = Path(dest).resolve()
    if dest == task.path.resolve() or task.path.resolve().is_relative_to(dest):
        raise ValueError(f"refusing to replace {dest}: it holds the task itself")
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(task.repo_dir, dest, ignore=_IGNORE)
    return dest


def overlay(files_dir: Path, repo_copy: Path) -> list[str]:
    """Copy every file under ``files_dir`` onto ``repo_copy`` at the same relative path."""
    written = []
    for src in sorted(Path(files_dir).rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts or src.suffix == ".pyc":
            continue
        rel = src.relative_to(files_dir)
        target = Path(repo_copy) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        written.append(rel.as_posix())
    return written


def judge(
    task: Task,
    repo_copy: Path,
    *,
    timeout: float = 120,
    python: str | None = None,
    tests: Path | None = None,
) -> JudgeResult:
    """Run the task's hidden tests (or the ``tests`` folder) against ``repo_copy`` in a subprocess.

    The tests run as ``python -m pytest <hidden>`` with cwd and PYTHONPATH set to the repo
    copy. They are copied to a temporary folder first, so nothing is written into the task
    or the repo copy, and pytest reads no configuration or plugins from the surroundings.
    ``passed`` needs a zero exit, at least one passing test and no failed, errored or
    skipped test.
    """
    repo_copy = Path(repo_copy).resolve()
    with tempfile.TemporaryDirectory(prefix="plansmith-judge-") as tmp:
        tmp_path = Path(tmp)
        hidden = tmp_path / "hidden"
        shutil.copytree(tests or task.hidden_dir, hidden, ignore=_IGNORE)
        ini = tmp_path / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        junit = tmp_path / "junit.xml"
        cmd = [
            python or sys.executable, "-m", "pytest", str(hidden),
            "-c", str(ini), "--rootdir", str(tmp_path),
            "-p", "no:cacheprovider", "-q", "--tb=short", "-o", "console_output_style=classic",
            f"--junitxml={junit}",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update(
            PYTHONPATH=str(repo_copy),
            PYTHONDONTWRITEBYTECODE="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
            PYTHONHASHSEED="0",
        )
        try:
            proc = subprocess.run(
                cmd, cwd=repo_copy, env=env, capture_output=True, text=True,
                timeout=timeout, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            out = _text(exc.stdout) + _text(exc.stderr)
            tail = (out + f"\n[judge] timed out after {timeout}s")[-_TAIL_CHARS:]
            return JudgeResult(False, 0, 0, tail, timed_out=True)
        output = proc.stdout + proc.stderr
        n_passed, n_failed = _count(junit)
        if proc.returncode != 0 and n_failed == 0:
            n_failed = 1  # collection crash or usage error: count it as one failure
        passed = proc.returncode == 0 and n_failed == 0 and n_passed > 0
        return JudgeResult(passed, n_passed, n_failed, output[-_TAIL_CHARS:])


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def _count(junit: Path) -> tuple[int, int]:
    """(passed, failed+errored+skipped) from a JUnit XML report; (0, 0) if there is none."""
    if not junit.is_file():
        return 0, 0
    try:
        root = ET.parse(junit).getroot()
    except ET.ParseError:
        return 0, 0
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failed += sum(int(s.get(k, 0)) for k in ("failures", "errors", "skipped"))
    # Collection errors are reported as errors without a matching test count.
    return max(tests - failed, 0), failed


def real_lines(text: str) -> int:
    """Lines that are neither blank nor comment-only (docstrings count)."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
