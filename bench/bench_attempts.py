"""Every Phase 2 answer the app could try, each judged by the hidden tests (tuning split only).

    python bench/bench_attempts.py --suite humaneval --split tuning --shard 0/2 --out FILE
    python bench/bench_attempts.py --policies FILE [FILE...]    # replays answer-selection policies

`bench_quality.py` judges only the answer a run keeps. To choose how the app spends its turns
(which answer first, how many written afresh, sampled or not), this bench writes one reflection
per task and then a fixed set of Phase 2 answers from it, each composed, checked on the plan's
examples as the app checks it, and judged by the hidden tests:

- `strategy`: the app's first answer (the reflection, the Phase 2 prompt, the steering), temperature 0;
- `plan`: the plan and the code alone (the one-shot prompt) with the same opening and steering;
- `oneshot`: the baseline arm as bench_quality runs it (no opening, no steering);
- when `strategy` fails its checks: `strategy+note` (told what failed), `repair` (asked in the
  same conversation to fix it; `--no-repair` skips it) and `sample1..N` at temperature 0.6,
  seeds 1-N, from the plan and from the strategy in turn.

`--policies` replays selection rules over those records, so a rule is compared on the same
answers instead of by rerunning the model. The hidden results are never shown to the model, and
the policies only see what the app sees (the checks); the hidden tests only score them.
Run it on the tuning split: its answers are meant to be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from fetch_models import fetch  # noqa: E402
from quality.harness import judge, load_tasks, materialize  # noqa: E402
from quality.humaneval import build_all, split_of  # noqa: E402

from desktop.core.apply import apply_changes  # noqa: E402
from desktop.core.checklist import parse_checklist  # noqa: E402
from desktop.core.codebase import scan_codebase  # noqa: E402
from desktop.core.compose import compose_answers  # noqa: E402
from desktop.core.pipeline import Run, RunOptions, Turn  # noqa: E402
from desktop.core.plan import read_plan  # noqa: E402
from desktop.core.prompts import Prompts, fill  # noqa: E402
from desktop.llm.llama_engine import LlamaEngine  # noqa: E402

COMMIT = os.popen(f"git -C {ROOT} rev-parse --short HEAD").read().strip()


def _judge_answer(task, answer: str, *, work: Path, name: str) -> dict:
    """Compose one answer on a fresh copy of the task's repo, apply it and run the hidden tests."""
    repo = materialize(task, work / f"{task.id}-{name}")
    files = [f.rel_path for f in scan_codebase(repo).files]
    changes = compose_answers([answer], root=repo, files=files)
    accepted = changes.accepted()
    if accepted:
        try:
            apply_changes(changes, backups_dir=work / "backups")
        except Exception:  # noqa: BLE001 - a refused apply is a failed answer
            accepted = []
    return {"hidden": judge(task, repo).passed if accepted else False, "changed": len(accepted)}


def _attempt(run: Run, checklist, checker, strategy, *, messages, ask: str, opening: str,
             temperature: float | None = None, seed: int | None = None, use_strategy: bool = True) -> tuple[Turn, float]:
    """One answer streamed on its own (no earlier answer composed with it), then checked."""
    for turn in run.turns[1:]:
        turn.kept = False
    run.messages = list(messages)
    started = time.perf_counter()
    turn = run._stream_turn(Turn("attempt", ask.rstrip()), max_tokens=run.options.answer_tokens, stop_event=None,
                            prefill=opening if use_strategy else "", strategy=strategy if use_strategy else None,
                            temperature=temperature, seed=seed)
    seconds = time.perf_counter() - started
    run._review(checklist, checker, None)
    return turn, seconds


