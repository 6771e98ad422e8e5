"""Steering Phase 2 to the plan's definitions and away from copies of unchanged code."""

from __future__ import annotations

from desktop.core.checklist import Checklist, parse_checklist
from desktop.core.codebase import scan_codebase
from desktop.core.pipeline import Run, RunOptions
from desktop.core.plan import read_plan
from desktop.core.prompts import Prompts
from desktop.core.steer import Steer
from desktop.llm.replay_engine import ReplayEngine

STORE = '''"""Stock by SKU."""

from shop.models import Item


class Store:
    """Items by SKU."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add(self, item: Item) -> None:
        self._items[item.sku] = item

    def items(self) -> list[Item]:
        return [self._items[k] for k in sorted(self._items)]

    @property
    def size(self) -> int:
        return len(self._items)


def load(path):
    return Store()
'''

MODELS = '''from dataclasses import dataclass


@dataclass
class Item:
    sku: str
    quantity: int = 0
'''

PLAN = """# Plan: low stock

## Components to reuse
- `Store.items()` in `shop/store.py`.
- `def add(self, item: Item) -> None` stays as it is.

## Requirements
1. Add a method to the `Store` class in `shop/store.py`:
   `def low_stock(self, threshold: int = 5) -> list[Item]`
2. Change `load` to `def load(path, *, strict: bool = False)`.
3. In `shop/models.py` add `def restock_all(items: list[Item], amount: int) -> int`.
"""
REUSE = PLAN.split("## Components to reuse\n")[1].split("\n\n")[0]


def files() -> dict[str, str]:
    return {"shop/store.py": STORE, "shop/models.py": MODELS}


def test_targets_come_from_the_plans_signatures():
    steer = Steer(PLAN, files(), Checklist(), reuse_text=REUSE)
    got = [(t.name, t.path, t.owner, t.header) for t in steer.targets]
    assert got == [
        ("low_stock", "shop/store.py", "Store", "def low_stock(self, threshold: int = 5) -> list[Item]:"),
        ("load", "shop/store.py", None, "def load(path, *, strict: bool = False):"),  # changed signature
        ("restock_all", "shop/models.py", None, "def restock_all(items: list[Item], amount: int) -> int:"),
    ]  # `add` is quoted as it already is: nothing to write
    assert steer.opening() == (
        "shop/store.py\n```python\nclass Store:\n    def low_stock(self, threshold: int = 5) -> list[Item]:\n"
    )


def test_the_owner_class_is_the_one_the_plan_adds_the_method_to():
    text = files() | {"shop/errors.py": "class StockError(Exception):\n    pass\n"}
    plan = ("## Requirements\n1. `Store.add` raises `StockError` for a bad `Item`.\n"
            "2. Add `def drop(self, sku: str) -> Item` to `Store`; it raises `StockError`.\n"
            "3. Add `def copy(self) -> Item` to `Item` in `shop/models.py`.\n"
            "4. Create `shop/report.py` with `def report(store: Store) -> str`.\n")
    steer = Steer(plan, text, Checklist())
    # Not the exception class, nor the return type: the class the line adds it to.
    assert [(t.name, t.path, t.owner) for t in steer.targets] == [
        ("drop", "shop/store.py", "Store"), ("copy", "shop/models.py", "Item")]  # a new file is left to the model


def test_a_def_of_unchanged_code_is_a_copy_but_planned_and_new_names_are_not():
    steer = Steer(PLAN, files(), Checklist(), reuse_text=REUSE)
    copying = "shop/store.py\n```python\nclass Store:\n    \"\"\"Items by SKU.\"\"\"\n\n    def __init__(self) -> None:\n"
    cut = steer.copy_start(copying)
    assert cut is not None and cut.name == "__init__" and copying[cut.at:].startswith("    def __init__")
    # Named in the plan (`add`, `items`), a new class's __init__, an unfinished line: no cut.
    assert steer.copy_start("shop/store.py\n```python\nclass Store:\n    def add(self, item: Item) -> None:\n") is None
    assert steer.copy_start("shop/store.py\n```python\nclass Report:\n    def __init__(self):\n") is None
    assert steer.copy_start("shop/store.py\n```python\nclass Store:\n    def __init__(self") is None
    # Outside a code block, or before `after`, nothing is a copy.
    assert steer.copy_start("shop/store.py\n    def __init__(self) -> None:\n") is None
    assert steer.copy_start(copying, after=len(copying)) is None


