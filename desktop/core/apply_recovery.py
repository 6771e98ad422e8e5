"""An apply that a crash, kill -9 or power cut stopped part-way: find it, finish it or roll it back.

Apply saves its manifest (state "applying", with the originals and the new bytes) under
backups_dir before it writes the first file, and marks it "applied" after the last
(desktop.core.apply). A manifest still "applying" whose codebase lock is free was stopped
part-way: each of its files is new (written), old (not written yet) or edited (neither: changed
by something else since). Finishing writes the old ones from the saved new bytes; rolling back
puts back the originals of the new ones. Both refuse, writing nothing, while a file is edited,
and both remove the temp files the stopped writes left beside their targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.apply import (
    MANIFEST,
    NEW_FILES,
    ApplyRecord,
    applies_in,
    codebase_lock,
    current_bytes,
    drop_new_copies,
    read_manifest,
    save_manifest,
    undo_manifest,
    write_failed,
)
from desktop.core.change_io import sha256_bytes
from desktop.core.change_paths import resolve_in_root
from desktop.core.change_writer import NEW_FILE_MODE, TEMP_NAME, Transaction
from desktop.errors import ChangeError

__all__ = ["InterruptedApply", "find_interrupted", "finish_apply", "roll_back_apply", "roll_back_stopped"]



@dataclass
class InterruptedApply:
    """What an apply stopped part-way left behind."""

    root: Path
    backup_dir: Path
    started: str
    new: list[str] = field(default_factory=list)  # written before the stop
    old: list[str] = field(default_factory=list)  # not written yet
    edited: list[str] = field(default_factory=list)  # neither: changed by something else since
    temp_files: list[Path] = field(default_factory=list)

    def describe(self, *, limit: int | None = None) -> str:
        """What stopped part-way, one file a line; limit: at most that many names of each kind."""
        temps = [str(p.relative_to(self.root)) if p.is_relative_to(self.root) else str(p) for p in self.temp_files]
        lines = [f"An apply to {self.root} (started {self.started}) stopped part-way."]
        for title, names in (("Written before it stopped", self.new), ("Not written yet", self.old),
                             ("Changed since by something else", self.edited),
                             ("Unfinished temp files (removed on finish or roll back)", temps)):
            if not names and title.startswith(("Changed", "Unfinished")):
                continue
            shown = names if limit is None else names[:limit]
            lines.append(f"{title}: {len(names)} file(s)")
            lines += [f"  {name}" for name in shown]
            if len(shown) < len(names):
                lines.append(f"  … and {len(names) - len(shown)} more")
        if self.edited:
            lines.append(_edited_help(self))
        return "\n".join(lines)


def _edited_help(item: InterruptedApply) -> str:
    return (f"Finishing and rolling back are refused until each changed file is put back as it was "
            f"(the originals are in {item.backup_dir / 'files'}; a file the apply created did not exist) "
            f"or as the apply would make it (in {item.backup_dir / NEW_FILES}).")


def _valid(manifest: dict) -> bool:
    return isinstance(manifest.get("root"), str) and all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256_after"), str)
        for e in manifest["files"])


def _file_state(root: Path, entry: dict) -> str:
    try:
        data = current_bytes(resolve_in_root(root, entry["path"]))
    except (ChangeError, OSError):
        return "edited"  # a folder or a link out of the codebase now, or unreadable: neither version
    now = sha256_bytes(data) if data is not None else None
    if now == entry["sha256_after"]:
        return "new"
    return "old" if now == entry.get("sha256_before") else "edited"


def _temp_files(root: Path, backup_dir: Path, manifest: dict) -> list[Path]:
    """Temp files of interrupted atomic writes beside the apply's targets and its manifest."""
    names_in: dict[Path, set[str]] = {backup_dir: {MANIFEST}}
    for entry in manifest["files"]:
        try:
            target = resolve_in_root(root, entry["path"])
        except ChangeError:
            continue
        names_in.setdefault(target.parent, set()).add(target.name)
    found = []
    for folder, names in names_in.items():  # each folder listed once, however many targets it holds
        try:
            found += [p for p in folder.iterdir() if (m := TEMP_NAME.fullmatch(p.name))
                      and m.group(1) in names and p.is_file()]
        except OSError:
            continue  # a folder the apply had not made yet holds no temp file
    return sorted(found)


def _inspect(root: Path, backup_dir: Path, manifest: dict) -> InterruptedApply:
    item = InterruptedApply(root, backup_dir, str(manifest.get("created_at", "?")))
    for entry in manifest["files"]:
        getattr(item, _file_state(root, entry)).append(entry["path"])
    item.temp_files = _temp_files(root, backup_dir, manifest)
    return item


