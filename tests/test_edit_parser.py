"""The Phase 2 answer parser: the documented format, what small models write instead, and
malformed input reported with line numbers."""

from __future__ import annotations

import pytest

from desktop.core.edit_parser import EditBlock, WholeFile, parse_answer
from desktop.paths import resources_dir

F = "```"

CANONICAL = f"""I will change two files.

src/app.py
{F}python
<<<<<<< SEARCH
def hello():
    return 1
=======
def hello():
    return 2
>>>>>>> REPLACE
{F}

src/new_mod.py
{F}python
<<<<<<< SEARCH
=======
VALUE = 3
>>>>>>> REPLACE
{F}
"""


def only_blocks(answer: str) -> list[EditBlock]:
    items, problems = parse_answer(answer)
    assert problems == []
    assert all(isinstance(i, EditBlock) for i in items)
    return items  # type: ignore[return-value]


def test_canonical_answer():
    blocks = only_blocks(CANONICAL)
    assert [(b.path, b.answer_line) for b in blocks] == [("src/app.py", 5), ("src/new_mod.py", 16)]
    assert blocks[0].search == "def hello():\n    return 1\n"
    assert blocks[0].replace == "def hello():\n    return 2\n"
    assert blocks[1].search == "" and blocks[1].replace == "VALUE = 3\n"


def test_the_shipped_format_description_parses_as_its_own_examples(tmp_path):
    from desktop.core.changes import ChangeSet

    text = (resources_dir() / "prompts" / "edit-format.md").read_text(encoding="utf-8")
    # Copied literally, the examples name no real path, so they can never change a file.
    items, _ = parse_answer(text)
    assert items == []
    # With a real folder in place of <path>, they apply to a codebase that has those files.
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "basket.py").write_text(
        "class Basket:\n    def __init__(self):\n        self.entries = []\n")
    (tmp_path / "shop" / "settings.toml").write_text("name = 'x'\nretries = 3\n")
    changes = ChangeSet.from_answer(text.replace("<path>", "shop"), root=tmp_path).changes
    assert [(c.path, c.kind) for c in changes] == [("shop/basket.py", "modify"), ("shop/settings.toml", "modify")]
    assert "self.entries = []" in changes[0].new_text and "def is_empty(self) -> bool:" in changes[0].new_text
    assert changes[1].new_text == "name = 'x'\nretries = 5\n"


@pytest.mark.parametrize("path_line", [
    "src/x.py", "### src/x.py", "**src/x.py**", "File: src/x.py", "`src/x.py`", "src/x.py:",
    "- **File:** `src/x.py`", "Update `src/x.py` as follows:", "## File: src/x.py (modified)",
])
def test_path_line_variants(path_line):
    answer = f"{path_line}\n\n{F}python\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n{F}\n"
    assert [b.path for b in only_blocks(answer)] == ["src/x.py"]


@pytest.mark.parametrize("fence_head", [
    f"{F}python src/x.py", f"{F}src/x.py", f"{F}python:src/x.py", f"{F}python\n# src/x.py",
    f"{F}js\n// src/x.py",
])
def test_path_in_the_fence(fence_head):
    answer = f"Here:\n{fence_head}\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n{F}\n"
    assert [b.path for b in only_blocks(answer)] == ["src/x.py"]


@pytest.mark.parametrize("search,divider,replace", [
    ("<<<<< SEARCH", "=====", ">>>>> REPLACE"),
    ("<<<<<<<<<SEARCH", "=========", ">>>>>>>>>REPLACE"),
    ("  <<<<<<<  SEARCH  ", "  =======  ", "  >>>>>>>  REPLACE  "),
    ("<<<<<<< search", "=======", ">>>>>>> replace"),
])
def test_marker_variants(search, divider, replace):
    answer = f"a.py\n{F}\n{search}\nx = 1\n{divider}\nx = 2\n{replace}\n{F}\n"
    blocks = only_blocks(answer)
    assert (blocks[0].search, blocks[0].replace) == ("x = 1\n", "x = 2\n")


