"""Whole jobs under an audit hook that records every network attempt (run as a script).

    python tests/offline_jobs.py cli|gui PLAN REPO MODEL

The hook is installed before Plansmith is imported, so imports, model loading, both
phases, the checks and saving the run are all watched. Prints one JSON line:
{"events": [...], "ok": bool}.
"""

from __future__ import annotations

import json
import sys

EVENTS: list[str] = []
NETWORK = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto"}


def _hook(event: str, args) -> None:
    if event in NETWORK:
        EVENTS.append(f"{event} {args!r}"[:200])


sys.addaudithook(_hook)


def cli_job(plan: str, repo: str, model: str) -> bool:
    from desktop.cli import main

    code = main(["run", plan, "--repo", repo, "--model", model, "--context", "4096",
                 "--reflection-tokens", "48", "--max-tokens", "48", "--quiet"])
    return code in (0, 1)  # 1: the tiny model gave no usable change; the job still ran


def gui_job(plan: str, repo: str, model: str) -> bool:
    from pathlib import Path

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.paths import AppPaths
    from desktop.settings import Settings
    from desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    settings = Settings(context_size=4096, max_reflection_tokens=48, max_answer_tokens=48, max_repairs=0)
    window = MainWindow(paths=AppPaths.default().ensure(), settings=settings)
    window.show()
    done: list[tuple[str, str]] = []
    window.operation_done.connect(lambda op, phase: done.append((op, phase)))

    def wait(predicate, seconds: float) -> bool:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: loop.quit() if predicate() else None)
        timer.start(20)
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        return predicate()

    ok = window.select_model_file(Path(model)) and window.load_plan(Path(plan))
    window.set_codebase(Path(repo))
    ok = ok and wait(lambda: window.codebase is not None, 60)
    window.actions["run"].trigger()
    ok = ok and wait(lambda: len(done) >= 1, 300) and done[0] == ("reflect", "reflected")
    window.actions["approve"].trigger()
    ok = ok and wait(lambda: len(done) >= 2, 300) and done[1][0] == "implement"
    window.close()
    app.processEvents()
    return bool(ok)


if __name__ == "__main__":
    which, plan, repo, model = sys.argv[1:5]
    ok = {"cli": cli_job, "gui": gui_job}[which](plan, repo, model)
    print(json.dumps({"events": EVENTS, "ok": ok}))
