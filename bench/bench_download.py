"""Download speed over loopback: our download_model against a plain hf_hub_download of the same file.

The fake hub runs in its own process (tests/fakehub.py) so it does not share the GIL with
the client. Runs are interleaved (ours, hf, ours, hf, ...) and the medians compared.
download_model does more than hf_hub_download (SHA-256 of every byte, GGUF header check,
resumable partial file), so the ratio says what that costs. Target: >= 0.95.

    .venv/bin/python bench/bench_download.py [--mb 200] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakehub import make_gguf, sha256_of  # noqa: E402

from desktop.llm.catalog import CatalogEntry  # noqa: E402
from desktop.llm.download import download_model  # noqa: E402
from desktop.paths import AppPaths  # noqa: E402

REPO = "bench/Bench-GGUF"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="plansmith-bench-"))
    try:
        return _bench(work, mb=args.mb, runs=args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(work: Path, *, mb: int, runs: int) -> int:
    src = make_gguf(work / "bench.gguf", n_bytes=mb << 20)
    size, sha = src.stat().st_size, sha256_of(src)
    entry = CatalogEntry(
        id="bench", name="bench", repo=REPO, files=(src.name,), sizes=(size,), sha256=(sha,), verified=True,
        params_b=0.1, context_length=2048, default_context=2048, kv_bytes_per_token=0, memory_mib=0, licence="MIT",
    )
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fakehub.py"), str(src), REPO],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        endpoint = server.stdout.readline().strip()
        import huggingface_hub

        ours, theirs = [], []
        for i in range(runs + 1):  # the first pair warms up the connection pool and page cache
            a = _time(lambda d: download_model(entry, paths=AppPaths.under(d), endpoint=endpoint), work / f"o{i}")
            b = _time(
                lambda d: huggingface_hub.hf_hub_download(REPO, src.name, cache_dir=d, endpoint=endpoint, token=False),
                work / f"h{i}",
            )
            if i:
                ours.append(a)
                theirs.append(b)
            print(f"run {i}{' (warm-up)' if not i else ''}: download_model {a:.3f} s, hf_hub_download {b:.3f} s", flush=True)
    finally:
        server.terminate()
        server.wait()
    mo, mh = statistics.median(ours), statistics.median(theirs)
    pairs = statistics.median(b / a for a, b in zip(ours, theirs))
    print(f"file: {size / 1e6:.0f} MB; median download_model {mo:.3f} s ({size / mo / 1e6:.0f} MB/s), "
          f"hf_hub_download {mh:.3f} s ({size / mh / 1e6:.0f} MB/s); best {min(ours):.3f} s vs {min(theirs):.3f} s")
    print(f"speed ratio download_model / hf_hub_download: {mh / mo:.3f} by medians, {pairs:.3f} median of pairs, "
          f"{min(theirs) / min(ours):.3f} best vs best (target >= 0.95)")
    return 0


def _time(fn, folder: Path) -> float:
    folder.mkdir(parents=True)
    # Start each run with no dirty pages left by the previous one: hf_hub_download does not
    # fsync, so its write-back would otherwise land in the next run's time.
    if hasattr(os, "sync"):
        os.sync()
    start = time.perf_counter()
    fn(folder)
    took = time.perf_counter() - start
    shutil.rmtree(folder)
    return took


if __name__ == "__main__":
    raise SystemExit(main())
