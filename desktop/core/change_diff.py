"""Line diff opcodes grouped into hunks, fast enough for big files with repetitive lines.

difflib alone is quadratic on files full of repeated lines ("", "    return None"):
a 5,000-line file took minutes. The common prefix and suffix are cut off first (edits
are local), and difflib's junk heuristic is only used when the differing middle is large.
"""

from __future__ import annotations

import difflib

__all__ = ["Opcode", "line_opcodes", "group_opcodes"]

Opcode = tuple[str, int, int, int, int]  # difflib's (tag, i1, i2, j1, j2)
_EXACT_LIMIT = 1000  # lines in the differing middle below which difflib runs without junk


def line_opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """difflib-style opcodes turning `a` into `b`."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    ops: list[Opcode] = []
    if start:
        ops.append(("equal", 0, start, 0, start))
    mid_a, mid_b = a[start:end_a], b[start:end_b]
    if mid_a or mid_b:
        # Without junk, frequent lines ("}", blank) stay matchable and hunks come out tight.
        autojunk = max(len(mid_a), len(mid_b)) > _EXACT_LIMIT
        matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=autojunk)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            ops.append((tag, i1 + start, i2 + start, j1 + start, j2 + start))
    if end_a < len(a):
        ops.append(("equal", end_a, len(a), end_b, len(b)))
    merged: list[Opcode] = []
    for op in ops:
        if merged and op[0] == "equal" and merged[-1][0] == "equal":
            prev = merged.pop()
            op = ("equal", prev[1], op[2], prev[3], op[4])
        merged.append(op)
    return merged


def group_opcodes(ops: list[Opcode], *, context: int = 3) -> list[list[Opcode]]:
    """Hunks with `context` lines around each change (difflib.get_grouped_opcodes' rule)."""
    if not ops or all(op[0] == "equal" for op in ops):
        return []
    codes = list(ops)
    tag, i1, i2, j1, j2 = codes[0]
    if tag == "equal":
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    tag, i1, i2, j1, j2 = codes[-1]
    if tag == "equal":
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups
