"""What a plan asks for, read once: the files, signatures and names it writes as code, and its examples.

Only what the plan writes as code counts: backticked paths, backticked `def` lines,
backticked callables (`name(`), `class Name`, doctest examples (`>>> call` and the
expected output), and the `raise Error("message")` statements and the calls in its code
blocks and spans. Prose is the model's to read, never a rule's.
"""

from __future__ import annotations

import ast
import doctest
import re
from dataclasses import dataclass
from itertools import islice

from desktop.core.checklist import plan_required_names
from desktop.core.plan import Plan
from desktop.core.signatures import BACKTICKED_DEF, parse_signature
from desktop.core.stated_examples import MAX_CANDIDATES

__all__ = ["PlanSpec", "PlannedCall", "PlannedDef", "PlannedRaise"]

_TICKED = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"`([\w./-]+\.[A-Za-z]\w*)`")
_WORD = re.compile(r"[A-Za-z_]\w*")
_FENCED = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1", re.M | re.S)
# A name no prose word looks like: `snake_case`, `camelCase`/`CamelCase`, `md5`.
_CODE_SHAPED = re.compile(r"_|\d|(?<=.)[A-Z]")
_DOTTED_SIGNATURE = re.compile(r"`([A-Za-z_]\w*)\.([A-Za-z_]\w*\s*\(\s*(?:self|cls)\b[^`]*)`")


@dataclass(frozen=True)
class PlannedDef:
    """A `def` line the plan writes out, with where it stands in the plan."""

    at: int  # offset in the plan text
    source: str  # the `def ...` line without its final colon
    fn: ast.FunctionDef | ast.AsyncFunctionDef
    owner: str | None = None  # written as `Class.method(self, ...)`

    @property
    def name(self) -> str:
        return self.fn.name

    def path_before(self, text: str) -> str | None:
        """The last `.py` path the plan names before this signature (on its own line too)."""
        line_end = text.find("\n", self.at)
        upto = text[: line_end if line_end >= 0 else None]
        paths = [m.group(1) for m in _PATH.finditer(upto) if m.group(1).endswith(".py")]
        return paths[-1] if paths else None


@dataclass(frozen=True)
class PlannedRaise:
    """A `raise Error("message")` statement the plan writes as code: the message is the plan's."""

    statement: str  # as the plan writes it, on one line
    message: str
    when: str = ""  # the comment just above it, or the `if` test it stands under, in the plan's code


@dataclass(frozen=True)
class PlannedCall:
    """A call of a plain name the plan writes as code: how the plan means it to be called."""

    text: str  # as the plan writes it, on one line
    name: str
    positional: int
    keywords: tuple[str, ...]
    unpacked: bool  # `*args` or `**kwargs` in the call: its arguments cannot be counted


@dataclass(frozen=True)
class PlanSpec:
    text: str
    files: tuple[str, ...]  # every backticked path, in order
    definitions: tuple[PlannedDef, ...]  # every backticked `def` line that parses
    required: tuple[str, ...]  # callables and classes the plan's requirements name
    identifiers: frozenset[str]  # every identifier inside the plan's code spans
    examples: tuple[doctest.Example, ...]  # `>>>` examples with their expected output
    raises: tuple[PlannedRaise, ...] = ()  # `raise Error("message")` in its code blocks and spans
    calls: tuple[PlannedCall, ...] = ()  # calls of plain names in its code blocks and spans

    @classmethod
    def from_plan(cls, plan: Plan) -> "PlanSpec":
        return cls.from_text(plan.text, requirements=plan.section_text("requirements"))

    @classmethod
    def from_text(cls, text: str, *, requirements: str = "") -> "PlanSpec":
        defs = []
        for m in BACKTICKED_DEF.finditer(text):
            parsed = parse_signature(m.group(1))
            if parsed is not None and "\n" not in parsed[0]:
                defs.append(PlannedDef(m.start(), parsed[0], parsed[1]))
        for m in _DOTTED_SIGNATURE.finditer(text):
            parsed = parse_signature("def " + m.group(2))
            if parsed is not None:
                defs.append(PlannedDef(m.start(), parsed[0], parsed[1], owner=m.group(1)))
        defs.sort(key=lambda d: d.at)
        examples = _doctest_examples(text)
        ticked = _TICKED.findall(text)
        trees = _code_trees([m.group(0) for m in _FENCED.finditer(text)] + ticked)
        return cls(
            text=text,
            files=tuple(dict.fromkeys(_PATH.findall(text))),
            definitions=tuple(defs),
            required=tuple(plan_required_names(requirements or text)),
            identifiers=frozenset(w for span in ticked for w in _WORD.findall(span)) | _example_names(examples),
            examples=examples,
            raises=_raises(trees),
            calls=_calls(trees),
        )

    def mentions(self, name: str) -> bool:
        """Whether the plan writes `name` as code, or as a whole word anywhere."""
        return name in self.identifiers or re.search(rf"\b{re.escape(name)}\b", self.text) is not None

    def names(self, name: str) -> bool:
        """Whether the plan gives `name` as a name: in code (a code span, a code block, an example,
        `class Name`), or as a whole word shaped like no prose word (`snake_case`, `CamelCase`).
        A plain word (`Triangle` in a sentence or a link) is the model's reading, not the plan's name."""
        if name in self.identifiers or name in self.required:
            return True
        word = re.compile(rf"\b{re.escape(name)}\b")
        if any(word.search(m.group(0)) for m in _FENCED.finditer(self.text)):
            return True
        return bool(_CODE_SHAPED.search(name)) and word.search(self.text) is not None


