"""Merging a code block of Python definitions into an existing module by name."""

from __future__ import annotations

import ast
import textwrap

import pytest

from desktop.core.changes import ChangeSet
from desktop.core.py_merge import looks_like_whole_module, merge_definitions
from desktop.errors import ChangeError

MODULE = textwrap.dedent('''\
    """Stock kept in memory."""

    from __future__ import annotations

    from dataclasses import dataclass, field

    LIMIT = 10


    @dataclass
    class Item:
        sku: str
        quantity: int = 0

        def restock(self, n: int) -> None:
            self.quantity += n


    class Inventory:
        """All items."""

        def __init__(self) -> None:
            self._items: dict[str, Item] = {}

        def add(self, item: Item) -> None:
            self._items[item.sku] = item

        def items(self) -> list[Item]:
            return sorted(self._items.values(), key=lambda i: i.sku)


    def total(inv: Inventory) -> int:
        return sum(i.quantity for i in inv.items())


    if __name__ == "__main__":
        print(total(Inventory()))
    ''')


def merge(snippet: str) -> str:
    text = merge_definitions(MODULE, textwrap.dedent(snippet), rel="inv.py").text
    ast.parse(text)
    return text


def test_new_method_goes_at_the_end_of_its_class_and_the_rest_is_kept():
    out = merge('''\
        class Inventory:
            def low_stock(self, threshold: int = 5) -> list[Item]:
                return [i for i in self.items() if i.quantity <= threshold]
        ''')
    assert "    def low_stock(self, threshold: int = 5) -> list[Item]:" in out
    assert out.index("def items(") < out.index("def low_stock(") < out.index("def total(")
    # Everything else is byte-for-byte the same.
    assert out.replace(
        "\n    def low_stock(self, threshold: int = 5) -> list[Item]:\n"
        "        return [i for i in self.items() if i.quantity <= threshold]\n", "", 1) == MODULE


def test_existing_method_is_replaced_and_placeholders_keep_the_original():
    out = merge('''\
        class Inventory:
            def __init__(self) -> None:
                ...

            def add(self, item: Item) -> None:
                if item.sku in self._items:
                    raise ValueError("duplicate")
                self._items[item.sku] = item
        ''')
    assert 'raise ValueError("duplicate")' in out
    assert "self._items: dict[str, Item] = {}" in out  # the `...` body did not replace __init__
    assert out.count("def add(") == 1


@pytest.mark.parametrize("snippet", [
    "    def items(self) -> list[Item]:\n        return list(self._items.values())\n",
    "def items(self) -> list[Item]:\n    return list(self._items.values())\n",
])
def test_methods_written_without_their_class_line_find_their_class(snippet):
    out = merge_definitions(MODULE, snippet, rel="inv.py").text
    assert "        return list(self._items.values())" in out
    assert "sorted(self._items.values()" not in out
    assert out.count("def items(") == 1


def test_new_function_goes_before_the_main_guard_and_imports_after_the_imports():
    out = merge('''\
        import math
        from dataclasses import dataclass

        def average(inv: Inventory) -> float:
            items = inv.items()
            return math.fsum(i.quantity for i in items) / len(items)
        ''')
    assert out.count("from dataclasses import") == 1
    assert out.index("import math") < out.index("LIMIT = 10")
    assert out.index("def total(") < out.index("def average(") < out.index('if __name__ == "__main__":')


def test_dataclass_field_goes_after_the_last_field_and_constants_are_replaced():
    out = merge('''\
        LIMIT = 20

        @dataclass
        class Item:
            priority: int = 0
        ''')
    assert "LIMIT = 20" in out and "LIMIT = 10" not in out
    assert out.index("quantity: int = 0") < out.index("priority: int = 0") < out.index("def restock(")


def test_example_calls_are_not_merged_and_are_reported():
    result = merge_definitions(MODULE, textwrap.dedent('''\
        def total(inv: Inventory) -> int:
            return len(inv.items())

        print(total(Inventory()))
        '''), rel="inv.py")
    assert "return len(inv.items())" in result.text
    assert "print(total(Inventory()))\n" not in result.text.split("if __name__")[0]
    assert any("not used" in n for n in result.notes)


def test_a_broken_block_is_a_problem_and_a_repeated_one_a_no_op():
    with pytest.raises(ChangeError, match="not valid Python"):
        merge_definitions(MODULE, "def broken(:\n    pass\n", rel="inv.py")
    same = "def total(inv: Inventory) -> int:\n    return sum(i.quantity for i in inv.items())\n"
    assert merge_definitions(MODULE, same, rel="inv.py").text == MODULE  # a no-op, not an error


