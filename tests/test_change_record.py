"""Run records keep a large file's change as the lines that differ; the original stays on disk."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.core.change_record import WHOLE_LIMIT, apply_delta, line_delta
from desktop.core.changes import ChangeSet

F = "```"


def big_module(n: int) -> str:
    return "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(n))


def test_a_delta_rebuilds_the_new_text_exactly() -> None:
    old = "a\nb\nc\nd\n"
    for new in ("a\nB\nc\nd\n", "", "a\nb\nc\nd\ne", "x\n" + old, "a\nd\n", old):
        assert apply_delta(old, line_delta(old, new)) == new


def test_a_large_files_change_is_recorded_small_and_comes_back_whole(tmp_path: Path) -> None:
    root = tmp_path / "code"
    root.mkdir()
    text = big_module(2000)  # ~74 KB
    assert len(text) > WHOLE_LIMIT
    (root / "big.py").write_text(text)
    (root / "small.py").write_text("X = 1\n")
    answer = (f"big.py\n{F}python\n<<<<<<< SEARCH\n    return x + 1500\n=======\n    return x - 1500\n"
              f">>>>>>> REPLACE\n{F}\n\nsmall.py\n{F}python\n<<<<<<< SEARCH\nX = 1\n=======\nX = 2\n"
              f">>>>>>> REPLACE\n{F}\n")
    changeset = ChangeSet.from_answer(answer, root=root)
    big, small = changeset.get("big.py"), changeset.get("small.py")
    assert big.accepted and small.accepted
    record = json.dumps(changeset.to_dict())
    assert len(record) < 4_000  # not the 150 KB of two whole copies
    assert "X = 1" in record  # a small file is kept whole

    again = ChangeSet.from_dict(json.loads(record), root=root)
    assert again.get("big.py").old_text == big.old_text and again.get("big.py").new_text == big.new_text
    assert again.get("big.py").accepted and again.get("small.py").new_text == "X = 2\n"
    assert again.unified_diff() == changeset.unified_diff()


def test_a_large_file_changed_since_comes_back_refused_with_the_reason(tmp_path: Path) -> None:
    root = tmp_path / "code"
    root.mkdir()
    (root / "big.py").write_text(big_module(2000))
    answer = f"big.py\n{F}python\n<<<<<<< SEARCH\n    return x + 7\n=======\n    return x * 7\n>>>>>>> REPLACE\n{F}\n"
    record = ChangeSet.from_answer(answer, root=root).to_dict()
    (root / "big.py").write_text(big_module(2001))
    (change,) = ChangeSet.from_dict(record, root=root).changes
    assert change.kind == "rejected" and not change.accepted
    assert "big.py changed on disk since this run" in change.problems[-1]
    (root / "big.py").unlink()
    (change,) = ChangeSet.from_dict(record, root=root).changes
    assert change.kind == "rejected"


def test_a_version_1_record_still_opens(tmp_path: Path) -> None:
    root = tmp_path / "code"
    root.mkdir()
    (root / "a.py").write_text("A = 1\n")
    record = ChangeSet.from_answer(f"a.py\n{F}python\nA = 2\n{F}\n", root=root).to_dict()
    record["version"] = 1
    assert ChangeSet.from_dict(record, root=root).get("a.py").new_text == "A = 2\n"
