"""Quality: the two-phase app against a one-shot prompt on held-out plan-to-code tasks.

    python bench/bench_quality.py [--model qwen-1.5b] [--tasks 01,02] [--out bench/results/q.jsonl]

Both arms use the same model at temperature 0, the same packed context (the same files),
the same edit format and the same answer budget. The baseline is one direct prompt
(resources/prompts/oneshot.md) and one answer. The app is Plansmith's Run: reflection,
implementation, the checks, and up to `max_repairs` repair turns. Each arm's changes are
applied to a fresh copy of the task's repo and judged by hidden tests the model never
sees. Results are appended per task to a JSONL file (rerunning skips finished tasks), and
the summary prints pass rates, the ratio app/baseline (target >= 1.15 on the HumanEval report split) and repair counts.

With --visible-check (project suite) each codebase's existing tests are the check command, and
both arms apply as `plansmith run --check CMD --apply` does: a change on which the command
fails (a test that passed before fails) is withheld, nothing is written, and the task counts
as failed. The app's own checks decide for the app; the same command on a scratch copy decides
for the one-shot answer, which has no checks of its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
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
from quality.harness import judge, load_tasks, materialize, visible_check_command  # noqa: E402
from quality.humaneval import build_all, split_of  # noqa: E402

from desktop.core.apply import apply_changes  # noqa: E402
from desktop.core.changes import ChangeSet  # noqa: E402
from desktop.core.checks import Checker, CheckResult, failed_commands  # noqa: E402
from desktop.core.compose import compose_answers  # noqa: E402
from desktop.core.codebase import scan_codebase  # noqa: E402
from desktop.core.review_ticks import set_review_ticks  # noqa: E402
from desktop.core.pipeline import Run, RunOptions  # noqa: E402
from desktop.core.plan import read_plan  # noqa: E402
from desktop.settings import Settings  # noqa: E402
from desktop.core.prompts import Prompts  # noqa: E402
from desktop.core.repetition import LoopGuard  # noqa: E402
from desktop.llm.llama_engine import LlamaEngine  # noqa: E402


COMMIT = os.popen(f"git -C {ROOT} rev-parse --short HEAD").read().strip()


def apply_and_judge(task, changeset: ChangeSet, repo: Path, backups: Path,
                    checks: list[CheckResult] | None = None) -> dict:
    """Apply the accepted changes (unless the check command failed on them) and judge the repo."""
    accepted = changeset.accepted()
    error = ""
    withheld = bool(accepted) and bool(failed_commands(checks or []))
    if accepted and not withheld:
        try:
            apply_changes(changeset, backups_dir=backups)
        except Exception as exc:  # a refused apply is a failed task, not a crashed bench
            error = str(exc)
    verdict = judge(task, repo)
    result = {
        "passed": verdict.passed and not error,
        "tests_passed": verdict.n_passed,
        "tests_failed": verdict.n_failed,
        "files_changed": len(accepted),
        "rejected": sum(1 for c in changeset.changes if c.kind == "rejected"),
        "apply_error": error,
    }
    if checks is not None:  # --visible-check: applied only when the check command passed
        result.update(withheld=withheld, check=[r.summary() for r in checks])
    if task.visible_dir.is_dir():  # the codebase's existing tests, all passing before the change
        existing = judge(task, repo, tests=task.visible_dir)
        result.update(existing_passed=existing.passed, existing_failed=existing.n_failed)
    return result


def run_task(task, *, engine: LlamaEngine, prompts: Prompts, options: RunOptions, work: Path,
             visible_check: bool = False) -> dict:
    row: dict = {"task": task.id, "difficulty": task.difficulty}
    # App arm.
    repo = materialize(task, work / f"{task.id}-app")
    notices: list[str] = []

    def log(event) -> None:  # one line per finished turn, so a long run shows where it is
        if event.kind == "turn_done" and event.usage is not None:
            u = event.usage
            print(f"  {task.id} {event.text}: prompt {u.prompt_tokens} ({u.cached_tokens} cached) "
                  f"{u.prompt_seconds:.0f} s, {u.generated_tokens} tokens {u.generate_seconds:.0f} s",
                  file=sys.stderr, flush=True)
        elif event.kind == "notice":
            notices.append(event.text)
            print(f"  {task.id}: {event.text}", file=sys.stderr, flush=True)

    if visible_check and task.visible_dir.is_dir():
        options = dataclasses.replace(options, check_command=visible_check_command(task))
    run = Run(plan=read_plan(task.plan_path), codebase=scan_codebase(repo), engine=engine, prompts=prompts,
              options=options, on_event=log)
    started = time.perf_counter()
    pack = run.prepare()
    run.reflect()
    changeset = run.implement()
    app = apply_and_judge(task, changeset, repo, work / "backups-app",
                          checks=run.final_checks() if options.check_command else None)
    app.update(
        seconds=round(time.perf_counter() - started, 1),
        repairs=run.repairs,
        generated_tokens=sum(t.usage.generated_tokens for t in run.turns),
        context_files=len(pack.files),
        left_out=len(pack.left_out),
        answer=run.turns[1].text if len(run.turns) > 1 else "",
        reflection=run.reflection,
        turns=[{"kind": t.kind, "text": t.text, "problems": t.problems, "checks": t.checks, "kept": t.kept}
               for t in run.turns[1:]],
        notices=notices,
    )
    row["app"] = app
    # Baseline arm: the same packed files, one direct prompt, one answer.
    repo_b = materialize(task, work / f"{task.id}-base")
    base_run = Run(plan=run.plan, codebase=scan_codebase(repo_b), engine=engine, prompts=prompts, options=options)
    base_run.ranked = run.ranked
    base_run.context = pack
    # The same system message (with the edit format) and the same packed files as the app.
    messages = base_run._system() + [{"role": "user", "content": base_run.context_prompt(template="oneshot")}]
    started = time.perf_counter()
    # The same loop guard as the app: a greedy loop is cut short in both arms (it only saves time).
    guard, pieces = LoopGuard(), []
    # The same total generated-token budget as the app's whole run: reflection, answer,
    # every repair turn, every sampled candidate and the last whole-file turn.
    budget = (options.reflection_tokens + options.answer_tokens * (options.max_repairs + options.candidates + 1)
              + (options.examples_tokens if options.check_examples else 0))
    stream = engine.stream(messages, max_tokens=budget, temperature=options.temperature)
    for piece in stream:
        pieces.append(piece)
        if guard.feed(piece):
            break
    stream.close()
    answer = "".join(pieces)
    # The same post-processing as the app: every mend and merge compose_answers applies.
    files = [f.rel_path for f in scan_codebase(repo_b).files]
    base_changes = compose_answers([answer], root=repo_b, files=files)
    set_review_ticks(base_changes, plan_text=run.plan.text,
                     other_files=lambda: [(f, (repo_b / f).read_text(errors="replace")) for f in files])
    checks = None
    if options.check_command:  # the same command on the one-shot change, as `--check CMD --apply`
        checker = Checker(repo_b, scratch_dir=work / "scratch", command=options.check_command,
                          timeout=options.check_timeout)
        checks = checker.run([(c.path, c.new_text) for c in base_changes.accepted()])
    base = apply_and_judge(task, base_changes, repo_b, work / "backups-base", checks=checks)
    prompt_sha = hashlib.sha256(json.dumps(messages).encode()).hexdigest()
    base.update(seconds=round(time.perf_counter() - started, 1), generated_tokens=engine.last_usage.generated_tokens,
                answer=answer, prompt_sha256=prompt_sha)
    row["baseline"] = base
    return row


def read_rows(path: Path) -> dict[str, dict]:
    """A results file's rows by task id."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {row["task"]: row for row in rows}


