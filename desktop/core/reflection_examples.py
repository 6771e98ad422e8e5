"""The plan's examples as checks: the Python code block at the end of a reflection.

When example checks are on, Phase 1 ends its strategy with one Python code block that turns
the plan's examples into `assert` lines. The user reads and edits it with the reflection.
Phase 2 gets the strategy without it (it is a check of the code, not part of it); the checks
run it on a scratch copy. A block the reflection's budget cut short keeps its complete lines.

A check holds the model to the plan only where it quotes the plan: an `assert call(...) ==
value` is kept when the plan holds that call (its name and arguments, spaces and quote marks
aside) and that value as the first value after it (`assert call(...)` needs `True` there), or
when the plan gives the call's literal arguments in order and then that value (`For lst =
[1,2,3] the output should be 6`), with no other value between them. A list, tuple or set of
scalars also counts as given when the plan writes its elements one after another (`"tones"`,
`"notes"` and `"Seton"`). `assert value == call(...)` is kept, call first, by the first rule
only. The model's own, unquoted examples are left out, since a wrong one would send a right
answer to repair. The checks test the codebase's code, not a copy of it: a top-level `def` or
`class` in the block with the name of a module-level definition of the codebase is left out,
a name of the codebase the block uses without importing it is imported from its module (its
upper-case constants too), and so is one it imports from a module that defines none of the
codebase's names (`from solution import f`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Mapping

from desktop.core.py_facts import ModuleFacts

_FENCE = re.compile(r"^```[ \t]*(python|py)?[ \t]*$", re.M | re.I)


_CALL = re.compile(r"(?<![\w.])[A-Za-z_]\w*\(")


# A value as a plan writes it: a number, a quoted string, or the start of a list, tuple or dict.
_VALUE = re.compile(r"""(?<![\w.])-?\d+(?:\.\d+)?(?!\w|\.\w)|"[^"\n]*"|'[^'\n]*'|[\[({]""")


def states_examples(plan: str) -> bool:
    """Whether the plan writes a call (`name(`) or a line with two values (`[1,2,3] ... 6`):
    without either, no example can quote it."""
    return bool(_CALL.search(plan)) or any(len(_VALUE.findall(line)) >= 2 for line in plan.splitlines())


def split_examples(reflection: str) -> tuple[str, str]:
    """(the reflection without its last Python block and that block's heading, the block's code)."""
    fences = list(_FENCE.finditer(reflection))
    opening = None
    for i in range(0, len(fences), 2):  # fences pair up: opening, closing
        if fences[i].group(1):
            opening = i
    if opening is None:
        return reflection, ""
    start = fences[opening]
    closing = fences[opening + 1] if opening + 1 < len(fences) else None
    code = reflection[start.end():closing.start() if closing else len(reflection)]
    head = reflection[: start.start()].rstrip()
    lines = head.splitlines()
    if lines and lines[-1].lstrip().startswith("#"):
        head = "\n".join(lines[:-1]).rstrip()  # the block's own heading goes with it
    rest = reflection[closing.end():].strip() if closing else ""
    strategy = head + ("\n\n" + rest if rest else "")
    return strategy.rstrip() + "\n", _complete(code.strip("\n"))


def _complete(code: str) -> str:
    """The longest start of `code` that parses (the budget may cut the last line)."""
    lines = code.splitlines()
    while lines:
        text = "\n".join(lines)
        try:
            ast.parse(text)
            return text.strip()
        except SyntaxError:
            lines.pop()
    return ""


def module_of(path: str) -> str | None:
    """`pkg/mod.py` -> `pkg.mod`, `pkg/__init__.py` -> `pkg`; None for a path no import reaches."""
    if not path.endswith(".py"):
        return None
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def codebase_names(files: Mapping[str, str], *, constants: bool = False) -> dict[str, str]:
    """Each module-level function and class of the files (with `constants`, each upper-case
    constant too: `PAIR = 2`, which the checks pass as an argument), with the module that
    defines it (the first file wins)."""
    names: dict[str, str] = {}
    for path, text in files.items():
        module = module_of(path)
        if module is None:
            continue
        facts = ModuleFacts(text)
        for d in facts.definitions:
            if d.owner is None:
                names.setdefault(d.name, module)
        for name in facts.constants if constants else ():
            names.setdefault(name, module)
    return names


