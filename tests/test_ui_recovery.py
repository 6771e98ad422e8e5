"""The window asks about an apply that stopped part-way: Finish, Roll back or Later; a refusal
is shown as a message, not a traceback."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from test_apply_recovery import stop_mid_apply, temp_files
from test_apply import root, snapshot  # noqa: F401 (the fixture)

from desktop.core.apply_recovery import InterruptedApply
from desktop.llm.replay_engine import ReplayEngine
from desktop.settings import Settings
from desktop.ui.main_window import MainWindow
from desktop.ui.recovery_dialog import details, question, summary


@pytest.fixture
def open_window(qtbot, app_paths):
    windows = []

    def make() -> MainWindow:
        settings = Settings(model_path="replay.gguf", context_size=4096, check_examples="off")
        window = MainWindow(paths=app_paths, settings=settings, engine_factory=lambda spec: ReplayEngine([]))
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:
        window.close()


def answer(qtbot, window: MainWindow, button: str) -> None:
    qtbot.waitUntil(lambda: window.recovery_prompt is not None, timeout=5_000)
    qtbot.mouseClick(getattr(window.recovery_prompt, button), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.recovery_prompt is None, timeout=5_000)


def test_roll_back_in_the_dialog_restores_the_files(qtbot, open_window, app_paths, root):
    before = stop_mid_apply(root, app_paths.backups_dir)
    window = open_window()
    qtbot.waitUntil(lambda: window.recovery_prompt is not None, timeout=5_000)
    box = window.recovery_prompt
    assert box.windowTitle() == "An apply stopped part-way" and "after writing 1 of its 3 files" in box.text()
    assert "Written (1):\n  a.py" in box.informativeText() and "Not written yet (2):" in box.informativeText()
    assert "Finish: write the 2 files not written yet" in box.informativeText()
    assert "  pkg/sub/new.py" in box.detailedText() and f"Backup: {box.item.backup_dir}" in box.detailedText()
    answer(qtbot, window, "roll_back_button")
    assert snapshot(root) == before and temp_files(root) == []
    assert window.banner.message().startswith("Rolled back: 1 file(s) written.") and window.banner.kind() == "info"


def test_later_then_finish_when_the_codebase_is_chosen_and_a_refusal_is_a_message(qtbot, open_window, app_paths, root):
    stop_mid_apply(root, app_paths.backups_dir)
    window = open_window()
    answer(qtbot, window, "later_button")
    assert window.banner.kind() == "warning" and "plansmith recover --repo" in window.banner.message()
    assert (root / "b.py").read_text() == "B = 1\n"

    (root / "b.py").write_text("B = 'mine'\n")  # edited since: Finish is refused
    window.set_codebase(root)
    answer(qtbot, window, "finish_button")
    assert window.banner.kind() == "error" and window.banner.message().startswith("Cannot finish: b.py changed")
    assert "Traceback" not in window.banner.message() and (root / "b.py").read_text() == "B = 'mine'\n"

    (root / "b.py").write_text("B = 1\n")
    window.set_codebase(root)
    answer(qtbot, window, "finish_button")
    assert window.banner.message().startswith("Finished the apply: 2 file(s) written, 1 created.")
    assert (root / "b.py").read_text() == "B = 2\n" and (root / "pkg/sub/new.py").read_text() == "N = 1\n"
    assert temp_files(root) == []
    window.set_codebase(root)
    assert window.recovery_prompt is None  # nothing left to ask about


def test_the_question_says_what_each_answer_does_whatever_the_stop_left(tmp_path):
    item = InterruptedApply(tmp_path / "shop", tmp_path / "backup", "2026-12-04T18:54:31",
                            old=[f"m{n}.py" for n in range(9)])
    assert "before writing any of its 9 files" in question(item)
    text = summary(item)
    assert "Started: 2026-12-04 18:54" in text and "  … and 3 more (Show Details)" in text
    assert "Roll back: mark the apply undone (it wrote no file)." in text
    assert "  m8.py" in details(item) and "more" not in details(item)
    assert "Finish: write the 9 files not written yet" in text
    done = InterruptedApply(tmp_path / "shop", tmp_path / "backup", "?", new=["a.py"])
    assert "Finish: mark the apply done (every file already has the change)." in summary(done)
    item = InterruptedApply(tmp_path / "shop", tmp_path / "backup", "?", new=["a.py"], edited=["b.py"])
    assert "part-way through its 2 files" in question(item)
    text = summary(item)
    assert "Finish: write the files not written yet" in text and "Roll back: undo the files it wrote" in text
    assert "Finish and Roll back are refused while a file has changed since" in text and "Started: ?" in text
