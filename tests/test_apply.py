"""Applying a ChangeSet: all or nothing, byte-faithful, undoable after a restart; patch export
checked with real `git apply`; detection of uncommitted work."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.core.apply import apply_changes, dirty_git_files, export_patch, undo_last_apply
from desktop.core.changes import ChangeSet
from desktop.errors import ChangeError

F = "```"
REPO_ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def sr(path: str, search: str, replace: str) -> str:
    return f"{path}\n{F}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n{F}\n\n"


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "code"
    r.mkdir()
    (r / "a.py").write_text("A = 1\n\n\ndef f():\n    return A\n")
    (r / "b.py").write_text("B = 1\n")
    return r


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    return tmp_path / "data" / "backups"


EDITS = sr("a.py", "A = 1\n", "A = 2\n") + sr("b.py", "B = 1\n", "B = 2\n") + \
    sr("pkg/sub/new.py", "", "N = 1\n")


def test_apply_then_undo_restores_everything(root, backups):
    before = snapshot(root)
    record = apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
    assert record.written == ["a.py", "b.py", "pkg/sub/new.py"]
    assert record.created == ["pkg/sub/new.py"]
    assert (root / "a.py").read_text().startswith("A = 2\n")
    assert (root / "pkg/sub/new.py").read_bytes() == b"N = 1\n"
    manifest = json.loads((record.backup_dir / "manifest.json").read_text())
    assert manifest["state"] == "applied" and manifest["created_dirs"] == ["pkg", "pkg/sub"]
    assert (record.backup_dir / "files" / "a.py").read_bytes() == before["a.py"][0]
    assert record.backup_dir.parent == backups  # nothing else written outside root

    undo = undo_last_apply(root=root, backups_dir=backups)
    assert (undo.written, undo.removed) == (["a.py", "b.py"], ["pkg/sub/new.py"])
    assert snapshot(root) == before and not (root / "pkg").exists()
    with pytest.raises(ChangeError, match="Nothing to undo"):
        undo_last_apply(root=root, backups_dir=backups)


def test_undo_after_a_restart(root, backups):
    before = snapshot(root)
    apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
    # A fresh interpreter has nothing in memory: undo must work from the disk alone.
    code = ("import sys; from pathlib import Path; from desktop.core.apply import undo_last_apply;"
            "print(undo_last_apply(root=Path(sys.argv[1]), backups_dir=Path(sys.argv[2])).summary())")
    result = subprocess.run([sys.executable, "-c", code, str(root), str(backups)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Undid: 2 file(s) written, 1 removed." in result.stdout
    assert snapshot(root) == before


def test_undo_steps_back_through_applies(root, backups):
    first = snapshot(root)
    apply_changes(ChangeSet.from_answer(sr("a.py", "A = 1\n", "A = 2\n"), root=root),
                  backups_dir=backups)
    second = snapshot(root)
    apply_changes(ChangeSet.from_answer(sr("a.py", "A = 2\n", "A = 3\n"), root=root),
                  backups_dir=backups)
    undo_last_apply(root=root, backups_dir=backups)
    assert snapshot(root) == second
    undo_last_apply(root=root, backups_dir=backups)
    assert snapshot(root) == first


def test_undo_is_refused_after_a_manual_edit(root, backups):
    apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
    (root / "b.py").write_text("B = 'mine'\n")
    after = snapshot(root)
    with pytest.raises(ChangeError, match=r"Cannot undo: b\.py changed after the apply"):
        undo_last_apply(root=root, backups_dir=backups)
    assert snapshot(root) == after


def test_stale_files_are_refused_and_nothing_is_written(root, backups):
    cs = ChangeSet.from_answer(EDITS, root=root)
    (root / "b.py").write_text("B = 5\n")
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "sub" / "new.py").write_text("mine\n")
    before = snapshot(root)
    with pytest.raises(ChangeError) as info:
        apply_changes(cs, backups_dir=backups)
    assert "b.py, pkg/sub/new.py (created since)" in str(info.value)
    assert "a.py" not in str(info.value).split(":")[1]
    assert snapshot(root) == before and [p.name for p in backups.iterdir()] == ["locks"]  # no backup made


def test_line_endings_bom_final_newline_and_mode_are_kept(root, backups):
    (root / "crlf.py").write_bytes(b"x = 1\r\ny = 2\r\n")
    (root / "bom.py").write_bytes(b"\xef\xbb\xbfx = 1\ny = 2\n")
    (root / "nofinal.py").write_bytes(b"x = 1\ny = 2")
    (root / "run.sh").write_bytes(b"#!/bin/sh\necho one\n")
    (root / "run.sh").chmod(0o755)
    answer = "".join(sr(p, "y = 2\n", "y = 3\nz = 4\n") for p in ("crlf.py", "bom.py", "nofinal.py"))
    answer += sr("run.sh", "echo one\n", "echo two\n") + sr("fresh.py", "", "F = 1\n")
    apply_changes(ChangeSet.from_answer(answer.replace("\n", "\r\n"), root=root),
                  backups_dir=backups)
    assert (root / "crlf.py").read_bytes() == b"x = 1\r\ny = 3\r\nz = 4\r\n"
    assert (root / "bom.py").read_bytes() == b"\xef\xbb\xbfx = 1\ny = 3\nz = 4\n"
    assert (root / "nofinal.py").read_bytes() == b"x = 1\ny = 3\nz = 4"
    assert (root / "run.sh").read_bytes() == b"#!/bin/sh\necho two\n"
    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == 0o755
    assert (root / "fresh.py").read_bytes() == b"F = 1\n"
    assert stat.S_IMODE((root / "fresh.py").stat().st_mode) == 0o644


def test_only_accepted_files_and_hunks_are_written(root, backups):
    (root / "long.py").write_text("".join(f"v{i} = {i}\n" for i in range(30)))
    cs = ChangeSet.from_answer(sr("long.py", "v1 = 1\n", "v1 = 'one'\n")
                               + sr("long.py", "v28 = 28\n", "v28 = 'x'\n")
                               + sr("b.py", "B = 1\n", "B = 2\n")
                               + sr("../escape.py", "", "E = 1\n"), root=root)
    cs.get("long.py").hunk_accepted = [False, True]
    cs.get("b.py").accepted = False
    record = apply_changes(cs, backups_dir=backups)
    assert record.written == ["long.py"]
    text = (root / "long.py").read_text()
    assert "v1 = 1\n" in text and "v28 = 'x'\n" in text
    assert (root / "b.py").read_text() == "B = 1\n"
    assert not (root.parent / "escape.py").exists()


def test_a_symlink_swapped_in_after_review_is_refused(root, backups, tmp_path):
    (root / "sub").mkdir()
    cs = ChangeSet.from_answer(sr("sub/new.py", "", "N = 1\n"), root=root)
    assert cs.changes[0].kind == "new"
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "sub").rmdir()
    (root / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ChangeError, match="path leaves the codebase: sub/new.py"):
        apply_changes(cs, backups_dir=backups)
    assert list(outside.iterdir()) == []


def test_a_write_failure_rolls_back_what_was_written(root, backups, monkeypatch):
    before = snapshot(root)
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "new.py":  # the third file: a.py and b.py are already written
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(ChangeError) as info:
        apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
    monkeypatch.undo()
    assert "Could not write pkg/sub/new.py: the disk is full." in str(info.value)
    assert "Nothing was changed" in str(info.value)
    assert snapshot(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["a.py", "b.py"]  # no temp files, no pkg/
    with pytest.raises(ChangeError, match="Nothing to undo"):
        undo_last_apply(root=root, backups_dir=backups)


def test_permission_error_while_writing_is_a_change_error(root, backups, monkeypatch):
    before = snapshot(root)
    real_mkstemp = __import__("tempfile").mkstemp

    def mkstemp(*args, **kwargs):
        if "b.py" in kwargs.get("prefix", ""):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr("tempfile.mkstemp", mkstemp)
    with pytest.raises(ChangeError, match="Could not write b.py: permission denied"):
        apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
    monkeypatch.undo()
    assert snapshot(root) == before


def test_nothing_to_apply_or_export(root, backups, tmp_path):
    cs = ChangeSet.from_answer(sr("a.py", "A = 1\n", "A = 2\n"), root=root)
    cs.changes[0].accepted = False
    with pytest.raises(ChangeError, match="Nothing to apply"):
        apply_changes(cs, backups_dir=backups)
    with pytest.raises(ChangeError, match="Nothing to export"):
        export_patch(cs, tmp_path / "x.patch")


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    r = tmp_path / "gitrepo"
    r.mkdir()
    git("init", "-q", cwd=r)
    (r / "crlf.py").write_bytes(b"x = 1\r\ny = 2\r\n")
    (r / "bom.py").write_bytes(b"\xef\xbb\xbfy = 2\n")
    (r / "nofinal.py").write_bytes(b"x = 1\ny = 2")
    (r / "with space.py").write_text("y = 2\n")
    (r / "caf\u00e9.py").write_text("y = 2\n")
    (r / "long.py").write_text("".join(f"v{i} = {i}\n" for i in range(30)))
    git("add", "-A", cwd=r)
    git("commit", "-q", "-m", "base", cwd=r)
    return r


PATCH_EDITS = ("".join(sr(p, "y = 2\n", "y = 3\n")
                       for p in ("crlf.py", "bom.py", "nofinal.py", "`with space.py`", "caf\u00e9.py"))
               + sr("long.py", "v1 = 1\n", "v1 = 'one'\n") + sr("long.py", "v28 = 28\n", "v28 = 0\n")
               + sr("new/dir/mod.py", "", "M = 1\n"))


def test_exported_patch_applies_with_git_and_matches_apply(git_repo, tmp_path, backups):
    twin = tmp_path / "twin"
    shutil.copytree(git_repo, twin)
    cs = ChangeSet.from_answer(PATCH_EDITS, root=git_repo)
    assert cs.problems_report() == ""
    cs.get("long.py").hunk_accepted = [True, False]
    patch = export_patch(cs, tmp_path / "out" / "change.patch")
    git("apply", "--check", str(patch), cwd=git_repo)
    git("apply", str(patch), cwd=git_repo)
    apply_changes(ChangeSet.from_dict(cs.to_dict(), root=twin), backups_dir=backups)
    assert snapshot(git_repo) == snapshot(twin)
    assert (twin / "long.py").read_text().count("'one'") == 1 and "v28 = 28" in (
        twin / "long.py").read_text()


def test_export_to_a_folder_names_the_patch(git_repo, tmp_path):
    cs = ChangeSet.from_answer(sr("bom.py", "y = 2\n", "y = 5\n"), root=git_repo)
    patch = export_patch(cs, tmp_path)
    assert patch.parent == tmp_path and patch.name.startswith("plansmith-")
    git("apply", "--check", str(patch), cwd=git_repo)


def test_dirty_git_files(git_repo, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert dirty_git_files(plain) == []
    assert dirty_git_files(git_repo) == []
    (git_repo / "bom.py").write_text("changed\n")
    (git_repo / "untracked.py").write_text("u\n")
    (git_repo / "new" / "dir").mkdir(parents=True)
    (git_repo / "new" / "dir" / "staged.py").write_text("s\n")
    git("add", "new/dir/staged.py", cwd=git_repo)
    git("mv", "long.py", "moved.py", cwd=git_repo)
    assert dirty_git_files(git_repo) == ["bom.py", "moved.py", "new/dir/staged.py", "untracked.py"]
    assert dirty_git_files(git_repo / "new") == ["dir/staged.py"]


def test_the_apply_api_is_also_reachable_from_changes():
    from desktop.core import changes
    from desktop.core.changes import apply_changes as via_changes

    assert via_changes is apply_changes and changes.undo_last_apply is undo_last_apply
    with pytest.raises(AttributeError):
        changes.no_such_name  # noqa: B018


HOLD_LOCK = """
import sys
import time
from pathlib import Path
from desktop.core.apply import codebase_lock
with codebase_lock(Path(sys.argv[1]), Path(sys.argv[2])):
    print("held", flush=True)
    sys.stdin.readline()
