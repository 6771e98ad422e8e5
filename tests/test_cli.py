"""The headless CLI: exit codes and a real run with the SmolLM2 model."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fake_openai import fake_server  # noqa: F401  (the fixture)

from desktop.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "smallrepo"


@pytest.fixture
def repo(tmp_path):
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURE, dest)
    return dest


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_missing_plan_is_bad_input(repo):
    code, _, err = run_cli("run", repo / "nope.md", "--repo", repo)
    assert code == 2 and "plansmith:" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary"])
def test_empty_or_binary_plan_is_bad_input(repo, tmp_path, content):
    plan = tmp_path / "plan.md"
    plan.write_bytes(content)
    code, _, err = run_cli("run", plan, "--repo", repo)
    assert code == 2 and "Traceback" not in err


def test_missing_folder_is_bad_input(repo, tmp_path):
    code, _, err = run_cli("run", repo / "plan.md", "--repo", tmp_path / "missing")
    assert code == 2 and "Traceback" not in err


def test_fake_model_is_bad_input(repo, tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model at all\n" * 50)
    code, _, err = run_cli("run", repo / "plan.md", "--repo", repo, "--model", fake)
    assert code == 2 and "GGUF" in err and "Traceback" not in err


def test_bad_arguments_are_bad_input(repo):
    code, _, err = run_cli("run", repo / "plan.md")  # --repo missing
    assert code == 2 and "--repo" in err
    code, _, err = run_cli("run", repo / "plan.md", "--repo", repo, "--apply", "--patch", "x.patch")
    assert code == 2


def test_reflection_only_then_full_run_with_patch(repo, smollm2_path, tmp_path):
    common = ["--repo", repo, "--model", smollm2_path, "--context", 4096, "--reflection-tokens", 96, "--max-tokens", 128]
    code, out, err = run_cli("run", repo / "plan.md", *common, "--reflection-only")
    assert code == 0, err
    assert out.strip()
    assert "Phase 1" in err and "Phase 2" not in err
    reflection = tmp_path / "reflection.md"
    reflection.write_text(
        "## Checklist\n- FILE `inventory/report.py`: add low_stock\n- NAME `low_stock`: low_stock(stock, skus, threshold)\n"
    )
    patch = tmp_path / "out.patch"
    code, out, err = run_cli("run", repo / "plan.md", *common, "--reflection", reflection, "--patch", patch)
    assert "Phase 1" not in err and "Phase 2" in err and "Changes:" in out
    # A 135M model may or may not produce a usable edit; each outcome has its own contract.
    if code == 0:
        assert patch.read_text().startswith("diff --git")
    else:
        assert code == 1 and "nothing was written" in err and not patch.exists()
    code, out, _ = run_cli("runs")
    assert code == 0 and len(out.strip().splitlines()) == 2


def test_exit_code_from_a_real_process(repo, tmp_path):
    env = dict(os.environ, PLANSMITH_HOME=str(tmp_path / "home"))
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "run", str(repo / "missing.md"), "--repo", str(repo)],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("plansmith:") and "Traceback" not in proc.stderr


def test_runs_show_and_delete(repo, smollm2_path):
    code, _, err = run_cli(
        "run", repo / "plan.md", "--repo", repo, "--model", smollm2_path, "--context", 2048,
        "--reflection-tokens", 32, "--reflection-only",
    )
    assert code == 0, err
    _, out, _ = run_cli("runs")
    run_id = out.split()[0]
    code, out, _ = run_cli("runs", "--show", run_id)
    assert code == 0 and "## Reflection" in out
    assert run_cli("runs", "--delete", run_id)[0] == 0
    assert run_cli("runs", "--show", run_id)[0] == 2 or run_cli("runs", "--show", run_id)[0] == 1


def test_a_checked_run_repairs_from_the_failing_test_and_remembers_the_command(tmp_path, fake_server):
    from fake_openai import answers_route
    from test_checks import BREAKS_ADD, CALC_PLAN, FIXED, PYTEST, SUITE_TESTS, snapshot

    root = tmp_path / "calcrepo"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n")
    (root / "tests" / "test_calc.py").write_text(SUITE_TESTS)
    plan, reflection, patch = tmp_path / "plan.md", tmp_path / "reflection.md", tmp_path / "out.patch"
    plan.write_text(CALC_PLAN)
    reflection.write_text("## Checklist\n- FILE `calc.py`\n- NAME `mul`\n")
    before = snapshot(root)
    server = fake_server({("POST", "/v1/chat/completions"): answers_route([BREAKS_ADD, BREAKS_ADD, FIXED])})
    common = ["run", plan, "--repo", root, "--server", server.url, "--reflection", reflection]
    code, out, err = run_cli(*common, "--check", PYTEST, "--patch", patch)
    assert code == 0, err
    assert "2 repair turn(s)" in err and "Check: check" in err and ": passed (2 passed, 1 failed" in err
    # The answers that failed their check are listed, with how to read them.
    assert "3 answers were written; answer 3 is the one shown above:\n  Answer 1 (first answer): 1 problem after" in err
    assert "  Answer 3 (written afresh): passes its checks · kept\n" in err and "plansmith runs --show 20" in err
    repair_request = server.requests[-1][2]["messages"][-1]["content"]
    assert "tests/test_calc.py::test_add" in repair_request
    assert "+def mul" in patch.read_text() and "-    return a + b" not in patch.read_text()
    assert snapshot(root) == before  # checked on a scratch copy only
    # The command is remembered for this codebase; --no-check skips it for one run.
    server = fake_server({("POST", "/v1/chat/completions"): answers_route([FIXED])})
    code, _, err = run_cli("run", plan, "--repo", root, "--server", server.url, "--reflection", reflection, "--no-check")
    assert code == 0 and "Check:" not in err
    server = fake_server({("POST", "/v1/chat/completions"): answers_route([FIXED])})
    code, _, err = run_cli("run", plan, "--repo", root, "--server", server.url, "--reflection", reflection)
    assert code == 0 and "Check: check" in err


def test_apply_writes_nothing_when_the_check_fails_unless_told_to_apply_anyway(tmp_path, fake_server):
    from fake_openai import answers_route
    from test_checks import BREAKS_ADD, CALC_PLAN, PYTEST, SUITE_TESTS, snapshot

    root = tmp_path / "calcrepo"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n")
    (root / "tests" / "test_calc.py").write_text(SUITE_TESTS)
    plan, reflection = tmp_path / "plan.md", tmp_path / "reflection.md"
    plan.write_text(CALC_PLAN)
    reflection.write_text("## Checklist\n- FILE `calc.py`\n- NAME `mul`\n")
    before = snapshot(root)
    common = ["run", plan, "--repo", root, "--reflection", reflection, "--check", PYTEST]
    # Every answer breaks `add` (a test that passed before): --apply writes nothing, exit 1.
    server = fake_server({("POST", "/v1/chat/completions"): answers_route([BREAKS_ADD] * 10)})
    code, _, err = run_cli(*common, "--server", server.url, "--apply")
    assert code == 1 and "Check: check" in err and "tests/test_calc.py::test_add" in err
    assert "Not applied: the check command failed" in err and "--apply-anyway" in err
    assert snapshot(root) == before
    # --apply-anyway writes it, as the window's "Apply anyway" does.
    server = fake_server({("POST", "/v1/chat/completions"): answers_route([BREAKS_ADD] * 10)})
    code, _, err = run_cli(*common, "--server", server.url, "--apply-anyway")
    assert code == 0 and "Applied 1 file(s)" in err, err
    assert "return a * b" in (root / "calc.py").read_text() and "def mul" in (root / "calc.py").read_text()


def test_the_examples_flags() -> None:
    from desktop.cli import build_parser

    parse = lambda *a: build_parser().parse_args(["run", "plan.md", "--repo", "."] + list(a)).check_examples  # noqa: E731
    assert parse() is None  # the setting decides ("computing" by default)
    assert parse("--check-examples") == "any" and parse("--check-examples", "computing") == "computing"
    assert parse("--no-check-examples") == "off"
    with pytest.raises(Exception, match="invalid choice"):
        parse("--check-examples", "always")


def test_a_log_file_that_cannot_be_written_prints_no_traceback(tmp_path, capsys) -> None:
    import errno
    import logging

    from desktop.cli import QuietFileHandler

    handler = QuietFileHandler(tmp_path / "plansmith.log", encoding="utf-8")

    class FullDisk:
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            raise OSError(errno.ENOSPC, "No space left on device")

    handler.stream = FullDisk()
    logger = logging.getLogger("plansmith-full-disk-test")
    logger.addHandler(handler)
    try:
        logger.error("a record the disk cannot take")
    finally:
        logger.removeHandler(handler)
    assert "Logging error" not in capsys.readouterr().err
