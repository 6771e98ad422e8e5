"""Which changes start ticked, and which ticks a revised answer keeps."""

from __future__ import annotations

from desktop.core.changes import ChangeSet
from desktop.core.review_ticks import carry_ticks


def test_ticks_carry_over_only_to_the_same_proposal(tmp_path):
    (tmp_path / "a.py").write_text("A = 1\n")
    (tmp_path / "b.py").write_text("B = 1\n")
    block = "{}\n```python\n{}```\n\n"
    before = ChangeSet.from_answer(block.format("a.py", "A = 2\n") + block.format("b.py", "B = 2\n"), root=tmp_path)
    for change in before.changes:
        change.accepted = False
    after = ChangeSet.from_answer(block.format("a.py", "A = 2\n") + block.format("b.py", "B = 3\n"), root=tmp_path)
    assert carry_ticks(before, after) == ["a.py"]
    assert not after.get("a.py").accepted and after.get("b.py").accepted
    before.get("a.py").set_new_text("A = 2\n")  # edited by hand: its ticks are not the model's proposal's
    again = ChangeSet.from_answer(block.format("a.py", "A = 2\n"), root=tmp_path)
    assert carry_ticks(before, again) == [] and again.get("a.py").accepted
