"""Whether Python code only computes: what lets the plan's examples run without being asked.

The plan's examples run by default only when every file they load is plain computation: it
imports nothing but standard-library modules that compute (no files, processes, network or
interpreter internals), calls none of the builtins that reach outside (`open`, `exec`,
`__import__`, `getattr`, ...) and touches none of the attributes that lead back to them
(`__globals__`, `__subclasses__`, frames). The check reads the code (its syntax tree), runs
nothing, and follows imports into the codebase's own modules. It is conservative: code it
cannot vouch for is named with the reason, and runs only when the user turns the examples on
for any code.
"""

from __future__ import annotations

import ast
from pathlib import Path

# Standard-library modules that only compute.
COMPUTING_MODULES = frozenset({
    "__future__", "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
    "colorsys", "copy", "dataclasses", "datetime", "decimal", "difflib", "enum", "fractions",
    "functools", "graphlib", "hashlib", "heapq", "itertools", "json", "keyword", "math", "numbers",
    "operator", "pprint", "random", "re", "reprlib", "statistics", "string", "struct", "textwrap",
    "typing", "typing_extensions", "unicodedata", "zlib",
})
# Builtins that read or write outside the program, or reach the interpreter's internals.
REACHING_BUILTINS = frozenset({
    "open", "exec", "eval", "compile", "__import__", "input", "breakpoint", "globals", "locals",
    "vars", "getattr", "setattr", "delattr", "exit", "quit", "help", "memoryview", "__builtins__",
    "__loader__", "__spec__",
})
# Attributes that lead from an ordinary object back to modules, code or frames.
REACHING_ATTRIBUTES = frozenset({
    "__class__", "__bases__", "__base__", "__mro__", "__subclasses__", "__globals__", "__builtins__",
    "__dict__", "__code__", "__closure__", "__func__", "__self__", "__module__", "__loader__",
    "__spec__", "__import__", "__getattribute__", "__reduce__", "__reduce_ex__", "__init_subclass__",
    "__subclasshook__", "__traceback__", "f_globals", "f_locals", "f_back", "f_builtins", "f_code",
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "tb_frame", "tb_next", "co_code",
})
# Modules that standard-library modules hold as attributes (`calendar.sys`, `random._os`).
REACHING_MODULES = frozenset({
    "sys", "os", "inspect", "builtins", "importlib", "subprocess", "io", "shutil", "socket", "types",
    "posix", "nt", "ctypes", "pathlib", "tempfile", "threading", "signal", "gc", "marshal", "pickle",
    "runpy", "code", "codecs", "linecache", "tokenize", "warnings", "atexit", "select", "mmap",
})
MAX_FILES = 200  # a module tree larger than this is not vouched for


def why_not_computing(root: Path, entry: str) -> str | None:
    """None when `entry` (a path under `root`) and every codebase module it imports only
    compute; else the first reason found ("`util.py` imports `os`")."""
    root = Path(root)
    queue, seen = [entry], set()
    while queue:
        rel = queue.pop()
        if rel in seen:
            continue
        seen.add(rel)
        if len(seen) > MAX_FILES:
            return f"the examples load more than {MAX_FILES} files"
        try:
            source = (root / rel).read_text(encoding="utf-8")
            tree = ast.parse(source, filename=rel)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
            return f"`{rel}` cannot be read as Python ({type(exc).__name__})"
        reason = _reaches_out(tree)
        if reason:
            return f"`{rel}` {reason}"
        for module in _imports(tree, rel):
            files = _module_files(root, module)  # the codebase's own first: it shadows the library
            if files is None and module.split(".")[0] in COMPUTING_MODULES:
                continue
            if files is None:
                return f"`{rel}` imports `{module}`"
            queue.extend(files)
    return None


def _reaches_out(tree: ast.AST) -> str | None:
    modules = _module_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in REACHING_BUILTINS:
            return f"uses `{node.id}`"
        if isinstance(node, ast.Attribute):
            if node.attr in REACHING_ATTRIBUTES or node.attr in REACHING_MODULES:
                return f"uses `.{node.attr}`"
            if node.attr.startswith("_") and _root_name(node) in modules:
                return f"uses a module's private `.{node.attr}`"
        if isinstance(node, ast.ImportFrom) and not node.level:
            for alias in node.names:
                if alias.name in REACHING_MODULES or alias.name.startswith("_"):
                    return f"imports `{alias.name}` from `{node.module}`"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _names_internals(node.value):
            return f"names `{node.value[:40]}`"  # attrgetter("__globals__"), "{0.__class__}".format
    return None


def _names_internals(text: str) -> bool:
    return text in REACHING_ATTRIBUTES or any(a in text for a in REACHING_ATTRIBUTES if a.startswith("__"))


def _module_aliases(tree: ast.AST) -> set[str]:
    """The names `import` statements bind to modules."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return names


def _root_name(node: ast.Attribute) -> str | None:
    value = node.value
    while isinstance(value, ast.Attribute):
        value = value.value
    return value.id if isinstance(value, ast.Name) else None


def _imports(tree: ast.AST, rel: str) -> list[str]:
    """The modules `tree` imports, relative imports resolved against `rel`'s package."""
    package = Path(rel).parent.parts  # a module's package, or an `__init__.py`'s own
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level - 1 <= len(package) else None
                if base is None:
                    found.append("." * node.level + (node.module or ""))  # above the codebase: not found
                    continue
                prefix = ".".join((*base, node.module) if node.module else base)
                if not prefix:
                    found.extend(alias.name for alias in node.names)  # `from . import x` at the top
                    continue
                found.append(prefix)
                found.extend(f"{prefix}.{alias.name}" for alias in node.names if alias.name != "*")
            elif node.module:
                found.append(node.module)
                found.extend(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _module_files(root: Path, module: str) -> list[str] | None:
    """The codebase files importing `module` runs (its packages' `__init__.py` too), or None
    when it is not the codebase's. In `from pkg import name`, a name that is not a module
    gives the package's files."""
    parts = module.split(".")
    if not all(p.isidentifier() for p in parts):
        return None
    files: list[str] = []
    for depth in range(1, len(parts) + 1):
        here = Path(*parts[:depth])
        if (root / here / "__init__.py").is_file():
            files.append((here / "__init__.py").as_posix())
        elif (root / here.with_suffix(".py")).is_file():
            files.append(here.with_suffix(".py").as_posix())
            return files
        elif not (root / here).is_dir():  # a namespace package is a plain folder
            return files if depth > 1 else None
    return files