def find_interrupted(backups_dir: Path, *, root: Path | None = None) -> list[InterruptedApply]:
    """Applies stopped part-way (to root, or to any codebase), newest first. One still writing
    (its codebase lock is held) is not reported, nor one whose codebase folder is not there now."""
    root = Path(root).resolve() if root is not None else None
    found = []
    for backup_dir, manifest in applies_in(root, Path(backups_dir)):
        if manifest.get("state") != "applying" or not _valid(manifest):
            continue
        where = Path(manifest["root"])
        if not where.is_dir():
            continue  # a deleted folder or an unplugged drive: nothing to do there now
        try:
            with codebase_lock(where, backups_dir):
                found.append(_inspect(where, backup_dir, manifest))
        except ChangeError:
            continue  # the lock is held: that apply is still writing
    return found


def _still_stopped(item: InterruptedApply) -> dict:
    manifest = read_manifest(item.backup_dir)
    if manifest is None or manifest.get("state") != "applying" or manifest.get("root") != str(item.root) \
            or not _valid(manifest):
        raise ChangeError(f"Nothing to recover: the apply recorded in {item.backup_dir} is no longer "
                          "stopped part-way (it was finished or rolled back since).")
    return manifest


def _remove(temp_files: list[Path]) -> None:
    for temp in temp_files:
        try:
            temp.unlink()
        except OSError:
            pass  # a leftover temp file harms nothing; the next recovery finds it again


def finish_apply(item: InterruptedApply, *, backups_dir: Path) -> ApplyRecord:
    """Write the files the stopped apply had not written yet, from the new bytes it saved."""
    with codebase_lock(item.root, backups_dir):
        manifest = _still_stopped(item)
        now = _inspect(item.root, item.backup_dir, manifest)
        if now.edited:
            raise ChangeError(f"Cannot finish: {', '.join(now.edited)} changed since the apply stopped. "
                              f"Nothing was written. {_edited_help(now)}")
        entries = {e["path"]: e for e in manifest["files"]}
        steps = []
        for rel in now.old:
            entry = entries[rel]
            try:
                data = (item.backup_dir / entry["new"]).read_bytes()
            except (KeyError, OSError) as e:
                raise ChangeError(f"Cannot finish: the new text of {rel} is not in {item.backup_dir} (an apply "
                                  "by an older Plansmith?). Nothing was written; roll it back instead.") from e
            if sha256_bytes(data) != entry["sha256_after"]:
                raise ChangeError(f"Cannot finish: the saved new text of {rel} in {item.backup_dir} is damaged. "
                                  "Nothing was written; roll it back instead.")
            mode = entry.get("mode_after")
            steps.append((rel, resolve_in_root(item.root, rel), data, NEW_FILE_MODE if mode is None else mode))
        _remove(now.temp_files)
        tx = Transaction(item.root)
        for rel, target, data, mode in steps:
            try:
                tx.write(target, data, mode=mode)
            except OSError as e:
                raise write_failed(rel=rel, error=e, tx=tx, backup_dir=item.backup_dir) from e
        manifest["state"] = "applied"
        try:
            save_manifest(item.backup_dir, manifest)
        except OSError as e:  # unrecorded, the finish could not be undone: take it back
            raise write_failed(rel=str(item.backup_dir / MANIFEST), error=e, tx=tx,
                               backup_dir=item.backup_dir) from e
        drop_new_copies(item.backup_dir)
        return ApplyRecord("finish", item.root, item.backup_dir, written=[s[0] for s in steps],
                           created=[s[0] for s in steps if entries[s[0]].get("action") == "created"])


def roll_back_apply(item: InterruptedApply, *, backups_dir: Path) -> ApplyRecord:
    """Put back the originals of the files the stopped apply had written; remove those it created."""
    with codebase_lock(item.root, backups_dir, action="undo"):
        return roll_back_stopped(root=item.root, backup_dir=item.backup_dir, manifest=_still_stopped(item))


def roll_back_stopped(*, root: Path, backup_dir: Path, manifest: dict) -> ApplyRecord:
    """roll_back_apply for a caller that holds the codebase lock (undo of a stopped apply)."""
    if not _valid(manifest):
        raise ChangeError(f"Cannot roll back: the record in {backup_dir} is damaged. Nothing was restored.")
    now = _inspect(root, backup_dir, manifest)
    if now.edited:
        raise ChangeError(f"Cannot roll back: {', '.join(now.edited)} changed since the apply stopped. "
                          f"Nothing was restored. {_edited_help(now)}")
    _remove(now.temp_files)  # first: a folder the apply made is removed only when empty
    return undo_manifest(root=root, backup_dir=backup_dir, manifest=manifest, stopped=True)
