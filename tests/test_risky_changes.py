"""Changes that would break a file start unticked, with the reason, in the run and the bench."""

from __future__ import annotations

from pathlib import Path

from desktop.core.changes import ChangeSet
from desktop.core.risky_changes import removed_definitions, untick_risky_changes

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
