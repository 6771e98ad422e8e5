"""Turn parsed edits into one FileChange per file, against the files as they are on disk.

Blocks on one file apply in order to the evolving text. A block that fails is recorded as
a problem quoting what the model wrote and the closest real lines, so a repair prompt can
show the model exactly what to fix; the blocks that did apply are kept.
"""

from __future__ import annotations

import re
import sys
import typing
from pathlib import Path

from desktop.core.change_file import FileChange
from desktop.core.checklist import undefined_names
from desktop.core.change_io import FileState, join_lines, read_state, split_lines
from desktop.core.change_paths import PathRefused, normalise_path, resolve_in_root
from desktop.core.edit_match import NoMatch, closest_region, find_match
from desktop.core.edit_parser import EditBlock, WholeFile
from desktop.core.py_merge import complete_prefix, looks_like_whole_module, merge_definitions
from desktop.errors import ChangeError

__all__ = ["build_changes"]

_QUOTE_MAX_LINES = 40
_SIMILAR_ENOUGH = 0.4  # below this the "closest" region would mislead more than help


def _quote(lines: list[str], *, first_line: int | None = None) -> str:
    shown = lines[:_QUOTE_MAX_LINES]
    if first_line is None:
        out = [f"    | {s}" for s in shown]
    else:
        out = [f"    {first_line + k:>4}| {s}" for k, s in enumerate(shown)]
    if len(lines) > len(shown):
        out.append(f"    ... ({len(lines) - len(shown)} more lines)")
    return "\n".join(out)


def _failure(*, rel: str, number: int, block: EditBlock, lines: list[str],
             search: list[str], result: NoMatch, evolved: bool) -> str:
    head = f"SEARCH block {number} (answer line {block.answer_line}) "
    if result.ambiguous:
        where = ", ".join(str(s + 1) for s in result.starts[:10])
        return (head + f"matches {len(result.starts)} places in {rel} (lines {where}); it was not "
                "applied. Add nearby lines to SEARCH so that it matches only one place.")
    message = (head + f"does not match {rel}; it was not applied. SEARCH must copy the file's "
               f"lines exactly.\nSEARCH was:\n{_quote(search)}")
    region = closest_region(lines, search)
    if region is None or region[1] < _SIMILAR_ENOUGH:
        return message + f"\nNothing in {rel} resembles it."
    start = region[0]
    shown = lines[start:start + len(search)]
    after = " after the earlier blocks were applied" if evolved else ""
    return (message + f"\nThe closest lines in {rel}{after} (lines {start + 1}-"
            f"{start + len(shown)}):\n{_quote(shown, first_line=start + 1)}")


class _NothingUsable(Exception):
    """A cut-off block with no complete definition: the parse problem already says so."""


def _mergeable(rel: str, text: str | None) -> bool:
    return rel.endswith((".py", ".pyw")) and bool(text and text.strip())


def _apply_block(*, rel: str, number: int, block: EditBlock, text: str | None,
                 evolved: bool, notes: list[str]) -> str:
    """The text after one block; ChangeError (the problem, for the report) if it cannot apply."""
    search, _ = split_lines(block.search)
    replace, _ = split_lines(block.replace)
    where = f"SEARCH block {number} (answer line {block.answer_line})"
    if not search:
        if _mergeable(rel, text) and block.replace.strip():
            # An empty SEARCH on an existing module: the model meant "add these definitions".
            merged = merge_definitions(text, block.replace, rel=rel)
            notes.extend(merged.notes)
            return merged.text
        if text:
            raise ChangeError(f"{where} is empty, but {rel} already exists and is not empty; copy "
                              "the lines to change into SEARCH.")
        return join_lines(replace, True)
    if text is None:
        raise ChangeError(f"{where}: {rel} does not exist; to create it, leave SEARCH empty.")
    lines, final_newline = split_lines(text)
    result = find_match(lines, search, replace=replace)
    if isinstance(result, NoMatch):
        raise ChangeError(_failure(rel=rel, number=number, block=block, lines=lines,
                                   search=search, result=result, evolved=evolved))
    lines[result.start:result.end] = result.replace
    return join_lines(lines, final_newline)