def run_task(task, *, engine: LlamaEngine, prompts: Prompts, options: RunOptions, work: Path, samples: int,
             repair: bool, reflection: str | None = None, first_only: bool = False) -> dict:
    repo = materialize(task, work / f"{task.id}-run")
    run = Run(plan=read_plan(task.plan_path), codebase=scan_codebase(repo), engine=engine, prompts=prompts, options=options)
    run.prepare()
    started = time.perf_counter()
    if reflection is None:
        run.reflect()
    else:  # an earlier run's reflection, as if the model had just written it
        run.messages = run._system() + [{"role": "user", "content": run.context_prompt()}]
        run.turns = [Turn("reflection", run.context_prompt(), text=reflection)]
        run.reflection = reflection
    reflect_seconds = time.perf_counter() - started
    run.messages = run.messages[:2] + [{"role": "assistant", "content": run.strategy_text()}]
    run.turns = run.turns[:1]
    checklist = parse_checklist(run.reflection)
    strategy = run._strategy(checklist)
    checker = run.checker()
    prompt = run._phase2_prompt(checklist)
    opening = strategy.opening() or run._first_edit_prefill(checklist)
    base = run.messages[:3]
    plan_only = run._system() + [{"role": "user", "content": run.context_prompt(template="oneshot")}]
    attempts: list[dict] = []

    def record(name: str, turn: Turn, seconds: float) -> dict:
        row = {"name": name, "text": turn.text, "problems": turn.problems,
               "checked": any(not c.get("skipped") for c in turn.checks),
               "checks_ok": not turn.problems, "tokens": turn.usage.generated_tokens, "seconds": round(seconds, 1)}
        row.update(_judge_answer(task, turn.text, work=work, name=name))
        attempts.append(row)
        print(f"  {task.id} {name}: checks {'ok' if row['checks_ok'] else 'fail'}, hidden "
              f"{'pass' if row['hidden'] else 'fail'}, {row['tokens']} tokens {seconds:.0f} s", file=sys.stderr, flush=True)
        return row

    # Ordered so that each answer's conversation shares the longest start with the one before
    # (the KV cache keeps it): the strategy's answers first, then those from the plan alone.
    first, s = _attempt(run, checklist, checker, strategy, messages=base, ask=prompt, opening=opening)
    record("strategy", first, s)
    if first_only:
        return {"task": task.id, "reflection": run.reflection, "examples": run.examples(), "attempts": attempts}
    plan_samples = []
    if first.problems:
        note = fill(prompts["retry"], problems=first.problems)
        turn, s = _attempt(run, checklist, checker, strategy, messages=base, ask=prompt + "\n\n" + note, opening=opening)
        record("strategy+note", turn, s)
        if repair:
            failed_checks = any(c.get("new_failures") for c in first.checks)
            template = prompts["check-repair" if failed_checks else "repair"]
            repair_messages = base + [{"role": "user", "content": prompt}, {"role": "assistant", "content": first.text}]
            turn, s = _attempt(run, checklist, checker, strategy, messages=repair_messages,
                               ask=fill(template, problems=first.problems), opening="", use_strategy=True)
            record("repair", turn, s)
        for k in range(2, samples + 1, 2):
            turn, s = _attempt(run, checklist, checker, strategy, messages=base, ask=prompt, opening=opening,
                               temperature=0.6, seed=k)
            record(f"sample{k}", turn, s)
        plan_samples = list(range(1, samples + 1, 2))
    turn, s = _attempt(run, checklist, checker, strategy, messages=plan_only[:-1], ask=plan_only[-1]["content"],
                       opening=opening)
    record("plan", turn, s)
    turn, s = _attempt(run, checklist, checker, strategy, messages=plan_only[:-1], ask=plan_only[-1]["content"],
                       opening=opening, use_strategy=False)
    record("oneshot", turn, s)
    for k in plan_samples:
        turn, s = _attempt(run, checklist, checker, strategy, messages=plan_only[:-1], ask=plan_only[-1]["content"],
                           opening=opening, temperature=0.6, seed=k)
        record(f"sample{k}", turn, s)
    return {"task": task.id, "reflection": run.reflection, "reflection_tokens": run.turns[0].usage.generated_tokens,
            "reflection_seconds": round(reflect_seconds, 1), "examples": run.examples(), "attempts": attempts}


# -- policies -----------------------------------------------------------------------------

def _by_name(row: dict) -> dict[str, dict]:
    return {a["name"]: a for a in row["attempts"]}


def _pick(row: dict, order: list[str]) -> dict | None:
    """The first answer in `order` whose checks pass; else the first one tried (None if none exists)."""
    got = _by_name(row)
    tried = [got[n] for n in order if n in got]
    for a in tried:
        if a["checks_ok"]:
            return a
    return tried[0] if tried else None


POLICIES = {
    "oneshot (baseline)": lambda r: _by_name(r).get("oneshot"),
    "strategy only": lambda r: _by_name(r).get("strategy"),
    "plan only": lambda r: _by_name(r).get("plan"),
    "app now: strategy, plan, strategy+note": lambda r: _pick(r, ["strategy", "plan", "strategy+note"]),
    "plan first, then strategy": lambda r: _pick(r, ["plan", "strategy", "strategy+note"]),
    "strategy, plan, repair": lambda r: _pick(r, ["strategy", "plan", "repair"]),
    "strategy, plan, sample1": lambda r: _pick(r, ["strategy", "plan", "sample1"]),
    "strategy, plan, note, sample1, sample2": lambda r: _pick(r, ["strategy", "plan", "strategy+note", "sample1", "sample2"]),
    "strategy, plan, sample1-4": lambda r: _pick(r, ["strategy", "plan", "sample1", "sample2", "sample3", "sample4"]),
    "all": lambda r: _pick(r, ["strategy", "plan", "strategy+note", "repair", "sample1", "sample2", "sample3", "sample4"]),
}


