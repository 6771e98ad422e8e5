"""Scan and rank a generated 50,000-file tree; print the times and the cancel latency.

    python bench/bench_scan.py [--files 50000] [--keep DIR]

Targets (2 cores): scan + rank in at most 5 s; Cancelled within 200 ms of the event.
tests/test_codebase.py uses generate_tree() from here with looser bounds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.core.codebase import scan_codebase  # noqa: E402
from desktop.core.plan import plan_from_text  # noqa: E402
from desktop.core.ranking import rank_files  # noqa: E402
from desktop.errors import Cancelled  # noqa: E402

WORDS = (
    "account address admin alert archive audit auth balance batch billing booking budget cache "
    "calendar cart catalog charge checkout client comment config contract coupon credit customer "
    "dashboard delivery discount document draft email employee event export feed file filter "
    "forecast group import inventory invoice item job ledger license limit log member message "
    "metric note notify order owner page partner payment payout permission plan policy price "
    "product profile project quota rate receipt refund region report request reservation review "
    "role route schedule search session setting shipment shipping sku snapshot status stock "
    "store subscription supplier survey tag task tax team template tenant ticket token transfer "
    "upload usage user vendor voucher warehouse webhook workflow"
).split()
VERBS = (
    "build load save parse render validate compute fetch sync apply format merge resolve "
    "collect update create delete find list check send publish refresh normalize export"
).split()
AREAS = ("services", "libs", "apps", "tools", "web/src", "platform", "internal")


def _snake(rng: random.Random, n: int = 2) -> str:
    return "_".join([rng.choice(VERBS)] + rng.sample(WORDS, n))


def _pascal(rng: random.Random) -> str:
    return "".join(w.capitalize() for w in rng.sample(WORDS, 2))


def _camel(rng: random.Random) -> str:
    a, b = rng.sample(WORDS, 2)
    return rng.choice(VERBS) + a.capitalize() + b.capitalize()


def _python(rng: random.Random, mod: str) -> tuple[str, list[str]]:
    cls, fns = _pascal(rng), [_snake(rng) for _ in range(rng.randint(2, 4))]
    w = rng.sample(WORDS, 4)
    lines = [
        f'"""{w[0].capitalize()} {w[1]} helpers for the {w[2]} service."""',
        "",
        "from __future__ import annotations",
        "",
        "import logging",
        f"from {mod} import {w[3]}_utils",
        "",
        "log = logging.getLogger(__name__)",
        f"DEFAULT_{w[0].upper()}_LIMIT = {rng.randint(5, 500)}",
        "",
        "",
        f"class {cls}:",
        f'    """Holds the {w[1]} state for one {w[2]}."""',
        "",
        f"    def __init__(self, {w[1]}_id: int, *, {w[2]}=None):",
        f"        self.{w[1]}_id = {w[1]}_id",
        f"        self.{w[2]} = {w[2]} or {{}}",
        "",
    ]
    for fn in fns:
        a, b = rng.sample(WORDS, 2)
        lines += [
            f"    def {fn}(self, {a}, {b}=None):",
            f"        # {rng.choice(VERBS)} the {a} before the {b} is {rng.choice(VERBS)}d",
            f"        if {b} is None:",
            f"            {b} = {w[3]}_utils.{rng.choice(VERBS)}_{a}({a})",
            f'        log.debug("{fn} %s", {a})',
            f"        return [{a} for {a} in {b} if {a}]",
            "",
        ]
    top = _snake(rng)
    lines += [
        "",
        f"def {top}(items, *, limit=DEFAULT_{w[0].upper()}_LIMIT):",
        f'    """{rng.choice(VERBS).capitalize()} up to `limit` {w[1]} items."""',
        f"    return [{cls}(i).{fns[0]}(i) for i in items[:limit]]",
    ]
    return "\n".join(lines) + "\n", [cls, top, *fns]


def _typescript(rng: random.Random, mod: str) -> tuple[str, list[str]]:
    iface, fn, method = _pascal(rng), _camel(rng), _camel(rng)
    w = rng.sample(WORDS, 4)
    text = f"""import {{ {w[0]}Client }} from "../{mod}/{w[0]}";
import type {{ {w[1].capitalize()} }} from "./types";

