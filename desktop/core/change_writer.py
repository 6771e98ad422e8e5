"""Write or delete several files so that either all happen or none stay changed.

Each file is written atomically (a temp file in the same folder, then os.replace), and
its previous bytes are kept in memory so a failure part-way puts every touched file back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "Transaction", "os_reason"]

NEW_FILE_MODE = 0o644


def os_reason(error: OSError) -> str:
    """Why a write failed, in words a user can act on."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOTDIR: "a file stands where a folder is needed",
        errno.EEXIST: "a file stands where a folder is needed",
    }
    return reasons.get(error.errno, error.strerror or str(error))


# atomic_write's temp files: mkstemp(prefix=".NAME.", suffix=".plansmith") puts 8 random characters
# between. One left behind is an apply stopped part-way (see apply_recovery), never a codebase file.
TEMP_NAME = re.compile(r"\.(.+)\.[A-Za-z0-9_]{8}\.plansmith")


def atomic_write(target: Path, data: bytes, *, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".plansmith")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Transaction:
    """Writes and deletes under root; rollback() restores what was touched, newest first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._undo: list[tuple[Path, bytes | None, int]] = []  # target, old bytes, old mode
        self.made_dirs: list[Path] = []

    def _make_parents(self, target: Path) -> None:
        missing = []
        parent = target.parent
        while parent != self.root and not parent.exists():
            missing.append(parent)
            parent = parent.parent
        for folder in reversed(missing):
            folder.mkdir()
            self.made_dirs.append(folder)

    def _remember(self, target: Path) -> None:
        if target.exists():
            self._undo.append((target, target.read_bytes(), stat.S_IMODE(target.stat().st_mode)))
        else:
            self._undo.append((target, None, NEW_FILE_MODE))

    def write(self, target: Path, data: bytes, *, mode: int) -> None:
        self._make_parents(target)
        self._remember(target)
        try:
            atomic_write(target, data, mode=mode)
        except BaseException:
            self._undo.pop()  # untouched: atomic_write failed before or at os.replace
            raise

    def delete(self, target: Path) -> None:
        self._remember(target)
        try:
            target.unlink()
        except BaseException:
            self._undo.pop()
            raise

    def remove_empty_dirs(self, folders: list[Path]) -> None:
        # Deepest first, and only empty ones: the user may have put files there since.
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def rollback(self) -> list[Path]:
        """Put back every touched file; the files that could not be restored."""
        failed = []
        for target, data, mode in reversed(self._undo):
            try:
                if data is None:
                    target.unlink(missing_ok=True)
                else:
                    atomic_write(target, data, mode=mode)
            except OSError:
                failed.append(target)
        self._undo.clear()
        self.remove_empty_dirs(self.made_dirs)
        return failed
