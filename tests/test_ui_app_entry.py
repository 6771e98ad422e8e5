"""What the app does on launch: the Help menu, and the first-run model dialog."""

from __future__ import annotations

from desktop.settings import Settings
from desktop.ui.main_window import MainWindow


def test_help_menu_has_about(qtbot, app_paths):
    window = MainWindow(paths=app_paths, settings=Settings())
    qtbot.addWidget(window)
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert "Help" in menus
    assert "About Plansmith" in [a.text().replace("&", "") for a in menus["Help"].actions()]


def test_first_launch_without_a_model_offers_the_first_run_dialog(qtbot, app_paths, monkeypatch):
    from desktop.ui import model_manager

    opened = []
    monkeypatch.setattr(model_manager.ModelManagerDialog, "exec", lambda self: opened.append(self._first_run) or 0)
    window = MainWindow(paths=app_paths, settings=Settings())
    window.offer_first_run = True
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: opened == [True], timeout=10_000)
    window.refresh_models()  # listing again does not reopen it
    qtbot.wait(300)
    assert opened == [True]


def test_no_first_run_dialog_when_a_model_is_installed(qtbot, app_paths, monkeypatch, smollm2_path):
    import shutil

    from desktop.ui import model_manager

    app_paths.models_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(smollm2_path, app_paths.models_dir / smollm2_path.name)
    opened = []
    monkeypatch.setattr(model_manager.ModelManagerDialog, "exec", lambda self: opened.append(True) or 0)
    window = MainWindow(paths=app_paths, settings=Settings())
    window.offer_first_run = True
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.model_combo.count() > 0, timeout=20_000)
    qtbot.wait(200)
    assert opened == []
