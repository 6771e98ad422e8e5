"""A scratch copy of the codebase and a command run inside it, walled off from the user's files.

Checks never run in the user's folder. The copy is a real copy (never hard links: a test
that writes a file would write the user's), kept under the app's cache folder as a mirror of
the codebase: before each check it is brought back in line with the folder (files copied when
their size or modification time differ, files the folder lacks removed, so whatever an earlier
check wrote is gone), which costs a walk of both trees instead of a full copy. The command runs in its own process group with a time limit (the whole group is
killed), its output capped, an environment without tokens or keys, and, where the OS allows
it, no network (Linux: bubblewrap when installed, else a new network namespace through
`unshare`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import signal
import stat
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


def file_tree(root: Path, *, skip: bool = True) -> tuple[dict[str, os.stat_result], set[str]]:
    """Files and symlinks under root by relative path (their lstat), and the folders; without
    SKIPPED_DIRS when `skip`."""
    files: dict[str, os.stat_result] = {}
    folders: set[str] = set()
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = os.scandir(os.path.join(root, rel) if rel else root)
        except OSError:
            continue
        with entries:
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if not (skip and entry.name in SKIPPED_DIRS):
                        folders.add(path)
                        pending.append(path)
                else:
                    files[path] = entry.stat(follow_symlinks=False)
    return files, folders


def sync_copy(root: Path, dest: Path) -> None:
    """Make `dest` a real copy of `root` (version-control and cache folders left out) again."""
    source, source_dirs = file_tree(root)
    mirror, mirror_dirs = file_tree(dest, skip=False) if dest.exists() else ({}, set())
    for rel in sorted(mirror_dirs - source_dirs, key=len):  # folders the codebase does not have
        shutil.rmtree(dest / rel, ignore_errors=True)
    for rel, st in mirror.items():
        old = source.get(rel)
        if (old is None or old.st_size != st.st_size or old.st_mtime_ns != st.st_mtime_ns
                or stat.S_ISLNK(st.st_mode) or stat.S_ISLNK(old.st_mode)):
            (dest / rel).unlink(missing_ok=True)
            mirror[rel] = None
    for rel in sorted(source_dirs - mirror_dirs, key=len):
        (dest / rel).mkdir(parents=True, exist_ok=True)
    dest.mkdir(parents=True, exist_ok=True)
    for rel, st in source.items():
        if mirror.get(rel) is not None:
            continue
        src, target = root / rel, dest / rel
        if stat.S_ISLNK(st.st_mode):
            target.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, target)  # keeps the modification time the next sync compares


@contextlib.contextmanager
def mirrored(root: Path, scratch_dir: Path):
    """The codebase's mirror under `scratch_dir`, synced and held (one check at a time per codebase)."""
    key = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    home = Path(scratch_dir) / key
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks of this kind
            fcntl = None
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        dest = home / Path(root).name
        sync_copy(Path(root), dest)
        yield dest


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
