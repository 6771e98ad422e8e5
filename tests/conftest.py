"""Shared fixtures. Every test gets its own Plansmith home; real models come from the registry."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fetch_models import fetch  # noqa: E402

# A shell starts a background job (`bash .ci/run &`, nohup) with SIGINT ignored, and every child
# inherits that, so a real `plansmith` process would never see the tests' Ctrl+C. Give the tests
# the SIGINT a terminal gives: a Python handler here becomes the default action in each child.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def plansmith_home(tmp_path_factory, monkeypatch):
    """The app's own folders live in a temp dir for every test."""
    home = tmp_path_factory.mktemp("plansmith-home")
    monkeypatch.setenv("PLANSMITH_HOME", str(home))
    return home


@pytest.fixture
def app_paths(plansmith_home):
    from desktop.paths import AppPaths

    return AppPaths.default().ensure()


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    return fetch("smollm2")


@pytest.fixture(scope="session")
def smollm2_engine(smollm2_path):
    from desktop.llm.llama_engine import LlamaEngine

    engine = LlamaEngine(smollm2_path, context_size=4096, threads=2)
    engine.load()
    yield engine
    engine.close()


# -- a skip outside the `gpu` marker tests nothing: it fails the run ---------------------

_bad_skips: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and "gpu" not in report.keywords:
        _bad_skips.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _bad_skips and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _bad_skips:
        terminalreporter.section("skips outside the gpu marker (these fail the run)")
        for nodeid in _bad_skips:
            terminalreporter.write_line(nodeid)
