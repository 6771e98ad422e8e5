"""An apply stopped part-way (a crash, kill -9, power cut): found at the next start, finished or
rolled back byte for byte, its temp files removed; a new apply is refused until then.

The crash is simulated in-process (os.replace raises a BaseException no `except OSError` catches,
as if the process died there) and for real: a `plansmith run --apply` process killed with
SIGKILL while it writes many largish files.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_openai import FakeServer, answers_route
from test_apply import EDITS, HOLD_LOCK, REPO_ROOT, backups, root, snapshot  # noqa: F401 (fixtures)

from desktop.cli import main
from desktop.core.apply import apply_changes, undo_last_apply
from desktop.core.apply_recovery import find_interrupted, finish_apply, roll_back_apply
from desktop.core.changes import ChangeSet
from desktop.core.codebase import scan_codebase
from desktop.errors import ChangeError

F = "```"


class Crash(BaseException):
    """The process dying: nothing after it runs, and nothing catches it."""


def crash_mid_apply(root: Path, backups: Path, *, nth: int) -> None:
    """Apply EDITS; the nth os.replace crashes (the 0th saves the manifest, then a.py, b.py,
    pkg/sub/new.py, then the manifest again)."""
    real = os.replace
    count = iter(range(1000))

    def replace(src, dst):
        if next(count) == nth:
            raise Crash
        return real(src, dst)

    with pytest.MonkeyPatch.context() as patch, pytest.raises(Crash):
        patch.setattr(os, "replace", replace)
        apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)


def stop_mid_apply(root: Path, backups: Path) -> dict:
    """Apply EDITS and 'die' writing b.py, leaving half of it in a temp file as a kill does.
    Returns the codebase as it was before."""
    before = snapshot(root)
    crash_mid_apply(root, backups, nth=2)
    (root / ".b.py.k2j4x9_q.plansmith").write_bytes(b"B = ")  # half a write
    return before


def temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.plansmith"))


def test_a_stopped_apply_is_found_with_its_new_and_old_files(root, backups):
    stop_mid_apply(root, backups)
    (item,) = find_interrupted(backups)
    assert find_interrupted(backups, root=root) == [item]
    assert (item.root, item.new, item.old, item.edited) == (root.resolve(), ["a.py"], ["b.py", "pkg/sub/new.py"], [])
    assert item.temp_files == [root / ".b.py.k2j4x9_q.plansmith"]
    text = item.describe()
    assert "stopped part-way" in text and "Written before it stopped: 1 file(s)\n  a.py" in text
    assert "Not written yet: 2 file(s)\n  b.py\n  pkg/sub/new.py" in text
    assert ".b.py.k2j4x9_q.plansmith" in text
    assert "… and 1 more" in item.describe(limit=1)
    assert find_interrupted(backups, root=root.parent) == []  # another codebase


def test_the_codebase_scan_leaves_out_a_stopped_applys_temp_file(root, backups):
    stop_mid_apply(root, backups)
    (root / ".notes.txt").write_text("a dotfile of the user's own\n")
    scanned = scan_codebase(root)
    paths = [f.rel_path for f in scanned.files]
    assert ".b.py.k2j4x9_q.plansmith" not in paths and {"a.py", "b.py", ".notes.txt"} <= set(paths)
    assert scanned.skipped["unfinished_write"] == 1


def test_finish_makes_every_file_the_new_version_and_can_then_be_undone(root, backups, tmp_path):
    before = snapshot(root)
    twin = tmp_path / "twin"
    twin.mkdir()
    for name, (data, _) in before.items():
        (twin / name).write_bytes(data)
    apply_changes(ChangeSet.from_answer(EDITS, root=twin), backups_dir=tmp_path / "twin-backups")
    stop_mid_apply(root, backups)

    (item,) = find_interrupted(backups)
    record = finish_apply(item, backups_dir=backups)
    assert (record.action, record.written, record.created) == ("finish", ["b.py", "pkg/sub/new.py"], ["pkg/sub/new.py"])
    assert str(record) == "Finished the apply: 2 file(s) written, 1 created."
    assert snapshot(root) == snapshot(twin) and temp_files(root) == []  # as if it had never stopped
    manifest = json.loads((item.backup_dir / "manifest.json").read_text())
    assert manifest["state"] == "applied" and not (item.backup_dir / "new").exists()
    assert find_interrupted(backups) == []
    with pytest.raises(ChangeError, match="no longer stopped part-way"):
        finish_apply(item, backups_dir=backups)
    undo_last_apply(root=root, backups_dir=backups)
    assert snapshot(root) == before


def test_roll_back_restores_every_original_byte_and_frees_the_codebase(root, backups):
    before = snapshot(root)
    stop_mid_apply(root, backups)
    (item,) = find_interrupted(backups)
    record = roll_back_apply(item, backups_dir=backups)
    assert (record.action, record.written, record.removed) == ("roll_back", ["a.py"], [])
    assert snapshot(root) == before and not (root / "pkg").exists()
    assert json.loads((item.backup_dir / "manifest.json").read_text())["state"] == "rolled_back"
    assert find_interrupted(backups) == [] and not (item.backup_dir / "new").exists()
    assert apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups).written  # free again


@pytest.mark.parametrize("nth", [1, 4])  # before the first file; after the last, before "applied"
def test_stopped_before_the_first_or_after_the_last_file(root, backups, nth):
    before = snapshot(root)
    crash_mid_apply(root, backups, nth=nth)
    (item,) = find_interrupted(backups)
    if nth == 1:
        assert (item.new, len(item.old)) == ([], 3)
        assert roll_back_apply(item, backups_dir=backups).written == []
        assert snapshot(root) == before
    else:
        assert (len(item.new), item.old) == (3, [])
        assert finish_apply(item, backups_dir=backups).written == []
        assert (root / "pkg/sub/new.py").read_text() == "N = 1\n"
    assert find_interrupted(backups) == []


def test_finish_and_roll_back_are_refused_while_a_file_was_edited_since(root, backups):
    stop_mid_apply(root, backups)
    (root / "b.py").write_text("B = 'mine'\n")
    edited = snapshot(root)
    (item,) = find_interrupted(backups)
    assert item.edited == ["b.py"] and "Finishing and rolling back are refused" in item.describe()
    with pytest.raises(ChangeError, match=r"Cannot finish: b\.py changed since the apply stopped\. Nothing was "
                                          r"written\. .*originals are in"):
        finish_apply(item, backups_dir=backups)
    with pytest.raises(ChangeError, match=r"Cannot roll back: b\.py changed since"):
        roll_back_apply(item, backups_dir=backups)
    assert snapshot(root) == edited  # nothing written, not even the temp file removed
    (root / "b.py").write_bytes((item.backup_dir / "files" / "b.py").read_bytes())  # as the help says
    assert finish_apply(item, backups_dir=backups).written == ["b.py", "pkg/sub/new.py"]


def test_a_damaged_saved_new_text_refuses_finish_but_not_roll_back(root, backups):
    before = snapshot(root)
    stop_mid_apply(root, backups)
    (item,) = find_interrupted(backups)
    (item.backup_dir / "new" / "b.py").write_bytes(b"")  # a power cut before it reached the disk
    with pytest.raises(ChangeError, match="saved new text of b.py .* is damaged. Nothing was written; roll it back"):
        finish_apply(item, backups_dir=backups)
    roll_back_apply(item, backups_dir=backups)
    assert snapshot(root) == before


def test_a_new_apply_is_refused_and_undo_rolls_the_stopped_one_back(root, backups):
    before = stop_mid_apply(root, backups)
    stopped = snapshot(root)
    with pytest.raises(ChangeError, match=r"Nothing was applied: an earlier apply to .* stopped part-way\. "
                                          r"Finish it or roll it back first: `plansmith recover --repo "):
        apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
    assert snapshot(root) == stopped
    record = undo_last_apply(root=root, backups_dir=backups)
    assert str(record) == "Rolled back: 1 file(s) written."
    assert snapshot(root) == before and temp_files(root) == []


def test_an_apply_still_writing_is_not_reported(root, backups):
    stop_mid_apply(root, backups)
    # Another process holds the codebase's lock, as an apply that is writing right now does.
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(root), str(backups)], cwd=REPO_ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert find_interrupted(backups) == [] and find_interrupted(backups, root=root) == []
    finally:
        holder.communicate("\n", timeout=10)
    assert len(find_interrupted(backups)) == 1


def test_a_stopped_apply_to_a_folder_that_is_gone_is_not_reported(root, backups, tmp_path):
    stop_mid_apply(root, backups)
    root.rename(tmp_path / "elsewhere")
    assert find_interrupted(backups) == []


# -- the command line ---------------------------------------------------------------------


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_recover_lists_then_rolls_back(root, app_paths):
    code, out, _ = run_cli("recover", "--repo", root)
    assert (code, out.strip()) == (0, f"Nothing to recover in {root.resolve()}: no apply to it stopped part-way.")
    assert run_cli("recover", "--repo", root, "--finish")[0] == 1
    before = stop_mid_apply(root, app_paths.backups_dir)
    code, out, err = run_cli("recover", "--repo", root)
    assert code == 0, err
    assert "Written before it stopped: 1 file(s)\n  a.py\n" in out and "  pkg/sub/new.py\n" in out
    assert f"recover --repo {root.resolve()} --finish" in out and f"--repo {root.resolve()} --roll-back" in out
    code, out, err = run_cli("recover", "--repo", root, "--roll-back")
    assert code == 0 and out.startswith("Rolled back: 1 file(s) written."), err
    assert snapshot(root) == before
    assert run_cli("recover", "--repo", root, "--finish", "--roll-back")[0] == 2  # one or the other


def test_cli_run_apply_is_refused_before_the_run_and_a_plain_run_is_warned(root, app_paths, tmp_path):
    stop_mid_apply(root, app_paths.backups_dir)
    plan = tmp_path / "plan.md"
    plan.write_text("# Change B\n\nSet B to 2.\n")
    code, _, err = run_cli("run", plan, "--repo", root, "--apply", "--server", "http://127.0.0.1:9")
    assert code == 1 and "Traceback" not in err
    assert f"Nothing was run: an earlier apply to {root.resolve()}" in err
    assert f"plansmith recover --repo {root.resolve()}" in err
    # A run that only reads the code goes on (here to a server that is not there), warned.
    code, _, err = run_cli("run", plan, "--repo", root, "--patch", tmp_path / "x.patch", "--server", "http://127.0.0.1:9")
    assert code != 0 and "Warning: an earlier apply" in err and "plansmith recover --repo" in err


def test_cli_undo_rolls_back_a_stopped_apply(root, app_paths):
    before = stop_mid_apply(root, app_paths.backups_dir)
    code, out, err = run_cli("undo", "--repo", root)
    assert code == 0, err
    assert out.startswith("Undone: Rolled back: 1 file(s) written.") and "had stopped part-way" in out
    assert snapshot(root) == before and temp_files(root) == []


# -- a real process killed with SIGKILL mid-apply -----------------------------------------

FILES, LINES = 60, 3000  # 60 files of about 300 KB: each write and fsync takes a while


def killed_mid_apply(tmp_path: Path) -> tuple[Path, Path, dict, dict]:
    """Run `plansmith run --apply` on a codebase of largish files and SIGKILL it once the first
    file is replaced; retried until the kill lands before the last. Returns root, home, the
    files before and after a whole apply."""
    for attempt in range(6):
        base = tmp_path / f"try{attempt}"
        root, home = base / "repo", base / "home"
        (root / "data").mkdir(parents=True)
        body = "".join(f"row {n:05d} " + "x" * 88 + "\n" for n in range(LINES))
        answer = ""
        for i in range(FILES):
            (root / "data" / f"table{i:02d}.txt").write_text(f"VERSION = 1\n{body}")
            answer += (f"data/table{i:02d}.txt\n{F}\n<<<<<<< SEARCH\nVERSION = 1\n=======\nVERSION = 2\n"
                       f">>>>>>> REPLACE\n{F}\n\n")
        before = snapshot(root)
        after = {k: (b"VERSION = 2\n" + data[len(b"VERSION = 1\n"):], mode) for k, (data, mode) in before.items()}
        plan, reflection = base / "plan.md", base / "reflection.md"
        plan.write_text("# Version 2 of the tables\n\nSet VERSION = 2 in every file under data/.\n")
        reflection.write_text("## Checklist\n- FILE `data/table00.txt`\n")
        server = FakeServer({("POST", "/v1/chat/completions"): answers_route([answer])})
        first = root / "data" / "table00.txt"
        inode = first.stat().st_ino
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", "run", str(plan), "--repo", str(root), "--server", server.url,
             "--reflection", str(reflection), "--apply", "--quiet", "--no-check-examples"],
            cwd=REPO_ROOT, env=dict(os.environ, PLANSMITH_HOME=str(home)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if first.stat().st_ino != inode:  # atomic_write replaced it: the apply is writing
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.0005)
            proc.wait(timeout=30)
        finally:
            server.close()
        manifests = [json.loads(p.read_text()) for p in home.glob("data/backups/*/manifest.json")]
        if proc.returncode == -signal.SIGKILL and [m["state"] for m in manifests] == ["applying"]:
            now = snapshot(root)
            if now != after:
                return root, home, before, after
    raise AssertionError("the kill never landed while the apply was writing")


def plansmith(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PLANSMITH_HOME=str(home)), timeout=120)


@pytest.mark.parametrize("how", ["--finish", "--roll-back"])
def test_a_plansmith_apply_killed_with_sigkill_is_finished_or_rolled_back(tmp_path, how):
    root, home, before, after = killed_mid_apply(tmp_path)
    now = snapshot(root)
    new = sorted(k for k in before if now.get(k) == after[k])
    old = sorted(k for k in before if now.get(k) == before[k])
    assert new and old and len(new) + len(old) == FILES  # each file whole: old or new, never half

    listed = plansmith(home, "recover", "--repo", str(root))
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert f"Written before it stopped: {len(new)} file(s)\n" in listed.stdout
    assert f"Not written yet: {len(old)} file(s)\n" in listed.stdout
    assert all(f"  {name}\n" in listed.stdout for name in new + old)
    if temp_files(root):  # the kill landed inside a write (it usually does)
        assert "Unfinished temp files (removed on finish or roll back): 1 file(s)" in listed.stdout

    done = plansmith(home, "recover", "--repo", str(root), how)
    assert done.returncode == 0, done.stderr
    assert snapshot(root) == (after if how == "--finish" else before)  # every byte, every mode
    assert temp_files(root) == []
    again = plansmith(home, "recover", "--repo", str(root))
    assert again.returncode == 0 and "Nothing to recover" in again.stdout
