"""The codebase folder: scanned (off the GUI thread) for the text files worth showing a model.

The scan honours .gitignore files (root, nested, and those above the root up to the
repository's top) and .git/info/exclude; skips version-control and vendor folders,
virtualenvs, binaries, huge files and unreadable entries; and counts each reason in
`Codebase.skipped` (a skipped folder counts once).

Symlinks: a link to a file inside the root is kept under the link's path. A link to a
folder is never followed: inside the root it is an alias of a folder walked under its own
path (following it would list files twice, or loop), outside it leaves the codebase.
Links that leave the root, dangle or loop count as "symlink".

`skipped["limit"]` is 1 when the walk stopped at max_files; later files are not counted.
Ranking against a plan lives in desktop.core.ranking and is re-exported here.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pathspec import GitIgnoreSpec

from desktop.core.change_writer import TEMP_NAME
from desktop.errors import Cancelled, CodebaseError

# Folders never worth reading: version control, dependencies, virtualenvs, caches.
VENDOR_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "_darcs", "CVS",
        "node_modules", "bower_components", "jspm_packages", ".yarn", ".pnpm-store",
        ".venv", "venv", "site-packages", "__pypackages__", ".eggs",
        "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".pytype", ".hypothesis", ".ipynb_checkpoints",
        ".cache", ".parcel-cache", ".next", ".nuxt", ".svelte-kit", ".turbo", ".angular",
        ".gradle", ".terraform", ".dart_tool", ".stack-work", ".cargo", "zig-cache",
    }
)  # fmt: skip
BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".icns", ".webp", ".tif", ".tiff", ".psd",
        ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".jar", ".war",
        ".whl", ".egg", ".deb", ".rpm", ".dmg", ".iso", ".msi", ".apk",
        ".exe", ".dll", ".so", ".dylib", ".a", ".lib", ".o", ".obj", ".pdb", ".class",
        ".pyc", ".pyo", ".pyd", ".wasm", ".bin",
        ".woff", ".woff2", ".ttf", ".otf", ".eot",
        ".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".flac", ".avi", ".mov", ".mkv", ".webm",
        ".sqlite", ".sqlite3", ".db", ".gguf", ".safetensors", ".pt", ".pth", ".onnx",
        ".npy", ".npz", ".pkl", ".pickle", ".h5", ".parquet", ".lockb",
    }
)  # fmt: skip
SNIFF_BYTES = 8192
PROGRESS_EVERY = 500
_CANCEL_EVERY = 64  # entries between cancel checks: well under a millisecond of work
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class SourceFile:
    rel_path: str  # POSIX, relative to root
    size: int


@dataclass
class Codebase:
    root: Path
    files: list[SourceFile]  # text files kept, sorted by rel_path
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    is_git: bool = False

    def read_text(self, rel_path: str) -> str:
        """The file's text: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252 with replacement.

        Newlines are left as they are on disk so edits and diffs match the file.
        """
        data = read_bytes(self.root, rel_path)
        return decode_source(data)


def read_bytes(root: Path, rel_path: str) -> bytes:
    """A file's bytes by its path relative to root; CodebaseError if it escapes root or fails."""
    parts = rel_path.replace("\\", "/").split("/")
    if not rel_path or rel_path.startswith("/") or ".." in parts or (parts[0].endswith(":")):
        raise CodebaseError(f"{rel_path!r} is not a path inside the codebase.")
    path = os.path.join(root, *parts)
    real_root = os.path.realpath(root)
    if not _inside(os.path.realpath(path), real_root):
        raise CodebaseError(f"{rel_path} leads outside the codebase folder (a symlink?).")
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise CodebaseError(f"{rel_path} is gone from {root}. Scan the codebase again.") from None
    except OSError as exc:
        raise CodebaseError(f"Cannot read {rel_path}: {exc.strerror or exc}.") from None