def test_several_blocks_in_one_fence_and_blocks_without_fences():
    answer = (f"a.py\n{F}python\n"
              "<<<<<<< SEARCH\none\n=======\nONE\n>>>>>>> REPLACE\n\n"
              "<<<<<<< SEARCH\ntwo\n=======\nTWO\n>>>>>>> REPLACE\n"
              f"{F}\n\nb.py\n<<<<<<< SEARCH\nthree\n=======\nTHREE\n>>>>>>> REPLACE\n")
    blocks = only_blocks(answer)
    assert [(b.path, b.search, b.replace) for b in blocks] == [
        ("a.py", "one\n", "ONE\n"), ("a.py", "two\n", "TWO\n"), ("b.py", "three\n", "THREE\n")]
    assert [b.answer_line for b in blocks] == [3, 9, 17]


def test_crlf_answer_parses_like_lf():
    lf = only_blocks(CANONICAL)
    crlf = only_blocks(CANONICAL.replace("\n", "\r\n"))
    assert crlf == lf
    assert "\r" not in crlf[0].search + crlf[0].replace


def test_a_block_may_repeat_or_reuse_the_previous_path():
    answer = (f"a.py\n{F}\n<<<<<<< SEARCH\none\n=======\nONE\n>>>>>>> REPLACE\n{F}\n"
              f"a.py\n{F}\n<<<<<<< SEARCH\ntwo\n=======\nTWO\n>>>>>>> REPLACE\n{F}\n"
              f"And then:\n{F}\n<<<<<<< SEARCH\nthree\n=======\nTHREE\n>>>>>>> REPLACE\n{F}\n")
    assert [b.path for b in only_blocks(answer)] == ["a.py", "a.py", "a.py"]


@pytest.mark.parametrize("path_line", ["`my file.py`", "**my file.py**", "File: my file.py"])
def test_a_path_with_spaces_needs_marking(path_line):
    answer = f"{path_line}\n{F}\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n{F}\n"
    assert [b.path for b in only_blocks(answer)] == ["my file.py"]


@pytest.mark.parametrize("path_line", ["my file.py", "Here is the updated main.py."])
def test_an_unreadable_path_line_never_borrows_the_previous_path(path_line):
    answer = (f"a.py\n{F}\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n{F}\n"
              f"{path_line}\n{F}\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n{F}\n"
              f"{path_line}\n{F}\nwhole = 1\n{F}\n")
    items, problems = parse_answer(answer)
    assert [i.path for i in items] == ["a.py"]
    assert [p.answer_line for p in problems] == [11, 18]
    assert all(f"could not read one from {path_line!r}" in p.message for p in problems)


def test_whole_file_block():
    answer = f"New module:\n\npkg/util.py\n{F}python\n# pkg/util.py\ndef f():\n    return 1\n{F}\nDone."
    items, problems = parse_answer(answer)
    assert problems == []
    assert items == [WholeFile("pkg/util.py", "def f():\n    return 1\n", 4)]


def test_whole_markdown_file_keeps_its_own_fences():
    answer = f"docs/usage.md\n{F}markdown\n# Usage\n\n{F}bash\nrun it\n{F}\n\nEnd.\n{F}\n"
    items, problems = parse_answer(answer)
    assert problems == []
    assert items == [WholeFile("docs/usage.md", f"# Usage\n\n{F}bash\nrun it\n{F}\n\nEnd.\n", 2)]


def test_fence_lines_inside_a_block_are_content():
    answer = (f"README.md\n{F}\n<<<<<<< SEARCH\n{F}\nold\n{F}\n=======\n{F}\nnew\n{F}\n"
              f">>>>>>> REPLACE\n{F}\n")
    blocks = only_blocks(answer)
    assert blocks[0].search == f"{F}\nold\n{F}\n" and blocks[0].replace == f"{F}\nnew\n{F}\n"