export interface {iface} {{
  id: string;
  {w[1]}: {w[1].capitalize()};
  {w[2]}Count: number;
}}

export const MAX_{w[3].upper()} = {rng.randint(10, 900)};

export async function {fn}(items: {iface}[], limit = MAX_{w[3].upper()}): Promise<{iface}[]> {{
  // {rng.choice(VERBS)} {w[1]} before {w[2]} so the {w[3]} view stays stable
  const picked = items.filter((it) => it.{w[2]}Count > 0).slice(0, limit);
  return Promise.all(picked.map((it) => {w[0]}Client.{rng.choice(VERBS)}(it.id)));
}}

export class {iface}Store {{
  private cache = new Map<string, {iface}>();

  {method}(item: {iface}): void {{
    this.cache.set(item.id, item);
  }}

  get(id: string): {iface} | undefined {{
    return this.cache.get(id);
  }}
}}
"""
    return text, [iface, fn, method, f"{iface}Store"]


def _go(rng: random.Random, pkg: str) -> tuple[str, list[str]]:
    typ, fn, method = _pascal(rng), _pascal(rng), _pascal(rng)
    w = rng.sample(WORDS, 3)
    text = f"""package {pkg}

import (
\t"context"
\t"fmt"
)

// {typ} tracks {w[0]} {w[1]} for one {w[2]}.
type {typ} struct {{
\tID    string
\t{w[0].capitalize()} int
}}

// {fn} {rng.choice(VERBS)}s every {w[0]} of the {w[1]}.
func {fn}(ctx context.Context, items []{typ}) ([]string, error) {{
\tout := make([]string, 0, len(items))
\tfor _, it := range items {{
\t\tif err := ctx.Err(); err != nil {{
\t\t\treturn nil, err
\t\t}}
\t\tout = append(out, fmt.Sprintf("%s:%d", it.ID, it.{w[0].capitalize()}))
\t}}
\treturn out, nil
}}

func (t *{typ}) {method}(delta int) {{
\tt.{w[0].capitalize()} += delta
}}
"""
    return text, [typ, fn, method]


def _markdown(rng: random.Random) -> tuple[str, list[str]]:
    w = rng.sample(WORDS, 6)
    text = (
        f"# {w[0].capitalize()} {w[1]}\n\nThis folder holds the {w[2]} and {w[3]} code.\n\n"
        f"## Notes\n\n- {w[4]} goes through the {w[5]} queue.\n- Run the tests before a release.\n"
    )
    return text, []


def generate_tree(root: Path, *, n_files: int = 50_000, seed: int = 7) -> dict[str, list[str]]:
    """Write n_files source files under root plus noise the scan must skip.

    Returns {rel_path: identifiers it defines} for the source files.
    """
    rng = random.Random(seed)
    defs: dict[str, list[str]] = {}
    made = 0
    d = 0
    while made < n_files:
        area = AREAS[d % len(AREAS)]
        folder = f"{area}/{rng.choice(WORDS)}_{d}/{rng.choice(('core', 'api', 'jobs', 'views', 'util'))}"
        os.makedirs(root / folder, exist_ok=True)
        lang = rng.choices(("py", "ts", "go"), weights=(6, 3, 2))[0]
        for k in range(min(rng.randint(6, 16), n_files - made)):
            if k == 0 and rng.random() < 0.3:
                rel, (text, names) = f"{folder}/README.md", _markdown(rng)
            elif lang == "py":
                rel = f"{folder}/{rng.choice(WORDS)}_{k}.py"
                text, names = _python(rng, folder.replace("/", "."))
            elif lang == "ts":
                rel = f"{folder}/{rng.choice(WORDS)}{k}.ts"
                text, names = _typescript(rng, area)
            else:
                rel = f"{folder}/{rng.choice(WORDS)}_{k}.go"
                text, names = _go(rng, folder.rsplit("/", 1)[-1])
            if rel in defs:
                continue
            with open(root / rel, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            defs[rel] = names
            made += 1
        d += 1
    _noise(root, rng)
    return defs


def _noise(root: Path, rng: random.Random) -> None:
    """What a real checkout also holds: ignored output, dependencies, a venv, binaries."""
    (root / ".gitignore").write_text("*.log\n/build/\ncoverage/\n", encoding="utf-8")
    (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    for folder, count in (("build/lib", 300), ("node_modules/left-pad", 300), (".venv/lib", 100)):
        (root / folder).mkdir(parents=True)
        for i in range(count):
            (root / folder / f"m{i}.js").write_text("module.exports = 1;\n")
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assets = root / "web" / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for i in range(60):
        (assets / f"icon{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + rng.randbytes(400))
        (assets / f"blob{i}.dat").write_bytes(b"\x00\x01" + rng.randbytes(200))
        (assets / f"debug{i}.log").write_text("started\n")
    for i in range(4):
        (assets / f"dump{i}.json").write_text("[" + "1," * 300_000 + "1]")


def bench_plan_text(defs: dict[str, list[str]], *, seed: int = 1, n_targets: int = 6) -> tuple[str, list[str]]:
    """A plan in the usual shape that names one identifier from each of n_targets files."""
    rng = random.Random(seed)
    # Random names repeat across 50,000 files; name only ones a single file defines, so
    # "the named file ranks high" has one right answer.
    owners: dict[str, int] = {}
    for names in defs.values():
        for name in names:
            key = name.replace("_", "").lower()
            owners[key] = owners.get(key, 0) + 1
    unique = {r: [n for n in ns if owners[n.replace("_", "").lower()] == 1] for r, ns in defs.items()}
    targets = rng.sample(sorted(r for r, ns in unique.items() if ns), n_targets)
    names = [rng.choice(unique[t]) for t in targets]
    text = f"""# Plan: faster {rng.choice(WORDS)} reports