def test_whole_module_is_told_apart_from_part_of_one():
    assert looks_like_whole_module(MODULE, MODULE.replace("LIMIT = 10", "LIMIT = 11"))
    assert not looks_like_whole_module(MODULE, "def total(inv):\n    return 0\n")


def test_changeset_merges_a_block_under_an_existing_path_and_an_empty_search(tmp_path):
    (tmp_path / "inv.py").write_text(MODULE)
    answer = textwrap.dedent('''\
        inv.py
        ```python
        class Inventory:
            def count(self) -> int:
                return len(self._items)
        ```

        inv.py
        ```python
        <<<<<<< SEARCH
        =======
        def empty(inv: Inventory) -> bool:
            return inv.count() == 0
        >>>>>>> REPLACE
        ```
        ''')
    change = ChangeSet.from_answer(answer, root=tmp_path).changes[0]
    assert change.kind == "modify", change.problems
    assert not change.problems
    assert "def count(self) -> int:" in change.new_text and "def empty(inv: Inventory)" in change.new_text
    assert "def restock(" in change.new_text
    added, removed = change.counts()
    assert removed == 0 and added >= 5


def test_a_package_init_gains_an_export_without_losing_the_others():
    init = 'from .core import clean, words\n\n__all__ = ["clean", "words"]\n'
    partial = 'from .core import slugify\n\n__all__ = ["clean", "words", "slugify"]\n'
    assert not looks_like_whole_module(init, partial)
    out = merge_definitions(init, partial, rel="pkg/__init__.py").text
    assert out == ('from .core import clean, words\nfrom .core import slugify\n\n'
                   '__all__ = ["clean", "words", "slugify"]\n')
    whole = 'from .core import clean, slugify, words\n\n__all__ = ["clean", "slugify", "words"]\n'
    assert looks_like_whole_module(init, whole)


def test_new_members_of_the_last_class_stay_in_it_when_a_new_class_follows():
    module = "class Error(Exception):\n    pass\n\n\nclass Cart:\n    def total(self):\n        return 0\n"
    out = merge_definitions(module, textwrap.dedent('''\
        class CouponError(Error):
            """Bad coupon."""


        class Cart:
            def discount(self):
                return 1
        '''), rel="cart.py").text
    tree = ast.parse(out)
    cart = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Cart")
    assert [m.name for m in cart.body] == ["total", "discount"]
    assert [n.name for n in tree.body] == ["Error", "Cart", "CouponError"]


def test_a_new_function_used_by_module_level_code_is_defined_before_it():
    module = 'def _upper(v):\n    return v.upper()\n\n\nFILTERS = {"upper": _upper}\n'
    out = merge_definitions(module, 'def _default(v, d=""):\n    return v or d\n\n\n'
                            'FILTERS = {"upper": _upper, "default": _default}\n', rel="f.py").text
    namespace: dict = {}
    exec(compile(out, "f.py", "exec"), namespace)  # the merged module loads: _default exists in time
    assert namespace["FILTERS"]["default"]("", "x") == "x"
    assert out.index("def _default") < out.index("FILTERS =")


def test_an_answer_cut_off_inside_a_class_keeps_the_methods_it_completed(tmp_path):
    (tmp_path / "inv.py").write_text(MODULE)
    answer = ("inv.py\n```python\nclass Inventory:\n"
              "    def count(self) -> int:\n        return len(self._items)\n\n"
              "    @property\n    def empty(self) -> bool:\n        return not self._it")
    changeset = ChangeSet.from_answer(answer, root=tmp_path)
    (change,) = changeset.changes
    assert change.kind == "modify"
    assert "def count(self) -> int:" in change.new_text and "def empty" not in change.new_text
    assert "def restock(" in change.new_text  # never a whole-file replacement
    assert any("cut off" in n for n in change.notes)
    assert "never closed" in changeset.problems_report()  # still sent back for a repair


def test_a_cut_off_block_with_nothing_complete_changes_nothing(tmp_path):
    (tmp_path / "inv.py").write_text(MODULE)
    changeset = ChangeSet.from_answer("inv.py\n```python\ndef total(inv):\n    retu", root=tmp_path)
    assert changeset.changes == [] and "never closed" in changeset.problems_report()