@pytest.mark.parametrize("raw", ["../../etc/passwd", "/etc/passwd", "C:\\x"])
def test_hostile_paths_are_kept_so_they_can_be_refused_loudly(raw):
    items, problems = parse_answer(f"{raw}\n{F}\nroot::0:0\n{F}\n")
    assert problems == [] and [i.path for i in items] == [raw]


def problem_lines(answer: str) -> list[tuple[int, str]]:
    return [(p.answer_line, p.message) for p in parse_answer(answer)[1]]


def test_missing_divider_is_reported_at_the_search_line():
    answer = f"intro\na.py\n{F}\n<<<<<<< SEARCH\nold\nnew\n>>>>>>> REPLACE\n{F}\n"
    items, problems = parse_answer(answer)
    assert items == []
    assert [p.answer_line for p in problems] == [4]
    assert "'======='" in problems[0].message and "SEARCH" in problems[0].excerpt


def test_missing_replace_before_the_fence_closes():
    answer = (f"a.py\n{F}\n<<<<<<< SEARCH\nold\n=======\nnew\n{F}\n\n"
              f"b.py\n{F}\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n{F}\n")
    items, problems = parse_answer(answer)
    assert [(p.answer_line, "'>>>>>>> REPLACE'" in p.message) for p in problems] == [(3, True)]
    assert [(i.path, i.search) for i in items] == [("b.py", "x\n")]


def test_missing_replace_followed_by_another_block():
    answer = ("a.py\n<<<<<<< SEARCH\nold\n=======\nnew\n"
              "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n")
    items, problems = parse_answer(answer)
    assert [p.answer_line for p in problems] == [2]
    assert [(i.path, i.search, i.replace) for i in items] == [("a.py", "x\n", "y\n")]


def test_unterminated_fence_is_reported_and_its_file_not_used():
    answer = f"ok.py\n{F}\nA = 1\n{F}\n\ncut.py\n{F}python\ndef f():\n    retu"
    items, problems = parse_answer(answer)
    assert [i.path for i in items if not i.cut] == ["ok.py"]
    # The cut Python block is kept aside: its complete definitions may still be merged.
    assert [(i.path, i.cut) for i in items if i.cut] == [("cut.py", True)]
    assert [p.answer_line for p in problems] == [7]
    assert "never closed" in problems[0].message


def test_unterminated_block_at_the_end_of_the_answer():
    items, problems = parse_answer(f"a.py\n{F}\n<<<<<<< SEARCH\nold\n=======\nne")
    assert items == [] and [p.answer_line for p in problems] == [3]


def test_replace_without_search_is_reported():
    answer = f"a.py\n{F}\nold\n=======\nnew\n>>>>>>> REPLACE\n{F}\n"
    items, problems = parse_answer(answer)
    assert items == [] and [p.answer_line for p in problems] == [4]


def test_block_without_any_path_is_reported():
    items, problems = parse_answer("Change this:\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n")
    assert items == [] and [p.answer_line for p in problems] == [2]
    assert "no file path" in problems[0].message


def test_code_block_without_a_path_is_reported_but_shell_commands_are_not():
    answer = f"Some code:\n{F}python\nprint(1)\n{F}\nRun:\n{F}bash\npytest -q\n{F}\n"
    assert [line for line, _ in problem_lines(answer)] == [2]


def test_unified_diff_is_reported_not_taken_as_a_whole_file():
    answer = f"a.py\n{F}diff\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\n{F}\n"
    items, problems = parse_answer(answer)
    assert items == [] and "unified diffs" in problems[0].message


def test_code_between_blocks_in_a_fence_is_reported():
    answer = (f"a.py\n{F}\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
              f"def stray():\n    pass\n{F}\n")
    items, problems = parse_answer(answer)
    assert len(items) == 1 and [p.answer_line for p in problems] == [8]