## Components to reuse
- `{names[0]}` already loads what we need.
- {names[1]} formats the rows.

## User stories
- As an account owner I want the {rng.choice(WORDS)} report to load quickly.

## Requirements
- Keep `{names[2]}` backwards compatible; the invoice and payment totals must match.
- Call {names[3]}() only once per request.

## Steps
1. Extend `{names[4]}` to take a limit.
2. Update `{names[5]}` to pass the customer filter through.
"""
    return text, targets


def _cancel_latency(fn, *, after: float) -> float | None:
    """Seconds between setting the event and fn raising Cancelled (None: it finished first)."""
    cancel = threading.Event()
    set_at: list[float] = []

    def trip() -> None:
        time.sleep(after)
        set_at.append(time.perf_counter())
        cancel.set()

    t = threading.Thread(target=trip)
    t.start()
    try:
        fn(cancel)
    except Cancelled:
        return time.perf_counter() - set_at[0]
    finally:
        t.join()
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        root = args.keep
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="plansmith-bench-")
        root = Path(tmp.name)
    t0 = time.perf_counter()
    defs = generate_tree(root, n_files=args.files)
    print(f"generated {len(defs):,} files in {time.perf_counter() - t0:.1f} s")
    text, targets = bench_plan_text(defs)
    plan = plan_from_text(text)

    # The tree was just written, so it sits in the OS page cache for both runs (as a folder
    # the user works in would); a cold disk adds the drive's own read time on top.
    for label in ("run 1", "run 2"):
        t0 = time.perf_counter()
        cb = scan_codebase(root)
        t1 = time.perf_counter()
        ranked = rank_files(cb, plan)
        t2 = time.perf_counter()
        print(
            f"{label}: scan {t1 - t0:.2f} s ({len(cb.files):,} kept, skipped {cb.skipped}), "
            f"rank {t2 - t1:.2f} s, total {t2 - t0:.2f} s"
        )
    top = [r.rel_path for r in ranked[:10]]
    found = sum(t in top for t in targets)
    print(f"named files in the top 10: {found}/{len(targets)}; best: {ranked[0].rel_path} {ranked[0].reasons}")

    lat_scan = [_cancel_latency(lambda c: scan_codebase(root, cancel=c), after=a) for a in (0.05, 0.15, 0.3)]
    lat_rank = [_cancel_latency(lambda c: rank_files(cb, plan, cancel=c), after=a) for a in (0.05, 0.3, 0.6)]
    fmt = ", ".join
    print("cancel latency scan: " + fmt(f"{x * 1000:.1f} ms" if x is not None else "finished" for x in lat_scan))
    print("cancel latency rank: " + fmt(f"{x * 1000:.1f} ms" if x is not None else "finished" for x in lat_rank))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
