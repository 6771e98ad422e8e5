"""The examples a plan writes in code, read without the model, as `assert` lines for the checks.

An example counts only when it calls a module-level function of the codebase (a name the
checks can import) with literal arguments, and the plan gives a literal value for it:

- a doctest, `>>> call` with its output on the next line;
- the call, then its value, with nothing but words and marks between them and no blank line
  (`f([1, 2]) == 3`, `f([1, 2]) ➞ 3`, `f("ab") gives 'ba'`, `f(2)` then `4` on the next line);
- the function's parameters set by name, all in order, then the value (`Input: arr = [1, 2],
  k = 1` and `Output: [2]` below it);
- a line of the plan that is a whole Python `assert` statement calling such a function.

A value is not taken when a comparison other than equality stands between (`!=`, `<`, `≈`),
or when the value goes on as an expression (`4 * 2`, `[1].count`). A float is compared to
the precision it is written with. A call the plan gives two different values is left out.
The model's own examples are the reflection's; these hold the answer to the plan even when
the model's block misses them.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import islice

from desktop.core.py_facts import ModuleFacts
from desktop.core.reflection_examples import function_signatures, is_literal, module_of

__all__ = ["normalized", "stated_checks"]

MAX_CANDIDATES = 500  # calls, first parameters, asserts or doctests read per plan: a plan's examples are far fewer
NEAR = 120  # characters at most between a call (or its last argument) and its value
_MAX_LITERAL = 400  # characters of one argument list or value
_CLOSE = {"[": "]", "(": ")", "{": "}", "'": "'", '"': '"'}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|(?:True|False|None|true|false|null)\b")
_JSON = {"true": "True", "false": "False", "null": "None"}  # as plans written for other languages spell them
# Where a value may start: a number, a bracket, a quote, or True, False, None.
_START = re.compile(r"""-?\d|[\[({'"]|(?<![\w.])(?:True|False|None|true|false|null)\b""")
_ARROWS = re.compile(r"-+>|=+>")
_NOT_EQUAL = re.compile(r"!|<|>|≈|~|≠|≤|≥|\n[ \t]*\n")  # another comparison, or a blank line
_OTHER_SUBJECT = re.compile(r"\w[ \t`]*=")  # `f(x): items == []` states what `items` is, not f(x)
_GOES_ON = re.compile(r"[ \t]*(?:[-+*/%@&|^(\[]|\.\w|if\b|for\b)")


def normalized(statement: str) -> str:
    """One spelling of a statement (spaces, quotes and comments aside); itself when it does not parse."""
    try:
        return ast.unparse(ast.parse(statement.strip()))
    except (SyntaxError, ValueError):
        return statement.strip()


def _functions(files: Mapping[str, str]) -> set[str]:
    """Module-level functions of the codebase's importable Python files."""
    return {d.name for path, text in files.items() if module_of(path)
            for d in ModuleFacts(text).definitions if d.owner is None and d.kind == "def"}


def _value_at(text: str, at: int) -> tuple[str, int] | None:
    """The literal value written at `at` and where it ends; None when none stands there
    whole (part of a name, a call or a longer expression)."""
    if at >= len(text) or (at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_.)]}'\"")):
        return None
    close = _CLOSE.get(text[at])
    if close is not None:
        ends = (i + 1 for i in range(at + 1, min(len(text), at + _MAX_LITERAL)) if text[i] == close)
        end = next((e for e in ends if is_literal(text[at:e])), None)  # the shortest whole literal
        if end is None:
            return None
    else:
        m = _NUMBER.match(text, at)
        if m is None or (m.end() < len(text) and (text[m.end()].isalnum() or text[m.end()] == "_")):
            return None
        end = m.end()
    if _GOES_ON.match(text, end) or (end < len(text) and (text[end].isalnum() or text[end] in "_'\"")):
        return None
    return _JSON.get(text[at:end], text[at:end]), end


def _next_value(text: str, at: int) -> int | None:
    """Where the first value after `at` starts, with only words and marks before it: no
    comparison but equality, no blank line, not within NEAR characters."""
    start = _START.search(text, at, min(len(text), at + NEAR))
    if start is None:
        return None
    gap = _ARROWS.sub(" ", text[at:start.start()])
    if _NOT_EQUAL.search(gap) or _OTHER_SUBJECT.search(gap):
        return None
    return start.start()


def _value_after(text: str, at: int) -> str | None:
    """The first value after `at` (see _next_value), when it stands whole. Not after a comma
    or a closing bracket: the call is then an argument of something else (`round(f(x), 2)`)."""
    start = _next_value(text, at)
    if start is None or text[at:start].strip()[:1] in (",", ")", "]", "}"):
        return None
    found = _value_at(text, start)
    return found[0] if found else None


def _call_end(text: str, start: int) -> int | None:
    """Where the call starting at `start` ends: the shortest `name(...)` that parses."""
    for i in range(text.find("(", start), min(len(text), start + _MAX_LITERAL)):
        if text[i] == ")":
            try:
                node = ast.parse(text[start:i + 1], mode="eval").body
            except SyntaxError:
                continue
            return i + 1 if isinstance(node, ast.Call) else None
    return None


def _literal_call(source: str) -> bool:
    call = ast.parse(source, mode="eval").body
    # `*xs` is no literal; `**{...}` is (a dict), so a keyword without a name is refused here
    return all(is_literal(a) for a in [*call.args, *(k.value for k in call.keywords)]) \
        and all(k.arg for k in call.keywords)


def _calls_then_values(text: str, names: set[str]) -> Iterable[tuple[str, str]]:
    calls = (m for m in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", text)
             if m.group(1) in names and text[max(0, m.start() - 4):m.start()] != "def ")
    for m in islice(calls, MAX_CANDIDATES):
        end = _call_end(text, m.start())
        if end is None or not _literal_call(text[m.start():end]):
            continue
        value = _value_after(text, end)
        if value is not None:
            yield text[m.start():end], value


def _parameters(files: Mapping[str, str], names: set[str]) -> dict[str, list[str]]:
    """Each function's positional parameters, when it takes no more than those."""
    found = {}
    for name, (fn, is_init) in function_signatures(files).items():
        a = fn.args
        if name in names and not is_init and a.args and not (a.vararg or a.kwarg or a.kwonlyargs):
            found[name] = [p.arg for p in a.posonlyargs + a.args]
    return found


_ASSIGNED = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*=(?!=)\s*")


def _named_arguments(text: str, name: str, params: list[str]) -> Iterable[tuple[str, str]]:
    """`p1 = v1, p2 = v2` (every parameter, in order, only words and marks between), then a value."""
    for m in islice((m for m in _ASSIGNED.finditer(text) if m.group(1) == params[0]), MAX_CANDIDATES):
        values, at = [], m.end()
        for i, param in enumerate(params):
            found = _value_at(text, at)
            if found is None:
                break
            values.append(found[0])
            at = found[1]
            if i + 1 < len(params):  # the next parameter must be the next thing set
                start = _START.search(text, at, min(len(text), at + NEAR))
                nxt = _ASSIGNED.search(text, at, start.start()) if start is not None else None
                if nxt is None or nxt.group(1) != params[i + 1] or nxt.end() != start.start() \
                        or _NOT_EQUAL.search(text, at, nxt.start()):
                    break
                at = nxt.end()
        else:
            value = _value_after(text, at)
            if value is not None:
                yield f"{name}({', '.join(values)})", value


def _doctests(examples) -> Iterable[tuple[str, str]]:
    for example in examples:
        source, want = example.source.strip(), example.want.strip()
        try:
            ast.parse(source, mode="eval")
            ast.parse(want, mode="eval")
        except SyntaxError:
            continue  # a statement, printed text or a traceback: not a value to compare
        yield ast.unparse(ast.parse(source, mode="eval")), want  # without a trailing comment


def _assert_lines(text: str, names: set[str]) -> Iterable[str]:
    calls = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, sorted(names))) + r")\s*\(")
    for line in text.splitlines():
        line = line.strip().removeprefix(">>>").strip()
        if not line.startswith("assert") or not calls.search(line):
            continue
        try:
            tree = ast.parse(line)
        except SyntaxError:
            continue
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
               for n in ast.walk(tree)):
            yield ast.unparse(tree)


