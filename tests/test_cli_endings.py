"""How a real `plansmith run` process ends: Ctrl+C (once, twice; in Phase 1 and in Phase 2 with
--apply), a server that dies mid-answer (a scripted one in either phase, and a real
`python -m llama_cpp.server` killed with SIGKILL), an answer naming a path the OS cannot take,
and two runs applying to one codebase at once.

The model is a scripted OpenAI-compatible server on 127.0.0.1 that streams slowly, so the
signal lands while the answer is being written; the text so far must be in the saved run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from fake_openai import chunk, fake_server  # noqa: F401  (the fixture)

PIECES = [f"word{n} " for n in range(400)]


def slow_route(h) -> None:
    h.start_events()
    try:
        for piece in PIECES:
            h.event(chunk(piece))
            time.sleep(0.02)
        h.event(chunk(finish="stop"))
        h.event("[DONE]")
    except OSError:
        pass  # the client went away


def dying_route(h) -> None:
    h.start_events()
    for piece in PIECES[:21]:
        h.event(chunk(piece))
    h.connection.shutdown(2)  # the server dies mid-answer: no finish reason, no [DONE]


def start(tmp_path: Path, url: str, home: Path, *extra: str) -> subprocess.Popen:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    (root / "finder.py").write_text("def find(xs, v):\n    pass\n")
    plan = tmp_path / "plan.md"
    plan.write_text("# Implement `find` in `finder.py`\n\nReturn the index of v in xs, -1 when absent.\n")
    env = dict(os.environ, PLANSMITH_HOME=str(home), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "desktop", "run", str(plan), "--repo", str(root),
                             "--server", url, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_text(server, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.paths().count("/v1/chat/completions"):
            time.sleep(0.5)  # a few pieces streamed
            return
        time.sleep(0.05)
    raise AssertionError("the run never asked the server")


def saved_runs(home: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(home.rglob("runs/*/run.json"))]


def test_ctrl_c_stops_the_run_saves_the_text_so_far_and_exits_1(tmp_path, fake_server, plansmith_home):
    server = fake_server({("POST", "/v1/chat/completions"): slow_route})
    proc = start(tmp_path, server.url, plansmith_home)
    wait_for_text(server)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "Stopping" in err and "Saved as run" in err and "Traceback" not in err
    (record,) = saved_runs(plansmith_home)
    text = record["turns"][0]["text"]
    assert text.startswith("word0 ") and "word399" not in text  # the text so far, not the whole answer


def test_a_second_ctrl_c_quits_at_once(tmp_path, fake_server, plansmith_home):
    def stalls_after_a_few(h) -> None:
        h.start_events()
        for piece in PIECES[:5]:
            h.event(chunk(piece))
        h.client_gone_within(60)  # then silence: a stop has to wait for the read to time out

    server = fake_server({("POST", "/v1/chat/completions"): stalls_after_a_few})
    proc = start(tmp_path, server.url, plansmith_home)
    wait_for_text(server)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)  # the second lands while the first stop is under way (or just after)
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - started < 5
    # 130: quit during the stop; 1: the stop ended first; -SIGINT: it landed as the process exited.
    assert proc.returncode in (1, 130, -signal.SIGINT) and "Traceback" not in err, err
    if proc.returncode == 130:
        assert "Quit without saving" in err


def test_a_server_that_dies_mid_answer_leaves_the_text_in_the_saved_run(tmp_path, fake_server, plansmith_home):
    server = fake_server({("POST", "/v1/chat/completions"): dying_route})
    proc = start(tmp_path, server.url, plansmith_home)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "Saved as run" in err
    (record,) = saved_runs(plansmith_home)
    assert record["phase"] == "failed"
    assert record["turns"][0]["text"] == "".join(PIECES[:21])


def test_a_real_llama_cpp_server_killed_mid_answer_leaves_the_text_so_far(tmp_path, plansmith_home, smollm2_path):
    import selectors

    from llama_server import start_llama_server, stop_llama_server

    server = start_llama_server(smollm2_path, n_ctx=4096, threads=1, log_dir=tmp_path)
    try:
        proc = start(tmp_path, server.url, plansmith_home, "--context", "4096", "--max-tokens", "400",
                     "--reflection-tokens", "600")
        # Wait for the first words of the reflection on stdout, then kill the server under it.
        seen = ""
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 120
        while len(seen.split()) < 5 and time.monotonic() < deadline and proc.poll() is None:
            if sel.select(timeout=1):
                seen += os.read(proc.stdout.fileno(), 4096).decode(errors="replace")
        assert len(seen.split()) >= 5, (seen, proc.poll() is not None and proc.communicate()[1])
        server.process.kill()
        out, err = proc.communicate(timeout=60)
    finally:
        stop_llama_server(server)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert "Saved as run" in err
    (record,) = saved_runs(plansmith_home)
    assert record["phase"] == "failed" and record["error"]
    kept = record["turns"][0]["text"]
    assert kept and kept.split()[:3] == seen.split()[:3]  # what streamed before the kill is kept


REFLECTION = "## Analysis\nUse `finder.py`.\n\n## TODO\n1. finder.py: write `find`.\n"


def phase2_route(second) -> object:
    """The reflection at once, then `second` for every Phase 2 request."""
    calls = []

    def route(h) -> None:
        calls.append(1)
        if len(calls) == 1:
            h.start_events()
            h.event(chunk(REFLECTION))
            h.event(chunk(finish="stop"))
            h.event("[DONE]")
        else:
            second(h)

    return route


def wait_for_phase2(server, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.paths().count("/v1/chat/completions") >= 2:
            time.sleep(0.5)  # a few pieces of the answer streamed
            return
        time.sleep(0.05)
    raise AssertionError("the run never reached Phase 2")


def test_ctrl_c_in_phase_2_with_apply_writes_nothing_and_keeps_the_answer_so_far(tmp_path, fake_server, plansmith_home):
    server = fake_server({("POST", "/v1/chat/completions"): phase2_route(slow_route)})
    proc = start(tmp_path, server.url, plansmith_home, "--apply", "--no-check")
    wait_for_phase2(server)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "Traceback" not in err and "Applied" not in err, err
    assert (tmp_path / "repo" / "finder.py").read_text() == "def find(xs, v):\n    pass\n"
    (record,) = saved_runs(plansmith_home)
    assert record["phase"] == "stopped" and record["reflection"] == REFLECTION
    text = record["turns"][1]["text"]
    assert "word0 " in text and "word399" not in text


def test_a_server_that_dies_in_phase_2_leaves_the_answer_so_far_in_the_saved_run(tmp_path, fake_server, plansmith_home):
    server = fake_server({("POST", "/v1/chat/completions"): phase2_route(dying_route)})
    proc = start(tmp_path, server.url, plansmith_home, "--apply", "--no-check")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err and "Applied" not in err, err
    assert (tmp_path / "repo" / "finder.py").read_text() == "def find(xs, v):\n    pass\n"
    (record,) = saved_runs(plansmith_home)
    assert record["phase"] == "failed" and record["error"]
    assert "".join(PIECES[:21]) in record["turns"][1]["text"]


def test_a_path_the_os_cannot_take_is_refused_and_the_other_change_applied(tmp_path, fake_server, plansmith_home):
    long_path = "/".join(["d" * 200] * 25) + "/x.py"  # 5,000+ characters
    answer = ("finder.py\n```python\ndef find(xs, v):\n    return xs.index(v) if v in xs else -1\n```\n\n"
              f"{long_path}\n```python\nX = 1\n```\n")

    def whole_answer(h) -> None:
        h.start_events()
        h.event(chunk(answer))
        h.event(chunk(finish="stop"))
        h.event("[DONE]")

    server = fake_server({("POST", "/v1/chat/completions"): phase2_route(whole_answer)})
    proc = start(tmp_path, server.url, plansmith_home, "--apply", "--no-check")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert "Applied 1 file(s)" in err
    assert "return xs.index(v)" in (tmp_path / "repo" / "finder.py").read_text()
    assert "refused" in out.lower() or "refused" in err.lower(), out + err
    assert not any(len(str(p)) > 1000 for p in (tmp_path / "repo").rglob("*"))


def test_two_plansmith_runs_applying_to_one_codebase_at_once_apply_once(tmp_path, fake_server, plansmith_home):
    answer = "finder.py\n```python\ndef find(xs, v):\n    return xs.index(v) if v in xs else -1\n```\n"

    both_read_the_code = threading.Barrier(2, timeout=60)

    def by_phase(h) -> None:  # each process's own Phase 1, then its answer once both are in Phase 2
        phase2 = any(m["role"] == "assistant" for m in h.body["messages"][:-1])
        if phase2 and len([b for _, path, b, _ in server.requests if path == "/v1/chat/completions"
                           and any(m["role"] == "assistant" for m in b["messages"][:-1])]) <= 2:
            both_read_the_code.wait()  # the first answers: both diffs are made against the same file
        h.start_events()
        h.event(chunk(answer if phase2 else REFLECTION))
        h.event(chunk(finish="stop"))
        h.event("[DONE]")

    server = fake_server({("POST", "/v1/chat/completions"): by_phase})
    procs = [start(tmp_path, server.url, plansmith_home, "--apply", "--no-check") for _ in range(2)]
    results = [(p.returncode, out, err) for p in procs for out, err in [p.communicate(timeout=120)]]
    assert all("Traceback" not in err for _, _, err in results), results
    applied = [r for r in results if r[0] == 0 and "Applied 1 file(s)" in r[2]]
    assert len(applied) == 1, results
    (code, _, err), = [r for r in results if r is not applied[0]]
    # The other one is refused: the lock was held, or the file changed since its diff; or, on a
    # loaded machine, it made its diff after the first applied, and the file already holds it.
    assert code == 1 and any(m in err.lower() for m in (
        "another", "changed on disk since", "nothing to apply: no accepted change alters a file")), err[-800:]
    assert "return xs.index(v)" in (tmp_path / "repo" / "finder.py").read_text()
