"""Templates with {{ expressions }}, filters, {% if %} and {% for %}.

    {{ user.name|upper }}            variable with a filter
    {{ title|truncate:20 }}          filter with an argument (after ':'; several with ',')
    {{ name|default:"someone" }}     quoted arguments may contain ',' and ':'
    {% if user.admin %}...{% else %}...{% endif %}
    {% for item in items %}{{ item }}{% endfor %}

Lookups: 'a.b' reads key 'b' of a dict, else attribute 'b'. An undefined name raises
UndefinedError.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Callable

_TOKEN_RE = re.compile(r"({{.*?}}|{%.*?%})", re.S)
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ARG_RE = re.compile(r'"([^"]*)"|([^,]+)')


class TemplateError(Exception):
    """The template is malformed or uses an unknown filter."""


class UndefinedError(TemplateError):
    """A variable used by the template is not in the context."""


def _truncate(value: Any, length: str = "20") -> str:
    text, n = str(value), int(length)
    return text if len(text) <= n else text[: max(n - 1, 0)] + "…"


FILTERS: dict[str, Callable[..., Any]] = {
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "title": lambda v: str(v).title(),
    "strip": lambda v: str(v).strip(),
    "length": lambda v: len(v),
    "escape": lambda v: html.escape(str(v)),
    "truncate": _truncate,
    "join": lambda v, sep=", ": sep.join(str(x) for x in v),
}


# -- nodes ---------------------------------------------------------------------------------


@dataclass
class Text:
    text: str


@dataclass
class Output:
    expr: str
    filters: list[tuple[str, list[str]]]


@dataclass
class If:
    expr: str
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)


@dataclass
class For:
    var: str
    expr: str
    body: list = field(default_factory=list)


# -- parsing -------------------------------------------------------------------------------


def _parse_args(raw: str) -> list[str]:
    """'"a, b",3' -> ['a, b', '3']; surrounding spaces of unquoted args are removed."""
    args = []
    for match in _ARG_RE.finditer(raw):
        quoted, bare = match.groups()
        args.append(quoted if quoted is not None else bare.strip())
    return args


def _split_filters(text: str) -> list[str]:
    """Split on '|' outside double quotes."""
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "|" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _parse_output(inner: str) -> Output:
    expr, *filter_parts = [p.strip() for p in _split_filters(inner)]
    if not _NAME_RE.match(expr):
        raise TemplateError(f"bad expression: {expr!r}")
    filters = []
    for part in filter_parts:
        name, _, raw_args = part.partition(":")
        filters.append((name.strip(), _parse_args(raw_args) if raw_args else []))
    return Output(expr, filters)


def parse(source: str) -> list:
    """Turn template text into a list of nodes; raises TemplateError for bad nesting."""
    root: list = []
    stack: list[tuple[Any, list]] = [(None, root)]
    for token in _TOKEN_RE.split(source):
        if not token:
            continue
        target = stack[-1][1]
        if token.startswith("{{"):
            target.append(_parse_output(token[2:-2].strip()))
        elif token.startswith("{%"):
            words = token[2:-2].split()
            if not words:
                raise TemplateError("empty tag")
            keyword = words[0]
            if keyword == "if" and len(words) == 2:
                node = If(words[1])
                target.append(node)
                stack.append((node, node.body))
            elif keyword == "else" and isinstance(stack[-1][0], If):
                node = stack.pop()[0]
                stack.append((node, node.orelse))
            elif keyword == "endif" and isinstance(stack[-1][0], If):
                stack.pop()
            elif keyword == "for" and len(words) == 4 and words[2] == "in":
                node = For(words[1], words[3])
                target.append(node)
                stack.append((node, node.body))
            elif keyword == "endfor" and isinstance(stack[-1][0], For):
                stack.pop()
            else:
                raise TemplateError(f"unexpected tag: {token}")
        else:
            target.append(Text(token))
    if len(stack) != 1:
        raise TemplateError("unclosed block")
    return root


# -- rendering -----------------------------------------------------------------------------


def resolve(expr: str, context: dict[str, Any]) -> Any:
    """Value of a dotted name; raises UndefinedError if any part is missing."""
    first, *rest = expr.split(".")
    if first not in context:
        raise UndefinedError(f"undefined: {expr}")
    value = context[first]
    for part in rest:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif hasattr(value, part):
            value = getattr(value, part)
        else:
            raise UndefinedError(f"undefined: {expr}")
    return value


class Template:
    def __init__(self, source: str, *, filters: dict[str, Callable[..., Any]] | None = None):
        self.source = source
        self.filters = {**FILTERS, **(filters or {})}
        self.nodes = parse(source)
        self._check_filters(self.nodes)

    def _check_filters(self, nodes: list) -> None:
        for node in nodes:
            if isinstance(node, Output):
                for name, _ in node.filters:
                    if name not in self.filters:
                        raise TemplateError(f"unknown filter: {name}")
            elif isinstance(node, If):
                self._check_filters(node.body)
                self._check_filters(node.orelse)
            elif isinstance(node, For):
                self._check_filters(node.body)

    def _output(self, node: Output, context: dict[str, Any]) -> str:
        value = resolve(node.expr, context)
        for name, args in node.filters:
            value = self.filters[name](value, *args)
        return "" if value is None else str(value)

    def _render(self, nodes: list, context: dict[str, Any], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Output):
                out.append(self._output(node, context))
            elif isinstance(node, If):
                branch = node.body if resolve(node.expr, context) else node.orelse
                self._render(branch, context, out)
            elif isinstance(node, For):
                for item in resolve(node.expr, context):
                    self._render(node.body, {**context, node.var: item}, out)

    def render(self, context: dict[str, Any] | None = None, **values: Any) -> str:
        ctx = {**(context or {}), **values}
        out: list[str] = []
        self._render(self.nodes, ctx, out)
        return "".join(out)


def render(source: str, context: dict[str, Any] | None = None, **values: Any) -> str:
    """Parse and render in one call."""
    return Template(source).render(context, **values)