def _assertion(call: str, value: str) -> str:
    """`assert call == value`; a float to the precision it is written with."""
    number = ast.literal_eval(value)
    if isinstance(number, float) and "." in value and "e" not in value.lower():
        places = len(value.split(".")[1])
        return f"assert abs({call} - {value}) <= {0.5 * 10 ** -places:.{places + 1}f}"
    return f"assert {call} == {value}"


def stated_checks(text: str, files: Mapping[str, str], *, examples=()) -> list[str]:
    """The plan's examples of the codebase's functions as `assert` lines (see the module's
    docstring); `examples` are the plan's doctest examples (PlanSpec.examples)."""
    names = _functions(files)
    if not names:
        return []
    pairs: list[tuple[str, str]] = [p for p in islice(_doctests(examples), MAX_CANDIDATES)
                                    if any(c in names for c in _called_names(p[0]))]
    pairs += _calls_then_values(text, names)
    for name, params in _parameters(files, names).items():
        pairs += _named_arguments(text, name, params)
    values: dict[str, set[str]] = {}
    first: dict[str, tuple[str, str]] = {}
    for call, value in _of_one_kind(pairs):
        key = normalized(call)
        values.setdefault(key, set()).add(normalized(value))
        first.setdefault(key, (call, value))
    lines = [_assertion(*first[key]) for key, seen in values.items() if len(seen) == 1]
    lines += islice(_assert_lines(text, names), MAX_CANDIDATES)
    return list(dict.fromkeys(normalized(line) for line in lines))


def _kind(value: str) -> str:
    v = ast.literal_eval(value)
    return "number" if type(v) in (int, float) else type(v).__name__


def _of_one_kind(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs whose value is of the kind most of the function's values are (None aside,
    which stands for "no result" beside any kind): a value of another kind is more likely a
    misreading (or a slip in the plan) than the function's result. On a tie, none of them."""
    kinds: dict[str, Counter] = {}
    for call, value in pairs:
        if _kind(value) != "NoneType":
            kinds.setdefault(_function_of(call), Counter())[_kind(value)] += 1
    chosen = {name: top[0][0] for name, counts in kinds.items()
              if len(top := counts.most_common(2)) == 1 or top[1][1] < top[0][1]}
    return [(call, value) for call, value in pairs
            if _kind(value) == "NoneType" or chosen.get(_function_of(call)) == _kind(value)]


def _function_of(call: str) -> str:
    return call.split("(", 1)[0].strip()


def _called_names(source: str) -> set[str]:
    return {n.func.id for n in ast.walk(ast.parse(source, mode="eval"))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
