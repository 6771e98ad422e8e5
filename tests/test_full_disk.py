"""A real `plansmith run --apply` process whose own folder sits on a small, real file system
(a tmpfs; CI runs as root). The run record no longer blocks the apply, and a disk too full for
either gives clear lines, no traceback, and nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_openai import FakeServer, answers_route
from test_apply import REPO_ROOT, snapshot

F = "```"
FILES, ROWS = 4, 10_000  # four files of about 1 MB


@pytest.fixture
def small_home(tmp_path: Path):
    """A Plansmith home on a 12 MB tmpfs: room for the backups of the apply below (old and new
    copies, 8 MB), not for those and a record holding every file whole twice as well."""
    home = tmp_path / "home"
    home.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(home)],
                             capture_output=True).returncode == 0
    assert mounted, "mounting a tmpfs needs root (CI runs as root)"
    for sub in ("data/runs", "data/backups", "config", "log", "cache"):
        (home / sub).mkdir(parents=True)
    yield home
    subprocess.run(["umount", "-l", str(home)], check=False)


def codebase(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    root.mkdir()
    answer = ""
    for i in range(FILES):
        body = "".join(f"row {i}-{n:05d} " + "x" * 86 + "\n" for n in range(ROWS))
        (root / f"table{i}.txt").write_text("VERSION = 1\n" + body)
        answer += f"table{i}.txt\n{F}\n<<<<<<< SEARCH\nVERSION = 1\n=======\nVERSION = 2\n>>>>>>> REPLACE\n{F}\n\n"
    return root, answer


def run_apply(tmp_path: Path, home: Path, root: Path, answer: str) -> subprocess.CompletedProcess:
    plan, reflection = tmp_path / "plan.md", tmp_path / "reflection.md"
    plan.write_text("# Version 2 of the tables\n\nSet VERSION = 2 in every table file.\n")
    reflection.write_text("## Checklist\n- FILE `table0.txt`\n")
    server = FakeServer({("POST", "/v1/chat/completions"): answers_route([answer])})
    try:
        return subprocess.run(
            [sys.executable, "-m", "desktop", "run", str(plan), "--repo", str(root), "--server", server.url,
             "--reflection", str(reflection), "--apply", "--quiet", "--no-check-examples"],
            cwd=REPO_ROOT, env=dict(os.environ, PLANSMITH_HOME=str(home)), capture_output=True, text=True,
            timeout=300)
    finally:
        server.close()


def test_the_apply_is_not_blocked_by_the_record_and_the_record_stays_small(tmp_path, small_home):
    root, answer = codebase(tmp_path)
    before = snapshot(root)
    done = run_apply(tmp_path, small_home, root, answer)
    assert done.returncode == 0, done.stderr
    assert "Applied 4 file(s)" in done.stderr and "Traceback" not in done.stderr
    assert all((root / f"table{i}.txt").read_text().startswith("VERSION = 2\n") for i in range(FILES))
    (record,) = small_home.glob("data/runs/*/run.json")
    assert record.stat().st_size < 200_000  # the lines that changed, not 8 MB of whole copies
    change = json.loads(record.read_text())["changeset"]["changes"][0]
    assert change["old_on_disk"] and change["old_text"] is None
    undo = subprocess.run([sys.executable, "-m", "desktop", "undo", "--repo", str(root)], cwd=REPO_ROOT,
                          env=dict(os.environ, PLANSMITH_HOME=str(small_home)), capture_output=True, text=True)
    assert undo.returncode == 0, undo.stderr
    assert snapshot(root) == before


def test_a_disk_too_full_for_anything_gives_two_clear_lines_and_writes_nothing(tmp_path, small_home):
    root, answer = codebase(tmp_path)
    before = snapshot(root)
    filler = small_home / "filler"
    with open(filler, "wb") as f:  # fill the file system to the last block
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    done = run_apply(tmp_path, small_home, root, answer)
    assert done.returncode == 1, done.stderr
    err = done.stderr
    assert "Could not save the run record" in err and "The run goes on without its record." in err
    assert "Nothing was applied: could not save the backup" in err and "the disk is full" in err
    assert "Traceback" not in err and "Logging error" not in err
    assert snapshot(root) == before
    assert [p.name for p in (small_home / "data" / "backups").iterdir()] == ["locks"]  # no partial backup
    assert [p.name for p in (small_home / "data" / "runs").rglob("*") if p.is_file()] == []