def test_a_cut_goes_on_at_the_next_definition_not_yet_written():
    steer = Steer(PLAN, files(), Checklist(), reuse_text=REUSE)
    start = steer.opening() + "        return [i for i in self.items() if i.quantity <= threshold]\n\n"
    text = start + "    def __init__(self) -> None:\n"
    new, more = steer.redirect(text, steer.copy_start(text, after=len(steer.opening())), written="")
    # low_stock is written: the next target, a top-level function of the same file, follows in the block.
    assert more and new == start + "def load(path, *, strict: bool = False):\n"
    # With load written too, restock_all goes into a new block for its own file.
    text = new + "    return Store()\n\n" + "def __init__(self):\n"
    text = text.replace("def __init__(self):\n", "class Store:\n    def __init__(self) -> None:\n")
    new2, more = steer.redirect(text, steer.copy_start(text, after=len(new)), written="")
    assert more and new2.endswith("```\n\nshop/models.py\n```python\ndef restock_all(items: list[Item], amount: int) -> int:\n")
    # Everything written (here by an earlier turn): the block is closed and the turn ends.
    closed, more = steer.redirect(text, steer.copy_start(text, after=len(new)), written="shop/models.py\n```python\ndef restock_all(x):\n    pass\n```\n")
    assert not more and closed.endswith("return Store()\n```\n")  # the empty class line goes
    # No budget left: closed whatever remains.
    closed, more = steer.redirect(text, steer.copy_start(text, after=len(new)), written="", end=True)
    assert not more and closed.endswith("```\n")


def test_existing_functions_the_plan_names_outside_its_reuse_section_are_steered_to_in_file_order():
    plan = ("## Components to reuse\n- `Store.items()` and `load`.\n\n## Requirements\n"
            "1. Update `Store.add` and `load` to reject a negative quantity, next to `items`.\n")
    steer = Steer(plan, files(), Checklist(), reuse_text="- `Store.items()` and `load`.")
    assert [(t.name, t.owner, t.line("    ")) for t in steer.changes] == [
        ("add", "Store", "    def add("), ("load", None, "    def load(")]
    # A decorated copy is cut at its decorator; the block goes on at `add` inside the open class.
    text = "shop/store.py\n```python\nclass Store:\n    x = 1\n\n    @property\n    def size(self) -> int:\n"
    cut = steer.copy_start(text)
    assert cut.name == "size" and text[cut.at:].startswith("    @property")
    new, more = steer.redirect(text, cut, written="")
    assert more and new.endswith("    x = 1\n\n    def add(")


def test_checklist_lines_in_bold_or_without_keywords_are_read():
    bold = "## Checklist\n- **FILE `shop/store.py`**\n  - **NAME `low_stock`**: `def low_stock(self)`\n"
    assert parse_checklist(bold) == Checklist(files=["shop/store.py"], names=["low_stock"])
    plain = "## Checklist\n- `shop/store.py`: `low_stock`, `Store.load`\n- `shop/__init__.py`: `low_stock`\n"
    assert parse_checklist(plain) == Checklist(files=["shop/store.py", "shop/__init__.py"], names=["low_stock", "load"])


REFLECTION = """## 1. Codebase analysis
- `shop/store.py`: `Store.items()`.
## 2. Specification review
- Negative threshold: not asked.
## 3. Developer TODOs
1. Add `low_stock`.
## Checklist
- FILE `shop/store.py`
- NAME `low_stock`
"""


def test_phase_two_starts_at_the_planned_method_and_a_copy_of_unchanged_code_is_left_out(tmp_path):
    repo = tmp_path / "repo"
    (repo / "shop").mkdir(parents=True)
    (repo / "shop" / "store.py").write_text(STORE)
    (repo / "shop" / "models.py").write_text(MODELS)
    plan = repo / "plan.md"
    plan.write_text("# Plan\n\n## Requirements\n1. Add a method to the `Store` class in `shop/store.py`:\n"
                    "   `def low_stock(self, threshold: int = 5) -> list[Item]`\n")
    body = "        return [i for i in self.items() if i.quantity <= threshold]\n\n"
    copy = "    def __init__(self) -> None:\n        self._items: dict[str, Item] = {}\n```\n"
    engine = ReplayEngine([REFLECTION, body + copy], prefill=True)
    events = []
    run = Run(plan=read_plan(plan), codebase=scan_codebase(repo), engine=engine, prompts=Prompts.load(),
              options=RunOptions(reflection_tokens=256, answer_tokens=512), on_event=events.append)
    run.reflect()
    changeset = run.implement()
    opening = "shop/store.py\n```python\nclass Store:\n    def low_stock(self, threshold: int = 5) -> list[Item]:\n"
    assert engine.prefills[1] == opening
    assert run.turns[1].text == opening + body + "```\n"  # the copy is gone, the block closed
    assert any(e.kind == "notice" and "copy of the unchanged `__init__`" in e.text for e in events)
    change = changeset.changes[0]
    assert change.path == "shop/store.py" and run.repairs == 0
    assert "def low_stock(self, threshold: int = 5) -> list[Item]:" in change.new_text
    assert change.new_text.count("def __init__") == 1 and "def add(self" in change.new_text