def block_opening(names: Mapping[str, str]) -> str:
    """How an asked-for examples block starts: the imports of `names` (name -> module), then
    `assert `. Asked for the block with only its fence written, a small model may write the
    function itself instead of checks (nothing to check then)."""
    if not names:
        return "```python\n"
    return "```python\n" + "".join(f"from {m} import {n}\n" for n, m in names.items()) + "assert "


def checks_for(code: str, names: Mapping[str, str]) -> str:
    """The examples as they run: without copies of the codebase's definitions, with its imports."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines()
    drop: set[int] = set()
    bound: set[str] = set()
    defining = set(names.values())
    moved: dict[int, str] = {}  # first line of an import -> the import that replaces it
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            drop.update(range(start, node.end_lineno + 1))
        elif (isinstance(node, ast.ImportFrom) and (node.level or node.module not in defining)
              and any(a.name in names for a in node.names)):
            # `from solution import find`: a module that defines no name of the codebase; the
            # names of the codebase come from their own module instead
            drop.update(range(node.lineno, node.end_lineno + 1))
            moved[node.lineno] = _from_codebase(node, names)
            bound.update(a.asname or a.name for a in node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    used = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    missing = [n for n in dict.fromkeys(used) if n in names and n not in bound]
    imports = [f"from {names[n]} import {n}" for n in missing]
    kept = [moved.get(i, line) for i, line in enumerate(lines, 1) if i not in drop or i in moved]
    return "\n".join(imports + kept).strip()


def _from_codebase(node: ast.ImportFrom, names: Mapping[str, str]) -> str:
    """The import with each name of the codebase taken from the module that defines it."""
    def alias(a: ast.alias) -> str:
        return a.name + (f" as {a.asname}" if a.asname else "")

    ours = [f"from {names[a.name]} import {alias(a)}" for a in node.names if a.name in names]
    rest = [alias(a) for a in node.names if a.name not in names]
    if rest:
        ours.append(f"from {'.' * node.level}{node.module or ''} import {', '.join(rest)}")
    return "\n".join(ours)


NEAR = 120  # characters of words at most between a call and its value in the plan


def _find(piece: str, plan: str, *, start: int = 0, end: int | None = None) -> list[re.Match]:
    """Where `piece` stands in the plan (spaces and quote marks aside), not inside a longer
    name or number."""
    chars = [c for c in piece if not c.isspace()]
    if not chars:
        return []
    body = r"\s*".join("['\"]?" if c in "'\"" else re.escape(c) for c in chars)  # is_happy(a) quotes "a"
    head = r"(?<![\w.])" if chars[0].isalnum() or chars[0] == "_" else ""
    tail = r"(?!\w|\.\w)" if chars[-1].isalnum() or chars[-1] == "_" else ""  # "gives 1." ends at 1; 1.5 does not
    return list(re.compile(head + body + tail).finditer(plan, start, len(plan) if end is None else end))


def _call_text(call: ast.Call, code: str) -> str:
    """`name(args)` of a call, without its receiver (`cart.total()` -> `total()`)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else ast.get_source_segment(code, func) or ""
    args = [ast.get_source_segment(code, a) or "" for a in call.args + [k.value for k in call.keywords]]
    keywords = [f"{k.arg}=" if k.arg else "**" for k in call.keywords]
    parts = args[: len(call.args)] + [kw + v for kw, v in zip(keywords, args[len(call.args):])]
    return f"{name}({','.join(parts)})"


_GAP = re.compile(r"[^0-9\[\](){}'\"]*")  # words and marks between a call and its value, no value