"""

APPLY_WHEN_TOLD = """
import sys, time
from pathlib import Path
from desktop.core.changes import ChangeSet, apply_changes
from desktop.errors import ChangeError
root, backups, start, value = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
answer = "a.py\\n```\\n<<<<<<< SEARCH\\nA = 1\\n=======\\nA = " + value + "\\n>>>>>>> REPLACE\\n```\\n"
changeset = ChangeSet.from_answer(answer, root=root)
while not start.exists():
    time.sleep(0.005)
try:
    apply_changes(changeset, backups_dir=backups)
except ChangeError as e:
    print("refused:", e)
    sys.exit(1)
print("applied", value)
"""


def test_a_second_apply_or_undo_while_another_process_holds_the_codebase_is_refused(root, backups):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(root), str(backups)], cwd=REPO_ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(root)
        with pytest.raises(ChangeError, match="another apply or undo is writing"):
            apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups)
        with pytest.raises(ChangeError, match="Nothing was undone: another apply"):
            undo_last_apply(root=root, backups_dir=backups)
        assert snapshot(root) == before
    finally:
        holder.communicate("\n", timeout=10)
    assert apply_changes(ChangeSet.from_answer(EDITS, root=root), backups_dir=backups).written  # free again


def test_two_processes_applying_at_once_leave_one_apply_on_disk(root, backups, tmp_path):
    for trial in range(3):
        (root / "a.py").write_text("A = 1\n")
        start = tmp_path / f"start-{trial}"
        procs = [subprocess.Popen([sys.executable, "-c", APPLY_WHEN_TOLD, str(root), str(backups), str(start), v],
                                  cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True) for v in ("2", "3")]
        time.sleep(1.0)  # both have their change set
        start.touch()
        outs = [p.communicate(timeout=60)[0] for p in procs]
        codes = sorted(p.returncode for p in procs)
        assert codes == [0, 1], outs
        winner = next(o for o in outs if o.startswith("applied")).split()[1]
        assert (root / "a.py").read_text() == f"A = {winner}\n"
        loser = next(o for o in outs if o.startswith("refused"))
        assert "another apply" in loser or "changed on disk since the diff" in loser


def test_a_path_the_os_cannot_take_is_refused_and_the_other_changes_are_kept(root, backups):
    answer = sr("d/" + "x" * 5000 + ".py", "", "X = 1\n") + sr("b.py", "B = 1\n", "B = 2\n") + \
        sr("n" * 300 + ".py", "", "Y = 1\n")
    changeset = ChangeSet.from_answer(answer, root=root)
    rejected = [c for c in changeset.changes if c.kind == "rejected"]
    assert len(rejected) == 2
    reasons = " ".join(p for c in rejected for p in c.problems)
    assert "5,004 characters" in reasons or "characters (the limit" in reasons
    assert "longer than 255 bytes" in reasons
    assert apply_changes(changeset, backups_dir=backups).written == ["b.py"]