def read_all(paths: list[Path]) -> dict[str, dict]:
    """The rows of several results files (a run's shards) by task id."""
    rows: dict[str, dict] = {}
    for path in paths:
        rows.update(read_rows(path))
    return rows


def compare(rows: dict[str, dict], earlier: dict[str, dict]) -> None:
    """Per arm, the tasks this run passes that the earlier one failed, and the other way round,
    on the tasks both runs hold."""
    shared = sorted(set(rows) & set(earlier))
    print(f"\nagainst the earlier run, on the {len(shared)} tasks both hold:")
    for arm in ("app", "baseline"):
        gained = [t for t in shared if rows[t][arm]["passed"] and not earlier[t][arm]["passed"]]
        lost = [t for t in shared if earlier[t][arm]["passed"] and not rows[t][arm]["passed"]]
        before = sum(earlier[t][arm]["passed"] for t in shared)
        now = sum(rows[t][arm]["passed"] for t in shared)
        print(f"{arm}: {before} -> {now}; gained {', '.join(gained) or 'none'}; lost {', '.join(lost) or 'none'}")


def summarize(rows: list[dict]) -> None:
    n = len(rows)
    if not n:
        print("no results")
        return
    for arm in ("app", "baseline"):
        nothing = sum(1 for r in rows if not r[arm]["files_changed"])
        print(f"{arm} runs with no usable change: {nothing}/{n}")
    app = sum(r["app"]["passed"] for r in rows)
    base = sum(r["baseline"]["passed"] for r in rows)
    repairs = sum(r["app"]["repairs"] for r in rows)
    repaired_runs = sum(1 for r in rows if r["app"]["repairs"])
    print(f"\n{'task':<34} {'baseline':>8} {'app':>5} {'repairs':>7}")
    for r in rows:
        print(f"{r['task']:<34} {'pass' if r['baseline']['passed'] else 'fail':>8} "
              f"{'pass' if r['app']['passed'] else 'fail':>5} {r['app']['repairs']:>7}")
    print(f"\ntasks: {n}")
    print(f"baseline (one-shot): {base}/{n} = {base / n:.1%}")
    print(f"app (two-phase):     {app}/{n} = {app / n:.1%}")
    ratio = f"{app / base:.2f}" if base else "n/a (the baseline passed nothing)"
    print(f"ratio app/baseline:  {ratio}  (target on the HumanEval report split: >= 1.15)")
    print(f"repair turns: {repairs} in {repaired_runs} of {n} runs")
    app_time = sum(r["app"]["seconds"] for r in rows)
    base_time = sum(r["baseline"]["seconds"] for r in rows)
    print(f"time: app {app_time:.0f} s, baseline {base_time:.0f} s")
    judged = [r for r in rows if "existing_passed" in r["app"]]
    if judged:
        for arm in ("app", "baseline"):
            broke = [r["task"] for r in judged if not r[arm]["existing_passed"]]
            print(f"{arm}: the codebase's existing tests fail after the change in {len(broke)}/{len(judged)} tasks"
                  + (f" ({', '.join(broke)})" if broke else ""))
        gated = [r for r in judged if "withheld" in r["app"]]
        for arm in ("app", "baseline"):
            withheld = [r["task"] for r in gated if r[arm]["withheld"]]
            print(f"{arm}: withheld because the check command failed on the change: {len(withheld)}/{len(gated)}"
                  + (f" ({', '.join(withheld)})" if withheld else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen-1.5b", choices=["smollm2", "qwen-0.5b", "qwen-1.5b"])
    parser.add_argument("--tasks", help="comma-separated task id prefixes (default: all)")
    parser.add_argument("--suite", default="project", choices=["project", "humaneval", "exercism"])
    parser.add_argument("--exercism-tasks", type=Path, default=Path.home() / ".cache" / "plansmith-bench" / "exercism-tasks",
                        help="exercism suite: the task folders bench/quality/exercism.py built")
    parser.add_argument("--reverse", action="store_true",
                        help="the last tasks first (a run that may not finish covers the later ones)")
    parser.add_argument("--split", choices=["tuning", "report"], help="HumanEval and Exercism: even (tuning) or odd (report) numbers")
    parser.add_argument("--shard", default="0/1", help="K/N: this job takes every N-th task from the K-th")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "quality.jsonl")
    parser.add_argument("--context", type=int, default=12288)
    parser.add_argument("--answer-tokens", type=int, default=1536)
    parser.add_argument("--reflection-tokens", type=int, default=1024)
    parser.add_argument("--max-repairs", type=int, default=Settings().max_repairs)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--gpu-layers", type=int, default=-1)
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument("--check-examples", nargs="?", const="any", default=Settings().check_examples,
                        choices=("off", "computing", "any"), metavar="WHEN",
                        help="the app arm checks its code on the plan's examples, as `plansmith run "
                             "--check-examples WHEN`; default: the app's default setting")
    parser.add_argument("--candidates", type=int, default=1,
                        help="the app arm's sampled answers while the checks fail (as `plansmith run --candidates`)")
    parser.add_argument("--visible-check", action="store_true",
                        help="project suite: the app arm runs each codebase's existing tests (visible/) as its "
                             "check command, as `plansmith run --check CMD`")
    parser.add_argument("--against", nargs="+", type=Path, default=[],
                        help="with --summary-only: an earlier run's JSONL files; prints, on the tasks both "
                             "hold, which each arm gained and lost")
    parser.add_argument("results", nargs="*", type=Path,
                        help="with --summary-only: JSONL files to summarize together (e.g. a run's shards)")
    args = parser.parse_args()

    if args.summary_only and args.results:
        rows = read_all(args.results)
        summarize([rows[t] for t in sorted(rows)])
        if args.against:
            compare(rows, read_all(args.against))
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = read_rows(args.out) if args.out.exists() else {}
    if args.suite == "humaneval":
        tasks = load_tasks(build_all())
    elif args.suite == "exercism":
        tasks = load_tasks(args.exercism_tasks)
    else:
        tasks = load_tasks()
    if args.split:
        tasks = [t for t in tasks if split_of(t.id) == args.split]
    k, n = (int(x) for x in args.shard.split("/"))
    tasks = tasks[k::n]
    if args.tasks:
        wanted = tuple(args.tasks.split(","))
        tasks = [t for t in tasks if t.id.startswith(wanted)]
    if args.reverse:
        tasks.reverse()
    if not args.summary_only:
        engine = LlamaEngine(fetch(args.model), context_size=args.context, threads=args.threads, gpu_layers=args.gpu_layers)
        engine.load()
        prompts = Prompts.load()
        options = RunOptions(
            reflection_tokens=args.reflection_tokens, answer_tokens=args.answer_tokens,
            temperature=0.0, max_repairs=args.max_repairs, check_examples=args.check_examples != "off",
            examples_any_code=args.check_examples == "any",
            candidates=args.candidates,
        )
        with tempfile.TemporaryDirectory(prefix="plansmith-quality-") as tmp:
            for task in tasks:
                if task.id in done:
                    continue
                started = time.perf_counter()
                row = run_task(task, engine=engine, prompts=prompts, options=options, work=Path(tmp),
                               visible_check=args.visible_check)
                row["model"] = args.model
                row["commit"] = COMMIT
                row["suite"] = args.suite
                row["split"] = "project" if args.suite == "project" else split_of(task.id)
                row["threads"] = args.threads
                row["check_examples"] = args.check_examples
                row["candidates"] = args.candidates
                row["visible_check"] = args.visible_check
                done[task.id] = row
                with args.out.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                print(f"{task.id}: baseline {'pass' if row['baseline']['passed'] else 'fail'}, "
                      f"app {'pass' if row['app']['passed'] else 'fail'} ({row['app']['repairs']} repairs), "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
    summarize([done[t.id] for t in tasks if t.id in done])


if __name__ == "__main__":
    main()