# `>>>` examples read per plan: as many as the checks read (a plan's own are far fewer). A pasted
# session of thousands would cost tens of seconds to parse, off the GUI thread but beyond Stop.
MAX_EXAMPLES = MAX_CANDIDATES
_PROMPT_LINE = re.compile(r"^[ \t]*>>>", re.MULTILINE)


def _doctest_examples(text: str) -> tuple[doctest.Example, ...]:
    """The plan's `>>>` examples that state a result, the first MAX_EXAMPLES prompts at most."""
    beyond = next(islice(_PROMPT_LINE.finditer(text), MAX_EXAMPLES, None), None)
    if beyond is not None:
        text = text[: beyond.start()]
    try:
        return tuple(e for e in doctest.DocTestParser().get_examples(text) if e.want.strip())
    except ValueError:  # inconsistent indentation in a `>>>` block: no examples
        return ()


def _code_trees(sources: list[str]) -> list[tuple[str, ast.Module]]:
    """(code, parse) of each code source (a fenced block, fences and all, or a span), parsed whole
    or, where the whole does not parse, line by line."""
    parsed = []
    for source in sources:
        lines = [ln for ln in source.splitlines() if not re.match(r"\s*(```|~~~)", ln)]
        whole = "\n".join(lines)
        try:
            parsed.append((whole, ast.parse(whole)))
        except (SyntaxError, ValueError):
            for line in lines:
                try:
                    parsed.append((line.strip(), ast.parse(line.strip())))
                except (SyntaxError, ValueError):
                    continue
    return parsed


def _one_line(code: str, node: ast.AST) -> str:
    return " ".join((ast.get_source_segment(code, node) or ast.unparse(node)).split())


def _raises(trees: list[tuple[str, ast.Module]]) -> tuple[PlannedRaise, ...]:
    """Each distinct `raise Name("literal")` in the plan's code, with when the plan raises it."""
    found: dict[str, PlannedRaise] = {}
    for code, tree in trees:
        lines = code.splitlines()
        tests = {id(r): n.test for n in ast.walk(tree) if isinstance(n, ast.If) for r in n.body}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args
                    and isinstance(node.exc.args[0], ast.Constant) and isinstance(node.exc.args[0].value, str)
                    and node.exc.args[0].value.strip()):
                above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
                when = (f"if {_one_line(code, tests[id(node)])}" if id(node) in tests
                        else above.lstrip("#").strip() if above.startswith("#") else "")
                message = node.exc.args[0].value
                found.setdefault(message, PlannedRaise(_one_line(code, node), message, when))
    return tuple(found.values())


def _calls(trees: list[tuple[str, ast.Module]]) -> tuple[PlannedCall, ...]:
    """Each distinct call of a plain name with its arguments (`Garden("VC", students=["Val"])`) in
    the plan's code."""
    found: dict[str, PlannedCall] = {}
    for code, tree in trees:
        for node in ast.walk(tree):
            # `say()` in a sentence names the function, `retry(...)` elides its arguments: neither
            # says how it is called.
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (node.args or node.keywords)
                    and not any(isinstance(a, ast.Constant) and a.value is Ellipsis for a in node.args)):
                text = _one_line(code, node)
                found.setdefault(text, PlannedCall(
                    text, node.func.id, len(node.args), tuple(k.arg for k in node.keywords if k.arg),
                    any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)))
    return tuple(found.values())


def _example_names(examples) -> frozenset[str]:
    names = set()
    for e in examples:
        try:
            tree = ast.parse(e.source)
        except SyntaxError:
            continue
        names |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return frozenset(names)
