"""The answers a run wrote while its checks failed, opened as choices: real runs through the real
parser and checks, the model's answers replayed."""

from __future__ import annotations

from desktop.core.answer_choices import answer_choices, changeset_for
from desktop.core.saved_runs import restore_run
from desktop.core.turns import Turn
from desktop.llm.replay_engine import ReplayEngine
from test_checks import REFLECTION, RIGHT, WRONG, stub_run

WORSE = "    return None\n```\n"
PASSING = RIGHT.split("value):\n", 1)[1]


def _choose(run, choice):
    return changeset_for(choice, run.turns, root=run.codebase.root, files=["finder.py"], plan_text=run.plan.text)


def test_each_candidate_opens_with_its_own_code_and_checks(tmp_path):
    engine = ReplayEngine([REFLECTION, WRONG, WORSE, PASSING], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=0, candidates=4)
    run.reflect()
    kept = run.implement()
    choices = answer_choices(run.turns)
    assert [(c.number, c.turns, c.kept) for c in choices] == [(1, (1,), False), (2, (2,), False), (3, (3,), True)]
    assert [c.verdict for c in choices] == ["1 problem after its checks", "2 problems after its checks",
                                            "passes its checks"]
    assert choices[0].label == "Answer 1 (first answer): 1 problem after its checks"
    assert choices[2].label == "Answer 3 (sampled candidate): passes its checks · kept"
    # The kept choice gives the run's own changes; another gives its own code and its own checks.
    same, _ = _choose(run, choices[2])
    assert same.get("finder.py").new_text == kept.get("finder.py").new_text
    assert same.checks == kept.checks and same.checks[0]["failed"] == 0
    first, _ = _choose(run, choices[0])
    assert "return search_list.index(value)\n" in first.get("finder.py").new_text
    assert first.checks[0]["failed"] == 1
    assert "return None" in _choose(run, choices[1])[0].get("finder.py").new_text


def test_the_first_answer_keeps_its_better_repairs_when_a_fresh_answer_wins(tmp_path):
    # The first answer, a repair that does no better (dropped), then a fresh answer that passes.
    turns = [Turn("reflection", "p", REFLECTION),
             Turn("implementation", "p", RIGHT, problems="- a", checks=[{"failed": 1}], kept=False),
             Turn("repair", "p", RIGHT, problems="- a\n- b", checks=[{"failed": 2}], kept=False),
             Turn("retry", "p", RIGHT, checks=[{"failed": 0}], kept=True, candidate=1)]
    choices = answer_choices(turns)
    assert [(c.turns, c.kept, c.how) for c in choices] == [((1,), False, "first answer"), ((3,), True, "written afresh")]
    turns[2].problems = ""  # a repair that passed would have been kept on the first answer
    assert answer_choices(turns)[0].turns == (1, 2) and answer_choices(turns)[0].how == "first answer, 1 repair"


def test_one_answer_or_a_follow_up_gives_no_choices():
    one = [Turn("reflection", "p", "r"), Turn("implementation", "p", "a"), Turn("repair", "p", "b")]
    assert answer_choices(one) == []
    two = one + [Turn("retry", "p", "c", candidate=1)]
    assert len(answer_choices(two)) == 2
    assert answer_choices(two + [Turn("followup", "p", "d")]) == []


def test_the_choices_come_back_with_a_saved_run(tmp_path):
    engine = ReplayEngine([REFLECTION, WRONG, WORSE, PASSING], prefill=True)
    run = stub_run(tmp_path, engine, check_examples=True, max_repairs=0, candidates=4)
    run.reflect()
    run.implement()
    record = run.to_record()
    again = restore_run(record, plan=run.plan, codebase=run.codebase, engine=engine, prompts=run.prompts,
                        options=run.options, on_event=lambda e: None)
    assert answer_choices(again.turns) == answer_choices(run.turns)
    fields = ("kind", "prompt", "text", "problems", "checks", "kept", "candidate")
    assert [[t.to_dict()[f] for f in fields] for t in again.turns] == [[t[f] for f in fields] for t in record["turns"]]
