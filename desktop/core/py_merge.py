"""Merge a code block of Python definitions into an existing module, by name.

Small models write "the new `low_stock` method, inside its `class Inventory:` line" far more
reliably than SEARCH text copied character for character. So a code block under the path of
an existing `.py` file that is not the whole file is read as definitions to merge:

- a top-level `def` or `class` replaces the one of the same name, or is added at the end of
  the module (before an `if __name__ == "__main__":` block);
- inside a `class` the model repeats, each method, nested class or field replaces the
  member of the same name or is added (methods at the end of the class, fields after the
  last field, so a dataclass keeps its field order);
- imports the module lacks go after its imports; a new constant after them too; a simple
  assignment to an existing name replaces it;
- a definition whose body is only `...` or `pass` where the module has a real one is a
  "leave this as it is" placeholder, and is left alone;
- other top-level statements (example calls, prints) are not used, and said so.

Everything outside the merged definitions keeps its exact text. The module does not run or
import anything it merges.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

from desktop.errors import ChangeError

__all__ = ["MergeResult", "merge_definitions", "looks_like_whole_module", "complete_prefix"]


@dataclass
class MergeResult:
    text: str
    notes: list[str] = field(default_factory=list)


@dataclass
class _Op:
    start: int  # 0-based line index in the old text
    end: int  # exclusive; start == end inserts
    lines: list[str]
    order: int = 0  # insertions at the same place keep the answer's order
    rank: int = 0  # ...after this: a class's new members (0) before new top-level code (1)


def _split(text: str) -> list[str]:
    return text.split("\n")


def _first_line(node: ast.stmt) -> int:
    """0-based first line, decorators included."""
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators]) - 1


def _span(node: ast.stmt) -> tuple[int, int]:
    return _first_line(node), node.end_lineno  # end exclusive (end_lineno is 1-based inclusive)


def _member_key(node: ast.stmt) -> tuple[str, str] | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # A property's setter shares its getter's name: tell them apart by the decorator.
        for d in node.decorator_list:
            if isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter"):
                return ("def", f"{node.name}.{d.attr}")
        return ("def", node.name)
    if isinstance(node, ast.ClassDef):
        return ("def", node.name)
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return ("var", node.target.id)
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return ("var", node.targets[0].id)
    return None


def _is_placeholder(node: ast.stmt) -> bool:
    """`def f(): ...`, `pass`, or a docstring alone: "keep this as it is"."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                          and s.value.value is Ellipsis) for s in body)


def _is_main_guard(node: ast.stmt) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _has_call(node: ast.stmt) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _reindent(lines: list[str], old: str, new: str) -> list[str]:
    out = []
    for line in lines:
        if not line.strip():
            out.append("")
        elif line.startswith(old):
            out.append(new + line[len(old):])
        else:
            out.append(new + line.lstrip())
    return out


def _trim_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _parse(text: str, what: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as e:
        raise ChangeError(f"{what} is not valid Python (line {e.lineno}: {e.msg}), so it was not used.") from None


def _all_defined(tree: ast.Module) -> set[tuple[str, ...]]:
    """Every def and class by its dotted path (`Inventory.low_stock`), and top-level names."""
    found: set[tuple[str, ...]] = set()

    def visit(body: list[ast.stmt], prefix: tuple[str, ...]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(prefix + (node.name,))
                if isinstance(node, ast.ClassDef):
                    visit(node.body, prefix + (node.name,))

    visit(tree.body, ())
    for node in tree.body:  # module-level bindings too: an `__init__.py` may hold nothing else
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name,) for a in node.names)
        elif _member_key(node) is not None:
            found.add(_member_key(node))
    return found


_DEF_START = re.compile(r"^\s*(?:@|def\s|async\s+def\s|class\s)")


def complete_prefix(text: str) -> str:
    """The longest start of a cut-off block that ends before a definition and parses: the
    definitions it completed. "" if there is none."""
    lines = _split(text)
    for k in range(len(lines) - 1, 0, -1):
        if not _DEF_START.match(lines[k]) or lines[k - 1].lstrip().startswith("@"):
            continue  # cut only before a definition (before its decorators)
        candidate = "\n".join(lines[:k]).rstrip() + "\n"
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(tree)):
            return candidate
    return ""