def test_without_prefill_support_nothing_is_steered(tmp_path):
    steer_plan = "## Requirements\n`def f(x)` in `m.py`\n"
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "m.py").write_text("def g():\n    return 1\n")
    (repo / "plan.md").write_text(steer_plan)
    answer = "m.py\n```python\ndef g():\n    return 1\n\n\ndef f(x):\n    return x\n```\n"
    engine = ReplayEngine([REFLECTION, answer])
    run = Run(plan=read_plan(repo / "plan.md"), codebase=scan_codebase(repo), engine=engine, prompts=Prompts.load(),
              options=RunOptions(reflection_tokens=256, answer_tokens=512))
    run.reflect()
    run.implement()
    assert run.turns[1].text == answer and set(engine.prefills) == {""}


def test_builtins_the_plan_calls_are_not_required_names():
    from desktop.core.checklist import plan_required_names

    text = 'It stores `tuple(choices)`; raise `ValueError("x")` and add `low_stock(items)` and class `Report`.'
    assert plan_required_names(text) == ["low_stock", "Report"]


def test_a_planned_method_written_into_another_class_is_moved_to_the_plans_class():
    plan = ("## Requirements\n1. Add `def low_stock(self) -> list[Item]` to `Store`.\n"
            "2. Add `def restock(self, amount: int) -> None` to `Item` in `shop/models.py`.\n")
    # The model's checklist lists existing names too: they do not stop a copy being cut.
    steer = Steer(plan, files(), Checklist(names=["low_stock", "items", "restock"]))
    text = steer.opening() + "        return []\n\n    def restock(self, amount: int) -> None:\n"
    cut = steer.copy_start(text, after=len(steer.opening()))
    assert cut.misplaced and cut.name == "restock"
    new, more = steer.redirect(text, cut, written="")
    assert more and new == (steer.opening() + "        return []\n\n```\n\nshop/models.py\n```python\n"
                            "class Item:\n    def restock(self, amount: int) -> None:\n")
    copy = steer.opening() + "        return []\n\n    def items(self) -> list[Item]:\n"
    assert steer.copy_start(copy, after=len(steer.opening())).name == "items"


def test_a_cut_that_leaves_an_empty_class_or_block_drops_it():
    steer = Steer("## Requirements\n1. Add `def low_stock(self) -> int` to `Store`.\n", files(), Checklist())
    done = "shop/store.py\n```python\nclass Store:\n    def low_stock(self) -> int:\n        return 0\n```\n"
    text = done + "\nshop/store.py\n```python\n@dataclass\nclass Store:\n    def __init__(self) -> None:\n"
    new, more = steer.redirect(text, steer.copy_start(text, after=len(done)), written="")
    assert not more and new == done


def test_a_method_signature_written_with_its_class_is_a_target_and_a_top_level_copy_of_it_is_moved():
    plan = '## Requirements\n1. Add a method `Store.low_stock(self, threshold: int = 5) -> "list[Item]"`.\n'
    steer = Steer(plan, files(), Checklist())
    assert [(t.name, t.owner, t.header) for t in steer.targets] == [
        ("low_stock", "Store", 'def low_stock(self, threshold: int = 5) -> "list[Item]":')]
    text = "shop/store.py\n```python\ndef helper():\n    return 1\n\ndef low_stock(self, threshold=5):\n"
    cut = steer.copy_start(text)
    assert cut.misplaced and cut.name == "low_stock"
    new, more = steer.redirect(text, cut, written="")
    assert more and new.endswith("return 1\n\nclass Store:\n    def low_stock(self, threshold: int = 5) -> \"list[Item]\":\n")
