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
from desktop.core.changes import ChangeSet
from desktop.core.edit_parser import parse_answer
from desktop.errors import ChangeError


def compose_answers(answers: list[str], *, root: Path) -> ChangeSet:
    root = Path(root)
    if not answers:
        return ChangeSet(root)
    changeset = ChangeSet.from_answer(answers[0], root=root)
    for answer in answers[1:]:
        changeset = _apply_on_top(changeset, answer, root=root)
    return changeset


def _named_paths(items) -> list[str]:
    paths = []
    for item in items:
        try:
            paths.append(normalise_path(item.path))
        except PathRefused:
            continue
    return list(dict.fromkeys(paths))


def _apply_on_top(base: ChangeSet, answer: str, *, root: Path) -> ChangeSet:
    items, parse_problems = parse_answer(answer)
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
    return ChangeSet(root, list(merged.values()), parse_problems)


def _merge(previous: FileChange | None, latest: FileChange, *, root: Path) -> FileChange:
    if latest.refused:
        return latest
    if latest.kind == "rejected" or latest.new_text is None:
        if previous is not None and previous.kind != "rejected":
            # Keep what already worked; the latest failures are what is still to fix.
            kept = replace(previous, problems=list(latest.problems), hunk_accepted=[])
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
    from desktop.core.change_files import read_state

    try:
        target = resolve_in_root(root, rel)
    except ChangeError:
        return None
    if not target.is_file():
        return None
    state = read_state(target, rel=rel)
    return FileChange(rel, "modify", state.text, state.text, base_sha256=state.sha256,
                      eol=state.eol, bom=state.bom, mode=state.mode)
