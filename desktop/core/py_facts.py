"""What one Python file defines: its functions, methods and classes, where, and which are stubs.

Read once per file and shared by the steering, the checks and the pipeline. A stub is a
definition whose body is only `pass`, `...`, `raise NotImplementedError` or a docstring: the
code that the plan's work goes into. Abstract methods, overloads and protocol members are
stubs by design and are not counted.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property, lru_cache

__all__ = ["Definition", "ModuleFacts", "facts_of", "is_stub_body"]

_DESIGNED_EMPTY = {"abstractmethod", "overload", "abstractproperty"}


def _decorator_names(node: ast.AST) -> set[str]:
    names = set()
    for d in getattr(node, "decorator_list", []):
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def is_stub_body(body: list[ast.stmt]) -> bool:
    """`pass`, `...`, `raise NotImplementedError(...)`, a docstring, or a docstring and one of those."""
    rest = body[1:] if body and _is_docstring(body[0]) else body
    if not rest:
        return bool(body)  # a docstring alone
    if len(rest) != 1:
        return False
    s = rest[0]
    if isinstance(s, ast.Pass):
        return True
    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is Ellipsis:
        return True
    if isinstance(s, ast.Raise) and s.exc is not None:
        exc = s.exc.func if isinstance(s.exc, ast.Call) else s.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


@dataclass(frozen=True)
class Definition:
    name: str
    owner: str | None  # the class of a method, None for a module-level function or class
    kind: str  # "def" | "class"
    start: int  # first line (1-based), decorators included
    header_end: int  # last line of the `def` line and docstring (1-based)
    end: int  # last line (1-based)
    stub: bool
    is_async: bool = False

    @property
    def qualname(self) -> str:
        return f"{self.owner}.{self.name}" if self.owner else self.name


class ModuleFacts:
    """The definitions of one Python file (empty when it does not parse)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        try:
            self.tree: ast.Module | None = ast.parse(text)
        except (SyntaxError, ValueError):
            self.tree = None

    @property
    def parses(self) -> bool:
        return self.tree is not None

    @cached_property
    def definitions(self) -> list[Definition]:
        found: list[Definition] = []
        if self.tree is None:
            return found
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append(self._definition(node, None))
            elif isinstance(node, ast.ClassDef):
                found.append(self._definition(node, None))
                protocol = any(ast.unparse(b).split(".")[-1] in ("Protocol", "ABC") for b in node.bases)
                for member in node.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        d = self._definition(member, node.name)
                        if protocol and d.stub:
                            d = Definition(d.name, d.owner, d.kind, d.start, d.header_end, d.end, False, d.is_async)
                        found.append(d)
        return found

    def _definition(self, node, owner: str | None) -> Definition:
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        body = node.body
        header_end = (body[0].end_lineno if body and _is_docstring(body[0]) else body[0].lineno - 1) if body else node.lineno
        header_end = max(header_end, node.lineno)
        kind = "class" if isinstance(node, ast.ClassDef) else "def"
        stub = kind == "def" and is_stub_body(body) and not (_decorator_names(node) & _DESIGNED_EMPTY)
        return Definition(node.name, owner, kind, start, header_end, node.end_lineno, stub,
                          isinstance(node, ast.AsyncFunctionDef))

    @property
    def stubs(self) -> list[Definition]:
        return [d for d in self.definitions if d.stub]

    def find(self, name: str, owner: str | None = None) -> Definition | None:
        return next((d for d in self.definitions if d.name == name and (owner is None or d.owner == owner)), None)

    def source(self, d: Definition) -> str:
        return "".join(self.lines[d.start - 1: d.end])

    def until_body(self, d: Definition) -> str:
        """The file's text from its start to the end of `d`'s `def` line and docstring."""
        text = "".join(self.lines[: d.header_end])
        return text if text.endswith("\n") else text + "\n"

    @cached_property
    def _constants(self) -> list[tuple[str, ast.Assign | ast.AnnAssign]]:
        """(name, statement) of each upper-case name the module assigns at its top level."""
        if self.tree is None:
            return []
        return [(t.id, node) for node in self.tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name) and t.id.isupper()]

    @property
    def constants(self) -> list[str]:
        """The upper-case names the module assigns at its top level (`PAIR = 2`, `YACHT = None`)."""
        return [name for name, _ in self._constants]

    @property
    def placeholders(self) -> list[tuple[str, int]]:
        """(name, 1-based line) of each module-level constant set to None (`YACHT = None`): in a
        stub module, a value left for the answer to give, like a `pass` body."""
        return [(name, node.lineno) for name, node in self._constants
                if isinstance(node.value, ast.Constant) and node.value.value is None]

    @cached_property
    def hidden_methods(self) -> list[tuple[str, str, int]]:
        """(class, method, 1-based line) of each `self.name = ...` in a class that defines a method
        `name` with no decorator: the instance attribute hides the method, so calling it fails."""
        found = []
        for cls in (n for n in (self.tree.body if self.tree else []) if isinstance(n, ast.ClassDef)):
            methods = {m.name for m in cls.body
                       if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.decorator_list}
            for node in ast.walk(cls):
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
                for t in targets:
                    if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                            and t.attr in methods):
                        found.append((cls.name, t.attr, node.lineno))
        return found

    @cached_property
    def strings(self) -> frozenset[str]:
        """Every string constant the file holds (f-strings' literal parts too)."""
        if self.tree is None:
            return frozenset()
        return frozenset(n.value for n in ast.walk(self.tree)
                         if isinstance(n, ast.Constant) and isinstance(n.value, str))

    def until_line(self, n: int) -> str:
        """The file's text before its 1-based line `n`."""
        return "".join(self.lines[: n - 1])

    def header(self, d: Definition) -> str:
        """`d`'s decorators, `def` line and docstring (a method without its class line)."""
        text = "".join(self.lines[d.start - 1: d.header_end])
        return text if text.endswith("\n") else text + "\n"


@lru_cache(maxsize=64)
def facts_of(text: str) -> ModuleFacts:
    """`ModuleFacts` of a text, parsed once: the review of each answer asks several checks of the
    same files, and every repair turn asks them again of the files it left unchanged."""
    return ModuleFacts(text)
