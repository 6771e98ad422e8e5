"""Apply a reviewed ChangeSet to the codebase, undo it (even after a restart), export a patch.

Apply validates everything before writing anything: paths, and that no file changed on
disk since its diff was made (SHA-256). One apply or undo at a time per codebase: an OS file
lock (under backups_dir, keyed by the codebase's path) is held from that check to the last
write, and a second one, from this process or another, is refused at once. The originals go to backups_dir/<timestamp>/
with a manifest.json first, so undo works from disk alone; undo refuses to overwrite a
file edited after the apply. Nothing is written outside root except under backups_dir.

The manifest is also the journal of the apply: it is saved (state "applying", with the
originals and the new bytes beside it) before the first file is written and marked "applied"
after the last, so an apply a crash, kill or power cut stops part-way is found at the next
start and finished or rolled back (desktop.core.apply_recovery).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from desktop.core.change_io import encode_text, sha256_bytes
from desktop.core.change_paths import resolve_in_root
from desktop.core.change_writer import NEW_FILE_MODE, Transaction, atomic_write, os_reason
from desktop.core.changes import ChangeSet
from desktop.errors import ChangeError

__all__ = ["ApplyRecord", "apply_changes", "undo_last_apply", "export_patch", "dirty_git_files",
           "applies_in", "codebase_lock", "undo_manifest", "drop_new_copies"]

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
NEW_FILES = "new"  # the new bytes of an apply in progress, beside the originals in "files"


@dataclass
class ApplyRecord:
    action: str  # "apply" | "undo" | "finish" | "roll_back" (the last two: of an apply stopped part-way)
    root: Path
    backup_dir: Path
    written: list[str] = field(default_factory=list)  # files whose content was written
    created: list[str] = field(default_factory=list)  # of those, files that did not exist
    removed: list[str] = field(default_factory=list)  # files deleted (undo of a created file)

    def summary(self) -> str:
        verb = {"apply": "Applied", "undo": "Undid", "finish": "Finished the apply",
                "roll_back": "Rolled back"}[self.action]
        parts = [f"{len(self.written)} file(s) written"]
        if self.created:
            parts.append(f"{len(self.created)} created")
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return f"{verb}: {', '.join(parts)}."

    def __str__(self) -> str:
        return self.summary()


@contextlib.contextmanager
def codebase_lock(root: Path, backups_dir: Path, *, action: str = "apply"):
    """Held while files of `root` are checked and written; ChangeError when another holds it."""
    key = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    locks = Path(backups_dir) / "locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(locks / f"{key}.lock"), timeout=0, thread_local=False)
        lock.acquire()
    except Timeout as e:
        raise ChangeError(f"Nothing was {'applied' if action == 'apply' else 'undone'}: another apply or "
                          f"undo is writing to {root} right now. Try again when it has finished.") from e
    except OSError as e:
        raise ChangeError(f"Could not lock {root} for the {action}: {os_reason(e)}.") from e
    try:
        yield
    finally:
        lock.release()


def current_bytes(target: Path) -> bytes | None:
    """The file's bytes; None when it does not exist; ChangeError when it is not a file."""
    if not target.exists():
        return None
    if not target.is_file():
        raise ChangeError(f"not a file: {target}")
    return target.read_bytes()


def save_manifest(backup_dir: Path, manifest: dict) -> None:
    atomic_write(backup_dir / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"),
                 mode=0o600)


