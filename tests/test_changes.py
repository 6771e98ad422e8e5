"""ChangeSet: edits checked against real files (paths, matching, warnings), hunks, reports."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from desktop.core.changes import ChangeSet, FileChange
from desktop.errors import ChangeError

F = "```"


def sr(path: str, search: str, replace: str) -> str:
    """One SEARCH/REPLACE block as a model writes it."""
    return f"{path}\n{F}python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n{F}\n\n"


def whole(path: str, content: str) -> str:
    return f"{path}\n{F}\n{content}{F}\n\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    (r / "pkg").mkdir(parents=True)
    (r / "pkg" / "app.py").write_text(
        "import os\n\n\ndef greet(name):\n    return 'hi ' + name\n\n\n"
        "class Box:\n    def size(self):\n        return 1\n")
    return r


def test_modify_new_and_summary(root):
    answer = (sr("pkg/app.py", "def greet(name):\n    return 'hi ' + name\n",
                 "def greet(name):\n    return f'hi {name}'\n")
              + sr("pkg/util.py", "", "X = 1\nY = 2\n"))
    cs = ChangeSet.from_answer(answer, root=root)
    app, util = cs.changes
    assert (app.kind, util.kind) == ("modify", "new")
    assert "return f'hi {name}'" in app.new_text and app.old_text.count("\n") == 10
    assert util.new_text == "X = 1\nY = 2\n" and util.old_text is None
    assert cs.summary() == "modify pkg/app.py (+1 -1)\nnew  pkg/util.py (+2)"
    assert cs.problems_report() == ""
    assert [c.path for c in cs.accepted()] == ["pkg/app.py", "pkg/util.py"]


@pytest.mark.parametrize("raw", ["../../etc/passwd", "/etc/passwd", "C:\\x", "..\\..\\x.py",
                                 ".git/config", "pkg/../../out.py", "~/.bashrc"])
def test_hostile_paths_are_refused(root, raw):
    cs = ChangeSet.from_answer(whole(raw, "pwned\n") + sr(raw, "", "pwned\n"), root=root)
    (change,) = cs.changes
    assert change.kind == "rejected" and change.refused and not change.accepted
    assert change.problems[0].startswith("refused: ")
    assert cs.accepted() == [] and cs.unified_diff() == ""
    assert f"rejected {raw}: refused" in cs.summary()


def test_paths_through_an_escaping_symlink_are_refused(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("S = 1\n")
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "file_link.py").symlink_to(root / "pkg" / "app.py")
    cs = ChangeSet.from_answer(sr("link/secret.py", "S = 1\n", "S = 2\n")
                               + whole("link/new.py", "N = 1\n")
                               + whole("file_link.py", "x = 1\n"), root=root)
    assert [c.kind for c in cs.changes] == ["rejected"] * 3
    assert "path leaves the codebase: link/secret.py" in cs.changes[0].problems[0]
    assert cs.changes[0].old_text is None  # the file outside was never read
    assert "symbolic link" in cs.changes[2].problems[0]


def test_backslashes_and_dot_segments_name_the_same_file(root):
    cs = ChangeSet.from_answer(sr("pkg\\app.py", "import os\n", "import sys\n")
                               + sr("./pkg/app.py", "class Box:\n", "class Crate:\n"), root=root)
    (change,) = cs.changes
    assert change.path == "pkg/app.py" and change.problems == []
    assert "import sys" in change.new_text and "class Crate" in change.new_text


def test_trailing_whitespace_and_indentation_differences_are_tolerated(root):
    answer = (sr("pkg/app.py", "import os   \n", "import sys\n")
              # The model dropped the method's indentation; the replacement is re-indented.
              + sr("pkg/app.py", "def size(self):\n    return 1\n",
                   "def size(self):\n    return 2\n\ndef empty(self):\n    return False\n"))
    change = ChangeSet.from_answer(answer, root=root).changes[0]
    assert change.problems == []
    assert change.new_text.startswith("import sys\n")
    assert change.new_text.endswith("    def size(self):\n        return 2\n\n"
                                    "    def empty(self):\n        return False\n")


def test_blank_lines_around_search_do_not_block_the_match(root):
    change = ChangeSet.from_answer(sr("pkg/app.py", "\nclass Box:\n\n", "\nclass Crate:\n\n"),
                                   root=root).changes[0]
    assert change.problems == [] and "\n\n\nclass Crate:\n    def size" in change.new_text


def test_ambiguous_search_is_a_problem_but_an_exact_unique_match_wins(root):
    (root / "dup.py").write_text("x = 1\ny = 0\nx = 1\n    x = 1\nz = 2  \nz = 2\n")
    cs = ChangeSet.from_answer(sr("dup.py", "x = 1\n", "x = 9\n")
                               + sr("dup.py", "z = 2\n", "z = 3\n"), root=root)
    change = cs.changes[0]
    assert len(change.problems) == 1
    assert "matches 2 places in dup.py (lines 1, 3)" in change.problems[0]
    # "z = 2" is exact once (line 6) though it also matches line 5 ignoring whitespace.
    assert change.new_text == "x = 1\ny = 0\nx = 1\n    x = 1\nz = 2  \nz = 3\n"


def test_failed_block_is_quoted_with_the_closest_lines_and_others_are_kept(root):
    answer = (sr("pkg/app.py", "import os\n", "import os\nimport re\n")
              + sr("pkg/app.py", "def greet(person):\n    return 'hi ' + person\n", "pass\n"))
    cs = ChangeSet.from_answer(answer, root=root)
    change = cs.changes[0]
    assert change.kind == "modify" and "import re" in change.new_text
    assert len(change.problems) == 1
    assert cs.summary() == "modify pkg/app.py (+1 -0) [1 edit failed]"
    report = cs.problems_report()
    assert "SEARCH block 2 (answer line 13) does not match pkg/app.py" in report
    assert "    | def greet(person):" in report  # what the model wrote
    assert "applied (lines 5-6):" in report and "       5| def greet(name):" in report


def test_all_blocks_failing_rejects_the_file(root):
    cs = ChangeSet.from_answer(sr("pkg/app.py", "nothing like this\n", "x\n"), root=root)
    change = cs.changes[0]
    assert change.kind == "rejected" and not change.refused and change.new_text is None
    assert "Nothing in pkg/app.py resembles it." in change.problems[0]


def test_empty_search_is_only_for_new_or_empty_files(root):
    (root / "empty.py").write_text("")
    (root / "notes.txt").write_text("keep\n")
    cs = ChangeSet.from_answer(sr("notes.txt", "", "x = 1\n") + sr("empty.py", "", "E = 1\n")
                               + sr("missing.py", "a = 1\n", "a = 2\n")
                               + sr("pkg/app.py", "", "def wave(name):\n    return 'bye ' + name\n"), root=root)
    notes, empty, missing, app = cs.changes
    assert notes.kind == "rejected" and "already exists and is not empty" in notes.problems[0]
    assert empty.kind == "modify" and empty.new_text == "E = 1\n"
    # On an existing Python module an empty SEARCH means "add these definitions".
    assert app.kind == "modify" and not app.problems
    assert app.new_text.startswith("import os\n") and app.new_text.endswith("def wave(name):\n    return 'bye ' + name\n")
    assert "class Box:" in app.new_text
    assert missing.kind == "rejected" and "missing.py does not exist" in missing.problems[0]


def test_blocks_apply_in_order_on_the_evolving_text(root):
    answer = (sr("pkg/app.py", "import os\n", "import os\nimport json\n")
              + sr("pkg/app.py", "import json\n", "import json  # for dumps\n"))
    change = ChangeSet.from_answer(answer, root=root).changes[0]
    assert change.problems == [] and change.new_text.startswith("import os\nimport json  # for")


def test_whole_file_replacement_keeps_a_missing_final_newline(root):
    (root / "cfg.py").write_text("A = 1")
    change = ChangeSet.from_answer(whole("cfg.py", "A = 2\n"), root=root).changes[0]
    assert change.kind == "replace" and change.new_text == "A = 2"


def test_whole_file_that_drops_most_lines_is_flagged(root):
    (root / "big.cfg").write_text("".join(f"V{i} = {i}\n" for i in range(20)))
    change = ChangeSet.from_answer(whole("big.cfg", "V0 = 0\n"), root=root).changes[0]
    assert change.kind == "replace"
    assert any("removes 19 of 20 lines" in w for w in change.warnings)
    # A Python module is merged instead: the names the block leaves out are kept.
    (root / "big.py").write_text("".join(f"V{i} = {i}\n" for i in range(20)))
    change = ChangeSet.from_answer(whole("big.py", "V0 = 100\n"), root=root).changes[0]
    assert change.kind == "modify" and change.counts() == (1, 1)


def test_syntax_error_is_a_warning_not_a_rejection(root):
    cs = ChangeSet.from_answer(sr("pkg/app.py", "def greet(name):\n", "def greet(name:\n"),
                               root=root)
    change = cs.changes[0]
    assert change.kind == "modify" and change.accepted
    assert change.warnings[0].startswith("Python no longer parses: line 4: ")
    assert "4| def greet(name:" in change.warnings[0]
    assert "pkg/app.py: Python no longer parses: line 4" in cs.problems_report()


def test_crlf_file_is_normalised_for_review(root):
    (root / "win.py").write_bytes(b"a = 1\r\nb = 2\r\n")
    change = ChangeSet.from_answer(sr("win.py", "b = 2\n", "b = 3\n"), root=root).changes[0]
    assert change.eol == "\r\n" and change.old_text == "a = 1\nb = 2\n"
    assert "\r" not in change.diff() and "+b = 3\n" in change.diff()
    assert "+b = 3\r\n" in change.diff(on_disk=True)


def test_binary_and_non_utf8_files_are_refused(root):
    (root / "blob.py").write_bytes(b"\x00\x01\x02")
    (root / "latin.py").write_bytes("s = 'caf\xe9'\n".encode("latin-1"))
    cs = ChangeSet.from_answer(whole("blob.py", "x\n") + whole("latin.py", "x\n"), root=root)
    assert [c.problems[0].split(":")[0:2] for c in cs.changes] == [
        ["refused", " binary file"], ["refused", " not UTF-8 text (byte 8)"]]


def test_no_final_newline_shows_in_the_diff(root):
    (root / "nofinal.py").write_text("a = 1\nb = 2")
    change = ChangeSet.from_answer(sr("nofinal.py", "b = 2\n", "b = 3\n"), root=root).changes[0]
    assert change.new_text == "a = 1\nb = 3"
    assert change.diff().endswith("-b = 2\n\\ No newline at end of file\n"
                                  "+b = 3\n\\ No newline at end of file\n")


@pytest.fixture
def two_hunks(root):
    lines = [f"v{i} = {i}\n" for i in range(30)]
    (root / "long.py").write_text("".join(lines))
    answer = sr("long.py", "v2 = 2\n", "v2 = 'two'\n") + sr("long.py", "v25 = 25\n", "v25 = 'x'\n")
    return ChangeSet.from_answer(answer, root=root)


def test_hunks_and_per_hunk_acceptance(two_hunks):
    change = two_hunks.changes[0]
    hunks = change.hunks()
    assert [h.header for h in hunks] == ["@@ -1,6 +1,6 @@", "@@ -23,7 +23,7 @@"]
    assert hunks[0].old_start == 1 and "-v2 = 2" in hunks[0].body and "+v2 = 'two'" in hunks[0].body
    assert hunks[1].old_lines[3] == "v25 = 25" and hunks[1].new_lines[3] == "v25 = 'x'"
    change.hunk_accepted = [False, True]
    text = change.text_with_accepted_hunks()
    assert "v2 = 2\n" in text and "v25 = 'x'\n" in text and text.count("\n") == 30
    diff = two_hunks.unified_diff()
    assert "v25 = 'x'" in diff and "'two'" not in diff
    assert change.counts(only_accepted=True) == (1, 1)
    change.accepted = False
    assert two_hunks.accepted() == [] and two_hunks.unified_diff() == ""


def test_user_edit_replaces_the_models_text(root, two_hunks):
    change = two_hunks.changes[0]
    change.hunk_accepted = [False, False]
    change.set_new_text(change.old_text.replace("v9 = 9", "v9 = (").replace("\n", "\r\n"))
    assert len(change.hunks()) == 1 and change.hunk_accepted == [True]
    assert "\r" not in change.new_text
    assert change.warnings[0].startswith("Python no longer parses: line 10")
    assert change.edited and change.flag.startswith("the file would no longer parse (line 10")  # Apply asks
    assert ChangeSet.from_dict(two_hunks.to_dict(), root=root).changes[0].edited  # kept with the run
    change.set_new_text(change.old_text + "\nEXTRA = 1\n")  # the edit fixed: nothing to ask about
    assert change.flag == "" and change.warnings == []
    rejected = ChangeSet.from_answer(whole("/etc/passwd", "x\n"), root=root).changes[0]
    with pytest.raises(ChangeError, match="cannot be changed: refused"):
        rejected.set_new_text("x\n")


def test_a_rejected_edit_can_be_fixed_by_hand(root):
    change = ChangeSet.from_answer(sr("pkg/app.py", "no such line\n", "x\n"), root=root).changes[0]
    change.set_new_text(change.old_text + "\nEXTRA = 1\n")
    assert (change.kind, change.accepted, change.problems) == ("modify", True, [])


def test_parse_problems_reach_the_summary_and_report(root):
    answer = sr("pkg/app.py", "import os\n", "import sys\n") + "b.py\n<<<<<<< SEARCH\nx\n"
    cs = ChangeSet.from_answer(answer, root=root)
    assert cs.summary().endswith("unreadable: 1 part of the answer could not be read as edits")
    assert "1. Answer line 11: the SEARCH/REPLACE block starting here has no" in cs.problems_report()


def test_record_round_trip(root, two_hunks):
    two_hunks.changes[0].hunk_accepted = [True, False]
    data = json.loads(json.dumps(two_hunks.to_dict()))
    again = ChangeSet.from_dict(data, root=root)
    assert again.unified_diff() == two_hunks.unified_diff()
    assert again.changes[0] == two_hunks.changes[0]
    assert again.summary() == two_hunks.summary()


def test_hunks_rebuild_either_side_for_random_edits():
    rng = random.Random(7)
    for _ in range(60):
        old = [rng.choice(["a", "b", "", "    x", "}"]) + "\n" for _ in range(rng.randint(0, 60))]
        new = list(old)
        for _ in range(rng.randint(1, 6)):
            at = rng.randint(0, len(new))
            new[at:at + rng.randint(0, 3)] = [f"n{rng.randint(0, 9)}\n"] * rng.randint(0, 3)
        old_text, new_text = "".join(old), "".join(new).rstrip("\n")  # also drop the final newline
        change = FileChange("f.txt", "modify", old_text, new_text)
        assert change.text_with_accepted_hunks() == new_text
        change.hunk_accepted = [False] * len(change.hunks())
        assert change.text_with_accepted_hunks() == old_text
        change.hunk_accepted = [rng.random() < 0.5 for _ in change.hunks()]
        partial = FileChange("f.txt", "modify", old_text, change.text_with_accepted_hunks())
        assert len(partial.hunks()) == sum(change.hunk_accepted)


def test_a_big_repetitive_file_stays_fast(root):
    # difflib without care took minutes here: 5,000 lines of near-identical functions.
    src = "".join(f"def f{i}(x):\n    if x:\n        return {i}\n    return None\n\n"
                  for i in range(1000))
    (root / "big.py").write_text(src)
    started = time.perf_counter()
    failed = ChangeSet.from_answer(sr("big.py", "def f500(y):\n    if y:\n", "x\n"), root=root)
    rewrite = ChangeSet.from_answer(whole("big.py", src.replace("None", "False")), root=root)
    assert "(lines 2501-2502)" in failed.problems_report()
    assert rewrite.changes[0].counts() == (1000, 1000) and rewrite.unified_diff()
    assert time.perf_counter() - started < 10


def test_standard_library_and_typing_imports_the_new_code_forgot_are_added_with_a_note(tmp_path):
    (tmp_path / "clock.py").write_text('"""Clocks."""\n\nfrom typing import Iterator\n\n\ndef ticks() -> Iterator[int]:\n    yield 1\n')
    answer = ("clock.py\n```python\ndef now(clock: Callable[[], float] = time.monotonic) -> float:\n"
              "    return clock()\n\n\ndef pick(xs: Sequence[int]) -> int:\n    return itemgetter(0)(xs)\n```\n")
    (change,) = ChangeSet.from_answer(answer, root=tmp_path).changes
    text = change.new_text
    compile(text, "clock.py", "exec")
    assert "import time" in text and "from typing import Callable" in text and "Sequence" in text
    assert text.index("import time") < text.index("def ticks")
    assert "itemgetter" not in text.split("def ticks")[0]  # not unambiguous: left to a repair turn
    assert any("`import time`" in n and "without importing them" in n for n in change.notes)
