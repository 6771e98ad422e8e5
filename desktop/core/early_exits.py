"""Early exits an answer added, and the answer without each one.

An early exit is an `if` with no `else` whose body is a single `return` or `raise`, inside a
function (`if len(q) != len(w): return False`). A small model adds such guards of its own, and
one that the plan never asked for can make every example fail while the rest of the function
is right. When no answer passed its checks, the run checks each answer once more without one
of the early exits it added (see `AnswerReview._without_early_exits`); an answer that passes
every check that way is shown as that answer with the line left out, for the developer to
review like any other.

Only exits the answer added are tried: an `if` line that the file's old text also holds
(stripped of indentation) is the codebase's own and stays. Removing one must leave its block
with another statement, and the result must parse. Qt-free.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["WithoutExit", "without_early_exits"]


@dataclass(frozen=True)
class WithoutExit:
    line: int  # 1-based line of the `if` in the answer's text
    source: str  # the `if` statement as the answer wrote it, first line only
    text: str  # the answer's text without it


def _early_exits(tree: ast.AST) -> Iterator[ast.If]:
    """Early exits inside functions whose block holds more than the exit itself."""
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    seen: set[int] = set()
    for function in functions:
        for node in ast.walk(function):
            for name in ("body", "orelse", "finalbody"):
                block = getattr(node, name, None)
                if not isinstance(block, list) or len(block) < 2:
                    continue
                for stmt in block:
                    if (isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1
                            and isinstance(stmt.body[0], (ast.Return, ast.Raise)) and id(stmt) not in seen):
                        seen.add(id(stmt))
                        yield stmt


def without_early_exits(new_text: str, old_text: str | None = None, *, limit: int = 8) -> list[WithoutExit]:
    """`new_text` without each early exit it added to `old_text`, one at a time, in the order they
    appear (at most `limit`); [] when it does not parse or adds none."""
    try:
        tree = ast.parse(new_text)
    except (SyntaxError, ValueError):
        return []
    lines = new_text.splitlines(keepends=True)
    own = {line.strip() for line in (old_text or "").splitlines()}
    found = []
    for stmt in sorted(_early_exits(tree), key=lambda s: s.lineno):
        first = lines[stmt.lineno - 1]
        end = stmt.end_lineno or stmt.lineno
        if first.strip() in own or first[:stmt.col_offset].strip():
            continue  # the codebase's own line, or one that holds other code before the `if`
        if _other_code_after(lines[end - 1], stmt):
            continue
        text = "".join(lines[:stmt.lineno - 1] + lines[end:])
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        found.append(WithoutExit(stmt.lineno, first.strip(), text))
        if len(found) >= limit:
            break
    return found


def _other_code_after(last_line: str, stmt: ast.If) -> bool:
    """Whether the exit's last line goes on with another statement (`...: return 1; x = 2`).
    (`end_col_offset` counts UTF-8 bytes.)"""
    body = stmt.body[0]
    if body.end_col_offset is None:
        return False
    rest = last_line.encode("utf-8")[body.end_col_offset:].decode("utf-8", "replace").strip()
    return bool(rest) and not rest.startswith("#")
