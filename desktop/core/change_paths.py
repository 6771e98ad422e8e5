"""Decide whether a path named by the model may be written, and where it lands on disk.

The model's text is untrusted: a path must stay inside the codebase root after every
symbolic link is followed, must not reach into .git, and is never absolute.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from desktop.errors import ChangeError

__all__ = ["PathRefused", "normalise_path", "resolve_in_root"]


class PathRefused(ChangeError):
    """The model named a path that may not be written."""


_DRIVE = re.compile(r"^[A-Za-z]:")
NAME_MAX = 255  # bytes in one file or folder name (ext4, APFS, NTFS)
PATH_MAX = 1024  # characters in a path under the codebase; longer ones are a model's runaway
_LEAVES = "refused: path leaves the codebase: {raw}"


def normalise_path(raw: str) -> str:
    """The POSIX path relative to the root, or PathRefused with a message the model can act on."""
    path = raw.strip()
    if not path:
        raise PathRefused("refused: empty path")
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise PathRefused(f"refused: path contains control characters: {path!r}")
    if _DRIVE.match(path):
        raise PathRefused(_LEAVES.format(raw=raw) + " (a drive letter; give the path relative "
                                                    "to the codebase root)")
    posix = path.replace("\\", "/")
    if posix.startswith("/") or posix.startswith("~"):
        raise PathRefused(_LEAVES.format(raw=raw) + " (an absolute path; give the path relative "
                                                    "to the codebase root)")
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PathRefused(_LEAVES.format(raw=raw))
    if any(p.lower() == ".git" for p in parts):
        raise PathRefused(f"refused: path is inside .git: {raw}")
    if not parts:
        raise PathRefused(f"refused: not a file path: {raw}")
    if len(posix) > PATH_MAX:
        raise PathRefused(f"refused: path of {len(posix):,} characters (the limit is {PATH_MAX:,}): {posix[:80]}...")
    long = next((p for p in parts if len(p.encode("utf-8", "surrogateescape")) > NAME_MAX), None)
    if long is not None:
        raise PathRefused(f"refused: a file or folder name longer than {NAME_MAX} bytes: {long[:80]}...")
    return str(PurePosixPath(*parts))


def resolve_in_root(root: Path, rel: str) -> Path:
    """The absolute path for `rel` under root; PathRefused if a symlink leads it out.

    The returned path is not resolved, so writing replaces the entry itself; a final
    component that is a symlink is refused because replacing it would turn the link
    into a file the user did not ask for.
    """
    real_root = root.resolve()
    target = real_root / normalise_path(rel)
    try:
        resolved = target.resolve()  # follows links in every existing component
    except OSError as e:  # e.g. ENAMETOOLONG under a deep root
        raise PathRefused(f"refused: the system cannot take this path ({e.strerror or e}): {rel[:80]}") from e
    if resolved != real_root and real_root not in resolved.parents:
        raise PathRefused(_LEAVES.format(raw=rel) + " (through a symbolic link)")
    if any(p.name.lower() == ".git" for p in [resolved, *resolved.parents] if p != real_root
           and real_root in p.parents):
        raise PathRefused(f"refused: path is inside .git: {rel}")
    try:
        is_link = target.is_symlink()
    except OSError as e:
        raise PathRefused(f"refused: the system cannot take this path ({e.strerror or e}): {rel[:80]}") from e
    if is_link:
        raise PathRefused(f"refused: path is a symbolic link: {rel}")
    return target
