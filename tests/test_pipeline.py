"""The two-phase Run: with recorded answers (deterministic) and with the real SmolLM2 model."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from desktop.core.checklist import Checklist
from desktop.core.codebase import scan_codebase
from desktop.core.pipeline import Phase, Run, RunOptions
from desktop.core.plan import plan_from_text, read_plan
from desktop.core.prompts import Prompts
from desktop.core.records import list_runs, load_run, save_run
from desktop.llm.replay_engine import ReplayEngine

FIXTURE = Path(__file__).parent / "fixtures" / "smallrepo"

REFLECTION = """## 1. Codebase analysis
`Stock.level(sku)` returns the quantity. `format_line(sku, quantity)` formats a line.
## 2. Specification review
Empty list gives empty list.
## 3. Developer TODOs
1. Add low_stock to inventory/report.py.
## Checklist
- FILE `inventory/report.py`: add low_stock
- NAME `low_stock`: low_stock(stock, skus, threshold)
"""

BAD_ANSWER = """inventory/report.py
```python
<<<<<<< SEARCH
def format_line(sku, qty):
=======
def format_line(sku, qty):
>>>>>>> REPLACE
```
"""

GOOD_REPAIR = """inventory/report.py
```python
<<<<<<< SEARCH
    return f"{sku:<10} {quantity:>5}"
=======
    return f"{sku:<10} {quantity:>5}"


def low_stock(stock, skus, threshold):
    return [format_line(s, stock.level(s)) for s in skus if stock.level(s) < threshold]
>>>>>>> REPLACE
```
"""


@pytest.fixture
def repo(tmp_path):
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURE, dest)
    return dest


def make_run(repo, engine, events=None, **options):
    return Run(
        plan=read_plan(repo / "plan.md"),
        codebase=scan_codebase(repo),
        engine=engine,
        prompts=Prompts.load(),
        options=RunOptions(**options) if options else RunOptions(reflection_tokens=256, answer_tokens=512),
        on_event=(events.append if events is not None else None),
    )


def test_context_holds_the_relevant_files(repo):
    run = make_run(repo, ReplayEngine())
    pack = run.prepare()
    paths = [f.path for f in pack.files]
    assert "inventory/report.py" in paths and "inventory/stock.py" in paths
    assert "def format_line" in run.context_prompt()


def test_failed_edit_is_repaired_by_quoting_the_failure(repo):
    engine = ReplayEngine([REFLECTION, BAD_ANSWER, GOOD_REPAIR])
    events = []
    run = make_run(repo, engine, events)
    run.reflect()
    assert run.phase == Phase.REFLECTED
    changeset = run.implement()
    assert run.phase == Phase.DONE
    assert run.repairs == 1
    repair_prompt = engine.prompts[-1][-1]["content"]
    assert "def format_line(sku, qty):" in repair_prompt  # the search text that failed
    assert "def format_line(sku, quantity):" in repair_prompt  # the file's real text
    (change,) = changeset.changes
    assert change.kind == "modify" and "def low_stock" in change.new_text
    assert changeset.problems_report().strip() == ""
    # Phase 2 continued Phase 1's conversation.
    phase2 = engine.prompts[1]
    assert [m["role"] for m in phase2] == ["system", "user", "assistant", "user"]
    assert phase2[2]["content"] == REFLECTION
    assert any(e.kind == "notice" and "Repair 1" in e.text for e in events)


def test_missing_required_name_triggers_a_repair(repo):
    answer_without_name = GOOD_REPAIR.replace("low_stock", "lowstock")
    engine = ReplayEngine([REFLECTION, answer_without_name, GOOD_REPAIR])
    run = make_run(repo, engine)
    run.reflect()
    changeset = run.implement()
    assert run.repairs == 1
    assert "`low_stock`" in engine.prompts[2][-1]["content"]
    assert "def low_stock" in changeset.changes[0].new_text


def test_user_edited_reflection_is_what_phase_two_sees(repo):
    engine = ReplayEngine([REFLECTION, GOOD_REPAIR])
    run = make_run(repo, engine)
    run.reflect()
    edited = REFLECTION + "\nAlso: keep the order of skus as given.\n"
    run.set_reflection(edited)
    run.implement()
    phase2 = engine.prompts[1]
    assert phase2[2]["content"] == edited
    assert "revised" in phase2[3]["content"]


def test_reflection_from_a_file_skips_phase_one(repo):
    engine = ReplayEngine([GOOD_REPAIR])
    run = make_run(repo, engine)
    run.set_reflection(REFLECTION)
    changeset = run.implement()
    assert run.phase == Phase.DONE and changeset.changes
    assert len(engine.prompts) == 1


def test_followup_revises_the_answer(repo):
    followup = """inventory/report.py