def decode_source(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def scan_codebase(
    root: Path,
    *,
    max_file_bytes: int = 512_000,
    max_files: int = 200_000,
    cancel: threading.Event | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Codebase:
    """Walk root and keep the text files; Cancelled soon after `cancel` is set.

    Runs on the caller's thread: call it from a worker. on_progress(n) gets the number of
    files looked at so far, every PROGRESS_EVERY files and once at the end.
    """
    root = Path(os.path.abspath(root))
    if not root.exists():
        raise CodebaseError(f"Codebase folder not found: {root}. Check the path, or pick the folder again.")
    if not root.is_dir():
        raise CodebaseError(f"{root} is a file, not a folder. Pick the folder that holds the code.")
    real_root = os.path.realpath(root)
    try:
        with os.scandir(real_root):
            pass
    except OSError as exc:
        raise CodebaseError(f"Cannot read the codebase folder {root}: {exc.strerror or exc}.") from None
    walker = _Walker(
        real_root=real_root,
        max_file_bytes=max_file_bytes,
        max_files=max_files,
        cancel=cancel,
        on_progress=on_progress,
    )
    git_top = _git_top(real_root)
    walker.walk(base_specs=_outer_specs(real_root, git_top))
    files = sorted(walker.files, key=lambda f: f.rel_path)
    skipped = {k: v for k, v in sorted(walker.skipped.items()) if v}
    return Codebase(root=Path(real_root), files=files, skipped=skipped, is_git=git_top is not None)


# --- gitignore -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ignore:
    spec: GitIgnoreSpec
    strip: int  # chars to strip from a root-relative path (a nested file's folder + "/")
    lead: str  # prefix to add (the root's path below an ancestor's .gitignore)

    def decide(self, rel: str) -> bool | None:
        """True: ignored, False: re-included by a '!' rule, None: no rule matched."""
        return self.spec.check_file(self.lead + rel[self.strip :]).include


def _load_spec(path: str) -> GitIgnoreSpec | None:
    try:
        with open(path, "rb") as f:
            lines = f.read(1_000_000).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    try:
        spec = GitIgnoreSpec.from_lines(lines)
    except Exception:  # a malformed pattern must not stop the scan; git skips it too
        spec = GitIgnoreSpec.from_lines([ln for ln in lines if _valid_pattern(ln)])
    return spec if spec.patterns else None


def _valid_pattern(line: str) -> bool:
    try:
        GitIgnoreSpec.from_lines([line])
        return True
    except Exception:
        return False


def _git_top(real_root: str) -> str | None:
    """The repository's top folder at or above the root, or None outside git."""
    d = real_root
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _outer_specs(real_root: str, git_top: str | None) -> tuple[_Ignore, ...]:
    """Rules from above the root: ancestors' .gitignore files, then .git/info/exclude."""
    if git_top is None:
        return ()
    specs: list[_Ignore] = []
    if git_top != real_root:
        below = os.path.relpath(real_root, git_top).replace(os.sep, "/").split("/")
        # Deepest ancestor first: a lower .gitignore overrides a higher one.
        for depth in range(len(below) - 1, -1, -1):
            folder = os.path.join(git_top, *below[:depth])
            spec = _load_spec(os.path.join(folder, ".gitignore"))
            if spec is not None:
                specs.append(_Ignore(spec=spec, strip=0, lead="/".join(below[depth:]) + "/"))
    exclude = _load_spec(os.path.join(git_top, ".git", "info", "exclude"))
    if exclude is not None:
        lead = os.path.relpath(real_root, git_top).replace(os.sep, "/")
        specs.append(_Ignore(spec=exclude, strip=0, lead="" if lead == "." else lead + "/"))
    return tuple(specs)


def _ignored(specs: tuple[_Ignore, ...], rel: str) -> bool:
    for ig in specs:  # deepest first; the first file with a matching rule decides
        verdict = ig.decide(rel)
        if verdict is not None:
            return verdict
    return False


# --- the walk ---------------------------------------------------------------------------


def _inside(real_path: str, real_root: str) -> bool:
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


class _LimitReached(Exception):
    pass


class _Walker:
    def __init__(
        self,
        *,
        real_root: str,
        max_file_bytes: int,
        max_files: int,
        cancel: threading.Event | None,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self.real_root = real_root
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.cancel = cancel
        self.on_progress = on_progress
        self.files: list[SourceFile] = []
        self.skipped: dict[str, int] = dict.fromkeys(
            ("gitignored", "binary", "too_large", "symlink", "vendor_dir", "unreadable", "unfinished_write", "limit"), 0
        )
        self.seen = 0  # files looked at, for progress
        self.visited: set[tuple[int, int]] = set()  # (st_dev, st_ino) of folders walked

    def walk(self, *, base_specs: tuple[_Ignore, ...]) -> None:
        self._mark_visited(self.real_root)
        stack: list[tuple[str, str, tuple[_Ignore, ...]]] = [(self.real_root, "", base_specs)]
        try:
            while stack:
                self._check_cancel()
                path, prefix, specs = stack.pop()
                self._walk_dir(path=path, prefix=prefix, specs=specs, stack=stack)
        except _LimitReached:
            pass
        if self.on_progress is not None:
            self.on_progress(self.seen)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("codebase scan stopped")

    def _mark_visited(self, path: str) -> bool:
        """Record a folder; False when it was walked already (a symlink loop or alias)."""
        try:
            st = os.stat(path)
        except OSError:
            return False
        key = (st.st_dev, st.st_ino)
        if key in self.visited:
            return False
        self.visited.add(key)
        return True

    def _walk_dir(self, *, path: str, prefix: str, specs: tuple[_Ignore, ...], stack: list) -> None:
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError:
            self.skipped["unreadable"] += 1
            return
        names = {e.name for e in entries}
        if prefix and "pyvenv.cfg" in names:
            self.skipped["vendor_dir"] += 1  # a virtualenv, whatever its name
            return
        if ".gitignore" in names:
            spec = _load_spec(os.path.join(path, ".gitignore"))
            if spec is not None:
                specs = (_Ignore(spec=spec, strip=len(prefix), lead=""), *specs)
        subdirs: list[tuple[str, str]] = []
        for n, entry in enumerate(entries):
            if n % _CANCEL_EVERY == 0:
                self._check_cancel()
            name = entry.name
            rel = prefix + name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                self.skipped["unreadable"] += 1
                continue
            st = None
            if is_link:
                target = os.path.realpath(entry.path)
                if not _inside(target, self.real_root):
                    self.skipped["symlink"] += 1  # never follow a link out of the codebase
                    continue
                try:
                    st = os.stat(entry.path)
                except OSError:
                    self.skipped["symlink"] += 1  # dangling, or a loop the OS refuses
                    continue
                if stat.S_ISDIR(st.st_mode):
                    # An alias of a folder inside the root, which is walked under its own
                    # path: following it would list files twice, or loop forever.
                    self.skipped["symlink"] += 1
                    continue
            if is_dir:
                if name in VENDOR_DIRS or name.endswith(".egg-info"):
                    self.skipped["vendor_dir"] += 1
                elif specs and _ignored(specs, rel + "/"):
                    self.skipped["gitignored"] += 1
                elif not self._mark_visited(entry.path):
                    self.skipped["symlink"] += 1  # a bind mount or junction back into the tree
                else:
                    subdirs.append((entry.path, rel + "/"))
                continue
            self._file(entry=entry, rel=rel, st=st, specs=specs)
        # Reversed so the stack pops folders in name order (stable progress, stable limit cut).
        for sub in reversed(subdirs):
            stack.append((sub[0], sub[1], specs))

    def _file(self, *, entry: os.DirEntry, rel: str, st: os.stat_result | None, specs: tuple) -> None:
        self.seen += 1
        if self.on_progress is not None and self.seen % PROGRESS_EVERY == 0:
            self.on_progress(self.seen)
        if specs and _ignored(specs, rel):
            self.skipped["gitignored"] += 1
            return
        if TEMP_NAME.fullmatch(entry.name):
            self.skipped["unfinished_write"] += 1  # an apply's temp file, left by a stop part-way
            return
        if os.path.splitext(entry.name)[1].lower() in BINARY_SUFFIXES:
            self.skipped["binary"] += 1
            return
        try:
            if st is None:
                st = entry.stat(follow_symlinks=False)
        except OSError:
            self.skipped["unreadable"] += 1
            return
        if not stat.S_ISREG(st.st_mode):
            self.skipped["unreadable"] += 1  # FIFOs, sockets, devices: opening may block
            return
        if st.st_size > self.max_file_bytes:
            self.skipped["too_large"] += 1
            return
        try:
            fd = os.open(entry.path, _OPEN_FLAGS)
            try:
                head = os.read(fd, SNIFF_BYTES)
            finally:
                os.close(fd)
        except OSError:
            self.skipped["unreadable"] += 1
            return
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            self.skipped["binary"] += 1
            return
        if len(self.files) >= self.max_files:
            self.skipped["limit"] += 1  # the walk stops here; later files are not counted
            raise _LimitReached
        self.files.append(SourceFile(rel_path=rel, size=st.st_size))


# Ranking lives in its own module; importing it here keeps `codebase.rank_files` working.
from desktop.core.ranking import RankedFile, rank_files  # noqa: E402

__all__ = [
    "Codebase",
    "RankedFile",
    "SourceFile",
    "decode_source",
    "rank_files",
    "read_bytes",
    "scan_codebase",
]
