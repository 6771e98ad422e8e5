"""Which changes start ticked in the review: all but a new file nothing asks for and a change
that would break its file or a file that uses it (new_files.py, risky_changes.py). The same
rule for a run's answer, any other answer the user opens, and the bench's baseline. Qt-free."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from desktop.core.changes import ChangeSet
from desktop.core.codebase import Codebase
from desktop.core.new_files import untick_unasked_files
from desktop.core.risky_changes import untick_risky_changes
from desktop.errors import PlansmithError

__all__ = ["carry_ticks", "codebase_texts", "set_review_ticks"]


def set_review_ticks(changeset: ChangeSet, *, plan_text: str,
                     other_files: Callable[[], Iterable[tuple[str, str]]] = tuple) -> list[str]:
    """Untick what the review should not apply by default; one line for the user per change unticked.
    `other_files()` gives (path, text) of the codebase's files, read only when a change drops a definition."""
    lines = [f"`{path}` is a new file that neither the plan nor the other changes ask for: it is shown, not ticked."
             for path in untick_unasked_files(changeset, plan_text=plan_text)]
    lines += [f"`{path}` is shown, not ticked: {reason}."
              for path, reason in untick_risky_changes(changeset, other_files=other_files)]
    return lines


def carry_ticks(previous: ChangeSet, changeset: ChangeSet) -> list[str]:
    """A revised answer (a follow-up) keeps the user's ticks on each file it proposes exactly as
    before (same file, same proposed text, not edited by hand): the user's decision about that
    proposal still holds. Returns the paths whose ticks were carried over."""
    before = {c.path: c for c in previous.changes if not c.edited and c.new_text is not None}
    carried = []
    for change in changeset.changes:
        old = before.get(change.path)
        if old is None or change.kind == "rejected" or (change.old_text, change.new_text) != (old.old_text, old.new_text):
            continue
        if len(old.hunk_accepted) == len(change.hunk_accepted):
            change.hunk_accepted = list(old.hunk_accepted)
        change.accepted = old.accepted
        carried.append(change.path)
    return carried


def codebase_texts(codebase: Codebase) -> Iterator[tuple[str, str]]:
    """(path, text) of the codebase's files, those that cannot be read left out."""
    for f in codebase.files:
        try:
            yield f.rel_path, codebase.read_text(f.rel_path)
        except (OSError, PlansmithError):
            continue
