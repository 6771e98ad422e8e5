"""Which recorded runs a code change could alter, found without running the model.

    .venv/bin/python bench/bench_replay.py --rev fa0eb72 --suite humaneval \
        bench/quality/results/2026-12-05-cpu-1.5b-humaneval-report-stated-examples-1ee3f11-shard*.jsonl

Replays, with this checkout's `desktop/` and with REV's, the parts of each recorded app run that
depend only on recorded text, and prints the ids of the tasks where the two differ:

- the checks that run: the recorded reflection's examples block as the run turns it into code,
  the plan's own examples merged in again (one the run had merged after an assert of the same
  call is taken out first, so a change in how they merge shows);
- the answer the checks keep: of the recorded Phase 2 answers (the first with its repairs, then
  each written afresh), the one `rank` (or, before it existed, `score`) puts first, and the
  repair the first answer ends on (whose failures the answers written afresh are told);
- where the loop guard stops each recorded turn (the app's reflection and answers, the
  baseline's answer);
- what the checks say of each recorded example that gave a wrong value (whether they name its
  type as another than expected);
- where the run asked for the examples block in a turn of its own, how that block is started
  for the model;
- in a run where no answer passed its checks, the early exits each recorded answer would be
  tried without (early_exits.py), read from each answer's Python blocks against the
  codebase's own lines (whether one passes is not replayed: that runs the code).

A task not printed runs as recorded as far as these go; a printed one may go another way and
is the one to run again. A change to prompts, settings or anything else the model reads is not
replayed: it needs the split run again. Nor is a change in how the engine computes: since the
KV copies (ba4d3fa), an answer written afresh after a switch between conversations may differ
in a sampled token from one recorded before them. The script shows no answer or plan text, so it is safe
on the report split. Rows of one task in several files: the last file's row counts.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CODE = Path(os.environ.get("PLANSMITH_REPLAY_CODE") or BENCH.parent)  # where `desktop` is imported from
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(CODE))

from quality.harness import load_tasks, repo_files  # noqa: E402
from quality.humaneval import build_all  # noqa: E402

FRESH = ("retry", "candidate")
EXERCISM = Path.home() / ".cache" / "plansmith-bench" / "exercism-tasks"  # bench/quality/exercism.py's folders  # turns that start an answer of their own


def _rows(paths: list[Path]) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["task"]] = row
    return rows


def _checks(reflection: str, plan: str, files: dict[str, str]) -> str:
    from desktop.core.plan_spec import PlanSpec
    from desktop.core.reflection_examples import (add_missing, checks_for, codebase_names, fit_signatures,
                                                  plan_checks, split_examples)
    from desktop.core.stated_examples import normalized, stated_checks

    stated = stated_checks(plan, files, examples=PlanSpec.from_text(plan).examples)
    block = split_examples(reflection)[1]
    try:
        tree = ast.parse(block)
    except SyntaxError:
        tree = None
    if tree is not None:  # a plan's example the run merged in after an assert of the same call comes out
        plans = {normalized(s) for s in stated}
        seen, drop = set(), set()
        for n in (n for n in tree.body if isinstance(n, ast.Assert)):
            tested = ast.unparse(n.test.left if isinstance(n.test, ast.Compare) else n.test)
            if tested in seen and normalized(ast.unparse(n)) in plans:
                drop.update(range(n.lineno, n.end_lineno + 1))
            seen.add(tested)
        block = "\n".join(line for i, line in enumerate(block.splitlines(), 1) if i not in drop)
    quoted = fit_signatures(plan_checks(block, plan, stated=stated)[0], files)[0]
    code = add_missing(quoted, fit_signatures("\n".join(stated), files)[0])
    return checks_for(code, codebase_names(files)) if code else ""


def _kept(turn_dicts: list[dict]) -> list[int]:
    """[the turn the first answer's repairs end on as its best (what the answers written afresh
    are told failed), the answer kept in the end (0: the first with its repairs)]."""
    import desktop.core.turns as turns_module

    key = getattr(turns_module, "rank", turns_module.score)
    turns = [turns_module.Turn.from_dict(d) for d in turn_dicts if d.get("kind") not in ("reflection", "final")]
    answers: list[list[int]] = []
    for i, turn in enumerate(turns):
        if turn.kind in FRESH or not answers:
            answers.append([])
        answers[-1].append(i)
    if not answers:
        return []
    best = [min(a, key=lambda i: (key(turns[i]), i)) for a in answers]  # on a tie the earlier stays
    return [best[0], min(range(len(best)), key=lambda n: (key(turns[best[n]]), n))]


def _cut_at(text: str) -> int:
    """Where the loop guard stops the recorded text (fed in 5-character pieces); -1: nowhere."""
    from desktop.core.repetition import LoopGuard

    guard = LoopGuard()
    return next((i for i in range(0, len(text), 5) if guard.feed(text[i:i + 5])), -1)


def _kinds(turn_dicts: list[dict]) -> list[bool]:
    """For each recorded example that gave a wrong value, whether the checks would now say it is
    of another type than expected (examples_runner; False where the code has no such rule)."""
    from desktop.core import examples_runner

    other = getattr(examples_runner, "_other_kind", lambda got, expected: False)
    said = []
    for d in turn_dicts:
        for check in d.get("checks") or []:
            for failure in check.get("failures") or []:
                got, _, rest = failure.get("message", "").removeprefix("gave ").rpartition(" (expected ")
                expected = rest[:-1] if rest.endswith(")") else rest.rpartition("): ")[0]
                try:
                    said.append(bool(other(ast.literal_eval(got), ast.literal_eval(expected))))
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    said.append(False)
    return said


ASKED = "The reflection has no examples block: asking for it."


def _opening(app: dict, plan: str, files: dict[str, str]) -> str:
    """The start of the asked-for examples block ("": the run did not ask for one)."""
    if ASKED not in (app.get("notices") or []):
        return ""
    from desktop.core import reflection_examples
    from desktop.core.plan_spec import PlanSpec

    opening = getattr(reflection_examples, "block_opening", None)
    if opening is None:
        return "```python\n"
    spec = PlanSpec.from_text(plan)
    return opening({n: m for n, m in reflection_examples.codebase_names(files).items() if spec.mentions(n)})


def _exits(turn_dicts: list[dict], files: dict[str, str]) -> list[list[int]]:
    """Where no recorded answer passed its checks: for each answer turn, the lines of the early
    exits it would be tried without ([] before early_exits.py existed)."""
    from desktop.core import turns as turns_module
    from desktop.core.edit_parser import WholeFile, parse_answer

    try:
        from desktop.core.early_exits import without_early_exits
    except ImportError:
        return []
    turns = [turns_module.Turn.from_dict(d) for d in turn_dicts
             if d.get("kind") not in ("reflection", "final", "edit")]
    first = turns[:next((i for i, t in enumerate(turns) if t.kind in FRESH), len(turns))]
    if not first or not turns_module.ran_checks(first[-1]) or any(turns_module.score(t) == (0, 0) for t in turns):
        return []  # as the run: only after answers whose checks ran, none of which passed
    own = "\n".join(files.values())
    return [[v.line for item in parse_answer(t.text)[0] if isinstance(item, WholeFile)
             for v in without_early_exits(item.content, files.get(item.path, own))] for t in turns]


def digests(paths: list[Path], suite: str) -> dict[str, str]:
    """Per task, a hash of the checks that would run and of the answers kept, by this `desktop`."""
    root = {"humaneval": build_all, "exercism": lambda: EXERCISM}.get(suite, lambda: None)()
    tasks = {t.id: t for t in load_tasks(root)}
    out = {}
    for task_id, row in sorted(_rows(paths).items()):
        task = tasks[task_id]
        app = row.get("app") or {}
        files = repo_files(task)
        checks = _checks(app.get("reflection") or "", task.plan, files)
        kept = _kept(app.get("turns") or [])
        texts = [app.get("reflection") or ""] + [t.get("text") or "" for t in app.get("turns") or []]
        cuts = [_cut_at(t) for t in texts + [(row.get("baseline") or {}).get("answer") or ""]]
        kinds = _kinds(app.get("turns") or [])
        opening = _opening(app, task.plan, files)
        parts = [checks, kept, cuts, kinds, opening]
        exits = _exits(app.get("turns") or [], files)
        if any(exits):  # left out when empty, so a run without any hashes as before
            parts.append(exits)
        out[task_id] = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]
    return out


def _at(rev: str, paths: list[Path], suite: str) -> dict[str, str]:
    """`digests` with REV's `desktop/`, in a process of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "desktop.tar"
        subprocess.run(["git", "archive", "-o", str(archive), rev, "desktop"], cwd=BENCH.parent, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run([sys.executable, __file__, "--digests", "--suite", suite, *map(str, paths)],
                              env={**os.environ, "PLANSMITH_REPLAY_CODE": tmp}, capture_output=True, text=True,
                              check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="the commit to compare this checkout with")
    parser.add_argument("--suite", choices=["humaneval", "project", "exercism"], default="humaneval")
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args()
    if args.digests:
        print(json.dumps(digests(args.results, args.suite)))
        return
    if not args.rev:
        parser.error("--rev is required")
    now, then = digests(args.results, args.suite), _at(args.rev, args.results, args.suite)
    changed = [t for t in now if now[t] != then.get(t)]
    print(f"{len(now)} recorded runs; {len(changed)} could go another way with this checkout than at "
          f"{args.rev}: {' '.join(t.split('-')[0] for t in changed) or 'none'}")


if __name__ == "__main__":
    main()
