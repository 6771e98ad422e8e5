"""One file's change as a run record keeps it: small, even for large files.

A file whose original text is over WHOLE_LIMIT characters is not copied into the record: the
file on disk holds it (its SHA-256 is kept and checked when the run is opened again), and the
new text is kept as the line ranges it shares with the original plus the lines that differ.
Twenty one-line edits to 2 MB files made an 82 MB record as whole texts (a full disk failed on
it before the apply); now the record grows by about the size of the edits.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from desktop.core.change_io import read_state
from desktop.core.change_paths import resolve_in_root
from desktop.errors import ChangeError

__all__ = ["WHOLE_LIMIT", "pack_change", "unpack_change", "line_delta", "apply_delta"]

WHOLE_LIMIT = 64 * 1024

Delta = list  # items: [start, end] copies those lines of the original; a str is new text


def line_delta(old: str, new: str) -> Delta:
    """`new` as ranges of `old`'s lines and the text between them."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    delta: Delta = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            delta.append([i1, i2])
        elif j2 > j1:
            delta.append("".join(b[j1:j2]))
    return delta


def apply_delta(old: str, delta: Delta) -> str:
    a = old.splitlines(keepends=True)
    return "".join(item if isinstance(item, str) else "".join(a[item[0]:item[1]]) for item in delta)


def pack_change(d: dict) -> dict:
    """FileChange.to_dict()'s output, with a large original left on disk."""
    old, new = d.get("old_text"), d.get("new_text")
    if old is None or len(old) <= WHOLE_LIMIT or not d.get("base_sha256"):
        return d
    packed = dict(d, old_text=None, new_text=None, old_on_disk=True)
    if new is not None:
        packed["new_delta"] = line_delta(old, new)
    return packed


def unpack_change(d: dict, *, root: Path) -> dict:
    """pack_change undone: the original read back from the codebase if it is still the same
    file; otherwise the change comes back refused, with the reason."""
    if not d.get("old_on_disk"):
        return d
    delta = d.get("new_delta")
    d = {k: v for k, v in d.items() if k not in ("old_on_disk", "new_delta")}
    rel = d["path"]
    try:
        state = read_state(resolve_in_root(Path(root), rel), rel=rel)
    except ChangeError:
        state = None
    if state is None or state.sha256 != d.get("base_sha256"):
        reason = (f"{rel} changed on disk since this run; the record keeps only the changed lines "
                  f"of a file this large, so this change cannot be shown again")
        return dict(d, kind="rejected", old_text=None, new_text=None, accepted=False, hunk_accepted=[],
                    problems=[*d.get("problems", []), reason])
    return dict(d, old_text=state.text, new_text=apply_delta(state.text, delta) if delta is not None else None)
