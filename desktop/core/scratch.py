"""A scratch copy of the codebase and a command run inside it, walled off from the user's files.

Checks never run in the user's folder. The copy is a real copy (never hard links: a test
that writes a file would write the user's), made under the app's cache folder and removed
afterwards. The command runs in its own process group with a time limit (the whole group is
killed), its output capped, an environment without tokens or keys, and, where the OS allows
it, no network (Linux: bubblewrap when installed, else a new network namespace through
`unshare`).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SKIPPED_DIRS = (".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache")
OUTPUT_LIMIT = 2_000_000  # bytes kept of a command's output; a command that writes more is stopped
_SECRET = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|ACCESS_?KEY|PRIVATE|AUTH", re.I)


@dataclass
class ProcessResult:
    returncode: int | None  # None: killed (time limit, output limit or Stop)
    output: str
    seconds: float
    timed_out: bool = False
    stopped: bool = False
    network_cut: bool = False


def clean_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without anything that looks like a credential; no bytecode written."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if not _SECRET.search(k)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    return env


@functools.lru_cache(maxsize=1)
def network_wall() -> tuple[str, ...]:
    """The command prefix that runs a process without network here, or () where none works."""
    candidates = []
    if shutil.which("bwrap"):
        candidates.append(("bwrap", "--dev-bind", "/", "/", "--unshare-net", "--die-with-parent", "--"))
    if shutil.which("unshare"):
        candidates.append(("unshare", "--map-root-user", "--net", "--"))
    for prefix in candidates:
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.SubprocessError):
            continue
    return ()


def copy_codebase(root: Path, dest_parent: Path) -> Path:
    """A real copy of `root` (without version-control and cache folders) under `dest_parent`."""
    dest = Path(tempfile.mkdtemp(prefix="check-", dir=dest_parent)) / root.name
    shutil.copytree(root, dest, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
    return dest


def write_files(dest: Path, files: Iterable[tuple[str, str | None]]) -> None:
    """Write (relative path, text) into the copy; None deletes the file."""
    for rel, text in files:
        target = dest / rel
        if text is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def run_walled(argv: Sequence[str], *, cwd: Path, timeout: float, stop_event: threading.Event | None = None,
               env: dict[str, str] | None = None) -> ProcessResult:
    """Run `argv` in `cwd`, without network where possible; Stop and the time limit kill its group."""
    wall = network_wall()
    started = time.monotonic()
    with tempfile.TemporaryFile(dir=cwd.parent) as out:
        proc = subprocess.Popen([*wall, *argv], cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env if env is not None else clean_environment(),
                                start_new_session=True)
        timed_out = stopped = False
        while True:
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            if stop_event is not None and stop_event.is_set():
                stopped = True
            elif time.monotonic() - started > timeout:
                timed_out = True
            elif os.fstat(out.fileno()).st_size > OUTPUT_LIMIT:
                timed_out = True
            else:
                continue
            _kill_group(proc)
            break
        _kill_group(proc)  # what the command left running in the background goes too
        out.seek(max(0, os.fstat(out.fileno()).st_size - OUTPUT_LIMIT))
        output = out.read().decode("utf-8", errors="replace")
    return ProcessResult(None if (timed_out or stopped) else proc.returncode, output,
                         time.monotonic() - started, timed_out, stopped, bool(wall))


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # Windows: no process groups of this kind; the process itself
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    proc.wait()
