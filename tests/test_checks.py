"""Checks on a scratch copy: the plan's examples (written by Phase 1) and a check command."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.core.answer_choices import answer_choices
from desktop.core.checks import Checker, CheckResult, failed_commands, problems_text
from desktop.core.codebase import scan_codebase
from desktop.core.examples_runner import run_examples
from desktop.core.pipeline import Run, RunOptions
from desktop.core.plan import plan_from_text
from desktop.core.prompts import Prompts
from desktop.core.reflection_examples import split_examples
from desktop.core.scratch import clean_environment, network_wall
from desktop.core.turns import Turn
from desktop.llm.replay_engine import ReplayEngine

STUB = "def find(search_list, value):\n    pass\n"
PLAN = ("# Implement `find` in `finder.py`\n\nReturn the index of value, -1 when absent.\n\n"
        ">>> find([1, 2], 2)\n1\n>>> find([1, 2], 5)\n-1\n")
REFLECTION = """## 1. Codebase analysis
`finder.py`: `find(search_list, value)` is a stub.
## Checklist
- NAME `find`

## Examples as checks
```python
from finder import find
assert find([1, 2], 2) == 1
assert find([1, 2], 5) == -1
```
"""
WRONG = "    return search_list.index(value)\n```\n"  # after the prefill, which opens `find`
RIGHT = ("finder.py\n```python\ndef find(search_list, value):\n"
         "    return search_list.index(value) if value in search_list else -1\n```\n")


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def stub_run(tmp_path, engine, **options) -> Run:
    root = tmp_path / "stubrepo"
    root.mkdir()
    (root / "finder.py").write_text(STUB)
    return Run(plan=plan_from_text(PLAN), codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
               options=RunOptions(scratch_dir=str(tmp_path / "scratch"), **options))


def test_the_examples_block_is_split_from_the_reflection_and_a_cut_block_keeps_its_whole_lines():
    strategy, code = split_examples(REFLECTION)
    assert "Examples as checks" not in strategy and "```" not in strategy and "- NAME `find`" in strategy
    assert code.splitlines() == ["from finder import find", "assert find([1, 2], 2) == 1",
                                 "assert find([1, 2], 5) == -1"]
    cut = REFLECTION.split("assert find([1, 2], 5)")[0] + "assert find([1, 2], 5) =="
    assert split_examples(cut)[1].splitlines()[-1] == "assert find([1, 2], 2) == 1"
    assert split_examples("## 1. Analysis\nno block\n") == ("## 1. Analysis\nno block\n", "")


def test_each_example_is_run_on_its_own_and_says_what_it_gave(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text("def f(x):\n    return x + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    results = list(run_examples("from m import f\nassert f(1) == 3\nf(None)\nassert f(0.1) == 1.1\n"))
    assert [r["ok"] for r in results] == [False, False, True]
    assert results[0]["got"] == "2" and results[0]["expected"] == "3" and "kind" not in results[0]
    (alike,) = run_examples("assert sorted({2, 1}) == (1, 2)\n")  # alike to read, of another type
    assert alike["got"] == "[1, 2]" and alike["kind"] == "a list where a tuple is expected"
    assert "kind" not in next(run_examples("assert None == [1]\n"))  # `gave None` says it
    assert results[1]["error"].startswith("TypeError") and "m.py, line 2" in results[1]["error"]
    broken = list(run_examples("from nowhere import f\nassert f(1) == 2\n"))
    assert not broken[1]["ok"] and "not run" in broken[1]["error"] and "ModuleNotFoundError" in broken[1]["error"]


def test_a_wrong_answer_is_repaired_with_the_failing_example_and_the_users_folder_is_untouched(tmp_path):
    engine = ReplayEngine([REFLECTION, WRONG, RIGHT.split("value):\n", 1)[1]], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=2)
    before = snapshot(run.codebase.root)
    run.reflect()
    assert "Examples as checks" in run.turns[0].prompt  # Phase 1 was asked for the block
    changeset = run.implement()
    # Phase 2 follows the strategy without the examples block.
    assert "assert find" not in engine.prompts[1][2]["content"]
    # Only the checks failed: the next answer is written afresh from the plan alone, asked plainly.
    assert [(t.kind, t.kept) for t in run.turns] == [("reflection", True), ("implementation", False), ("retry", True)]
    retry = run.turns[2].prompt
    assert "# Your task" in retry and "An earlier answer" not in retry and "following your strategy" not in retry
    assert [m["role"] for m in engine.prompts[2]] == ["system", "user"]
    assert run.repairs == 1
    first, second = run.turns[1].checks[0], run.turns[2].checks[0]
    assert (first["passed"], first["failed"]) == (1, 1) and (second["passed"], second["failed"]) == (2, 0)
    assert "else -1" in changeset.get("finder.py").new_text
    assert snapshot(run.codebase.root) == before  # no file written, no __pycache__
    assert run.to_record()["turns"][2]["checks"][0]["failed"] == 0


def test_a_repair_that_does_worse_is_left_out(tmp_path):
    worse = "finder.py\n```python\ndef find(search_list, value):\n    return None\n```\n"
    engine = ReplayEngine([REFLECTION, WRONG, worse], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=1)
    run.reflect()
    changeset = run.implement()
    assert [t.kept for t in run.turns] == [True, True, False]
    assert "search_list.index(value)" in changeset.get("finder.py").new_text


def test_without_example_checks_nothing_runs_and_the_prompts_are_as_before(tmp_path):
    engine = ReplayEngine([REFLECTION, WRONG], prefill=True)
    run = stub_run(tmp_path, engine, max_repairs=1)
    run.reflect()
    run.implement()
    assert "Examples as checks" not in run.turns[0].prompt
    assert run.turns[0].prompt.endswith("- NAME `function_or_class_name`")
    assert all(not t.checks for t in run.turns) and len(run.turns) == 2
    assert not (tmp_path / "scratch").exists()


SUITE_TESTS = '''
from calc import add, sub

def test_add():
    assert add(2, 3) == 5

def test_sub():
    assert sub(5, 3) == 2

def test_already_broken():
    assert sub(1, 1) == 99
'''


@pytest.fixture
def suite_repo(tmp_path):
    root = tmp_path / "calcrepo"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n")
    (root / "tests" / "test_calc.py").write_text(SUITE_TESTS)
    return root


PYTEST = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"


def test_a_check_command_counts_only_new_failures_and_leaves_the_folder_as_it_was(suite_repo, tmp_path):
    before = snapshot(suite_repo)
    checker = Checker(suite_repo, scratch_dir=tmp_path / "scratch", command=PYTEST)
    broken = "def add(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n"
    (result,) = checker.run([("calc.py", broken)])
    assert not result.ok and result.failed == 2
    assert [f.id for f in result.new_failures] == ["tests/test_calc.py::test_add"]
    text = problems_text([result])
    assert "tests/test_calc.py::test_add" in text and "assert 6 == 5" in text and "test_already_broken" not in text
    (fine,) = checker.run([])
    assert fine.ok and fine.failed == 1 and fine.passed == 2
    assert snapshot(suite_repo) == before
    # What withholds an apply: the command's new failures, not a test that failed before nor
    # a failing plan example (those only warn).
    examples = CheckResult("examples", "", failed=1, new_failures=result.new_failures)
    assert failed_commands([result, fine, examples]) == [result] and failed_commands([fine]) == []


def test_a_hanging_check_is_killed_at_its_limit(suite_repo, tmp_path):
    # The change makes the command hang (and leave a child behind); the unchanged code does not.
    checker = Checker(suite_repo, scratch_dir=tmp_path / "scratch",
                      command="if [ -f hang ]; then sleep 60 & sleep 60; fi", timeout=1.5)
    started = time.monotonic()
    (result,) = checker.run([("hang", "yes")])
    assert result.timed_out and not result.ok and time.monotonic() - started < 15
    assert any(f.id == "time limit" for f in result.new_failures)


def test_stop_stops_a_check(suite_repo, tmp_path):
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    results = Checker(suite_repo, scratch_dir=tmp_path / "scratch", command="sleep 30", timeout=60).run([], stop_event=stop)
    assert results[0].stopped and time.monotonic() - started < 10


def test_the_check_environment_holds_no_keys(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "secret")
    monkeypatch.setenv("OPENAI_API_KEY", "secret")
    env = clean_environment()
    assert "HF_TOKEN" not in env and "OPENAI_API_KEY" not in env and env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_a_check_that_opens_a_socket_fails_behind_the_wall_or_says_it_had_network(suite_repo, tmp_path):
    probe = f"{sys.executable} -c \"import socket; socket.create_connection(('1.1.1.1', 53), 3)\""
    (result,) = Checker(suite_repo, scratch_dir=tmp_path / "scratch", command=probe, timeout=20).run([])
    if network_wall():  # Linux with bubblewrap or user namespaces
        assert result.network_cut and result.returncode != 0
        assert "Network is unreachable" in result.output or "OSError" in result.output
    else:  # nothing here can take the network away: the result must say so
        assert not result.network_cut and "had network" in result.summary()


CALC_PLAN = "# Add `mul(a, b)` to `calc.py`\n\nReturn the product of a and b. Keep `add` and `sub` as they are.\n"
CALC_REFLECTION = "## 3. Developer TODOs\n1. Add `mul` to calc.py.\n## Checklist\n- FILE `calc.py`\n- NAME `mul`\n"
BREAKS_ADD = ("calc.py\n```python\ndef add(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a - b\n\n\n"
              "def mul(a, b):\n    return a * b\n```\n")
FIXED = BREAKS_ADD.replace("def add(a, b):\n    return a * b", "def add(a, b):\n    return a + b")


def test_a_change_that_breaks_a_test_is_repaired_with_the_failing_test_and_its_message(suite_repo, tmp_path):
    before = snapshot(suite_repo)
    # The answer written afresh from the plan alone breaks `add` too; the next one (from the plan,
    # sampled) is told what failed.
    engine = ReplayEngine([CALC_REFLECTION, BREAKS_ADD, BREAKS_ADD, FIXED])
    run = Run(plan=plan_from_text(CALC_PLAN), codebase=scan_codebase(suite_repo), engine=engine, prompts=Prompts.load(),
              options=RunOptions(check_command=PYTEST, scratch_dir=str(tmp_path / "scratch"), strategy="plain"))
    run.reflect()
    changeset = run.implement()
    assert [(t.kind, t.kept) for t in run.turns[1:]] == [("implementation", False), ("retry", False), ("retry", True)]
    repair = run.turns[3].prompt
    assert "tests/test_calc.py::test_add" in repair and "assert 6 == 5" in repair
    assert "test_already_broken" not in repair.split("An earlier answer")[1]  # failed before: not the model's
    (final,) = run.final_checks()
    assert final.ok and final.failed == 1  # only the failure that was there before
    assert changeset.checks and changeset.checks[0]["kind"] == "command"
    assert "return a + b" in changeset.get("calc.py").new_text
    assert snapshot(suite_repo) == before


def test_the_last_whole_file_turn_is_checked_and_a_change_that_breaks_a_test_says_so(suite_repo, tmp_path):
    # Nothing usable from the answer and its repair (the file as it was): the last turn asks for
    # calc.py whole, and what it writes breaks `add`. No repair follows, but its checks run, so
    # the review and `run --apply` know the change fails the command.
    unchanged = "calc.py\n```python\n" + (suite_repo / "calc.py").read_text() + "```\n"
    engine = ReplayEngine([CALC_REFLECTION, unchanged, unchanged, BREAKS_ADD])
    run = Run(plan=plan_from_text(CALC_PLAN), codebase=scan_codebase(suite_repo), engine=engine, prompts=Prompts.load(),
              options=RunOptions(check_command=PYTEST, scratch_dir=str(tmp_path / "scratch"), strategy="plain",
                                 max_repairs=1))
    run.reflect()
    changeset = run.implement()
    assert [t.kind for t in run.turns] == ["reflection", "implementation", "repair", "final"]
    assert "return a * b" in changeset.get("calc.py").new_text
    (final,) = failed_commands(run.final_checks())
    assert [f.id for f in final.new_failures] == ["tests/test_calc.py::test_add"]
    assert "test_add" in run.turns[-1].problems and changeset.checks[0]["new_failures"]


def test_the_checks_test_the_codebase_not_a_copy_in_the_block():
    from desktop.core.reflection_examples import checks_for, codebase_names

    names = codebase_names({"pkg/finder.py": STUB, "pkg/__init__.py": "", "notes.txt": "x"})
    assert names == {"find": "pkg.finder"}
    block = ("def find(search_list, value):\n    return 1\n\n"
             "def helper(x):\n    return x\n\nassert find([1, 2], 2) == helper(1)\n")
    code = checks_for(block, names)
    assert code.splitlines()[0] == "from pkg.finder import find"
    assert "return 1" not in code and "def helper" in code  # the block's own helper stays
    assert checks_for("from pkg.finder import find as f\nassert f([1], 1) == 0\n", names).count("import") == 1
    # a module the codebase lacks: the name comes from the module that defines it
    assert checks_for("from solution import find, floor\nassert find([1], 1) == floor(0)\n", names) == (
        "from pkg.finder import find\nfrom solution import floor\nassert find([1], 1) == floor(0)")
    # A constant of the codebase the checks pass as an argument is imported too (without it,
    # `score([1, 3, 3, 5, 5], PAIR)` failed every answer with a NameError).
    dice = {"dice.py": "PAIR = None\nSUM_ALL: int = 0\n_cache = None\n\n\ndef score(dice, category):\n    pass\n"}
    assert codebase_names(dice) == {"score": "dice"}
    with_constants = codebase_names(dice, constants=True)
    assert with_constants == {"score": "dice", "PAIR": "dice", "SUM_ALL": "dice"}
    assert checks_for("from dice import score\nassert score([1, 3, 3, 5, 5], PAIR) == 10\n", with_constants) == (
        "from dice import PAIR\nfrom dice import score\nassert score([1, 3, 3, 5, 5], PAIR) == 10")


def test_only_checks_the_plan_quotes_are_kept():
    from desktop.core.reflection_examples import plan_checks

    plan = (">>> largest_divisor(15)\n5\n>>> triples([1, 3, 5, 0])\nFalse\n>>> triples([1, 3, -2, 1])\nTrue\n"
            "`total()` is 90.0 after the coupon; slugify(\"Hello World\") gives 'hello-world'.\n")
    block = "\n".join([
        "from m import largest_divisor, triples, slugify",
        "assert largest_divisor(15) == 5",          # quoted
        "assert largest_divisor(1) == 1",           # invented call
        "assert largest_divisor(15) == 1",          # invented value
        "assert triples([1,3,5,0]) == True",        # the next example's value
        "assert triples([1, 3, -2, 1]) == True",    # quoted, spaces aside
        "cart = Cart()",
        "assert cart.total() == 90.0",              # a method, quoted without its receiver
        "assert slugify('Hello World') == \"hello-world\"",  # quote marks aside
    ])
    kept, left_out = plan_checks(block, plan)
    assert left_out == 3
    assert kept.splitlines() == ["from m import largest_divisor, triples, slugify", "assert largest_divisor(15) == 5",
                                 "assert triples([1, 3, -2, 1]) == True", "cart = Cart()",
                                 "assert cart.total() == 90.0", "assert slugify('Hello World') == \"hello-world\""]
    assert plan_checks("from m import f\nassert f(2) == 3\n", "no examples here") == ("", 1)
    # Written value first (as the 1.5B model went on from a block started with `assert `), a quoted
    # example is kept, call first; an unquoted one is still left out.
    reversed_ = "assert 5 == largest_divisor(15)\nassert 2 == largest_divisor(\n    15)\nassert 5 == 5\n"
    assert plan_checks(reversed_, plan) == ("assert largest_divisor(15) == 5", 2)
    # Only when the plan writes the call: values alone (`""`, then a `1` further on) quoted a
    # made-up `count_headings("") == 1` that failed every answer.
    loose = "For lst = [1,2,3] the output should be 6."
    assert plan_checks("assert f([1,2,3]) == 6\n", loose) == ("assert f([1,2,3]) == 6", 0)
    assert plan_checks("assert 6 == f([1,2,3])\n", loose) == ("", 1)
    # A bare assert needs the plan's True (or False, negated) after the call.
    bare = "assert triples([1, 3, -2, 1])\nassert not triples([1, 3, 5, 0])\nassert largest_divisor(15)\n"
    assert plan_checks(bare, plan) == ("assert triples([1, 3, -2, 1])\nassert not triples([1, 3, 5, 0])", 1)
    # A value that ends a sentence is still the value; one that goes on as a longer number is not.
    sentence = "Calling count(3) gives 1. Then count(4) gives 2.5 and count(5) gives 1.5."
    block = "assert count(3) == 1\nassert count(4) == 2\nassert count(5) == 1\n"
    assert plan_checks(block, sentence) == ("assert count(3) == 1", 2)


def test_checks_that_quote_the_plans_values_without_its_call_are_kept():
    from desktop.core.reflection_examples import plan_checks

    plan = ('For lst = [1,2,3] the output should be 6\n'
            'For s = "abcde", c = "ae", the result should be (\'bcd\',False)\n'
            "Example:\n    Input: [4,2,3]\n    Output: [2, 1]\n"
            "An empty list [] gives 0, and [7, 8] gives 3, not 15.\n")
    block = "\n".join([
        "from m import f, g, h",
        "assert f([1, 2, 3]) == 6",                    # the values in order, then the result
        "assert g('abcde', 'ae') == ('bcd', False)",   # two arguments, each quoted
        "assert h([4, 2, 3]) == [2, 1]",                # Input/Output lines
        "assert f([1, 2, 3]) == 7",                    # a value the plan does not give
        "assert g('ae', 'abcde') == ('bcd', False)",   # the arguments in another order
        "assert f(lst) == 6",                          # a name, not a value: proves nothing
        "assert f([7, 8]) == 15",                      # another value stands between
    ])
    kept, left_out = plan_checks(block, plan)
    assert kept.splitlines() == ["from m import f, g, h", "assert f([1, 2, 3]) == 6",
                                 "assert g('abcde', 'ae') == ('bcd', False)", "assert h([4, 2, 3]) == [2, 1]"]
    assert left_out == 4



def test_a_list_the_plan_writes_as_its_elements_one_by_one_is_quoted():
    # Seen on the tuning split: the plan gives the inputs and the result as code spans in a
    # sentence, and the model's assert of them (which a wrong answer fails) was left out.
    from desktop.core.reflection_examples import plan_checks

    plan = ('A word is not its own anagram. Given the target `"stone"` and candidates `"stone"`, `"tones"`, '
            '`"banana"`, `"notes"`, the anagram set is `"tones"`, `"notes"`.\n'
            "Letters are `A`-`Z` and `a`-`z`.\n")
    block = "\n".join([
        "from anagram import find_anagrams",
        'assert find_anagrams("stone", ["stone", "tones", "banana", "notes"]) == ["tones", "notes"]',
        'assert find_anagrams("stone", ["tones", "stone", "banana", "notes"]) == ["tones", "notes"]',  # order
        'assert find_anagrams("stone", ["stone", "tones", "banana", "notes"]) == ["stone", "tones", "notes"]',
        'assert find_anagrams("a", ["A", "Z", "a"]) == ["A", "a"]',  # values from elsewhere
    ])
    kept, left_out = plan_checks(block, plan)
    assert kept.splitlines() == block.splitlines()[:2] and left_out == 3

def checked_run(tmp_path, engine, **options):
    """A stub run with the examples checked and 2 repairs, reflected and implemented: (run, its
    changes, its events)."""
    events = []
    run = stub_run(tmp_path, engine, **{"check_examples": True, "max_repairs": 2, **options})
    run.on_event = events.append
    run.reflect()
    return run, run.implement(), events


def test_fresh_answers_that_do_no_better_leave_the_first_one_kept(tmp_path):
    worse = "    return None\n```\n"
    engine = ReplayEngine([REFLECTION, WRONG, WRONG, worse], prefill=True)
    run, changeset, events = checked_run(tmp_path, engine)
    assert [(t.kind, t.kept) for t in run.turns[1:]] == [("implementation", True), ("retry", False), ("retry", False)]
    # Both from the plan alone: the first greedy and not told what failed, the second sampled
    # (greedy, it would be the first again) and told.
    assert [m["role"] for m in engine.prompts[2]] == ["system", "user"] and engine.prompts[3][0] == engine.prompts[2][0]
    assert "An earlier answer" not in engine.prompts[2][-1]["content"]
    told = engine.prompts[3][-1]["content"]
    assert told.startswith(engine.prompts[2][-1]["content"]) and "`assert find([1, 2], 5) == -1` fails" in told
    assert [(c["temperature"], c["seed"]) for c in engine.calls[2:]] == [(0.0, None), (0.6, 1)]
    assert any("Kept answer 1 of 3" in e.text for e in events)
    assert "search_list.index(value)" in changeset.get("finder.py").new_text
    # The example that no answer met is named once, for the user to check against the plan
    # (the other one failed only on the last answer).
    named = [e.text for e in events if "failed on all" in e.text]
    assert len(named) == 1 and named[0].startswith(
        "The example `assert find([1, 2], 5) == -1` failed on all 3 answers. Check it against the plan")
    assert "`assert find([1, 2], 2) == 1`" not in named[0]


def test_an_example_is_named_only_when_no_answer_met_it_and_enough_answers_tried():
    from desktop.core.turns import failed_everywhere

    def answer(*details):
        return Turn("retry", "", checks=[{"kind": "examples", "passed": 0, "failed": len(details),
                                          "failures": [{"id": "line 1", "message": "x", "detail": d} for d in details]}])
    skipped = Turn("retry", "", checks=[{"kind": "examples", "skipped": "not computing code", "failures": []}])
    assert failed_everywhere([answer("a", "b"), answer("b", "a"), skipped, answer("a")]) == (["a"], 3)
    assert failed_everywhere([answer("a"), answer("a")]) == ([], 2)  # too few answers to tell
    assert failed_everywhere([answer("a"), answer("a"), answer()]) == ([], 3)  # one met it


def test_a_value_of_another_type_is_named_as_such_in_what_goes_back(tmp_path):
    engine = ReplayEngine([REFLECTION, "    return [1]\n```\n", RIGHT.split("value):\n", 1)[1]], prefill=True)
    run, changeset, _ = checked_run(tmp_path, engine)
    assert "gave [1] (expected 1): a list where an int is expected" in run.turns[1].problems
    assert "if value in search_list" in changeset.get("finder.py").new_text


def test_of_answers_that_fail_as_many_checks_the_one_that_returns_values_is_kept(tmp_path):
    nothing, values = "    search_list.sort()\n```\n", "    return 7\n```\n"  # gives None; gives a wrong value
    engine = ReplayEngine([REFLECTION, nothing, values, nothing], prefill=True)
    run, changeset, events = checked_run(tmp_path, engine)
    assert [(t.kind, t.problems.count("gave None")) for t in run.turns[1:]] == [
        ("implementation", 2), ("retry", 0), ("retry", 2)]
    assert [t.kept for t in run.turns[1:]] == [False, True, False]
    assert any("Kept answer 2 of 3" in e.text for e in events)
    assert "return 7" in changeset.get("finder.py").new_text


GUARDED = ("    if len(search_list) < 3:\n        return -1\n"
           "    return search_list.index(value) if value in search_list else -1\n```\n")


@pytest.mark.parametrize("command", ["", f"{sys.executable} -c pass"])
def test_when_no_answer_passes_one_passes_without_an_early_exit_it_added(tmp_path, command, monkeypatch):
    worse = "    return None\n```\n"
    engine = ReplayEngine([REFLECTION, GUARDED, GUARDED, worse], prefill=True)
    runs = []
    real_run = Checker.run
    monkeypatch.setattr(Checker, "run", lambda self, *a, **k: runs.append(self.command) or real_run(self, *a, **k))
    run, changeset, events = checked_run(tmp_path, engine, check_command=command)
    # Each answer checked once, then its variant: the examples first when there is a command,
    # and the variant that passes is not checked again when it is kept.
    assert runs == [command] * 3 + ([""] if command else []) + [command]
    before = snapshot(run.codebase.root)
    assert [(t.kind, t.candidate, t.kept) for t in run.turns[1:]] == [
        ("implementation", 0, True), ("retry", 1, False), ("retry", 2, False), ("edit", 0, True)]
    edit = run.turns[-1]
    assert "`if len(search_list) < 3:`" in edit.prompt and len(engine.calls) == 4  # no model turn
    assert edit.checks[-1]["kind"] == "examples" and edit.checks[-1]["failed"] == 0 and run.final_checks()[-1].ok
    new_text = changeset.get("finder.py").new_text
    assert "len(search_list)" not in new_text and "else -1" in new_text
    assert any("passes its checks without the early exit `if len(search_list) < 3:`" in e.text for e in events)
    assert any("Kept answer 1 of 3: it passes the checks." in e.text for e in events)
    assert not any("failed on all" in e.text for e in events)  # the kept variant meets every example
    labels = [c.label for c in answer_choices(run.turns)]
    assert labels[0] == "Answer 1 (first answer, without an early exit it added): passes its checks · kept"
    assert Turn.from_dict(run.to_record()["turns"][-1]).kind == "edit"
    assert snapshot(run.codebase.root) == before


def test_an_answer_whose_other_problems_stay_is_not_kept_without_an_early_exit(tmp_path):
    # The checks pass without the exit, but `helper` still uses a name nothing defines: the
    # answer is not kept that way, no "passes" notice is given, and the next answer is tried.
    bad = GUARDED.replace("```\n", "\n\ndef helper():\n    return missing_name\n```\n")
    engine = ReplayEngine([REFLECTION, bad, bad, bad], prefill=True)
    run, changeset, events = checked_run(tmp_path, engine)
    assert "edit" not in [t.kind for t in run.turns]
    assert not any("passes its checks without" in e.text for e in events)
    assert any("checking each without an early exit" in e.text for e in events)
    assert "len(search_list)" in changeset.get("finder.py").new_text


def test_an_early_exit_is_not_left_out_when_an_answer_passes_or_repairs_are_off(tmp_path):
    engine = ReplayEngine([REFLECTION, GUARDED, RIGHT.split("value):\n", 1)[1]], prefill=True)
    run, _, _ = checked_run(tmp_path, engine)
    assert [t.kind for t in run.turns[1:]] == ["implementation", "retry"]
    engine = ReplayEngine([REFLECTION, GUARDED], prefill=True)
    (tmp_path / "off").mkdir()
    run = stub_run(tmp_path / "off", engine, check_examples=True, max_repairs=0)
    run.reflect()
    assert "len(search_list)" in run.implement().get("finder.py").new_text


def test_candidates_are_tried_while_the_checks_fail_and_the_passing_one_is_kept(tmp_path):
    worse = "    return None\n```\n"
    engine = ReplayEngine([REFLECTION, WRONG, worse, RIGHT.split("value):\n", 1)[1]], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=0, candidates=4)
    run.reflect()
    changeset = run.implement()
    assert [(t.kind, t.candidate, t.kept) for t in run.turns[1:]] == [
        ("implementation", 0, False), ("candidate", 1, False), ("candidate", 2, True)]
    # Each candidate starts from the same conversation, sampled with its own seed.
    assert [c["seed"] for c in engine.calls[1:]] == [None, 1, 2]
    assert [c["temperature"] for c in engine.calls[1:]] == [0.0, 0.6, 0.6]
    # From the plan alone and from the strategy in turn, each told what failed.
    assert [m["role"] for m in engine.prompts[2]] == ["system", "user"] and "An earlier answer" in engine.prompts[2][-1]["content"]
    assert engine.prompts[3][:3] == engine.prompts[1][:3] and "An earlier answer" in engine.prompts[3][-1]["content"]
    assert "`assert find([1, 2], 5) == -1` fails" in engine.prompts[3][-1]["content"]
    assert "else -1" in changeset.get("finder.py").new_text
    assert run.final_checks()[0].ok and changeset.checks[0]["failed"] == 0


def test_no_candidates_when_the_first_answer_passes(tmp_path):
    engine = ReplayEngine([REFLECTION, RIGHT.split("value):\n", 1)[1]], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, candidates=3)
    run.reflect()
    run.implement()
    assert [t.kind for t in run.turns] == ["reflection", "implementation"]


def test_a_reflection_without_its_block_gets_the_plans_doctest_examples(tmp_path):
    engine = ReplayEngine(["## Checklist\n- NAME `find`\n", WRONG], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=0)
    run.reflect()
    # The block as it runs: with the import of the codebase's function.
    assert run.reflection.endswith("```python\nfrom finder import find\nassert find([1, 2], 2) == 1\n"
                                   "assert find([1, 2], 5) == -1\n```\n")
    assert len(engine.prompts) == 1  # no extra turn: the plan's `>>>` lines were enough
    run.implement()
    assert run.turns[1].checks[0]["failed"] == 1


def test_examples_the_plan_writes_as_code_are_checked_though_the_model_quoted_none(tmp_path):
    root = tmp_path / "stubrepo"
    root.mkdir()
    (root / "finder.py").write_text(STUB)
    plan = plan_from_text("# Implement `find` in `finder.py`\n\nExamples:\nfind([1, 2], 2) ➞ 1\n"
                          "Input: search_list = [1, 2], value = 5\nOutput: -1\n")
    reflection = "## Checklist\n- NAME `find`\n\n## Examples as checks\n```python\nassert find([7], 7) == 0\n```\n"
    engine = ReplayEngine([reflection, WRONG], prefill=True)
    run = Run(plan=plan, codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
              options=RunOptions(check_examples=True, max_repairs=0, scratch_dir=str(tmp_path / "scratch")))
    run.reflect()
    assert len(engine.prompts) == 1  # no turn asking for the block: the plan's own examples are enough
    block = split_examples(run.reflection)[1]  # the model's unquoted example is gone, the plan's are in
    assert block.splitlines() == ["from finder import find", "assert find([1, 2], 2) == 1", "assert find([1, 2], 5) == -1"]
    assert run.examples() == block
    run.implement()
    assert run.turns[1].checks[0]["failed"] == 1  # `index` raises on the absent value
    # The user removes one from the reflection: it stays removed.
    run.set_reflection(run.reflection.replace("assert find([1, 2], 5) == -1\n", ""))
    assert run.examples().splitlines() == ["from finder import find", "assert find([1, 2], 2) == 1"]


def test_without_examples_written_as_code_one_short_turn_asks_for_the_block(tmp_path):
    root = tmp_path / "stubrepo"
    root.mkdir()
    (root / "finder.py").write_text(STUB)
    plan = plan_from_text("# Implement `find` in `finder.py`\n\nFor the list [1, 2] and the value 2, it gives 1 back.\n")
    block = "find([1, 2], 2) == 1\nassert find([3], 3) == 0\n```\n"
    engine = ReplayEngine(["## Checklist\n- NAME `find`\n", block], prefill=True)
    run = Run(plan=plan, codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
              options=RunOptions(check_examples=True, scratch_dir=str(tmp_path / "scratch")))
    run.reflect()
    assert "Write only that code block now." in engine.prompts[1][-1]["content"]
    # The block is started for the model: the import of the plan's function, then `assert `.
    assert engine.prefills[1] == "```python\nfrom finder import find\nassert "
    assert "assert find([3], 3) == 0" in run.reflection  # shown to the user as written
    assert run.examples().splitlines() == ["from finder import find", "assert find([1, 2], 2) == 1"]


def test_example_checks_with_the_real_model(tmp_path, smollm2_engine):
    run = stub_run(tmp_path, smollm2_engine, check_examples=True, reflection_tokens=96, answer_tokens=96,
                   max_repairs=1)
    before = snapshot(run.codebase.root)
    run.reflect()
    # Whatever the 135M model wrote, the checks hold it to the plan's own examples.
    checks = [line for line in run.examples().splitlines() if line.startswith("assert")]
    assert checks and all(line in ("assert find([1, 2], 2) == 1", "assert find([1, 2], 5) == -1") for line in checks)
    run.implement()
    # Each answer was either checked or has a static problem that kept the checks from running.
    assert all(t.checks or t.problems for t in run.turns[1:])
    for turn in (t for t in run.turns[1:] if t.checks):
        assert turn.checks[0]["kind"] == "examples" and turn.checks[0]["passed"] + turn.checks[0]["failed"] >= 1
    assert snapshot(run.codebase.root) == before


def test_the_mirror_is_brought_back_in_line_with_the_folder_before_each_check(suite_repo, tmp_path):
    from desktop.core.scratch import mirrored

    scratch = tmp_path / "scratch"
    with mirrored(suite_repo, scratch) as copy:
        assert snapshot(copy) == snapshot(suite_repo)
        (copy / "calc.py").write_text("broken by a check\n")   # what a check or a candidate left
        (copy / "stray.txt").write_text("x")
        (copy / "build").mkdir()
        (copy / "build" / "out.o").write_text("x")
    (suite_repo / "calc.py").write_text((suite_repo / "calc.py").read_text() + "\n# edited by the user\n")
    (suite_repo / "tests" / "test_new.py").write_text("def test_new():\n    pass\n")
    with mirrored(suite_repo, scratch) as again:
        assert again == copy and snapshot(again) == snapshot(suite_repo)
        assert not (again / "build").exists()
    assert not any(p.is_symlink() or p.stat().st_nlink > 1 for p in copy.rglob("*") if p.is_file())  # real copies


def test_examples_run_by_default_only_on_code_that_only_computes(tmp_path):
    examples = "from finder import find\nassert find([1, 2], 2) == 1\n"
    root = tmp_path / "repo"
    root.mkdir()
    (root / "finder.py").write_text(STUB)
    computing = "def find(search_list, value):\n    return search_list.index(value)\n"
    reaching = "import shutil\n\ndef find(search_list, value):\n    shutil.rmtree('x', ignore_errors=True)\n    return 1\n"
    checker = Checker(root, scratch_dir=tmp_path / "scratch", examples=examples)
    ran = checker.run([("finder.py", computing)])
    assert ran[0].ran and ran[0].passed == 1
    skipped = checker.run([("finder.py", reaching)])
    assert not skipped[0].ran and skipped[0].ok and skipped[0].passed == 0
    assert "`finder.py` imports `shutil`" in skipped[0].summary() and "not run" in skipped[0].summary()
    anyway = Checker(root, scratch_dir=tmp_path / "scratch", examples=examples, examples_any_code=True)
    assert anyway.run([("finder.py", reaching)])[0].passed == 1


def test_a_run_whose_code_reaches_out_is_not_sent_to_repair_by_skipped_examples(tmp_path):
    reaching = ("finder.py\n```python\ndef find(search_list, value):\n"
                "    import os\n    return search_list.index(value)\n```\n")
    engine = ReplayEngine([REFLECTION, reaching.split("value):\n", 1)[1]], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=2)
    notices = []
    run.on_event = lambda e: notices.append(e.text) if e.kind == "notice" else None
    run.reflect()
    changeset = run.implement()
    assert [t.kind for t in run.turns] == ["reflection", "implementation"] and run.repairs == 0
    assert run.turns[1].checks[0]["skipped"] and any("not run" in n for n in notices)
    assert "import os" in changeset.get("finder.py").new_text


def test_a_plan_that_writes_no_call_gets_no_examples_block(tmp_path):
    engine = ReplayEngine(["## 1. Codebase analysis\nfinder.py\n", RIGHT], prefill=True)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "finder.py").write_text(STUB)
    run = Run(plan=plan_from_text("# Finder\n\nReturn the index of the value in the list, or minus one.\n"),
              codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
              options=RunOptions(scratch_dir=str(tmp_path / "scratch"), check_examples=True))
    run.reflect()
    assert not run.examples_on and "Examples as checks" not in run.turns[0].prompt
    run.implement()
    asked = [m["content"] for prompt in engine.prompts for m in prompt if m["role"] == "user"]
    assert asked and not any("Examples as checks" in text for text in asked)  # no turn asked for the block


def test_checks_that_do_not_fit_the_codes_signatures_are_left_out_and_the_plans_doctests_added(tmp_path):
    from desktop.core.reflection_examples import add_missing, fit_signatures

    files = {"pkg/text.py": "def all_prefixes(string):\n    pass\n\nclass Box:\n    def __init__(self, size, *, unit='cm'):\n"
                            "        self.size = size\n\ndef spread(*values, **options):\n    pass\n"}
    block = "\n".join([
        "from pkg.text import all_prefixes, Box, spread",
        "assert all_prefixes().all_prefixes('abc') == ['a', 'ab', 'abc']",  # seen on the tuning split
        "assert all_prefixes('ab') == ['a', 'ab']",
        "assert all_prefixes('ab', 'c') == []",      # too many arguments
        "assert all_prefixes(text='ab') == []",      # no such parameter
        "assert Box(3).size == 3",
        "assert Box(3, unit='m').size == 3",
        "assert Box().size == 0",                    # __init__ needs size
        "assert spread(1, 2, 3, x=4) is None",       # *values, **options take anything
    ])
    kept, left_out = fit_signatures(block, files)
    assert left_out == 4
    assert kept.splitlines()[1:] == ["assert all_prefixes('ab') == ['a', 'ab']", "assert Box(3).size == 3",
                                     "assert Box(3, unit='m').size == 3", "assert spread(1, 2, 3, x=4) is None"]
    merged = add_missing(kept, "assert all_prefixes('ab') == ['a', 'ab']\nassert all_prefixes('abc') == ['a', 'ab', 'abc']")
    assert merged.splitlines()[-1] == "assert all_prefixes('abc') == ['a', 'ab', 'abc']"
    assert merged.count("all_prefixes('ab')") == 1
    assert add_missing(merged, 'assert all_prefixes( "ab" ) == ["a", "ab"]') == merged  # quote marks aside


def test_the_reflections_block_becomes_the_checks_that_run(tmp_path):
    broken = REFLECTION.replace("assert find([1, 2], 2) == 1", "assert find().find([1, 2], 2) == 1")
    engine = ReplayEngine([broken], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True)
    run.reflect()
    block = split_examples(run.reflection)[1]
    assert "find()" not in block and "assert find([1, 2], 2) == 1" in block and "assert find([1, 2], 5) == -1" in block
    assert run.examples() == block
