"""The main window with replayed answers: plan, codebase, pins, both phases, follow-up, apply,
history, settings, closing mid-run, shortcuts, theme and startup. test_ui_e2e.py repeats the
core of it with the real model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.core.records import list_runs, load_run
from desktop.llm.replay_engine import ReplayEngine
from desktop.settings import Settings, load_settings
from desktop.ui.app import style_sheet
from desktop.ui.context_panel import COL_DROP, COL_PIN
from desktop.ui.history_dialog import HistoryDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog

PLAN = "# Farewell\n\n## Requirements\n- Add `farewell(name)` to `pkg/greet.py`.\n"
REFLECTION = "## 1. Codebase analysis\n`greet` in `pkg/greet.py`.\n\n## Checklist\n- NAME `farewell`: farewell(name)\n"
ANSWER = (
    "pkg/greet.py\n```python\n<<<<<<< SEARCH\n"
    'def greet(name):\n    return "Hello, " + name\n'
    "=======\n"
    'def greet(name):\n    return "Hello, " + name\n\n\ndef farewell(name):\n    return "Goodbye, " + name\n'
    ">>>>>>> REPLACE\n```\n"
)
FOLLOW_UP = (
    "pkg/greet.py\n```python\n<<<<<<< SEARCH\n"
    'def farewell(name):\n    return "Goodbye, " + name\n'
    "=======\n"
    'def farewell(name):\n    return "Goodbye, " + (name or "friend")\n'
    ">>>>>>> REPLACE\n```\n"
)


def drop(widget, *paths: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def project(tmp_path):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "__init__.py").write_text("")
    (repo / "pkg" / "greet.py").write_text('def greet(name):\n    return "Hello, " + name\n')
    (repo / "pkg" / "other.py").write_text("def other():\n    return 1\n")
    plan = tmp_path / "plan.md"
    plan.write_text(PLAN)
    return plan, repo


@pytest.fixture
def make_window(qtbot, app_paths):
    """Windows over a ReplayEngine, closed (threads joined) at the end of the test."""
    windows = []

    def make(engine: ReplayEngine | None = None, *, saved: bool = False, **settings) -> MainWindow:
        """saved: read the settings file as the app does; else these settings."""
        # The replayed answers follow the phases alone: examples only where a test turns them on.
        values = dict(model_path="replay.gguf", context_size=4096, max_repairs=0, check_examples="off")
        values.update(settings)
        replay = engine if engine is not None else ReplayEngine([REFLECTION, ANSWER, FOLLOW_UP])
        chosen = None if saved else Settings(**values)
        window = MainWindow(paths=app_paths, settings=chosen, engine_factory=lambda spec: replay)
        windows.append(window)
        window.resize(1280, 720)
        window.show()
        return window

    yield make
    for window in windows:
        window.close()


def ready(qtbot, window: MainWindow, project) -> None:
    plan, repo = project
    drop(window.drop_zone, plan)
    assert window.plan is not None
    window.set_codebase(repo)
    qtbot.waitUntil(lambda: window.codebase is not None, timeout=10_000)


def run_op(qtbot, window: MainWindow, trigger, timeout: int = 10_000) -> list:
    with qtbot.waitSignal(window.operation_done, timeout=timeout) as done:
        trigger()
    return done.args


def test_refused_drops_say_why_and_a_good_plan_is_remembered(qtbot, make_window, project, tmp_path, app_paths):
    window = make_window()
    plan, repo = project
    drop(window.drop_zone, repo)
    assert "is a folder" in window.drop_zone.error_text()
    image = tmp_path / "picture.md"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    drop(window.drop_zone, image)
    assert "PNG" in window.drop_zone.error_text() and window.plan is None
    drop(window.drop_zone, plan, image)
    assert "one plan file at a time" in window.drop_zone.error_text()

    drop(window.drop_zone, plan)
    assert window.plan.title == "Farewell" and window.drop_zone.error_text() == ""
    assert load_settings(app_paths.settings_file).recent_plans == [str(plan)]
    assert window.drop_zone.recent.count() == 2
    assert not window.actions["run"].isEnabled()  # no codebase yet


def test_the_codebase_is_scanned_listed_and_remembered_per_plan(qtbot, make_window, project, app_paths):
    plan, repo = project
    window = make_window()
    ready(qtbot, window, project)
    paths = [p for p, _ in window.context_panel.rows()]
    assert paths[0] == "pkg/greet.py" and set(paths) == {"pkg/__init__.py", "pkg/greet.py", "pkg/other.py"}
    assert "3 files scanned" in window.context_panel.summary.text()
    assert load_settings(app_paths.settings_file).codebase_for_plan == {str(plan): str(repo)}
    assert window.actions["run"].isEnabled()

    again = make_window(saved=True)
    again.load_plan(plan)  # a later session: the folder comes back with the plan
    qtbot.waitUntil(lambda: again.codebase is not None, timeout=10_000)
    assert again.codebase_root == repo


def test_pins_and_drops_decide_what_goes_into_the_context(qtbot, make_window, project):
    window = make_window()
    ready(qtbot, window, project)
    panel = window.context_panel
    rows = {panel.tree.topLevelItem(i).text(0): panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())}
    rows["pkg/other.py"].setCheckState(COL_PIN, Qt.CheckState.Checked)  # the user ticks the boxes
    rows = {panel.tree.topLevelItem(i).text(0): panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())}
    rows["pkg/greet.py"].setCheckState(COL_DROP, Qt.CheckState.Checked)
    assert panel.pinned() == ("pkg/other.py",) and panel.dropped() == ("pkg/greet.py",)

    assert run_op(qtbot, window, window.context_panel.check_button.click) == ["prepare", "idle"]
    states = dict(panel.rows())
    assert panel.rows()[0][0] == "pkg/other.py" and states["pkg/other.py"].startswith("in ")
    assert states["pkg/greet.py"] == "dropped"
    assert "in the context" in panel.summary.text()


def test_both_phases_follow_up_and_apply(qtbot, make_window, project):
    plan, repo = project
    engine = ReplayEngine([REFLECTION, ANSWER, FOLLOW_UP])
    window = make_window(engine)
    ready(qtbot, window, project)

    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    assert window.reflection_view.is_markdown_shown()
    assert window.reflection_view.text() == REFLECTION
    assert "Checklist" in window.reflection_view.rendered.toPlainText()

    # Ctrl+Enter approves; the reflection is unedited, so Phase 2 continues the model's own text.
    assert run_op(qtbot, window, lambda: qtbot.keyClick(window.reflection_view.rendered, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)) == ["implement", "done"]
    assert engine.prompts[-1][2] == {"role": "assistant", "content": REFLECTION}
    assert window.tabs.currentIndex() == 1 and window.answer_view.text() == ANSWER
    assert window.changes_view.changeset() is window.changeset
    assert [c.path for c in window.changeset.changes] == ["pkg/greet.py"]

    window.follow_up_edit.setText("Greet a friend when the name is empty.")
    assert run_op(qtbot, window, lambda: qtbot.keyClick(window.follow_up_edit, Qt.Key.Key_Return)) == ["follow_up", "done"]
    assert "Greet a friend" in engine.prompts[-1][-1]["content"]
    assert "――― Follow-up: Greet a friend" in window.answer_view.text()
    assert 'name or "friend"' in window.changeset.changes[0].new_text

    qtbot.keyClick(window.answer_view.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    text = (repo / "pkg" / "greet.py").read_text()
    assert "def farewell" in text and 'name or "friend"' in text
    assert "Applied" in window.changes_view.message_text()


def test_a_reopened_run_continues_with_a_follow_up_and_can_be_deleted(qtbot, make_window, project, app_paths, monkeypatch):
    first = make_window(ReplayEngine([REFLECTION, ANSWER]))
    ready(qtbot, first, project)
    run_op(qtbot, first, first.actions["run"].trigger)
    run_op(qtbot, first, first.actions["approve"].trigger)
    run_id = first.run_id
    first.close()

    engine = ReplayEngine([FOLLOW_UP])
    window = make_window(engine)  # a new session
    dialog = HistoryDialog(runs_dir=app_paths.runs_dir, parent=window)
    assert dialog.list.count() == 1 and "Farewell" in dialog.preview.toPlainText()
    dialog.open_selected()
    window.open_record(dialog.chosen_record)
    assert window.reflection_view.text() == REFLECTION and window.answer_view.text() == ANSWER
    assert window.changeset is not None and "Send a follow-up to continue it" in window.banner.message()
    qtbot.waitUntil(lambda: window.codebase is not None, timeout=10_000)
    assert window.follow_up_button.isEnabled()

    window.follow_up_edit.setText("Greet a friend when the name is empty.")
    assert run_op(qtbot, window, window.send_follow_up) == ["follow_up", "done"]
    conversation = engine.prompts[-1]
    assert conversation[2] == {"role": "assistant", "content": REFLECTION}
    assert conversation[4] == {"role": "assistant", "content": ANSWER}
    record = load_run(run_id, runs_dir=app_paths.runs_dir)  # the same record, continued
    assert [t["kind"] for t in record["turns"]] == ["reflection", "implementation", "followup"]

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog = HistoryDialog(runs_dir=app_paths.runs_dir, parent=window)
    # Enter opens the selected run; it never deletes it, even with the Delete button focused.
    dialog.show()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert dialog.chosen_record is not None and dialog.chosen_record["run_id"] == run_id
    assert not dialog.delete_button.isDefault() and not dialog.delete_button.autoDefault()
    assert len(list_runs(runs_dir=app_paths.runs_dir)) == 1
    dialog = HistoryDialog(runs_dir=app_paths.runs_dir, parent=window)
    dialog.delete_selected()
    assert dialog.list.count() == 0 and list_runs(runs_dir=app_paths.runs_dir) == []


def test_a_run_whose_folder_is_gone_says_it_cannot_be_continued(qtbot, make_window, tmp_path):
    window = make_window()
    record = {
        "run_id": "20260101-120000-x", "title": "X", "plan": {"path": None, "text": PLAN},
        "codebase": str(tmp_path / "gone"), "phase": "done", "reflection": REFLECTION,
        "turns": [{"kind": "reflection", "prompt": "p", "text": REFLECTION}, {"kind": "implementation", "prompt": "q", "text": ANSWER}],
        "model": {"name": "m"}, "changeset": None,
    }
    window.open_record(record)
    assert "not continued" in window.banner.message() and window.banner.kind() == "warning"
    assert not window.actions["approve"].isEnabled()
    assert not window.follow_up_button.isEnabled()


def test_settings_are_validated_and_saved(qtbot, app_paths, tmp_path):
    dialog = SettingsDialog(Settings(), settings_file=app_paths.settings_file)
    qtbot.addWidget(dialog)
    dialog.context_size.setValue(4096)
    dialog.gpu_auto.setChecked(False)
    dialog.gpu_layers.setValue(12)
    dialog.threads.setValue(3)
    dialog.temperature.setValue(0.3)
    dialog.max_tokens.setValue(777)
    dialog.models_dir.setText(str(tmp_path / "missing"))
    dialog.accept()
    assert "does not exist" in dialog.error.text() and dialog.result_settings is None
    dialog.models_dir.setText(str(tmp_path))
    dialog.accept()
    saved = load_settings(app_paths.settings_file)
    assert (saved.context_size, saved.gpu_layers, saved.threads, saved.temperature, saved.max_answer_tokens) == (4096, 12, 3, 0.3, 777)
    assert saved.models_dirs == [str(tmp_path)] and dialog.result_settings == saved


def test_a_context_too_small_is_a_message_not_a_crash(qtbot, make_window, project):
    window = make_window(ReplayEngine([REFLECTION], context_size=600), context_size=600)
    ready(qtbot, window, project)
    assert run_op(qtbot, window, window.actions["run"].trigger)[0] == "reflect"
    assert window.banner.kind() == "error" and "context" in window.banner.message()
    assert window.actions["run"].isEnabled()


def test_closing_during_generation_stops_and_saves_the_run(qtbot, make_window, project, app_paths):
    window = make_window(ReplayEngine([" ".join(["word"] * 5000)], delay=0.005))
    ready(qtbot, window, project)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: len(window.reflection_view.text()) > 50, timeout=10_000)
    started = time.perf_counter()
    window.close()
    assert time.perf_counter() - started < 2.0
    assert window.run_thread.isFinished() and window.io_thread.isFinished()
    runs = list_runs(runs_dir=app_paths.runs_dir)
    assert len(runs) == 1 and runs[0].phase == "stopped"
    assert load_run(runs[0].run_id, runs_dir=app_paths.runs_dir)["reflection"].startswith("word word")


def test_shortcuts_layout_and_theme(qtbot, make_window):
    window = make_window()
    shortcuts = {name: [s.toString() for s in window.actions[name].shortcuts()] for name in ("run", "stop", "approve", "apply")}
    assert shortcuts == {"run": ["Ctrl+R"], "stop": ["Esc"], "approve": ["Ctrl+Return", "Ctrl+Enter"], "apply": ["Ctrl+Shift+A"]}
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720

    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3d7bd9"))
    sheet = style_sheet(dark)
    assert "$" not in sheet
    for line in sheet.splitlines():
        if "background: rgb(" in line:  # every derived background stays dark on a dark palette
            r, g, b = (int(x) for x in line.split("rgb(")[1].split(")")[0].split(","))
            assert QColor(r, g, b).lightness() < 100, line
    assert QKeySequence("Ctrl+R") in [s for s in window.actions["run"].shortcuts()]


def test_the_window_shows_without_importing_llama_cpp(tmp_path):
    script = (
        "import sys, time, json\n"
        "t = time.perf_counter()\n"
        "from desktop.ui.app import create_app, create_window\n"
        "app = create_app(['plansmith'])\n"
        "w = create_window()\n"
        "w.show(); app.processEvents()\n"
        "print(json.dumps({'visible': w.isVisible(), 'llama': 'llama_cpp' in sys.modules, 's': time.perf_counter() - t}))\n"
        "w.close()\n"
    )
    env = {**__import__("os").environ, "PLANSMITH_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["visible"] and not result["llama"]
    assert result["s"] < 5  # the benchmark measures this properly; here only a gross regression fails


def test_installed_models_fill_the_switcher(qtbot, app_paths, smollm2_path):
    app_paths.models_dir.mkdir(parents=True, exist_ok=True)
    (app_paths.models_dir / smollm2_path.name).symlink_to(smollm2_path)
    window = MainWindow(paths=app_paths, settings=Settings())
    try:
        qtbot.waitUntil(lambda: window.model_combo.count() > 0, timeout=10_000)
        assert window.model_path == app_paths.models_dir / smollm2_path.name  # the default when none is chosen
        assert window.model_combo.currentData() == str(window.model_path)
        assert "loads when a run starts" in window.model_info.text()
    finally:
        window.close()


def test_prompt_reading_shows_progress_with_an_eta(qtbot):
    from desktop.ui.status import RunStatus

    status = RunStatus()
    qtbot.addWidget(status)
    status.show_prompt_progress(0, 3000)
    assert status.progress_label.text() == "Reading the prompt: 0 / 3,000 tokens"
    time.sleep(0.05)
    status.show_prompt_progress(1000, 3000)
    assert status.progress.value() == 1000 and "left" in status.progress_label.text()
    status.show_prompt_progress(3000, 3000)
    assert status.progress.isHidden()


def test_the_model_manager_opens_and_its_new_model_is_chosen(qtbot, make_window, monkeypatch, smollm2_path):
    from desktop.ui.model_manager import ModelManagerDialog

    opened = []

    def fake_exec(dialog):
        opened.append(dialog)
        dialog.installed_path = smollm2_path  # as after a download or import
        return 0

    monkeypatch.setattr(ModelManagerDialog, "exec", fake_exec)
    window = make_window()
    window.model_manager_button.click()
    assert len(opened) == 1 and opened[0].parent() is window
    assert window.model_path == smollm2_path and window.model_combo.currentData() == str(smollm2_path)
    opened[0].close()


def test_the_check_settings_are_saved_with_the_command_for_this_codebase(qtbot, app_paths, tmp_path):
    codebase = tmp_path / "proj"
    codebase.mkdir()
    dialog = SettingsDialog(Settings(), settings_file=app_paths.settings_file, codebase=codebase)
    qtbot.addWidget(dialog)
    assert dialog.check_examples.currentData() == "computing"  # the default
    dialog.check_examples.setCurrentIndex(dialog.check_examples.findData("any"))
    dialog.check_command.setText("  pytest -q  ")
    dialog.check_timeout.setValue(30)
    dialog.candidates.setValue(3)
    assert dialog.repairs.value() == 8  # the default
    dialog.repairs.setValue(1)
    dialog.accept()
    saved = load_settings(app_paths.settings_file)
    assert saved.check_examples == "any" and saved.check_timeout == 30.0 and saved.candidates == 3
    assert saved.max_repairs == 1
    assert saved.check_command_for(codebase) == "pytest -q" and saved.check_command_for(tmp_path) == ""
    without = SettingsDialog(saved, settings_file=app_paths.settings_file)  # no codebase chosen
    qtbot.addWidget(without)
    assert not without.check_command.isEnabled() and without.check_command.text() == ""


def test_the_codebase_panel_remembers_the_check_command_and_a_run_checks_with_it(qtbot, make_window, project, app_paths):
    plan, repo = project
    answer = 'pkg/greet.py\n```python\ndef greet(name):\n    return "Hi, " + name\n```\n'
    window = make_window(ReplayEngine([REFLECTION, answer]))
    ready(qtbot, window, project)
    field = window.context_panel.check_command
    assert field.isEnabled() and field.text() == ""
    field.setText("test -f pkg/greet.py")
    field.editingFinished.emit()
    assert load_settings(app_paths.settings_file).check_command_for(repo) == "test -f pkg/greet.py"
    run_op(qtbot, window, window.actions["run"].trigger)
    run_op(qtbot, window, window.actions["approve"].trigger)
    checks = window.changes_view.changeset().checks
    assert checks and checks[0]["command"] == "test -f pkg/greet.py" and checks[0]["returncode"] == 0
    assert window.changes_view.checks_label.isVisible()
    window.set_codebase(repo.parent)  # another folder: its own (empty) command
    assert window.context_panel.check_command.text() == ""


def test_the_review_is_read_only_while_a_run_streams_and_a_new_run_asks_first(qtbot, make_window, project, monkeypatch):
    engine = ReplayEngine([REFLECTION, ANSWER, FOLLOW_UP, REFLECTION])
    window = make_window(engine)
    ready(qtbot, window, project)
    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    assert run_op(qtbot, window, window.approve) == ["implement", "done"]
    view = window.changes_view
    assert view.apply_button.isEnabled() and view.files.isEnabled()

    engine.delay = 0.05  # the follow-up streams slowly: the previous changes stay in view, frozen
    window.follow_up_edit.setText("Greet a friend when the name is empty.")
    with qtbot.waitSignal(window.operation_done, timeout=20_000):
        window.send_follow_up()
        qtbot.waitUntil(lambda: window.busy is not None, timeout=5_000)
        assert not any(b.isEnabled() for b in (view.apply_button, view.export_button, view.undo_button, view.edit_button))
        assert not view.files.isEnabled()
        view.apply()  # a shortcut that slips through does nothing
    engine.delay = 0.0
    assert view.apply_button.isEnabled() and view.has_unapplied_changes()

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.No)
    window.actions["run"].trigger()  # Ctrl+R over reviewed, unapplied changes: No keeps them
    assert asked == ["Changes not applied"] and window.busy is None and window.changeset is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    assert "def farewell" not in (project[1] / "pkg" / "greet.py").read_text()  # nothing was applied


def test_ticks_and_hand_edits_are_saved_with_the_run_and_history_brings_them_back(qtbot, make_window, project, app_paths):
    window = make_window()
    ready(qtbot, window, project)
    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    with qtbot.waitSignal(window.worker.record_saved, timeout=10_000):
        assert run_op(qtbot, window, window.approve) == ["implement", "done"]
    run_id = window.run_id
    mine = 'def greet(name):\n    return "Hi, " + name\n\n\ndef farewell(name):\n    return "Bye, " + name\n'
    window.changes_view.set_edited_text("pkg/greet.py", mine)
    assert "edited by hand" in window.changes_view.file_item("pkg/greet.py").text()
    qtbot.waitUntil(lambda: "Bye" in (load_run(run_id, runs_dir=app_paths.runs_dir)["changeset"]["changes"][0]
                                      .get("new_text") or ""), timeout=10_000)
    window.changes_view.set_accepted("pkg/greet.py", False)
    qtbot.waitUntil(lambda: not load_run(run_id, runs_dir=app_paths.runs_dir)["changeset"]["changes"][0]["accepted"],
                    timeout=10_000)
    other = make_window()  # a new session reopens the run from History: the user's version, unticked
    other.open_record(load_run(run_id, runs_dir=app_paths.runs_dir))
    change = other.changeset.get("pkg/greet.py")
    assert change.new_text == mine and not change.accepted
    assert "edited by hand" in other.changes_view.file_item("pkg/greet.py").text()


@pytest.mark.qt_log_level_fail("WARNING")  # e.g. "Timers cannot be started from another thread"
@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's, for any dialog
def test_the_other_answers_can_be_opened_and_history_brings_back_the_one_shown(qtbot, make_window, tmp_path, app_paths,
                                                                              monkeypatch):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "__init__.py").write_text("")
    (repo / "pkg" / "greet.py").write_text('def greet(name):\n    return "Hello, " + name\n')
    plan = tmp_path / "plan.md"
    plan.write_text(PLAN + "\n>>> farewell('Ann')\n'Goodbye, Ann'\n")
    reflection = REFLECTION + ("\n## Examples as checks\n```python\nfrom pkg.greet import farewell\n"
                               "assert farewell('Ann') == 'Goodbye, Ann'\n```\n")
    wrong = ANSWER.replace('"Goodbye, "', '"Bye, "')
    window = make_window(ReplayEngine([reflection, wrong, ANSWER, reflection]), check_examples="any", candidates=3)
    ready(qtbot, window, (plan, repo))
    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    with qtbot.waitSignal(window.worker.record_saved, timeout=10_000):
        assert run_op(qtbot, window, window.approve) == ["implement", "done"]
    view, run_id = window.changes_view, window.run_id
    box = view.answer_box
    assert box.isVisible() and [box.itemText(i) for i in range(box.count())] == [
        "Answer 1 (first answer): 1 problem after its checks",
        "Answer 2 (sampled candidate): passes its checks · kept"]
    assert box.currentIndex() == 1 and '"Goodbye, "' in window.changeset.get("pkg/greet.py").new_text
    assert window.follow_up_edit.isEnabled()

    box.activated.emit(0)  # the user picks the first answer: its code and its failed check
    assert box.currentIndex() == 0 and '"Bye, "' in window.changeset.get("pkg/greet.py").new_text
    assert window.changeset.checks[0]["failed"] == 1 and view.checks_label.isVisible()
    assert "Showing answer 1: 1 problem after its checks." in window.banner.message()
    assert not window.follow_up_edit.isEnabled()  # a follow-up revises the kept answer
    qtbot.waitUntil(lambda: load_run(run_id, runs_dir=app_paths.runs_dir).get("shown_answer") == 1, timeout=10_000)

    other = make_window()  # History brings back the answer that was shown
    other.open_record(load_run(run_id, runs_dir=app_paths.runs_dir))
    assert other.changes_view.answer_box.currentIndex() == 0
    assert '"Bye, "' in other.changeset.get("pkg/greet.py").new_text

    mine = 'def greet(name):\n    return "Hello, " + name\n\n\ndef farewell(name):\n    return "So long, " + name\n'
    view.set_edited_text("pkg/greet.py", mine)
    box.activated.emit(1)  # hand edits would be dropped: asked first, and Cancel keeps them
    question = view.pending_confirmation
    assert question is not None and "edits" in question.text()
    question.reject()
    assert box.currentIndex() == 0 and window.changeset.get("pkg/greet.py").new_text == mine
    box.activated.emit(1)
    assert view.pending_confirmation is not question  # asked again
    next(b for b in view.pending_confirmation.buttons() if b.text() == "Open anyway").click()
    assert box.currentIndex() == 1 and '"Goodbye, "' in window.changeset.get("pkg/greet.py").new_text
    assert window.follow_up_edit.isEnabled()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    assert not box.isVisibleTo(view)  # a new run: the old run's answers are no longer offered


def test_a_review_that_cannot_be_saved_is_said_on_the_gui_thread(qtbot, make_window, project, app_paths, monkeypatch):
    import shutil

    from PySide6.QtCore import QThread

    window = make_window()
    ready(qtbot, window, project)
    run_op(qtbot, window, window.actions["run"].trigger)
    with qtbot.waitSignal(window.worker.record_saved, timeout=10_000):
        run_op(qtbot, window, window.approve)
    shutil.rmtree(app_paths.runs_dir / window.run_id)  # deleted meanwhile: the save must fail
    shown = []
    real = window.banner.show_message
    monkeypatch.setattr(window.banner, "show_message", lambda text, **kw: (
        shown.append((text, QThread.currentThread() is window.thread())), real(text, **kw)))
    window.changes_view.set_accepted("pkg/greet.py", False)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0][0].startswith("Your ticks and edits were not saved with the run: No saved run is called")
    assert shown[0][1], "the banner was changed from the worker's thread"


def test_a_follow_up_keeps_the_ticks_of_files_it_left_alone_and_asks_before_replacing_hand_edits(
        qtbot, make_window, project, monkeypatch):
    two_files = ANSWER + ("\npkg/other.py\n```python\n<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n"
                          ">>>>>>> REPLACE\n```\n")
    engine = ReplayEngine([REFLECTION, two_files, FOLLOW_UP, FOLLOW_UP])
    window = make_window(engine)
    ready(qtbot, window, project)
    assert run_op(qtbot, window, window.actions["run"].trigger) == ["reflect", "reflected"]
    assert run_op(qtbot, window, window.approve) == ["implement", "done"]
    window.changes_view.set_accepted("pkg/other.py", False)  # the user does not want this one
    window.answer_view.append("a long answer\n" * 300)
    window.answer_view.flush()
    bar = window.answer_view.editor.verticalScrollBar()
    bar.setValue(0)  # the user scrolled up to read the answer

    window.follow_up_edit.setText("Greet a friend when the name is empty.")
    assert run_op(qtbot, window, window.send_follow_up) == ["follow_up", "done"]
    window.answer_view.flush()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()  # the revision was followed as it streamed
    assert 'name or "friend"' in window.changeset.get("pkg/greet.py").new_text
    assert window.changeset.get("pkg/greet.py").accepted  # a new proposal: ticked as any
    assert not window.changeset.get("pkg/other.py").accepted  # the same proposal: the user's tick stays

    window.changes_view.set_edited_text("pkg/greet.py", window.changeset.get("pkg/greet.py").new_text + "\nX = 1\n")
    asked = []
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: asked.append(text) or next(answers))
    window.follow_up_edit.setText("Once more.")
    window.send_follow_up()  # No: nothing is sent, the hand edit stays
    assert len(asked) == 1 and "pkg/greet.py" in asked[0] and not window.busy
    assert window.changeset.get("pkg/greet.py").new_text.endswith("X = 1\n")
    assert run_op(qtbot, window, window.send_follow_up) == ["follow_up", "done"]  # Yes
    assert len(asked) == 2 and not window.changeset.get("pkg/greet.py").edited
