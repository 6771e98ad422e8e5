"""The window end to end with the real SmolLM2 model: drop a plan, pick a folder, both phases, stop, errors.

Budgets are small (context 2048, a few dozen tokens per answer) so the file runs in well
under two minutes on two cores. SmolLM2-135M writes poor code; these tests check the
application around it, not the model's answers.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop.core.records import load_run
from desktop.settings import Settings
from desktop.ui.main_window import MainWindow

PLAN = """# Add a farewell function

## Requirements
- Add `farewell(name)` to `pkg/greet.py`; it returns "Goodbye, NAME".

## Steps
1. Write the function next to `greet`.
"""


def drop_file(widget, path: Path) -> None:
    """What the file manager does: a drag enter, then a drop, carrying the file's URL."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(10, 10)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


@pytest.fixture
def project(tmp_path):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "__init__.py").write_text("")
    (repo / "pkg" / "greet.py").write_text('def greet(name):\n    return "Hello, " + name\n')
    plan = tmp_path / "plan.md"
    plan.write_text(PLAN)
    return plan, repo


@pytest.fixture
def make_window(qtbot, app_paths, smollm2_path):
    """Windows made by the test, closed at its end (closing stops and joins the worker threads)."""
    windows = []

    def make(**settings) -> MainWindow:
        values = dict(context_size=2048, max_reflection_tokens=48, max_answer_tokens=48, max_repairs=0)
        values.update(settings)
        window = MainWindow(paths=app_paths, settings=Settings(**values))
        windows.append(window)
        window.resize(1280, 720)
        window.show()
        assert window.select_model_file(smollm2_path)
        return window

    yield make
    for window in windows:
        window.close()


def ready(qtbot, window: MainWindow, project) -> None:
    plan, repo = project
    drop_file(window.drop_zone, plan)
    assert window.plan is not None and window.plan.title == "Add a farewell function"
    window.set_codebase(repo)
    qtbot.waitUntil(lambda: window.codebase is not None, timeout=10_000)
    assert window.actions["run"].isEnabled()


def test_both_phases_with_an_edited_reflection(qtbot, app_paths, make_window, project):
    window = make_window()
    ready(qtbot, window, project)
    assert "pkg/greet.py" in [path for path, _ in window.context_panel.rows()]

    with qtbot.waitSignal(window.operation_done, timeout=60_000) as done:
        window.actions["run"].trigger()
    assert done.args == ["reflect", "reflected"]
    assert window.reflection_view.is_markdown_shown()
    generated = window.reflection_view.text()
    assert generated.strip()
    assert window.context_panel.rows()[0][1].startswith("in ")  # the pack came back and is shown
    assert window.status.tokens.text().endswith("tokens") and "context" in window.status.context.text()
    assert window.run_id and load_run(window.run_id, runs_dir=app_paths.runs_dir)["phase"] == "reflected"

    # Edit the reflection: Phase 2 must be given the edited text, not the model's.
    window.edit_button.click()
    assert window.reflection_view.is_editing()
    edited = "## Checklist\n- NAME `farewell`: farewell(name) -> str\nEDITED-BY-THE-USER-4711\n"
    window.reflection_view.editor.setPlainText(edited)
    with qtbot.waitSignal(window.operation_done, timeout=60_000) as done:
        window.actions["approve"].trigger()
    assert done.args == ["implement", "done"]
    run = window.worker.run
    assert run.messages[2] == {"role": "assistant", "content": edited}
    assert run.reflection_edited and run.reflection == edited
    assert window.answer_view.text().strip()
    assert window.changes_view.changeset() is window.changeset is not None
    record = load_run(window.run_id, runs_dir=app_paths.runs_dir)
    assert record["reflection"] == edited and record["reflection_edited"]
    assert [t["kind"] for t in record["turns"]] == ["reflection", "implementation"]
    assert window.follow_up_edit.isEnabled() and not window.banner.kind() == "error"


def test_stop_in_the_middle_keeps_the_text(qtbot, app_paths, make_window, project):
    window = make_window(max_reflection_tokens=600, context_size=4096)
    ready(qtbot, window, project)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: len(window.reflection_view.text()) >= 40, timeout=180_000)
    assert window.busy == "reflect"
    with qtbot.waitSignal(window.operation_done, timeout=10_000) as done:
        seen = window.reflection_view.text()
        qtbot.keyClick(window.reflection_view.editor, Qt.Key.Key_Escape)  # Esc is Stop
    assert done.args == ["reflect", "stopped"]
    assert window.last_stop_latency is not None and window.last_stop_latency < 0.5
    kept = window.reflection_view.text()
    assert kept.startswith(seen) and len(kept) < 3000
    assert window.reflection_view.is_markdown_shown()
    assert load_run(window.run_id, runs_dir=app_paths.runs_dir)["phase"] == "stopped"
    assert window.actions["run"].isEnabled() and window.actions["approve"].isEnabled()


def test_stop_while_the_prompt_is_read(qtbot, app_paths, make_window, project):
    plan, repo = project
    # Enough code that reading the prompt takes seconds, not milliseconds.
    for i in range(12):
        body = "".join(f"def helper_{i}_{j}(value):\n    return value * {j} + {i}\n\n" for j in range(40))
        (repo / "pkg" / f"helpers_{i}.py").write_text(body)
    window = make_window(context_size=8192)
    ready(qtbot, window, project)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.status.progress_label.text().startswith("Reading the prompt"), timeout=30_000)
    time.sleep(0.1)  # inside the first 512-token chunk
    with qtbot.waitSignal(window.operation_done, timeout=10_000) as done:
        window.stop()
    assert done.args == ["reflect", "stopped"]
    assert window.last_stop_latency is not None and window.last_stop_latency < 2.0
    assert window.status.phase.text() == "Stopped"
    usage = load_run(window.run_id, runs_dir=app_paths.runs_dir)["turns"][0]["usage"]
    assert usage["finish_reason"] == "cancelled" and usage["generated_tokens"] == 0  # stopped while reading
    assert window.actions["run"].isEnabled()


def test_a_fake_gguf_gives_a_readable_message(qtbot, make_window, smollm2_path, project, tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"this is not a model\n" * 100)
    window = make_window()
    assert not window.select_model_file(fake)
    message = window.banner.message()
    assert "model.gguf" in message and "Traceback" not in message
    assert window.model_path == smollm2_path  # the good model stays chosen

    # A bad file that gets past the picker (settings edited by hand) fails when the run loads it.
    window.model_path = fake
    ready(qtbot, window, project)
    with qtbot.waitSignal(window.operation_done, timeout=10_000) as done:
        window.actions["run"].trigger()
    assert done.args[0] == "reflect"
    message = window.banner.message()
    assert window.banner.kind() == "error" and "model.gguf" in message and "Traceback" not in message
    assert window.busy is None and window.actions["run"].isEnabled()
