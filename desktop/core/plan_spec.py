"""What a plan asks for, read once: the files, signatures and names it writes as code, and its examples.

Only what the plan writes as code counts: backticked paths, backticked `def` lines,
backticked callables (`name(`), `class Name`, and doctest examples (`>>> call` and the
expected output). Prose is the model's to read, never a rule's.
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

__all__ = ["PlanSpec", "PlannedDef"]

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
class PlanSpec:
    text: str
    files: tuple[str, ...]  # every backticked path, in order
    definitions: tuple[PlannedDef, ...]  # every backticked `def` line that parses
    required: tuple[str, ...]  # callables and classes the plan's requirements name
    identifiers: frozenset[str]  # every identifier inside the plan's code spans
    examples: tuple[doctest.Example, ...]  # `>>>` examples with their expected output

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
        return cls(
            text=text,
            files=tuple(dict.fromkeys(_PATH.findall(text))),
            definitions=tuple(defs),
            required=tuple(plan_required_names(requirements or text)),
            identifiers=frozenset(w for span in ticked for w in _WORD.findall(span)) | _example_names(examples),
            examples=examples,
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


def _example_names(examples) -> frozenset[str]:
    names = set()
    for e in examples:
        try:
            tree = ast.parse(e.source)
        except SyntaxError:
            continue
        names |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return frozenset(names)
