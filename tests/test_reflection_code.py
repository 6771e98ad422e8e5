"""The code a reflection writes is not handed to Phase 2 (unless the developer wrote it there)."""

from __future__ import annotations

from desktop.core.codebase import scan_codebase
from desktop.core.pipeline import Run, RunOptions
from desktop.core.plan import plan_from_text
from desktop.core.prompts import Prompts
from desktop.core.reflection_code import code_lines, without_code
from desktop.llm.replay_engine import ReplayEngine

# Seen on the tuning split (he012): the TODO list spells out a wrong body; Phase 2 copied it.
REFLECTION = """## 1. Codebase analysis
- `longest.py`: `def longest(strings: List[str]) -> Optional[str]:` is a stub.

## 2. Specification review
- Example: `assert longest(['a', 'bb', 'ccc']) == 'ccc'`
- Ties: return the first of the longest strings; `None` for an empty list.

## 3. Developer TODOs
1. In `longest.py`, implement `longest`:
    - `if not strings: return None`
    - `max_length = 0`
    - `for string in strings:`
      - `if len(string) > max_length: max_length = len(string)`
    - `return max_length`
    - else:
2. Keep the signature `longest(strings)`; compare with `len(s) > len(best)` to keep the first.

```python
def longest(strings):
    return max(strings, key=len)
```

## Checklist
- FILE `longest.py`
- NAME `longest`
"""


def test_working_statements_and_code_blocks_go_names_and_prose_stay():
    kept = without_code(REFLECTION)
    for gone in ("max_length = 0", "return max_length", "for string in strings:", "if not strings",
                 "else:", "```", "max(strings, key=len)"):
        assert gone not in kept, gone
    for stays in ("def longest(strings: List[str]) -> Optional[str]:", "assert longest(['a', 'bb', 'ccc']) == 'ccc'",
                  "Ties: return the first", "1. In `longest.py`, implement `longest`:", "- FILE `longest.py`",
                  "- NAME `longest`", "## 3. Developer TODOs"):
        assert stays in kept, stays
    # A comparison in prose names a rule; an inline `len(s) > len(best)` is an expression, not a statement.
    assert "compare with `len(s) > len(best)`" in kept
    assert without_code("## 1. Analysis\nNothing to drop, `name: int` is a field.\n") == (
        "## 1. Analysis\nNothing to drop, `name: int` is a field.\n")
    assert code_lines("a\n~~~\nx = 1\n~~~\nb\n") == [1, 2, 3]


def _run(tmp_path, engine) -> Run:
    root = tmp_path / "repo"
    root.mkdir(parents=True)
    (root / "longest.py").write_text("from typing import List, Optional\n\n\n"
                                     "def longest(strings: List[str]) -> Optional[str]:\n    pass\n")
    plan = plan_from_text("# Implement `longest` in `longest.py`\n\nReturn the longest string, the first on a tie.\n")
    return Run(plan=plan, codebase=scan_codebase(root), engine=engine, prompts=Prompts.load(),
               options=RunOptions(max_repairs=0))


def test_phase2_follows_the_strategy_without_the_models_code_but_with_the_developers(tmp_path):
    answer = "    return max(strings, key=len) if strings else None\n```\n"
    engine = ReplayEngine([REFLECTION, answer], prefill=True)
    run = _run(tmp_path, engine)
    run.reflect()
    run.implement()
    followed = engine.prompts[1][2]
    assert followed["role"] == "assistant"
    assert "max_length = 0" not in followed["content"] and "Ties: return the first" in followed["content"]
    assert run.reflection == REFLECTION  # the user still sees (and the record keeps) what the model wrote

    engine = ReplayEngine([REFLECTION, answer], prefill=True)
    run = _run(tmp_path / "edited", engine)
    run.reflect()
    edited = REFLECTION.replace("max_length = 0", "best = None")
    run.set_reflection(edited)
    run.implement()
    assert engine.prompts[1][2]["content"] == edited  # the developer's own code is theirs to keep