def looks_like_whole_module(old_text: str, new_text: str) -> bool:
    """Does the block hold the whole module: every def, class (methods too), import and
    top-level assignment of the old text?

    Then it replaces the file. A block that leaves some out is part of the module, to merge.
    """
    try:
        old = ast.parse(old_text)
        new = ast.parse(new_text)
    except SyntaxError:
        return True  # not mergeable; the caller's whole-file handling reports it
    old_defs = _all_defined(old)
    return not old_defs or old_defs <= _all_defined(new)


class _Merger:
    def __init__(self, old_text: str, snippet: str, rel: str) -> None:
        self.rel = rel
        self.old_lines = _split(old_text)
        self.old = _parse(old_text, rel)
        self.snippet_lines = _split(snippet)
        self.snippet = self._parse_snippet(snippet)
        self.ops: list[_Op] = []
        self.notes: list[str] = []
        self.changed = False

    def _parse_snippet(self, snippet: str) -> ast.Module:
        try:
            return ast.parse(snippet)
        except SyntaxError as first:
            # Methods written without their class line are indented: read them dedented.
            dedented = textwrap.dedent(snippet)
            if dedented != snippet:
                try:
                    module = ast.parse(dedented)
                except SyntaxError:
                    pass
                else:
                    self.snippet_lines = _split(dedented)
                    return self._wrap_loose_methods(module)
            raise ChangeError(f"the code block for {self.rel} is not valid Python "
                              f"(line {first.lineno}: {first.msg}), so it was not used.") from None

    def _owner_class(self, names: set[str]) -> ast.ClassDef | None:
        """The class that has the most of these method names, or else the module's only class."""
        classes = [n for n in self.old.body if isinstance(n, ast.ClassDef)]
        counts = [(len(names & {getattr(m, "name", None) for m in c.body}), c) for c in classes]
        best = max((n for n, _ in counts), default=0)
        winners = [c for n, c in counts if n == best]
        if best > 0 and len(winners) == 1:
            return winners[0]
        return classes[0] if len(classes) == 1 else None

    def _owner_of_method(self, node: ast.stmt) -> ast.ClassDef | None:
        """A top-level `def f(self, ...)` is a method of a class (see _owner_class)."""
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        args = node.args.posonlyargs + node.args.args
        if not args or args[0].arg not in ("self", "cls"):
            return None
        return self._owner_class({node.name})

    def _wrap_loose_methods(self, module: ast.Module) -> ast.Module:
        """Indented defs with no class line: put them under their class's line."""
        owner = self._owner_class({n.name for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))})
        if owner is None:
            raise ChangeError(f"the code block for {self.rel} holds indented methods without their "
                              "`class` line, and the class they belong to is unclear; write the "
                              "`class Name:` line above them.")
        body = ["    " + line if line.strip() else "" for line in self.snippet_lines]
        self.snippet_lines = [f"class {owner.name}:"] + body
        return ast.parse("\n".join(self.snippet_lines))

    # -- helpers --------------------------------------------------------------------------

    def _snippet_text(self, node: ast.stmt) -> list[str]:
        start, end = _span(node)
        return self.snippet_lines[start:end]

    def _add(self, start: int, end: int, lines: list[str], *, rank: int = 0) -> None:
        self.ops.append(_Op(start, end, lines, order=len(self.ops), rank=rank))
        self.changed = True

    def _after_imports(self) -> int:
        """Index of the line after the module's docstring and its imports (before any def)."""
        pos = 0
        for i, node in enumerate(self.old.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
            if isinstance(node, (ast.Import, ast.ImportFrom)) or (i == 0 and _is_docstring(node)):
                pos = node.end_lineno
        return pos

    def _after_constants(self) -> int:
        pos = self._after_imports()
        for node in self.old.body:
            if node.lineno - 1 < pos:
                continue
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and not _has_call(node):
                pos = node.end_lineno
            elif not isinstance(node, (ast.Import, ast.ImportFrom)):
                break
        return pos

    def _module_end(self) -> int:
        for node in self.old.body:
            if _is_main_guard(node):
                return _first_line(node)
        n = len(self.old_lines)
        while n and not self.old_lines[n - 1].strip():
            n -= 1
        return n

    # -- merging --------------------------------------------------------------------------

    def run(self) -> MergeResult:
        old_by_key = {}
        for node in self.old.body:
            key = _member_key(node)
            if key and key not in old_by_key:
                old_by_key[key] = node
        imports = self._old_imports()
        for node in self.snippet.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._merge_import(node, imports)
            elif _is_docstring(node):
                continue
            elif _is_main_guard(node):
                self._merge_main(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                owner = None if _member_key(node) in old_by_key else self._owner_of_method(node)
                if owner is not None:
                    self._merge_class(ast.ClassDef(name=owner.name, body=[node]), owner)
                else:
                    self._merge_top_def(node, old_by_key.get(_member_key(node)))
            elif _member_key(node) is not None:
                self._merge_top_var(node, old_by_key.get(_member_key(node)))
            else:
                start, end = _span(node)
                self.notes.append(f"{self.rel}: top-level code at lines {start + 1}-{end} of the block "
                                  "(not a definition, import or assignment) was not used")
        return MergeResult(self._apply(), self.notes)

    def _old_imports(self) -> set[str]:
        seen = set()
        for node in ast.walk(self.old):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    seen.add(alias.asname or alias.name)
        return seen

    def _merge_import(self, node: ast.Import | ast.ImportFrom, seen: set[str]) -> None:
        missing = [a for a in node.names if (a.asname or a.name) not in seen]
        if not missing:
            return
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return  # a __future__ import must come first; never move one in
        lines = [l.strip() for l in self._snippet_text(node)]
        if len(missing) != len(node.names):
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in missing)
            if isinstance(node, ast.ImportFrom):
                lines = [f"from {'.' * node.level}{node.module or ''} import {names}"]
            else:
                lines = [f"import {names}"]
        seen.update(a.asname or a.name for a in missing)
        pos = self._after_imports()
        new_lines = list(lines)
        after_import = any(isinstance(n, (ast.Import, ast.ImportFrom)) and n.end_lineno == pos for n in self.old.body)
        first = not any(op.start == pos == op.end for op in self.ops)
        if pos and not after_import and first:
            new_lines = [""] + new_lines  # after the module docstring, not glued to it
        if pos < len(self.old_lines) and self.old_lines[pos].strip() and not after_import and first:
            new_lines.append("")
        self._add(pos, pos, new_lines)

    def _merge_main(self, node: ast.stmt) -> None:
        for old in self.old.body:
            if _is_main_guard(old):
                start, end = _span(old)
                self._add(start, end, self._snippet_text(node))
                return
        self._add(len(self.old_lines), len(self.old_lines), ["", ""] + self._snippet_text(node), rank=1)

    def _merge_top_def(self, node: ast.stmt, old: ast.stmt | None) -> None:
        if old is None:
            if _is_placeholder(node) and not isinstance(node, ast.ClassDef):
                self.notes.append(f"{self.rel}: `{node.name}` has no body (only `...` or `pass`); "
                                  "it was added as written")
            pos = self._first_use(node.name)
            if pos is None:
                self._add(self._module_end(), self._module_end(), ["", ""] + self._snippet_text(node), rank=1)
            else:  # module-level code uses it while the module loads: define it before that
                self._add(pos, pos, self._snippet_text(node) + ["", ""], rank=1)
            return
        if _is_placeholder(node):
            return  # "keep as it is"
        if isinstance(node, ast.ClassDef) and isinstance(old, ast.ClassDef):
            self._merge_class(node, old)
            return
        start, end = _span(old)
        if self.old_lines[start:end] != self._snippet_text(node):
            self._add(start, end, self._snippet_text(node))

    def _first_use(self, name: str) -> int | None:
        """First line of module-level code (not inside a def) that uses `name` at import time,
        as the file is now or as the block rewrites it."""
        new_by_key = {_member_key(n): n for n in self.snippet.body if _member_key(n)}
        for node in self.old.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom)):
                continue
            versions = [node]
            if _member_key(node) in new_by_key:
                versions.append(new_by_key[_member_key(node)])
            for version in versions:
                if isinstance(version, ast.ClassDef):
                    exprs = version.bases + version.keywords + version.decorator_list
                    exprs += [m for m in version.body if not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
                else:
                    exprs = [version]
                if any(isinstance(n, ast.Name) and n.id == name for e in exprs for n in ast.walk(e)):
                    return _first_line(node)
        return None

    def _merge_top_var(self, node: ast.stmt, old: ast.stmt | None) -> None:
        lines = self._snippet_text(node)
        if old is not None:
            start, end = _span(old)
            if self.old_lines[start:end] != lines:
                self._add(start, end, lines)
            return
        if _has_call(node):
            self._add(self._module_end(), self._module_end(), lines, rank=1)
        else:
            self._add(self._after_constants(), self._after_constants(), lines)

    def _merge_class(self, new: ast.ClassDef, old: ast.ClassDef) -> None:
        old_members = {}
        for member in old.body:
            key = _member_key(member)
            if key and key not in old_members:
                old_members[key] = member
        body_indent = _indent_of(self.old_lines[old.body[0].lineno - 1])
        new_body = [m for m in new.body if not _is_docstring(m) and not isinstance(m, ast.Pass)
                    and not (isinstance(m, ast.Expr) and isinstance(m.value, ast.Constant))]
        if not new_body:
            return
        new_indent = _indent_of(self.snippet_lines[new_body[0].lineno - 1])
        fields = [m for m in old.body if isinstance(m, (ast.AnnAssign, ast.Assign))]
        field_pos = fields[-1].end_lineno if fields else (
            old.body[0].end_lineno if _is_docstring(old.body[0]) else old.body[0].lineno - 1)
        # New methods go after the class's last line of code (not after trailing blank lines).
        class_end = old.end_lineno
        for member in new_body:
            key = _member_key(member)
            text = _reindent(self._snippet_text(member), new_indent, body_indent)
            target = old_members.get(key) if key else None
            if target is not None:
                if _is_placeholder(member):
                    continue
                if isinstance(member, ast.ClassDef) and isinstance(target, ast.ClassDef):
                    self._merge_class(member, target)  # nested class: merge its members too
                    continue
                start, end = _span(target)
                if self.old_lines[start:end] != text:
                    self._add(start, end, text)
            elif key is None:
                start, end = _span(member)
                self.notes.append(f"{self.rel}: a statement in `class {new.name}` at lines "
                                  f"{start + 1}-{end} of the block was not used")
            elif key[0] == "var":
                self._add(field_pos, field_pos, text)
            else:
                self._add(class_end, class_end, [""] + text)

    def _apply(self) -> str:
        lines = list(self.old_lines)
        # Bottom-up, so earlier indices stay valid; same-place insertions in answer order.
        groups: dict[tuple[int, int], list[_Op]] = {}
        for op in self.ops:
            groups.setdefault((op.start, op.end), []).append(op)
        spans = sorted(groups, reverse=True)
        last_start = None
        for start, end in spans:
            if last_start is not None and end > last_start:
                raise ChangeError(f"the code block for {self.rel} changes overlapping parts of the "
                                  "file (the same definition twice?), so it was not used.")
            ops = sorted(groups[(start, end)], key=lambda o: (o.rank, o.order))
            if start == end:
                new_lines = [line for op in ops for line in op.lines]
            else:
                new_lines = ops[-1].lines  # the last version of one definition wins
            lines[start:end] = new_lines
            last_start = start
        return "\n".join(lines)


def merge_definitions(old_text: str, snippet: str, *, rel: str) -> MergeResult:
    """The module after merging the snippet's definitions (unchanged if they are all there
    already); ChangeError if the snippet is not Python or cannot be placed."""
    merger = _Merger(old_text, snippet, rel)
    result = merger.run()
    if not merger.changed:
        return MergeResult(old_text, result.notes)  # a no-op: flagged by the change, not an error
    text = result.text
    lines = _trim_blank(_split(text))
    result.text = "\n".join(lines) + ("\n" if old_text.endswith("\n") else "")
    return result