def _value_spans(value: str, plan: str, *, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each place the plan gives the literal `value`: as written (`_find`), or, for
    a list, tuple or set of two or more scalars, as its elements in order with words and marks
    but no other value between them (`"tones"`, `"notes"` and `"Seton"` for `["tones", "notes",
    "Seton"]`)."""
    found = [(m.start(), m.end()) for m in _find(value, plan, start=start, end=end)]
    try:
        node = ast.parse(value.strip(), mode="eval").body
    except SyntaxError:
        return found
    if not (isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) >= 2
            and all(isinstance(e, ast.Constant) for e in node.elts)):
        return found
    elements = [ast.get_source_segment(value.strip(), e) or "" for e in node.elts]
    for first in _find(elements[0], plan, start=start, end=end):
        at = first.end()
        for element in elements[1:]:
            limit = min(len(plan), at + NEAR + len(element) * 3)
            nxt = next((m for m in _find(element, plan, start=at, end=limit)
                        if _GAP.fullmatch(plan, at, m.start())), None)
            if nxt is None:
                break
            at = nxt.end()
        else:
            found.append((first.start(), at))
    return found


def _value_follows(expected: str, plan: str, at: int) -> bool:
    """The plan gives `expected` as the first value after position `at` (words and marks
    such as `returns` or `->` may stand between; another value may not)."""
    end = min(len(plan), at + NEAR + len(expected) * 3)
    return any(_GAP.fullmatch(plan, at, s) for s, _ in _value_spans(expected, plan, start=at, end=end))


def _values_then_value(call: ast.Call, expected: str, code: str, plan: str) -> bool:
    """The plan gives the call's argument values in order, then `expected` as the first value
    after them (`For lst = [1,2,3] the output should be 6`): words and marks may stand between,
    another value may not. Every argument must be a literal: a name proves nothing."""
    args = list(call.args) + [k.value for k in call.keywords]
    if not args or not all(is_literal(a) for a in args):
        return False
    texts = [ast.get_source_segment(code, a) or "" for a in args]

    def chain(at: int, rest: list[str]) -> bool:
        if not rest:
            while at < len(plan) and plan[at] in ") \t":  # the call's own closing, when written as one
                at += 1
            return _value_follows(expected, plan, at)
        end = min(len(plan), at + NEAR + len(rest[0]) * 3)
        return any(_GAP.fullmatch(plan, at, s) and chain(e, rest[1:])
                   for s, e in _value_spans(rest[0], plan, start=at, end=end))

    return any(chain(e, texts[1:]) for _, e in _value_spans(texts[0], plan))


def is_literal(source: str | ast.expr) -> bool:
    """Whether the text or expression is a Python literal (a number, string, True/False/None,
    or a list, tuple, dict or set of them)."""
    try:
        ast.literal_eval(source)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def plan_checks(code: str, plan: str, *, stated: Collection[str] = ()) -> tuple[str, int]:
    """The checks without the asserts the plan does not quote, and how many were left out.
    `stated` are the plan's own examples as asserts (stated_examples.py): each is kept as
    the plan's, spaces, quote marks and comments aside."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code, 0
    lines = code.splitlines()
    drop: set[int] = set()
    turned: dict[int, str] = {}  # first line of a reversed assert -> the assert written call first
    left_out = 0
    for node in tree.body:
        if not isinstance(node, ast.Assert) or ast.unparse(node) in stated:
            continue
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is)):
            left, right = test.left, test.comparators[0]
            reversed_ = (isinstance(test.ops[0], ast.Eq) and isinstance(right, ast.Call)
                         and not isinstance(left, ast.Call))
            if reversed_:
                # `assert 10 == score(...)`: the call's value is 10; written call first, so the
                # check says what the call gave. Kept only when the plan writes the call itself.
                left, right = right, left
                turned[node.lineno] = (f"assert {ast.get_source_segment(code, left)} == "
                                       f"{ast.get_source_segment(code, right)}")
            expected = ast.get_source_segment(code, right) or ""
            calls = _find(_call_text(left, code), plan) if isinstance(left, ast.Call) else []
            quoted = any(_value_follows(expected, plan, m.end()) for m in calls) or (
                isinstance(left, ast.Call) and not reversed_ and _values_then_value(left, expected, code, plan))
        else:  # `assert f(x)` holds the plan to `True` after the call, `assert not f(x)` to `False`
            negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
            call = test.operand if negated else test
            calls = _find(_call_text(call, code), plan) if isinstance(call, ast.Call) else []
            quoted = any(_value_follows("False" if negated else "True", plan, m.end()) for m in calls)
        if not quoted:
            drop.update(range(node.lineno, node.end_lineno + 1))
            left_out += 1
        elif node.lineno in turned:
            drop.update(range(node.lineno + 1, node.end_lineno + 1))
    kept = [turned.get(i, line) for i, line in enumerate(lines, 1) if i not in drop]
    if not any(isinstance(n, ast.Assert) for n in tree.body if n.lineno not in drop):
        return "", left_out  # nothing left to check
    return "\n".join(kept).strip(), left_out


