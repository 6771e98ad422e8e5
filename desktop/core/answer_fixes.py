"""Two slips small models make in edit blocks, repaired deterministically and reported.

1. A path copied from the format's example (`src/shop/report.py`) when the codebase holds
   exactly one file of that name elsewhere (`inventory/report.py`): the edit is pointed
   at that file.
2. A block whose SEARCH and REPLACE are the same new code, absent from the file: the
   model meant to add it. Top-level code is appended at the end of the file.

Anything less certain is left alone for the checks and the repair turn to report.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from desktop.core.change_paths import PathRefused, normalise_path, resolve_in_root
from desktop.core.edit_parser import EditBlock, WholeFile
from desktop.errors import ChangeError


def tidy_items(
    items: list[EditBlock | WholeFile], *, root: Path, files: Iterable[str]
) -> tuple[list[EditBlock | WholeFile], list[str]]:
    by_name: dict[str, list[str]] = defaultdict(list)
    for rel in files:
        by_name[PurePosixPath(rel).name].append(rel)
    notes: list[str] = []
    out: list[EditBlock | WholeFile] = []
    for item in items:
        item = _fix_path(item, root=root, by_name=by_name, notes=notes)
        if isinstance(item, EditBlock):
            item = _fix_noop_addition(item, root=root, notes=notes)
        out.append(item)
    return out, notes


def _exists(root: Path, rel: str) -> bool:
    try:
        return resolve_in_root(root, rel).is_file()
    except ChangeError:
        return False


def _fix_path(item, *, root: Path, by_name: dict[str, list[str]], notes: list[str]):
    creates = isinstance(item, EditBlock) and not item.search.strip()
    try:
        rel = normalise_path(item.path)
    except PathRefused:
        return item  # refused later, with the reason
    if creates or _exists(root, rel):
        return item
    matches = by_name.get(PurePosixPath(rel).name, [])
    if len(matches) != 1:
        return item
    notes.append(f"{item.path} does not exist; the edit was applied to {matches[0]}, the only file of that name.")
    return replace(item, path=matches[0])


def _fix_noop_addition(block: EditBlock, *, root: Path, notes: list[str]) -> EditBlock:
    code = block.search.strip("\n")
    if not code.strip() or code != block.replace.strip("\n"):
        return block
    try:
        target = resolve_in_root(root, normalise_path(block.path))
        text = target.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (ChangeError, OSError, UnicodeDecodeError):
        return block
    if code in text or not text.strip():
        return block
    if code[:1].isspace():
        # Indented new code: a module function written as if it were a method. Only where
        # the file has no class it could belong to.
        if not block.path.endswith(".py") or re.search(r"^class\s", text, re.M):
            return block
        code = textwrap.dedent(code)
        if code in text:
            return block
    if block.path.endswith(".py") and not _parses(code):
        return block  # a fragment, not whole new code: leave it to the repair turn
    tail = [line for line in text.rstrip("\n").split("\n")][-3:]
    anchor = "\n".join(tail) + "\n"
    if text.count(anchor) != 1:
        return block
    notes.append(f"{block.path}: a block repeated new code in SEARCH and REPLACE; it was added at the end of the file.")
    return replace(block, search=anchor, replace=anchor + "\n\n" + code + "\n")


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True
