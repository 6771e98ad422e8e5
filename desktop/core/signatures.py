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

from desktop.core.py_facts import facts_of

__all__ = ["plan_signatures", "check_signatures", "check_calls", "params", "parse_signature", "BACKTICKED_DEF"]

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


def _callable_defs(source: str) -> dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Top-level functions and classes' `__init__` by the name a caller uses, with whether it is a
    method (its first parameter is bound). Decorated ones are left out: a decorator (`@dataclass`,
    `@functools.wraps`) may change how they are called."""
    tree = facts_of(source).tree
    found = {}
    for node in tree.body if tree is not None else []:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.decorator_list:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = (node, False)
        elif isinstance(node, ast.ClassDef):
            init = next((m for m in node.body if isinstance(m, ast.FunctionDef) and m.name == "__init__"
                         and not m.decorator_list), None)
            if init is not None:
                found[node.name] = (init, True)
    return found


def _refusal(fn: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool, positional: int,
             keywords: tuple[str, ...]) -> str | None:
    """Why a call with `positional` arguments and `keywords` cannot bind to `fn`; None if it can."""
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args]
    required = names[: len(names) - len(a.defaults)]
    if method:
        names, required = names[1:], required[1:]
    if positional > len(names) and a.vararg is None:
        return f"it takes {len(names)} positional argument(s), the call gives {positional}"
    given = set(names[:positional])
    by_keyword = {x.arg for x in a.args + a.kwonlyargs}
    for key in keywords:
        if key in given:
            return f"`{key}` would be given twice"
        if key not in by_keyword and a.kwarg is None:
            return f"it has no parameter `{key}`"
        given.add(key)
    missing = [n for n in required if n not in given]
    missing += [x.arg for x, d in zip(a.kwonlyargs, a.kw_defaults) if d is None and x.arg not in given]
    if missing:
        return "it needs " + ", ".join(f"`{n}`" for n in missing) + ", which the call leaves out"
    return None


def check_calls(calls, changed: dict[str, tuple[str | None, str]]) -> list[str]:
    """Problems for a repair turn: a call the plan's code writes (`plan_spec.PlannedCall`) that the
    function or class of that name, as a changed file now defines it, cannot take."""
    problems, named = [], set()
    for path, (_, new) in changed.items() if calls else []:
        if not path.endswith(".py"):
            continue
        defs = _callable_defs(new)
        for call in calls:
            if call.unpacked or call.name not in defs or call.name in named:
                continue
            fn, method = defs[call.name]
            why = _refusal(fn, method=method, positional=call.positional, keywords=call.keywords)
            if why:
                named.add(call.name)
                shown = f"{call.name}.__init__" if method else call.name
                problems.append(f"{path} line {fn.lineno}: the plan's code calls `{call.text}`, but "
                                f"`{_signature_text(fn).replace('def __init__', 'def ' + shown, 1)}` cannot take "
                                f"that call: {why}. Change the parameters so that every call the plan writes "
                                "works (a default for what a call leaves out).")
    return problems
