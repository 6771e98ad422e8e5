"""Offline by default: a whole CLI job and a whole GUI job make no network attempt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("job", ["cli", "gui"])
def test_a_whole_job_makes_no_network_attempt(job, tmp_path, smollm2_path):
    repo = tmp_path / "repo"
    shutil.copytree(HERE / "fixtures" / "smallrepo", repo)
    env = dict(os.environ, PLANSMITH_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, str(HERE / "offline_jobs.py"), job, str(repo / "plan.md"), str(repo), str(smollm2_path)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"], proc.stderr[-2000:]
    assert result["events"] == []
    assert list((tmp_path / "home" / "data" / "runs").iterdir())  # the job really ran and was saved


def test_the_hook_sees_a_connection(tmp_path):
    code = (
        "import sys, socket, json; ev=[]\n"
        "sys.addaudithook(lambda e, a: ev.append(e) if e == 'socket.connect' else None)\n"
        "s = socket.create_server(('127.0.0.1', 0)); socket.create_connection(s.getsockname()).close()\n"
        "print(json.dumps(ev))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "socket.connect" in json.loads(out)
