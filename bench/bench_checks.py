"""A check's overhead on a 5,000-file codebase: the scratch copy, the baseline fingerprint and
the walled-off process, against running the same command directly in the folder.

    python bench/bench_checks.py [--files 5000] [--runs 5]

Target: overhead besides the command itself <= 1 s (issue #12). Prints both medians and the
difference; the check runs `true`, so the command itself costs next to nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import generate_tree  # noqa: E402
from desktop.core.checks import Checker  # noqa: E402
from desktop.core.scratch import network_wall  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plansmith-bench-checks-") as tmp:
        root = Path(tmp) / "codebase"
        generate_tree(root, n_files=args.files)
        checker = Checker(root, scratch_dir=Path(tmp) / "scratch", command="true")
        direct, checked = [], []
        for i in range(args.runs):
            started = time.perf_counter()
            subprocess.run(["sh", "-c", "true"], cwd=root, check=True)
            direct.append(time.perf_counter() - started)
            change = [("pkg0/changed.py", f"VALUE = {i}\n")]
            started = time.perf_counter()
            (result,) = checker.run(change)  # the first run also learns the unchanged codebase's result
            checked.append(time.perf_counter() - started)
            assert result.ok, result.summary()
        d, c = statistics.median(direct), statistics.median(checked)
        print(f"files: {args.files}; network wall: {' '.join(network_wall()) or 'none'}")
        print(f"direct `true`: {d * 1000:.0f} ms (median of {args.runs})")
        print(f"checked on a scratch copy: {c * 1000:.0f} ms (median; first run {checked[0] * 1000:.0f} ms, with the baseline)")
        print(f"overhead: {(c - d) * 1000:.0f} ms  (target <= 1000 ms)")


if __name__ == "__main__":
    main()