```python
<<<<<<< SEARCH
def low_stock(stock, skus, threshold):
=======
def low_stock(stock, skus, threshold=5):
>>>>>>> REPLACE
```
"""
    engine = ReplayEngine([REFLECTION, GOOD_REPAIR, followup])
    run = make_run(repo, engine)
    run.reflect()
    run.implement()
    changeset = run.follow_up("Give threshold a default of 5.")
    assert "def low_stock(stock, skus, threshold=5):" in changeset.changes[0].new_text
    assert "Give threshold a default of 5." in engine.prompts[-1][-1]["content"]
    assert [t.kind for t in run.turns] == ["reflection", "implementation", "followup"]


def test_run_record_round_trip(repo, app_paths):
    engine = ReplayEngine([REFLECTION, GOOD_REPAIR])
    run = make_run(repo, engine)
    run.reflect()
    run.implement()
    record = run.to_record()
    record["title"] = run.plan.title
    run_id = save_run(record, runs_dir=app_paths.runs_dir)
    (summary,) = list_runs(runs_dir=app_paths.runs_dir)
    assert summary.run_id == run_id and summary.changes == 1 and summary.phase == "done"
    loaded = load_run(run_id, runs_dir=app_paths.runs_dir)
    assert loaded["reflection"] == REFLECTION
    assert loaded["plan"]["sha256"] == run.plan.sha256


# -- with the real model ----------------------------------------------------------------


def test_both_phases_with_the_real_model(repo, smollm2_engine):
    events = []
    run = make_run(repo, smollm2_engine, events, reflection_tokens=160, answer_tokens=200, max_repairs=1)
    reflection = run.reflect()
    assert run.phase == Phase.REFLECTED and reflection.strip()
    changeset = run.implement()
    assert run.phase == Phase.DONE
    assert run.turns[1].text.strip()
    assert changeset is not None
    kinds = {e.kind for e in events}
    assert {"phase", "text", "prompt_progress", "turn_done"} <= kinds
    # Phase 2 reused the KV cache of Phase 1's prompt and answer.
    phase1, phase2 = run.turns[0].usage, run.turns[1].usage
    assert phase2.cached_tokens >= phase1.prompt_tokens + phase1.generated_tokens - 1


def test_stop_mid_generation_with_the_real_model(repo, smollm2_engine):
    stop = threading.Event()
    seen = []

    def on_event(event):
        if event.kind == "text":
            seen.append(event.text)
            if len(seen) == 15:
                stop.set()

    run = make_run(repo, smollm2_engine, reflection_tokens=400)
    run.on_event = on_event
    text = run.reflect(stop_event=stop)
    assert run.phase == Phase.STOPPED
    assert text == "".join(seen) and len(seen) == 15


def test_followup_with_the_real_model(repo, smollm2_engine):
    run = make_run(repo, smollm2_engine, reflection_tokens=96, answer_tokens=96, max_repairs=0)
    run.reflect()
    run.implement()
    run.follow_up("Also handle an empty sku list.")
    assert run.turns[-1].kind == "followup" and run.turns[-1].text.strip()
    assert run.phase == Phase.DONE


def test_phase_two_reply_starts_with_the_first_checklist_file(repo):
    after_prefill = GOOD_REPAIR.split("```python\n", 1)[1]  # what the model writes after the given start
    engine = ReplayEngine([REFLECTION, after_prefill], prefill=True)
    run = make_run(repo, engine)
    run.reflect()
    changeset = run.implement()
    assert engine.prefills == ["", "inventory/report.py\n```python\n"]
    assert run.turns[1].text.startswith("inventory/report.py\n```python\n<<<<<<< SEARCH")
    assert "def low_stock" in changeset.changes[0].new_text and run.repairs == 0
    # The format is in the system prompt, not repeated at the end of Phase 2's request.
    assert "<<<<<<< SEARCH" in engine.prompts[1][0]["content"]
    assert "<<<<<<< SEARCH" not in engine.prompts[1][-1]["content"]


MERGE_ANSWER_MISSING_IMPORT = """inventory/report.py
```python
def low_stock(stock, skus, threshold):
    chosen = [s for s in skus if stock.level(s) < threshold]
    return [format_line(s, stock.level(s)) for s in sorted(chosen, key=itemgetter(0))]
```
"""

MERGE_REPAIR = """inventory/report.py
```python
from operator import itemgetter
```
"""


def test_a_name_used_but_never_imported_is_sent_back_and_the_import_merged(repo):
    engine = ReplayEngine([REFLECTION, MERGE_ANSWER_MISSING_IMPORT, MERGE_REPAIR])
    run = make_run(repo, engine)
    run.reflect()
    changeset = run.implement()
    assert run.repairs == 1
    repair_prompt = engine.prompts[2][-1]["content"]
    assert "`itemgetter` is used but never defined or imported" in repair_prompt
    (change,) = changeset.changes
    assert change.kind == "modify" and not change.problems
    text = change.new_text
    # The definition went to the end, the import after the imports, the rest of the file kept.
    assert text.index("from operator import itemgetter") < text.index("def format_line")
    assert text.rstrip().endswith("key=itemgetter(0))]")
    assert changeset.problems_report().strip() == ""


def test_a_looping_answer_is_cut_short(repo):
    loop = "inventory/report.py\n```python\n" + "def f():\n    return 1\n\n\n" * 200
    engine = ReplayEngine([REFLECTION, loop + "never reached"])
    events = []
    run = make_run(repo, engine, events, reflection_tokens=256, answer_tokens=4096, max_repairs=0)
    run.reflect()
    run.implement()
    answer = run.turns[1].text
    assert len(answer) < len(loop) // 3 and "never reached" not in answer
    assert any(e.kind == "notice" and "repeating itself" in e.text for e in events)


def test_loop_guard_ignores_code_that_repeats_a_few_times():
    from desktop.core.repetition import LoopGuard

    guard = LoopGuard()
    block = "<<<<<<< SEARCH\n" + "x = compute(a, b, c)  # a line long enough to matter\n" * 3
    text = (block + "=======\n" + block + ">>>>>>> REPLACE\n") * 1 + "tail\n" * 50
    assert not any(guard.feed(text[i:i + 7]) for i in range(0, len(text), 7))
    looping = LoopGuard()
    unit = "def same():\n    return 'the same lines again and again'\n\n"
    assert any(looping.feed(unit) for _ in range(40))
    assert not looping.counting
    counting = LoopGuard()
    cases = "".join(f"    if n == {k}:\n        return True\n" for k in range(8, 400, 2))
    assert any(counting.feed(cases[i:i + 7]) for i in range(0, len(cases), 7)) and counting.counting
    assert len(counting.text) < len(cases) // 3
    table = LoopGuard()  # a table whose lines differ in more than their numbers
    rows = "".join(f"    ({k}, {name!r}),\n" for k, name in enumerate(
        ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
         "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"] * 3))
    assert not any(table.feed(rows[i:i + 7]) for i in range(0, len(rows), 7))


def test_an_answer_that_lists_cases_one_by_one_is_cut_and_asked_for_the_rule(repo):
    cases = "".join(f"    if quantity == {k}:\n        return True\n" for k in range(1, 400))
    listing = "inventory/report.py\n```python\ndef format_line(sku, quantity):\n" + cases
    engine = ReplayEngine([REFLECTION, listing, "inventory/report.py\n```python\nx = 1\n```\n"])
    events = []
    run = make_run(repo, engine, events, reflection_tokens=256, answer_tokens=4096, max_repairs=1)
    run.reflect()
    run.implement()
    assert len(run.turns[1].text) < len(listing) // 3
    assert any(e.kind == "notice" and "listing cases one by one" in e.text for e in events)
    assert "Write the general rule instead" in engine.prompts[2][-1]["content"]
    assert not run.counted_cases  # the repair itself did not list cases


def test_signatures_are_held_to_the_plan():
    from desktop.core.signatures import check_signatures, plan_signatures

    plan = ("1. Add `def slugify(text: str, *, sep: str = \"-\") -> str` to `t/core.py`.\n"
            "2. Add `@classmethod def identity(cls, n: int) -> \"Matrix\"`.\n")
    assert sorted(plan_signatures(plan)) == ["identity", "slugify"]
    wrong = "def slugify(text, sep='-'):\n    return text\n"
    right = "def slugify(text, *, sep='-'):\n    return text\n"
    (problem,) = check_signatures(plan, {"t/core.py": (None, wrong)})
    assert "`def slugify(text, sep='-')` does not match" in problem and "*, sep: str='-'" in problem
    assert check_signatures(plan, {"t/core.py": (None, right)}) == []
    # Code that was already there is not the model's to fix.
    assert check_signatures(plan, {"t/core.py": (wrong, wrong + "\nX = 1\n")}) == []


STUB_FILE = "def find(search_list, value):\n    pass\n"


def stub_run(tmp_path, engine, **options):
    root = tmp_path / "stubrepo"
    root.mkdir()
    (root / "finder.py").write_text(STUB_FILE)
    plan = plan_from_text("# Implement `find` in `finder.py`\n\nReturn the index of value, -1 when absent.\n\n"
                          ">>> find([1, 2], 2)\n1\n")
    return Run(plan=plan, codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
               options=RunOptions(**options))


def test_a_stub_left_a_stub_is_repaired_and_a_run_with_nothing_ends_on_a_whole_file_turn(tmp_path):
    # The answer leaves the stub as it was, the repair too: the last turn asks for the whole file.
    whole = "def find(search_list, value):\n    return search_list.index(value) if value in search_list else -1\n```\n"
    engine = ReplayEngine(["## Checklist\n- NAME `find`\n- NAME `IndexFinder`\n", "    pass\n```\n", "    pass\n```\n",
                           whole], prefill=True)
    run = stub_run(tmp_path, engine, max_repairs=1)
    run.reflect()
    changeset = run.implement()
    assert "`find` still has no implementation" in run.turns[1].problems
    assert [t.kind for t in run.turns] == ["reflection", "implementation", "repair", "final"]
    assert engine.prefills[-1] == "finder.py\n```python\n"
    # The repair, too, started at the stub the answer left.
    assert engine.prefills[-2] == "finder.py\n```python\ndef find(search_list, value):\n"
    assert "index(value)" in changeset.get("finder.py").new_text
    # The reflection's own name is shown as a proposal, not required.
    phase2 = run.turns[1].prompt
    assert "`IndexFinder`" in phase2 and "optional" in phase2 and "NAME `IndexFinder`" not in phase2
    # Phase 2 starts at the stub's body and is reminded of the plan.
    assert engine.prefills[1] == "finder.py\n```python\ndef find(search_list, value):\n"
    assert "Return the index of value" in phase2
    assert "Write these files whole" in phase2


def test_a_plain_word_of_the_plan_is_no_name_it_gives_so_the_reflections_class_of_that_word_is_a_proposal(tmp_path):
    # Seen on a one-file stub: the plan says "triangle" in prose and links "[Triangle Inequality]";
    # the reflection planned a class `Triangle`, was held to it, and wrote it instead of the stubs.
    root = tmp_path / "tri"
    root.mkdir()
    (root / "triangle.py").write_text("def equilateral(sides):\n    pass\n")
    plan = plan_from_text("# Implement `triangle.py`\n\nTell whether a triangle is equilateral.\n"
                          "See [Triangle Inequality][ti] and `check_sides`; a `ShapeError` class.\n\n"
                          "```python\nraise ValueError(too_short)\n```\nAlso MAX_SIDE and Side2D.\n")
    run = Run(plan=plan, codebase=scan_codebase(root), engine=ReplayEngine([]), prompts=Prompts.load(),
              options=RunOptions())
    run.prepare()
    spec = run.spec
    assert not spec.names("Triangle") and spec.mentions("Triangle")
    assert all(spec.names(n) for n in ("check_sides", "ShapeError", "too_short", "MAX_SIDE", "Side2D"))
    names = Checklist(names=["Triangle", "equilateral", "check_sides"])
    kept, proposed = run._split_checklist(names)
    assert kept.names == ["equilateral", "check_sides"] and proposed == ["Triangle"]


def test_an_answer_that_closes_its_whole_file_without_a_stub_goes_on_at_that_stub(tmp_path):
    root = tmp_path / "tri"
    root.mkdir()
    (root / "triangle.py").write_text("def valid(sides):\n    pass\n\n\ndef equilateral(sides):\n    pass\n")
    plan = plan_from_text("# Implement `triangle.py`\n\nTell whether a triangle is valid and equilateral.\n")
    engine = ReplayEngine(["## Checklist\n- FILE `triangle.py`\n",
                           "    return min(sides) > 0\n\n\nclass Shape:\n    kind = 'triangle'\n```\n",
                           "    return valid(sides) and len(set(sides)) == 1\n```\n"], prefill=True)
    events = []
    run = Run(plan=plan, codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
              options=RunOptions(max_repairs=1, check_examples=False), on_event=events.append)
    run.reflect()
    changeset = run.implement()
    assert engine.prefills[-1].endswith("    kind = 'triangle'\n\n\ndef equilateral(sides):\n")
    new = changeset.get("triangle.py").new_text
    assert "len(set(sides)) == 1" in new and "min(sides) > 0" in new and "pass" not in new
    assert [t.kind for t in run.turns] == ["reflection", "implementation"]  # one turn, no repair
    assert any(e.kind == "notice" and "without `equilateral`; it goes on there" in e.text for e in events)
    # With too little of the budget left for a body, the answer ends as written.
    engine = ReplayEngine(["## Checklist\n- FILE `triangle.py`\n",
                           "    return min(sides) > 0\n\n\nclass Shape:\n    kind = 'triangle'\n```\n"], prefill=True)
    short = Run(plan=plan, codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
                options=RunOptions(max_repairs=0, check_examples=False, answer_tokens=100))
    short.reflect()
    short.implement()
    assert len(engine.prefills) == 2 and short.turns[1].text.endswith("    kind = 'triangle'\n```\n")


def test_a_repair_starts_at_the_stub_only_when_the_stub_is_all_that_is_wrong(tmp_path):
    # The answer leaves the stub and uses a name it never imports: the repair must be free to
    # fix the top of the file, so it is not started at the stub.
    broken = "finder.py\n```python\nHELPER = helper_of_mine()\n\n\ndef find(search_list, value):\n    pass\n```\n"
    engine = ReplayEngine(["## Checklist\n- NAME `find`\n", "    pass\n\n\nX = undefined_thing\n```\n", broken,
                           "def find(search_list, value):\n    return -1\n```\n"], prefill=True)
    run = stub_run(tmp_path, engine, max_repairs=1)
    run.reflect()
    run.implement()
    assert "`undefined_thing` is used but never defined" in run.turns[1].problems
    assert run.turns[2].kind == "repair" and engine.prefills[2] == ""
