"""Combine a run's answers (implementation, repairs, follow-ups) into one ChangeSet.

Each later answer edits the files as the earlier answers left them, not as they are on
disk: a repair re-sends only the block that failed, a follow-up builds on the result. So
every later answer is checked against an overlay: a scratch folder holding the proposed
text of the files it names. The merged change still diffs against the file on disk and
keeps that file's line endings, BOM, mode and SHA-256 for the staleness check at apply.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from desktop.core.change_builder import build_changes
from desktop.core.change_file import FileChange
from desktop.core.change_paths import PathRefused, normalise_path, resolve_in_root
from desktop.core.answer_fixes import tidy_items
from desktop.core.changes import ChangeSet
from desktop.core.edit_parser import parse_answer
from desktop.errors import ChangeError


def compose_answers(answers: list[str], *, root: Path, files: list[str] | None = None) -> ChangeSet:
    """`files`: the codebase's files (relative paths), for mending paths the model got wrong."""
    root = Path(root)
    if not answers:
        return ChangeSet(root)
    known = files if files is not None else _list_files(root)
    items, problems = parse_answer(answers[0])
    items, notes = tidy_items(items, root=root, files=known)
    changeset = ChangeSet(root, build_changes(items, root=root), problems)
    _note(changeset, notes)
    for answer in answers[1:]:
        changeset = _apply_on_top(changeset, answer, root=root, files=known)
    return changeset


def _list_files(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def _note(changeset: ChangeSet, notes: list[str]) -> None:
    """Say what was mended, on the change it concerns."""
    for note in notes:
        for change in changeset.changes:
            if change.path in note:
                change.notes.append(note)
                break


def _named_paths(items) -> list[str]:
    paths = []
    for item in items:
        try:
            paths.append(normalise_path(item.path))
        except PathRefused:
            continue
    return list(dict.fromkeys(paths))


def _apply_on_top(base: ChangeSet, answer: str, *, root: Path, files: list[str]) -> ChangeSet:
    items, parse_problems = parse_answer(answer)
    items, notes = tidy_items(items, root=root, files=files)
    scratch = Path(tempfile.mkdtemp(prefix="plansmith-overlay-"))
    try:
        for rel in _named_paths(items):
            previous = base.get(rel)
            dest = scratch / rel
            if previous is not None and previous.kind != "rejected" and previous.new_text is not None:
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(previous.new_text, encoding="utf-8", newline="\n")
                continue
            try:
                source = resolve_in_root(root, rel)
            except ChangeError:
                continue  # the builder refuses the path again, with the reason
            if source.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)
        fresh = build_changes(items, root=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    merged = {c.path: c for c in base.changes}
    for change in fresh:
        previous = merged.get(change.path)
        merged[change.path] = _merge(previous, change, root=root)
    changeset = ChangeSet(root, list(merged.values()), parse_problems)
    _note(changeset, notes)
    return changeset


def _merge(previous: FileChange | None, latest: FileChange, *, root: Path) -> FileChange:
    if latest.refused:
        return latest
    if latest.kind == "rejected" or latest.new_text is None:
        if previous is not None and previous.kind != "rejected":
            # Keep what already worked; the latest failures are what is still to fix.
            kept = replace(previous, problems=list(latest.problems), hunk_accepted=[], notes=list(previous.notes))
            kept.refresh_warnings()
            return kept
        return latest
    if previous is not None and (previous.kind != "rejected" or previous.base_sha256 is not None):
        origin = previous
    else:
        origin = _disk_change(latest.path, root=root)
    if origin is None or origin.old_text is None:
        kind = "new"
        old_text, sha, eol, bom, mode = None, None, "\n", False, None
    else:
        kind = "replace" if "replace" in (latest.kind, getattr(previous, "kind", "")) else "modify"
        old_text, sha, eol, bom, mode = origin.old_text, origin.base_sha256, origin.eol, origin.bom, origin.mode
    change = FileChange(
        latest.path, kind, old_text, latest.new_text,
        problems=list(latest.problems), base_sha256=sha, eol=eol, bom=bom, mode=mode,
    )
    change.refresh_warnings()
    return change


def _disk_change(rel: str, *, root: Path) -> FileChange | None:
    """How the file stands on disk (old text, SHA-256, line endings), via the builder."""
    from desktop.core.change_io import read_state

    try:
        target = resolve_in_root(root, rel)
    except ChangeError:
        return None
    if not target.is_file():
        return None
    state = read_state(target, rel=rel)
    return FileChange(rel, "modify", state.text, state.text, base_sha256=state.sha256,
                      eol=state.eol, bom=state.bom, mode=state.mode)