def _new_backup_dir(backups_dir: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for n in range(1000):
        folder = backups_dir / (stamp if n == 0 else f"{stamp}-{n:03d}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise ChangeError(f"Could not create a backup folder in {backups_dir}.")


def _missing_dirs(root: Path, target: Path) -> list[Path]:
    out, parent = [], target.parent
    while parent != root and not parent.exists():
        out.append(parent)
        parent = parent.parent
    return out


def write_failed(*, rel: str, error: OSError, tx: Transaction, backup_dir: Path) -> ChangeError:
    failed = tx.rollback()
    message = f"Could not write {rel}: {os_reason(error)}."
    if failed:
        names = ", ".join(str(p) for p in failed)
        return ChangeError(f"{message} These files could not be put back: {names}; their "
                           f"originals are in {backup_dir}.")
    return ChangeError(f"{message} Nothing was changed: files already written were put back.")


def apply_changes(changeset: ChangeSet, *, backups_dir: Path) -> ApplyRecord:
    """Write the accepted changes (accepted hunks only), all or none, one apply at a time."""
    with codebase_lock(changeset.root, backups_dir):
        return _apply(changeset, backups_dir=backups_dir)


def _apply(changeset: ChangeSet, *, backups_dir: Path) -> ApplyRecord:
    root = changeset.root.resolve()
    interrupted = [m for _, m in applies_in(root, Path(backups_dir)) if m.get("state") == "applying"]
    if interrupted:  # the lock is ours, so no process is still writing these
        raise ChangeError(f"Nothing was applied: an earlier apply to {root} (started "
                          f"{interrupted[0].get('created_at', '?')}) stopped part-way. Finish it or "
                          f"roll it back first: `plansmith recover --repo {root}`, or in the window.")
    plan: list[tuple[str, Path, bytes, int, bytes | None]] = []
    stale: list[str] = []
    new_dirs: set[Path] = set()
    for change in changeset.accepted():
        text = change.text_with_accepted_hunks()
        if not any(change.hunk_accepted) or text == change.old_text:
            continue
        target = resolve_in_root(root, change.path)
        before = current_bytes(target)
        if change.base_sha256 is None and before is not None:
            stale.append(f"{change.path} (created since)")
        elif change.base_sha256 is not None and before is None:
            stale.append(f"{change.path} (deleted since)")
        elif before is not None and sha256_bytes(before) != change.base_sha256:
            stale.append(change.path)
        data = encode_text(text, eol=change.eol, bom=change.bom)
        mode = change.mode if change.mode is not None else NEW_FILE_MODE
        plan.append((change.path, target, data, mode, before))
        new_dirs.update(_missing_dirs(root, target))
    if stale:
        raise ChangeError("Nothing was applied: these files changed on disk since the diff was "
                          f"made: {', '.join(stale)}. Make the changes again from the current "
                          "files.")
    if not plan:
        raise ChangeError("Nothing to apply: no accepted change alters a file.")

    backup_dir = None
    try:
        backup_dir = _new_backup_dir(Path(backups_dir))
        entries = []
        for rel, target, data, mode, before in plan:
            # The new bytes too, so an apply cut short by a crash can be finished later.
            _save_copy(backup_dir / NEW_FILES / rel, data)
            entry = {"path": rel, "action": "created" if before is None else "modified",
                     "backup": None, "sha256_before": None, "mode_before": None,
                     "sha256_after": sha256_bytes(data), "new": f"{NEW_FILES}/{rel}", "mode_after": mode}
            if before is not None:
                _save_copy(backup_dir / "files" / rel, before)
                entry.update(backup=f"files/{rel}", sha256_before=sha256_bytes(before),
                             mode_before=target.stat().st_mode & 0o7777)
            entries.append(entry)
        manifest = {"version": MANIFEST_VERSION, "root": str(root), "state": "applying",
                    "created_at": datetime.now().isoformat(timespec="seconds"), "files": entries,
                    "created_dirs": sorted(p.relative_to(root).as_posix() for p in new_dirs)}
        save_manifest(backup_dir, manifest)
        _sync_folder(backup_dir)
    except OSError as e:
        if backup_dir is not None:
            shutil.rmtree(backup_dir, ignore_errors=True)  # a partial backup would only take space
        raise ChangeError(f"Nothing was applied: could not save the backup in {backups_dir}: "
                          f"{os_reason(e)}.") from e

    tx = Transaction(root)
    for rel, target, data, mode, _ in plan:
        try:
            tx.write(target, data, mode=mode)
        except OSError as e:
            manifest["state"] = "rolled_back"
            error = write_failed(rel=rel, error=e, tx=tx, backup_dir=backup_dir)
            _try_save(backup_dir, manifest)
            drop_new_copies(backup_dir)
            raise error from e
    manifest["state"] = "applied"
    try:
        save_manifest(backup_dir, manifest)
    except OSError as e:
        # Without the manifest undo could not find this apply: take it back now.
        error = write_failed(rel=str(backup_dir / MANIFEST), error=e, tx=tx,
                             backup_dir=backup_dir)
        drop_new_copies(backup_dir)
        raise error from e
    drop_new_copies(backup_dir)
    return ApplyRecord("apply", root, backup_dir, written=[p[0] for p in plan],
                       created=[p[0] for p in plan if p[4] is None])


def _save_copy(path: Path, data: bytes) -> None:
    # Synced before the manifest names it: after a power cut the copies must be whole.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the folder's new entries (the manifest) survive a power cut; POSIX only."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def drop_new_copies(backup_dir: Path) -> None:
    """The new bytes are needed only while an apply is unfinished."""
    shutil.rmtree(backup_dir / NEW_FILES, ignore_errors=True)


def _try_save(backup_dir: Path, manifest: dict) -> None:
    try:
        save_manifest(backup_dir, manifest)
    except OSError:
        pass  # the write error already being reported matters more


def read_manifest(backup_dir: Path) -> dict | None:
    """The manifest of one apply; None when it is missing or unreadable."""
    try:
        manifest = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("files"), list) else None


def applies_in(root: Path | None, backups_dir: Path) -> list[tuple[Path, dict]]:
    """(backup folder, manifest) of every recorded apply (to root, or to any codebase), newest first."""
    try:
        folders = [p for p in Path(backups_dir).iterdir() if p.is_dir()]
    except OSError:
        return []  # no backups yet
    found = []
    # Folder names are timestamps, so name order is apply order.
    for folder in sorted(folders, reverse=True):
        manifest = read_manifest(folder)
        if manifest is not None and (root is None or manifest.get("root") == str(root)):
            found.append((folder, manifest))
    return found


def _last_apply(root: Path, backups_dir: Path) -> tuple[Path, dict] | None:
    return next(((f, m) for f, m in applies_in(root, backups_dir)
                 if m.get("state") in ("applied", "applying")), None)


def undo_last_apply(*, root: Path, backups_dir: Path) -> ApplyRecord:
    """Restore the files of the latest apply under root that is not undone yet."""
    with codebase_lock(root, backups_dir, action="undo"):
        return _undo(root=root, backups_dir=backups_dir)


def _undo(*, root: Path, backups_dir: Path) -> ApplyRecord:
    root = Path(root).resolve()
    found = _last_apply(root, Path(backups_dir))
    if found is None:
        raise ChangeError(f"Nothing to undo in {root}: no earlier apply is recorded.")
    backup_dir, manifest = found
    if manifest.get("state") == "applying":
        # It stopped part-way (the lock is ours, so nothing is writing it): undo is its roll back.
        from desktop.core.apply_recovery import roll_back_stopped  # that module imports this one

        return roll_back_stopped(root=root, backup_dir=backup_dir, manifest=manifest)
    return undo_manifest(root=root, backup_dir=backup_dir, manifest=manifest)


def undo_manifest(*, root: Path, backup_dir: Path, manifest: dict, stopped: bool = False) -> ApplyRecord:
    """Restore the files one apply wrote (the caller holds the codebase lock); files it did not
    write are left as they are. stopped: the apply stopped part-way, so this is its roll back."""
    steps: list[tuple[str, Path, bytes | None, int]] = []
    edited = []
    for entry in manifest["files"]:
        target = resolve_in_root(root, entry["path"])
        current = current_bytes(target)
        now = sha256_bytes(current) if current is not None else None
        if now == entry["sha256_before"]:
            continue  # never written (an interrupted apply), or already as it was
        if now != entry["sha256_after"]:
            edited.append(entry["path"])
        elif entry["action"] == "created":
            steps.append((entry["path"], target, None, 0))
        else:
            try:
                original = (backup_dir / entry["backup"]).read_bytes()
            except OSError as e:
                raise ChangeError(f"Cannot undo: the backup of {entry['path']} is missing from "
                                  f"{backup_dir}.") from e
            if sha256_bytes(original) != entry["sha256_before"]:
                raise ChangeError(f"Cannot undo: the backup of {entry['path']} in {backup_dir} "
                                  "is damaged.")
            steps.append((entry["path"], target, original, entry["mode_before"]))
    if edited:
        raise ChangeError(f"Cannot undo: {', '.join(edited)} changed after the apply. Nothing "
                          f"was restored; the original files are in {backup_dir}.")

    tx = Transaction(root)
    for rel, target, data, mode in steps:
        try:
            if data is None:
                tx.delete(target)
            else:
                tx.write(target, data, mode=mode)
        except OSError as e:
            raise write_failed(rel=rel, error=e, tx=tx, backup_dir=backup_dir) from e
    folders = []
    for rel_dir in manifest.get("created_dirs", []):
        try:
            folders.append(resolve_in_root(root, rel_dir))
        except ChangeError:
            continue  # a manifest edited by hand; never remove anything outside root
    tx.remove_empty_dirs(folders)
    manifest["state"] = "rolled_back" if stopped else "undone"
    _try_save(backup_dir, manifest)  # if this fails, a second undo finds files as before: no-op
    drop_new_copies(backup_dir)
    return ApplyRecord("roll_back" if stopped else "undo", root, backup_dir,
                       written=[s[0] for s in steps if s[2] is not None],
                       removed=[s[0] for s in steps if s[2] is None])


def export_patch(changeset: ChangeSet, dest: Path) -> Path:
    """Write the accepted changes as a patch `git apply` accepts; dest may be a folder."""
    text = changeset.unified_diff(only_accepted=True, on_disk=True)
    if not text:
        raise ChangeError("Nothing to export: no accepted change alters a file.")
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"plansmith-{datetime.now():%Y%m%d-%H%M%S}.patch"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(dest, text.encode("utf-8"), mode=NEW_FILE_MODE)
    except OSError as e:
        raise ChangeError(f"Could not write the patch {dest}: {os_reason(e)}.") from e
    return dest


def _git(args: list[str], *, cwd: Path) -> subprocess.CompletedProcess | None:
    git = shutil.which("git")
    if git is None:
        return None
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    # Optional locks off: a status check must not block the user's own git commands.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run([git, *args], cwd=cwd, capture_output=True, timeout=30, env=env,
                              creationflags=flags, check=False)
    except (OSError, subprocess.SubprocessError):
        return None


def dirty_git_files(root: Path) -> list[str]:
    """Files under root with uncommitted changes (untracked included); [] outside a git tree."""
    root = Path(root)
    top = _git(["rev-parse", "--show-prefix"], cwd=root)
    if top is None or top.returncode != 0:
        return []
    prefix = top.stdout.decode("utf-8", "replace").strip()
    status = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "."], cwd=root)
    if status is None or status.returncode != 0:
        return []
    fields = status.stdout.decode("utf-8", "surrogateescape").split("\0")
    files, skip_next = [], False
    for entry in fields:
        if skip_next:  # the source path of a rename or copy
            skip_next = False
            continue
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        skip_next = "R" in code or "C" in code
        # Porcelain paths are relative to the repository top, not to root.
        files.append(path[len(prefix):] if path.startswith(prefix) else path)
    return sorted(set(files))