def replay(rows: list[dict]) -> None:
    n = len(rows)
    print(f"{n} tasks")
    for name, policy in POLICIES.items():
        picked = [policy(r) for r in rows]
        passed = sum(1 for a in picked if a and a["hidden"])
        print(f"  {name:<44} {passed:>3}/{n}")
    oracle = sum(1 for r in rows if any(a["hidden"] for a in r["attempts"]))
    print(f"  {'any answer passes (an upper bound)':<44} {oracle:>3}/{n}")
    fooled = sum(1 for r in rows for a in r["attempts"] if a["checks_ok"] and a["checked"] and not a["hidden"])
    blamed = sum(1 for r in rows for a in r["attempts"] if not a["checks_ok"] and a["hidden"])
    total = sum(len(r["attempts"]) for r in rows)
    print(f"answers: {total}; checks pass but hidden fail: {fooled}; checks fail but hidden pass: {blamed}")
    unchecked = sum(1 for r in rows if not r["examples"])
    print(f"tasks with no example checks: {unchecked}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen-1.5b", choices=["smollm2", "qwen-0.5b", "qwen-1.5b"])
    parser.add_argument("--suite", default="humaneval", choices=["project", "humaneval"])
    parser.add_argument("--split", default="tuning", choices=["tuning"], help="answers here are read: tuning only")
    parser.add_argument("--tasks", help="comma-separated task id prefixes (default: all)")
    parser.add_argument("--shard", default="0/1")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "attempts.jsonl")
    parser.add_argument("--context", type=int, default=12288)
    parser.add_argument("--answer-tokens", type=int, default=1536)
    parser.add_argument("--reflection-tokens", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--no-repair", action="store_true", help="skip the in-conversation repair answer")
    parser.add_argument("--reflections", nargs="*", type=Path, default=[],
                        help="reuse the reflections of these results files (tasks not in them are skipped)")
    parser.add_argument("--first-only", action="store_true", help="only the strategy answer (to compare Phase 2 variants)")
    parser.add_argument("--keep-reflection-code", action="store_true",
                        help="Phase 2 follows the reflection with the code the model wrote into it (as before d6b7a40)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--policies", nargs="*", type=Path, help="replay the policies over these results files")
    args = parser.parse_args()

    if args.policies:
        rows = {}
        for path in args.policies:
            for line in path.read_text().splitlines():
                if line.strip():
                    row = json.loads(line)
                    rows[row["task"]] = row
        replay([rows[k] for k in sorted(rows)])
        return
    tasks = load_tasks(build_all()) if args.suite == "humaneval" else load_tasks()
    if args.suite == "humaneval":
        tasks = [t for t in tasks if split_of(t.id) == "tuning"]
    k, n = (int(x) for x in args.shard.split("/"))
    tasks = tasks[k::n]
    if args.tasks:
        tasks = [t for t in tasks if t.id.startswith(tuple(args.tasks.split(",")))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if args.out.exists():
        done = {json.loads(line)["task"] for line in args.out.read_text().splitlines() if line.strip()}
    engine = LlamaEngine(fetch(args.model), context_size=args.context, threads=args.threads, gpu_layers=0)
    engine.load()
    prompts = Prompts.load()
    options = RunOptions(reflection_tokens=args.reflection_tokens, answer_tokens=args.answer_tokens, temperature=0.0,
                         max_repairs=2, check_examples=True, examples_any_code=True)
    if args.keep_reflection_code:
        import desktop.core.pipeline as pipeline

        pipeline.without_code = lambda text: text
    reflections = {}
    for path in args.reflections:
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                reflections[row["task"]] = row["reflection"]
    if args.reflections:
        tasks = [t for t in tasks if t.id in reflections]
    with tempfile.TemporaryDirectory(prefix="plansmith-attempts-") as tmp:
        for task in tasks:
            if task.id in done:
                continue
            row = run_task(task, reflection=reflections.get(task.id), first_only=args.first_only, engine=engine, prompts=prompts, options=options, work=Path(tmp), samples=args.samples,
                           repair=not args.no_repair)
            row.update(commit=COMMIT, model=args.model, threads=args.threads)
            with args.out.open("a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