def _binds(call: ast.Call, fn: ast.FunctionDef | ast.AsyncFunctionDef, *, skip_first: bool = False) -> bool:
    """Whether the call's arguments fit the function's parameters (as Python would bind them)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return True  # *args or **kwargs at the call: cannot tell
    a = fn.args
    params = (a.posonlyargs + a.args)[1 if skip_first else 0:]
    n = len(call.args)
    if n > len(params) and a.vararg is None:
        return False
    by_position = {p.arg for p in params[:n]}
    by_keyword = {p.arg for p in params[n:] if p not in a.posonlyargs} | {p.arg for p in a.kwonlyargs}
    given = [k.arg for k in call.keywords]
    if any(k in by_position or (k not in by_keyword and a.kwarg is None) for k in given):
        return False
    required = params[: len(params) - len(a.defaults)]
    required_kw = [p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is None]
    return all(p.arg in given for p in required[n:]) and all(k in given for k in required_kw)


def function_signatures(files: Mapping[str, str]) -> dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Module-level functions (and classes, by their `__init__`) of the files, undecorated only:
    a decorator may change what a call takes."""
    found: dict = {}
    for path, text in files.items():
        if not path.endswith(".py"):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.decorator_list:
                found.setdefault(node.name, (node, False))
            elif isinstance(node, ast.ClassDef) and not node.decorator_list and not node.bases:
                init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
                if init is not None and not init.decorator_list:
                    found.setdefault(node.name, (init, True))
    return found


def fit_signatures(code: str, files: Mapping[str, str]) -> tuple[str, int]:
    """The checks without the asserts that call a function of the codebase with arguments its
    signature does not take (`f()` for `def f(s)`: a slip in writing the check, not a fault of
    the code), and how many were left out."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code, 0
    signatures = function_signatures(files)
    drop: set[int] = set()
    left_out = 0
    for node in tree.body:
        if not isinstance(node, ast.Assert):
            continue
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            target = signatures.get(call.func.id) if isinstance(call.func, ast.Name) else None
            if target is not None and not _binds(call, target[0], skip_first=target[1]):
                drop.update(range(node.lineno, node.end_lineno + 1))
                left_out += 1
                break
    if not drop:
        return code, 0
    kept = [line for i, line in enumerate(code.splitlines(), 1) if i not in drop]
    if not any(isinstance(n, ast.Assert) and n.lineno not in drop for n in tree.body):
        return "", left_out
    return "\n".join(kept).strip(), left_out


def _asserted_calls(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    calls = set()
    for node in tree.body:
        if isinstance(node, ast.Assert):
            test = node.test.left if isinstance(node.test, ast.Compare) else node.test
            calls.add(ast.unparse(test))  # one spelling: spaces and quote marks aside
    return calls


def add_missing(code: str, extra: str) -> str:
    """`code` with the asserts of `extra` whose tested expression it does not assert yet
    (spaces and quote marks aside)."""
    have = _asserted_calls(code)
    lines = [line for line in extra.splitlines() if line.strip() and not (_asserted_calls(line) & have)]
    return "\n".join(part for part in (code.strip(), "\n".join(lines)) if part).strip()
