"""Checks a candidate change before it is applied: the plan's examples and the codebase's own
check command, both run on a scratch copy (see scratch.py), never in the user's folder.

The check command runs first on the unchanged copy, to learn what already fails (cached per
codebase state), so a failure that was there before is not counted as the model's. Results
say what passed and failed, the new failures with their message and last lines, and the
problems text a repair turn sends back.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import sys
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from desktop.core import examples_runner
from desktop.core.pure_code import why_not_computing
from desktop.core.scratch import ProcessResult, file_tree, mirrored, run_walled, write_files

EXAMPLES_FILE = ".plansmith_examples.py"
RECORD_OUTPUT = 20_000  # characters of output kept in the run record
_PYTEST_LINE = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$", re.M)
_PYTEST_HEADER = re.compile(r"^_{3,} (.+?) _{3,}$", re.M)
_baselines: dict[tuple[str, str], "CheckResult"] = {}
_baseline_lock = threading.Lock()


@dataclass
class Failure:
    id: str
    message: str
    detail: str = ""


@dataclass
class CheckResult:
    kind: str  # "examples" | "command"
    command: str
    passed: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    new_failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    returncode: int | None = None
    timed_out: bool = False
    stopped: bool = False
    network_cut: bool = False
    output: str = ""
    skipped: str = ""  # why it did not run (code the examples load that does more than compute)

    @property
    def ok(self) -> bool:
        return not self.new_failures and not self.timed_out and not self.stopped

    @property
    def ran(self) -> bool:
        return not self.skipped

    def summary(self) -> str:
        name = "plan examples" if self.kind == "examples" else f"check `{self.command}`"
        if self.skipped:
            return f"{name}: not run, {self.skipped} (turn the examples on for any code to run them)"
        if self.stopped:
            return f"{name}: stopped"
        state = "timed out" if self.timed_out else ("passed" if self.ok else "failed")
        counts = f"{self.passed} passed, {self.failed} failed" if (self.passed or self.failed) else f"exit {self.returncode}"
        new = f", {len(self.new_failures)} new" if self.kind == "command" and self.new_failures else ""
        net = "" if self.network_cut else ", had network"
        return f"{name}: {state} ({counts}{new}, {self.seconds:.1f} s{net})"

    @classmethod
    def from_dict(cls, data: dict) -> "CheckResult":
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("failures", "new_failures"):
            values[key] = [Failure(**f) for f in values.get(key, [])]
        return cls(**values)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["output"] = self.output[-RECORD_OUTPUT:]
        return data


def default_python() -> str:
    """The Python that runs the examples: this one, unless the app is a frozen bundle."""
    if getattr(sys, "frozen", False):
        return shutil.which("python3") or shutil.which("python") or "python3"
    return sys.executable


class Checker:
    """Runs the checks for one codebase; `run` takes the candidate's files."""

    def __init__(self, root: Path, *, scratch_dir: Path, examples: str = "", command: str = "",
                 timeout: float = 120.0, python: str = "", examples_any_code: bool = False) -> None:
        self.root = Path(root)
        self.scratch_dir = Path(scratch_dir)
        self.examples = examples.strip()
        self.command = command.strip()
        self.timeout = timeout
        self.python = python or default_python()
        # False: the examples run only when every file they load only computes (pure_code.py).
        self.examples_any_code = examples_any_code

    @property
    def active(self) -> bool:
        return bool(self.examples or self.command)

    def examples_only(self) -> "Checker | None":
        """The same checks without the command (the quick ones), or None when there are no
        examples."""
        if not self.examples:
            return None
        quick = copy.copy(self)
        quick.command = ""
        return quick

    def run(self, files: list[tuple[str, str | None]], *, stop_event: threading.Event | None = None) -> list[CheckResult]:
        """The checks on a copy of the codebase with `files` (path, new text or None) written in."""
        results = []
        baseline = self._baseline(stop_event) if self.command else None
        with mirrored(self.root, self.scratch_dir) as copy:
            write_files(copy, files)
            if self.command:
                result = _command_result(self.command, self._run(["sh", "-c", self.command], copy, stop_event))
                result.new_failures = _new_failures(result, baseline)
                results.append(result)
            if self.examples and not (stop_event is not None and stop_event.is_set()):
                (copy / EXAMPLES_FILE).write_text(self.examples + "\n", encoding="utf-8")
                reason = None if self.examples_any_code else why_not_computing(copy, EXAMPLES_FILE)
                if reason:
                    results.append(CheckResult("examples", "", skipped=reason.replace(f"`{EXAMPLES_FILE}`", "the examples")))
                    return results
                source = Path(examples_runner.__file__).with_suffix(".py")  # a bundle ships the source beside the .pyc
                argv = [self.python, "-c", source.read_text(encoding="utf-8"), EXAMPLES_FILE]
                results.append(_examples_result(self._run(argv, copy, stop_event)))
        return results

    def _run(self, argv: list[str], cwd: Path, stop_event: threading.Event | None) -> ProcessResult:
        return run_walled(argv, cwd=cwd, timeout=self.timeout, stop_event=stop_event)

    def _baseline(self, stop_event: threading.Event | None) -> "CheckResult":
        """The command's result on the unchanged codebase, once per codebase state."""
        key = (self.command, codebase_state(self.root))
        with _baseline_lock:
            if key not in _baselines:
                with mirrored(self.root, self.scratch_dir) as copy:
                    result = _command_result(self.command, self._run(["sh", "-c", self.command], copy, stop_event))
                if result.stopped:
                    return result  # not cached: a stopped run says nothing about the codebase
                _baselines[key] = result
            return _baselines[key]


