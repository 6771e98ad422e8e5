"""Changes that would break a file start unticked, with the reason, in the run and the bench."""

from __future__ import annotations

from pathlib import Path

from desktop.core.changes import ChangeSet
from desktop.core.risky_changes import removed_definitions, replaces_most, untick_risky_changes

F = "```"


def whole(path: str, text: str) -> str:
    return f"{path}\n{F}python\n{text}{F}\n\n"


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "code"
    root.mkdir()
    (root / "shop.py").write_text("class Cart:\n    def total(self):\n        return 0\n\n    def add(self, x):\n"
                                  "        pass\n\n\ndef helper():\n    return 1\n\n\ndef lonely():\n    return 2\n")
    (root / "app.py").write_text("from shop import Cart, helper\n\nprint(Cart().add(1), helper())\n")
    return root


def sr(path: str, search: str, replace: str) -> str:
    return f"{path}\n{F}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n{F}\n\n"


def files_of(root: Path):
    return lambda: [(p.name, p.read_text()) for p in root.glob("*.py")]


def test_a_change_that_no_longer_parses_starts_unticked_with_its_reason(tmp_path):
    root = repo(tmp_path)
    changeset = ChangeSet.from_answer(whole("shop.py", "class Cart:\n    def total(self)\n        return 1\n"), root=root)
    found = untick_risky_changes(changeset, other_files=files_of(root))
    change = changeset.get("shop.py")
    assert found == [("shop.py", change.flag)] and not change.accepted
    assert "no longer parse (line 2" in change.flag
    assert ChangeSet.from_dict(changeset.to_dict(), root=root).get("shop.py").flag == change.flag  # kept in the record


def test_dropping_definitions_other_files_use_unticks_and_unused_ones_are_only_noted(tmp_path):
    root = repo(tmp_path)
    changeset = ChangeSet.from_answer(sr("shop.py", "def lonely():\n    return 2\n", ""), root=root)
    assert untick_risky_changes(changeset, other_files=files_of(root)) == []
    change = changeset.get("shop.py")
    assert change.accepted and not change.flag and any("`lonely` (no other file uses them)" in n for n in change.notes)
    dropped = ChangeSet.from_answer(sr("shop.py", "    def add(self, x):\n        pass\n\n\ndef helper():\n    return 1\n", ""),
                                    root=root)
    (path, reason), = untick_risky_changes(dropped, other_files=files_of(root))
    assert path == "shop.py" and "`Cart.add`, `helper`" in reason and "which other files use" in reason
    assert not dropped.get("shop.py").accepted


def test_a_file_that_did_not_parse_before_or_is_not_python_is_not_flagged():
    assert removed_definitions("x.py", "def f(:\n", "def g(:\n") == ("", [])
    assert removed_definitions("notes.md", "# a\n", "") == ("", [])
    assert removed_definitions("new.py", None, "def f():\n    return 1\n") == ("", [])


def test_a_change_that_replaces_most_of_a_file_starts_unticked(tmp_path):
    root = tmp_path / "code"
    root.mkdir()
    body = "".join(f"function f{i}(x) {{\n  const y = x + {i};\n  return y * {i};\n}}\n\n" for i in range(20))
    (root / "many.js").write_text(body)
    cut = ChangeSet.from_answer(whole("many.js", "function f0(x) {\n  return x;\n}\n"), root=root)  # 80 lines -> 3
    (path, reason), = untick_risky_changes(cut)
    assert path == "many.js" and "replaces most of the file" in reason and "leaves 3" in reason
    assert not cut.get("many.js").accepted
    # The same file rewritten at the same length, and a long-docstring stub implemented without
    # its docstring, are ordinary changes.
    rewritten = body.replace("const y = x +", "const y = x -")
    ok = ChangeSet.from_answer(whole("many.js", rewritten), root=root)
    assert untick_risky_changes(ok) == [] and ok.get("many.js").accepted
    doc = "\n".join(f"    Example {i}: f({i}) == {i * 2}" for i in range(30))
    (root / "stub.py").write_text(f'from typing import List\n\n\ndef f(x: int) -> int:\n    """Double it.\n{doc}\n    """\n    pass\n')
    stub = ChangeSet.from_answer(whole("stub.py", "def f(x: int) -> int:\n    return x * 2\n"), root=root)
    assert untick_risky_changes(stub) == [] and stub.get("stub.py").accepted
    documented = "".join(f'def g{i}(x):\n    """Doc {i}.\n\n    More.\n    """\n    return x + {i}\n\n\n' for i in range(12))
    bare = "".join(f"def g{i}(x):\n    return x + {i}\n\n\n" for i in range(12))
    assert replaces_most("m.py", old_text=documented, new_text=bare) == ""  # docstrings are not code
    assert "keeps 2 of its 24" in replaces_most("m.py", old_text=documented, new_text="def g0(x):\n    return x + 0\n")
