"""What the plan's code states: its `raise` messages, found in the answer's string constants, and
its calls, which the answer's signatures must take."""

from __future__ import annotations

from desktop.core.plan_spec import PlanSpec
from desktop.core.raise_messages import check_raise_messages
from desktop.core.signatures import check_calls

PLAN = ("# Phone numbers\n\nRaise a `ValueError` with a clear message (prose: raise ValueError(\"not this\")).\n\n"
        "```python\nif len(digits) < 10:\n    raise ValueError(\"must not be fewer than 10 digits\")\n"
        "raise ValueError(f\"{n} is too small\")\nraise ValueError\n```\n\n"
        "```text\n555 123 4567 (a block that does not parse whole)\n# with a comma\n"
        "raise ValueError(\"punctuations not permitted\")\n```\n\n"
        "```python\n# with a letter\nraise ValueError('letters not permitted')\n```\n")


def test_only_the_plans_code_gives_messages_and_f_strings_are_left_out():
    raises = PlanSpec.from_text(PLAN).raises
    assert [(r.statement, r.message, r.when) for r in raises] == [
        ('raise ValueError("must not be fewer than 10 digits")', "must not be fewer than 10 digits",
         "if len(digits) < 10"),  # the `if` it stands under
        ('raise ValueError("punctuations not permitted")', "punctuations not permitted", ""),  # read line by line
        ("raise ValueError('letters not permitted')", "letters not permitted", "with a letter"),  # the comment above
    ]


def test_a_message_counts_wherever_the_answers_code_holds_it():
    raises = PlanSpec.from_text(PLAN).raises
    before = {"phone.py": "def clean(number):\n    pass\n"}
    held = ("FEW = 'must not be fewer than 10 digits'\n\n\ndef clean(number):\n"
            "    if not number.isdigit():\n        raise ValueError(f'letters not permitted: {number}')\n"
            "    if ',' in number:\n        raise ValueError('punctuations not permitted')\n"
            "    raise ValueError(FEW)\n")
    assert check_raise_messages(raises, before=before, after={"phone.py": held}) == []
    one_left = held.replace("letters not permitted", "no letters")
    [problem] = check_raise_messages(raises, before=before, after={"phone.py": one_left})
    assert problem.endswith("never raises its message. Raise each where the plan says, with exactly the plan's "
                            "exception and message:\n  - `raise ValueError('letters not permitted')` (with a letter)")
    # A message the codebase already holds is not the answer's to add; non-Python files are not read.
    assert check_raise_messages(raises, before={**before, "old.py": held}, after={"phone.py": "x = 1\n"}) == []
    assert check_raise_messages(raises, before={}, after={"notes.md": "letters"}) == []


GARDEN_PLAN = ("# Garden\n\nCall `plants()` per student; see `retry(...)` and `add(..., clamp=True)`.\n\n"
               "```python\n# the default roster\nGarden(\"VRCC\\nVCGG\")\n"
               "Garden(\"VRCC\\nVCGG\", students=[\"Valorie\", \"Raven\"])\nsow(*rows)\n```\n")


def test_the_plans_calls_must_bind_to_the_answers_signatures():
    calls = PlanSpec.from_text(GARDEN_PLAN).calls
    # A name in a sentence (`plants()`) and elided arguments (`...`) say nothing of how it is called.
    assert [c.text for c in calls] == ['Garden("VRCC\\nVCGG")', 'Garden("VRCC\\nVCGG", students=["Valorie", "Raven"])',
                                       "sow(*rows)"]
    stub = "class Garden:\n    def __init__(self, diagram, students):\n        self.rows = diagram\n\n\ndef sow(a, b):\n    pass\n"
    [problem] = check_calls(calls, {"garden.py": (None, stub)})
    assert problem.startswith('garden.py line 2: the plan\'s code calls `Garden("VRCC\\nVCGG")`, but '
                              "`def Garden.__init__(self, diagram, students)` cannot take that call: it needs "
                              "`students`, which the call leaves out.")
    fixed = stub.replace("students)", "students=None)")
    assert check_calls(calls, {"garden.py": (None, fixed)}) == []
    renamed = stub.replace("students)", "pupils=None)")
    assert "it has no parameter `students`" in check_calls(calls, {"garden.py": (None, renamed)})[0]
    # Decorated classes (a dataclass makes its own __init__) and other files' names are not judged.
    assert check_calls(calls, {"garden.py": (None, "@dataclass\n" + stub), "notes.md": (None, "Garden")}) == []


def test_a_fences_language_tag_is_no_callable_the_plan_requires():
    # Seen on the tuning split: "```text" above a line "(223) 456-7890" made `text` a required name.
    spec = PlanSpec.from_text("# Phone\n\nUse `PhoneNumber(raw)` and `clean (x)`.\n\n```text\n(223) 456-7890\n```\n")
    assert spec.required == ("PhoneNumber", "clean")
