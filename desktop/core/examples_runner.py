"""Run a file of example checks, each top-level statement on its own, and report each one.

This file runs as a script in a scratch copy of the codebase (`python -c <this source>
EXAMPLES_FILE`), with the user's Python, so it uses the standard library only and imports
nothing from Plansmith. One JSON line per check goes to stdout: the statement's line and
source, whether it passed, and for a failed `assert a == b` what `a` gave (and its type, when it
is not the expected value's). A statement that fails does not hide the ones after it; a failed
import or definition fails the rest with its reason. `test_*` functions the file defines are
called too, after its statements.
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import signal
import sys
import traceback

RESULT_MARK = "@@plansmith-example "
STATEMENT_SECONDS = 5  # one check that never ends must not take the others with it


class _TooLong(Exception):
    pass


def _alarm(signum, frame):
    raise _TooLong(f"took longer than {STATEMENT_SECONDS} s")


@contextlib.contextmanager
def _time_limit():
    timed = hasattr(signal, "setitimer")  # POSIX; elsewhere only the whole run's limit holds
    if timed:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, STATEMENT_SECONDS)
    try:
        yield
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _short(value: object, limit: int = 300) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a repr that raises is itself worth saying
        text = f"<repr failed: {type(exc).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."


def _equal(got: object, expected: object) -> bool:
    if isinstance(got, float) or isinstance(expected, float):
        try:
            return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]
        except TypeError:
            return False
    return got == expected


def _error(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    own = {"<examples>", "<string>", globals().get("__file__", "")}
    for frame in reversed(frames):
        if frame.filename not in own:
            where = f" (in {frame.filename.rsplit('/', 1)[-1]}, line {frame.lineno}: {(frame.line or '').strip()})"
            break
    message = str(exc)
    if isinstance(exc, _TooLong):
        return f"{message}{where}"
    return f"{type(exc).__name__}{': ' + message if message else ''}{where}"


def _run_statement(node: ast.stmt, source: str, scope: dict) -> dict:
    text = ast.get_source_segment(source, node) or ""
    result = {"line": node.lineno, "source": text, "ok": True}
    try:
        with _time_limit():
            _check(node, source, scope, result)
    except AssertionError as exc:
        result.update(ok=False, error=_error(exc) if str(exc) else "AssertionError")
    except BaseException as exc:  # the code under test may raise anything, SystemExit included
        result.update(ok=False, error=_error(exc))
    return result


def _check(node: ast.stmt, source: str, scope: dict, result: dict) -> None:
    """`assert a == b` evaluates both sides, to say what `a` gave; anything else just runs."""
    test = node.test if isinstance(node, ast.Assert) else None
    if (test is not None and isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        got = eval(compile(ast.Expression(test.left), "<examples>", "eval"), scope)
        expected = eval(compile(ast.Expression(test.comparators[0]), "<examples>", "eval"), scope)
        if not _equal(got, expected):
            result.update(ok=False, error="AssertionError", got=_short(got), expected=_short(expected))
            if _other_kind(got, expected):  # `['a']` and `('a',)` look alike; say which differs
                result["kind"] = f"{_a(type(got).__name__)} where {_a(type(expected).__name__)} is expected"
    else:
        exec(compile(ast.Module([node], type_ignores=[]), "<examples>", "exec"), scope)


def _a(name: str) -> str:
    return ("an " if name[:1] in "aeiou" else "a ") + name


def _other_kind(got: object, expected: object) -> bool:
    """A value of another type than expected, None and numbers aside (`gave None` says it; 2 and
    2.5 differ by value)."""
    numbers = (int, float, complex)
    return (type(got) is not type(expected) and got is not None and expected is not None
            and not (isinstance(got, numbers) and isinstance(expected, numbers)))


def run_examples(source: str):
    """Each check's result, in order, as it is known."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        yield {"line": exc.lineno or 0, "source": (exc.text or "").strip(), "ok": False,
               "error": f"SyntaxError in the examples: {exc.msg}"}
        return
    scope: dict = {"__name__": "__plansmith_examples__"}
    setup_error = ""
    for node in tree.body:
        checks = isinstance(node, (ast.Assert, ast.Expr))
        if setup_error:
            yield {"line": node.lineno, "source": ast.get_source_segment(source, node) or "",
                   "ok": False, "error": setup_error}
            continue
        outcome = _run_statement(node, source, scope)
        if checks:
            yield outcome
        elif not outcome["ok"]:
            setup_error = f"not run: `{outcome['source'][:120]}` failed: {outcome['error']}"
            yield outcome
    if not setup_error:
        for name, value in list(scope.items()):
            if name.startswith("test_") and callable(value):
                line = getattr(getattr(value, "__code__", None), "co_firstlineno", 0)
                outcome = {"line": line, "source": f"{name}()", "ok": True}
                try:
                    with _time_limit():
                        value()
                except BaseException as exc:
                    outcome.update(ok=False, error=_error(exc) if str(exc) else type(exc).__name__)
                yield outcome


def main(argv: list[str]) -> int:
    sys.path.insert(0, ".")
    with open(argv[1], encoding="utf-8") as handle:
        source = handle.read()
    failed = False
    for result in run_examples(source):
        failed = failed or not result["ok"]
        sys.__stdout__.write("\n" + RESULT_MARK + json.dumps(result) + "\n")
        sys.__stdout__.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
