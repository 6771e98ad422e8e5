"""Hold generated functions to the signatures the plan spells out.

A plan often gives the exact signature in backticks (`def slugify(text: str, *, sep: str = "-")
-> str`). A small model drops the `*`, renames a parameter or forgets a default, and callers
written to the plan then fail. The check compares parameter names, kinds and defaults (not
annotations) of each new or changed definition with the plan's, and quotes both for a repair.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict

__all__ = ["plan_signatures", "check_signatures", "params", "parse_signature", "BACKTICKED_DEF"]

BACKTICKED_DEF = re.compile(r"`((?:@\w+\s+)*(?:async\s+)?def\s+[A-Za-z_]\w*\s*\([^`]*)`")


def params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, str, str | None]]:
    """(kind, name, default source) for every parameter, in order."""
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        kind = "positional-only" if i < len(a.posonlyargs) else "positional"
        out.append((kind, arg.arg, ast.unparse(default) if default is not None else None))
    if a.vararg:
        out.append(("*args", a.vararg.arg, None))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        out.append(("keyword-only", arg.arg, ast.unparse(default) if default is not None else None))
    if a.kwarg:
        out.append(("**kwargs", a.kwarg.arg, None))
    return out


def _signature_text(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    head = ast.unparse(fn).split("\n", 1)[0]
    return head[:-1] if head.endswith(":") else head


def parse_signature(text: str) -> tuple[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """A `def` line as written in a plan (decorators and a final colon dropped) and its parse."""
    source = re.sub(r"^(?:@\w+\s+)+", "", text.strip()).rstrip(":")
    try:
        fn = ast.parse(source + ": pass").body[0]
    except SyntaxError:
        return None
    return (source, fn) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def plan_signatures(plan_text: str) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every `def name(...)` the plan writes in backticks, by name."""
    found: dict[str, list] = defaultdict(list)
    for m in BACKTICKED_DEF.finditer(plan_text):
        parsed = parse_signature(m.group(1))
        if parsed is not None:
            fn = parsed[1]
            if all(params(fn) != params(other) for other in found[fn.name]):
                found[fn.name].append(fn)
    return dict(found)


def _definitions(source: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def check_signatures(plan_text: str, changed: dict[str, tuple[str | None, str]]) -> list[str]:
    """Problems for a repair turn: new or changed definitions whose parameters differ from the plan's."""
    wanted = plan_signatures(plan_text)
    if not wanted:
        return []
    problems = []
    for path, (old, new) in changed.items():
        if not path.endswith(".py"):
            continue
        before = {ast.dump(fn) for fn in _definitions(old)} if old else set()
        for fn in _definitions(new):
            if fn.name not in wanted or ast.dump(fn) in before:
                continue  # not in the plan, or unchanged code
            if any(params(fn) == params(plan) for plan in wanted[fn.name]):
                continue
            expected = " or ".join(f"`{_signature_text(p)}`" for p in wanted[fn.name])
            problems.append(f"{path} line {fn.lineno}: `{_signature_text(fn)}` does not match the "
                            f"plan's signature {expected} (parameter names, order, `*` and "
                            "defaults must be as the plan gives them).")
    return problems