def codebase_state(root: Path) -> str:
    """A fingerprint of the files' paths, sizes and modification times (what the mirror copies)."""
    digest = hashlib.sha256()
    for rel, st in sorted(file_tree(root)[0].items()):
        digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _examples_result(process: ProcessResult) -> CheckResult:
    result = _from_process("examples", "", process)
    for line in process.output.splitlines():
        if not line.startswith(examples_runner.RESULT_MARK):
            continue
        item = json.loads(line[len(examples_runner.RESULT_MARK):])
        if item["ok"]:
            result.passed += 1
            continue
        result.failed += 1
        if "got" in item:
            message = f"gave {item['got']} (expected {item['expected']})"
            message += f": {item['kind']}" if item.get("kind") else ""
        else:
            message = item.get("error", "failed")
        result.failures.append(Failure(f"line {item['line']}", message, item["source"]))
    if process.returncode not in (0, None) and not result.failures:
        result.failures.append(Failure("examples", "the examples did not run", _tail(process.output, 15)))
    if process.timed_out:
        result.failures.append(Failure("examples", "did not finish within the time limit", ""))
    result.new_failures = list(result.failures)
    return result


def _command_result(command: str, process: ProcessResult) -> CheckResult:
    result = _from_process("command", command, process)
    details = _pytest_sections(process.output)
    for kind, test_id, message in _PYTEST_LINE.findall(process.output):
        name = test_id.split("::")[-1]
        result.failures.append(Failure(test_id, message or kind.lower(), details.get(name, "")))
    counts = re.findall(r"(\d+) (passed|failed|error)", process.output.splitlines()[-1] if process.output.strip() else "")
    for number, word in counts:
        if word == "passed":
            result.passed = int(number)
        else:
            result.failed += int(number)
    if process.returncode not in (0, None) and not result.failures:
        result.failures.append(Failure(f"exit status {process.returncode}", "the command failed",
                                       _tail(process.output, 30)))
    if process.timed_out:
        result.failures.append(Failure("time limit", "the check did not finish within its time limit",
                                       _tail(process.output, 15)))
    return result


def _from_process(kind: str, command: str, process: ProcessResult) -> CheckResult:
    return CheckResult(kind, command, seconds=process.seconds, returncode=process.returncode,
                       timed_out=process.timed_out, stopped=process.stopped,
                       network_cut=process.network_cut, output=process.output)


def _pytest_sections(output: str) -> dict[str, str]:
    """pytest's failure sections by test name, each cut to its last lines."""
    sections = {}
    headers = list(_PYTEST_HEADER.finditer(output))
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(output)
        body = output[header.end():end]
        body = re.split(r"^=+ ", body, maxsplit=1, flags=re.M)[0]
        sections[header.group(1).split("::")[-1].split(".")[-1]] = _tail(body, 12)
    return sections


def _tail(text: str, lines: int) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def failed_commands(results: Iterable[CheckResult]) -> list[CheckResult]:
    """The check-command results that failed on a change (a test that passed before fails, or the
    command timed out): such a change is not applied without the user's say-so."""
    return [r for r in results if r.kind == "command" and r.ran and not r.ok]


def _new_failures(result: CheckResult, baseline: CheckResult | None) -> list[Failure]:
    if baseline is None:
        return list(result.failures)
    before = {f.id for f in baseline.failures}
    if baseline.returncode not in (0, None) and not any("::" in f.id for f in baseline.failures):
        # The command failed before too and names no tests: nothing tells the two apart.
        return [f for f in result.failures if "::" in f.id]
    return [f for f in result.failures if f.id not in before]


def problems_text(results: list[CheckResult], *, limit: int = 1800) -> str:
    """The new failures, quoted for a repair turn and cut to fit."""
    lines = []
    for result in results:
        for failure in result.new_failures:
            if result.kind == "examples" and failure.message.startswith("not run:"):
                continue  # the failure that stopped them is listed
            if result.kind == "examples":
                line = f"- The plan's example `{_one_line(failure.detail)}` fails with your code: {failure.message}."
            else:
                line = f"- The check `{result.command}` fails on your change: {failure.id}: {failure.message}"
                if failure.detail:
                    line += "\n" + "\n".join("    " + d for d in failure.detail.splitlines())
            lines.append(line)
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > limit and kept:
            kept.append(f"- ... and {len(lines) - len(kept)} more failure(s).")
            break
        kept.append(line)
    return "\n".join(kept)


def _one_line(source: str) -> str:
    text = " ".join(source.split())
    return text if len(text) <= 200 else text[:200] + "..."

