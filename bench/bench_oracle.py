"""Whether a failing run wrote a passing answer somewhere: every recorded answer judged by the
hidden tests, on the tuning split only.

    .venv/bin/python bench/bench_oracle.py bench/quality/results/...-humaneval-tuning-*.jsonl

For each run the app failed, each state its answers reached (the first answer, then with each
repair on top; each answer written afresh, with its own repairs; each early-exit edit on its
answer; not the last whole-file turn of a run that had nothing usable) is composed with the
app's own `compose_answers` onto a copy of the task's codebase and judged by the hidden tests. It prints, per failing run, one mark per state (`H` passes the
hidden tests, `x` fails, `-` gives no change, `*` the state the run kept) and the count of runs
where some state passes.

If some state passes, choosing among the answers could have gained the run; if none does,
only a different answer from the model can. It reads answers and runs hidden tests on them,
so it refuses any row that is not from the HumanEval tuning split.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_replay import FRESH, _rows  # noqa: E402
from quality.harness import judge, load_tasks, materialize  # noqa: E402
from quality.humaneval import build_all  # noqa: E402

from desktop.core.compose import compose_answers  # noqa: E402
from desktop.core.scratch import write_files  # noqa: E402


def states(turns: list[dict]) -> list[tuple[list[str], bool]]:
    """Each state the answers reached, as the answer texts composed for it, and whether the run
    kept it (its last turn kept)."""
    answers: list[list[dict]] = []
    for turn in turns:
        kind = turn.get("kind")
        if kind in ("reflection", "final"):
            continue
        if kind == "edit" and answers:
            # An edit joins the answer it was made from: a run keeps an edit only with its answer
            # (the bench's rows do not say which answer it was, the app's records do).
            k = turn.get("candidate")
            if k is None or k >= len(answers):
                k = next((n for n, g in enumerate(answers) if any(t.get("kept") for t in g)), len(answers) - 1)
            answers[k].append(turn)
            continue
        if kind in FRESH or not answers:
            answers.append([])
        answers[-1].append(turn)
    found = []
    for group in answers:
        for i in range(len(group)):
            texts = [t.get("text") or "" for t in group[: i + 1]]
            found.append((texts, bool(group[i].get("kept"))))
    return found


def passes(task, texts: list[str]) -> bool | None:
    """Whether the composed answers pass the hidden tests; None when they change nothing."""
    with tempfile.TemporaryDirectory(prefix="plansmith-oracle-") as tmp:
        repo = materialize(task, Path(tmp) / "repo")
        changeset = compose_answers(texts, root=repo)
        usable = changeset.accepted()
        if not usable:
            return None
        write_files(repo, [(c.path, c.new_text) for c in usable])
        return judge(task, repo).passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args()
    rows = _rows(args.results)
    other = sorted(t for t, r in rows.items() if r.get("suite") != "humaneval" or r.get("split") != "tuning")
    if other:
        sys.exit(f"refused: {len(other)} row(s) are not from the HumanEval tuning split")
    tasks = {t.id: t for t in load_tasks(build_all())}
    failing = {t: r for t, r in sorted(rows.items()) if not (r.get("app") or {}).get("passed")}
    gainable = 0
    for task_id, row in failing.items():
        marks = []
        for texts, kept in states((row.get("app") or {}).get("turns") or []):
            result = passes(tasks[task_id], texts)
            marks.append({None: "-", True: "H", False: "x"}[result] + ("*" if kept else ""))
        gainable += any(m.startswith("H") for m in marks)
        print(f"{task_id.split('-')[0]}  {' '.join(marks)}", flush=True)
    print(f"{len(failing)} of {len(rows)} runs failed; in {gainable} of them some recorded answer passes "
          "the hidden tests")


if __name__ == "__main__":
    main()