def _apply_whole(*, rel: str, item: WholeFile, state: FileState | None, text: str | None,
                 notes: list[str]) -> tuple[str, bool]:
    """The text after a code block with no markers, and whether it was merged by definition."""
    content = item.content
    if item.cut:
        # Never a whole file: only the definitions completed before the cut, merged.
        content = complete_prefix(content) if _mergeable(rel, text) else ""
        if not content:
            raise _NothingUsable
        merged = merge_definitions(text, content, rel=rel)
        notes.extend(merged.notes)
        notes.append(f"{rel}: the answer was cut off inside this file's code block; the "
                     "definitions it completed were merged, the rest was not used")
        return merged.text, True
    if state is None:
        return content, False
    if not content.strip() and state.text.strip():
        raise ChangeError(f"the code block at answer line {item.answer_line} for {rel} is empty; "
                          "it would empty the file, so it was not used.")
    if _mergeable(rel, text) and not looks_like_whole_module(text, content):
        # Part of a module (some definitions): merge them by name, keep the rest of the file.
        merged = merge_definitions(text, content, rel=rel)
        notes.extend(merged.notes)
        return merged.text, True
    if state.text and not state.text.endswith("\n") and content.endswith("\n"):
        content = content[:-1]  # keep the file's missing final newline
    return content, False


def _add_missing_imports(rel: str, old: str | None, new: str, notes: list[str]) -> str:
    """Import what new code uses from the standard library or `typing` but never imported.

    A forgotten `import time` or `from typing import Sequence` is the commonest slip of small
    models, and a repair turn for it costs minutes on a CPU (and may go wrong). Only names
    that are unambiguous are added: a standard-library module used as `name.attr`, or a name
    `typing` exports. Anything else is left to the checks and a repair turn.
    """
    before = undefined_names(old) if old else {}
    lines = []
    for name in undefined_names(new, filename=rel):
        if name in before:
            continue
        if name in sys.stdlib_module_names and re.search(rf"\b{re.escape(name)}\.\w", new):
            lines.append(f"import {name}")
        elif name in typing.__all__:
            lines.append(f"from typing import {name}")
    if not lines:
        return new
    try:
        merged = merge_definitions(new, "\n".join(lines) + "\n", rel=rel)
    except ChangeError:
        return new
    what = "these names without importing them" if len(lines) > 1 else "this name without importing it"
    notes.append(f"{rel}: added {', '.join(f'`{line}`' for line in lines)}: the new code uses {what}")
    return merged.text


def _build_one(*, root: Path, rel: str, items: list[EditBlock | WholeFile]) -> FileChange | None:
    try:
        target = resolve_in_root(root, rel)
        if target.is_dir():
            raise PathRefused(f"refused: a folder, not a file: {rel}")
        state = read_state(target, rel=rel) if target.exists() else None
    except ChangeError as e:
        return FileChange(rel, "rejected", None, None, problems=[str(e)], refused=True)
    text = state.text if state else None
    problems: list[str] = []
    applied = 0
    whole = False
    notes: list[str] = []
    number = 0  # SEARCH blocks are numbered per file in messages
    for item in items:
        try:
            if isinstance(item, WholeFile):
                text, merged = _apply_whole(rel=rel, item=item, state=state, text=text, notes=notes)
                whole = whole or not merged
            else:
                number += 1
                text = _apply_block(rel=rel, number=number, block=item, text=text,
                                    evolved=applied > 0, notes=notes)
            applied += 1
        except ChangeError as e:
            problems.append(str(e))
        except _NothingUsable:
            continue
    if applied and rel.endswith(".py") and text is not None:
        text = _add_missing_imports(rel, state.text if state else None, text, notes)
    if applied == 0 and not problems:
        return None  # only cut-off blocks with nothing usable, reported by the parser
    if applied == 0:
        kind = "rejected"
    elif state is None:
        kind = "new"
    else:
        kind = "replace" if whole else "modify"
    change = FileChange(
        rel, kind, state.text if state else None, text if applied else None,
        problems=problems, base_sha256=state.sha256 if state else None,
        eol=state.eol if state else "\n", bom=state.bom if state else False,
        mode=state.mode if state else None,
    )
    change.notes.extend(notes)
    change.refresh_warnings()
    if kind == "replace":
        added, removed = change.counts()
        old_count = len(split_lines(state.text)[0])
        if old_count >= 10 and removed > old_count // 2:
            change.warnings.append(
                f"the whole-file replacement removes {removed} of {old_count} lines; if only part "
                "of the file was meant to change, use SEARCH/REPLACE blocks instead")
    return change


def build_changes(items: list[EditBlock | WholeFile], *, root: Path) -> list[FileChange]:
    """One FileChange per file named, in the order the answer first names each."""
    by_path: dict[str, list[EditBlock | WholeFile]] = {}
    refused: dict[str, str] = {}
    for item in items:
        try:
            key = normalise_path(item.path)
        except PathRefused as e:
            key = item.path
            refused.setdefault(key, str(e))
        by_path.setdefault(key, []).append(item)
    changes = []
    for key, group in by_path.items():
        if key in refused:
            changes.append(FileChange(key, "rejected", None, None, problems=[refused[key]],
                                      refused=True))
        else:
            change = _build_one(root=root, rel=key, items=group)
            if change is not None:
                changes.append(change)
    return changes
