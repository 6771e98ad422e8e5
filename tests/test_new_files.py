"""New files nothing asked for are shown unticked; asked-for ones (named, imported) stay ticked."""

from __future__ import annotations

from desktop.core.apply import apply_changes
from desktop.core.changes import ChangeSet
from desktop.core.codebase import scan_codebase
from desktop.core.new_files import imported_modules, module_names, untick_unasked_files
from desktop.core.pipeline import Run, RunOptions
from desktop.core.plan import plan_from_text
from desktop.core.prompts import Prompts
from desktop.llm.replay_engine import ReplayEngine


def block(path: str, code: str) -> str:
    return f"{path}\n```python\n{code}```\n\n"


def finder_run(tmp_path, main_py: str, *, max_repairs: int, on_event=None) -> tuple[Run, ReplayEngine]:
    """A run on a one-stub codebase whose answer implements `find` and adds an unasked main.py;
    reflected, ready to implement."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "finder.py").write_text("def find(xs, v):\n    pass\n")
    answer = block("finder.py", "def find(xs, v):\n    return xs.index(v)\n") + block("main.py", main_py)
    engine = ReplayEngine(["## Checklist\n- NAME `find`\n", answer])
    run = Run(plan=plan_from_text("# Implement `find` in `finder.py`\n\nReturn the index of v.\n"),
              codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
              options=RunOptions(max_repairs=max_repairs, scratch_dir=str(tmp_path / "scratch")),
              **({"on_event": on_event} if on_event else {}))
    run.reflect()
    return run, engine


def test_module_names_and_imports():
    assert module_names("a/b/c.py") == {"c", "b.c", "a.b.c"}
    assert module_names("pkg/__init__.py") == {"pkg"}
    assert module_names("notes.md") == set()
    found = imported_modules("import os.path\nfrom shop import cart\nfrom .helpers import x\nfrom . import util\n")
    assert {"os", "os.path", "shop", "shop.cart", "helpers", "helpers.x", "util"} <= found
    assert imported_modules("def broken(:\n") == set()


def test_a_demo_file_is_unticked_and_not_written_while_named_and_imported_files_are(tmp_path):
    (tmp_path / "finder.py").write_text("def find(xs, v):\n    pass\n")
    answer = (block("finder.py", "from helpers import first\n\ndef find(xs, v):\n    return first(xs, v)\n")
              + block("helpers.py", "def first(xs, v):\n    return xs.index(v)\n")
              + block("main.py", "from finder import find\nprint(find([1], 1))\n")
              + block("basket.py", "class Basket:\n    def is_empty(self):\n        return True\n")
              + block("docs/usage.py", "X = 1\n"))
    changeset = ChangeSet.from_answer(answer, root=tmp_path)
    plan = "Implement `find` in `finder.py`; show its use in `docs/usage.py`."
    assert untick_unasked_files(changeset, plan_text=plan) == ["main.py", "basket.py"]
    assert {c.path for c in changeset.accepted()} == {"finder.py", "helpers.py", "docs/usage.py"}
    assert "not ticked" in changeset.get("main.py").notes[-1]
    assert "not accepted" in changeset.summary()
    apply_changes(changeset, backups_dir=tmp_path.parent / "backups")
    assert not (tmp_path / "main.py").exists() and not (tmp_path / "basket.py").exists()
    assert (tmp_path / "helpers.py").exists()


def test_the_run_unticks_an_unasked_new_file_and_says_so(tmp_path):
    events = []
    run, _ = finder_run(tmp_path, "from finder import find\nprint(find([1], 1))\n", max_repairs=0,
                        on_event=events.append)
    changeset = run.implement()
    assert [c.path for c in changeset.accepted()] == ["finder.py"]
    assert not changeset.get("main.py").accepted
    assert any("`main.py` is a new file" in getattr(e, "text", "") for e in events)


def test_an_unasked_new_file_is_neither_repaired_nor_checked(tmp_path):
    # Seen on the tuning split: a demo main.py that calls the function without importing it sent
    # a right answer to repair, and its pyflakes problem counted against it.
    run, engine = finder_run(tmp_path, "if __name__ == '__main__':\n    print(find([1], 1))\n", max_repairs=2)
    changeset = run.implement()
    assert run.repairs == 0 and len(engine.prompts) == 2  # no repair turn was asked for
    assert run.turns[-1].problems == ""
    assert [c.path for c in changeset.accepted()] == ["finder.py"]
