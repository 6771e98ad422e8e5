"""Help › About Plansmith is reachable from the window."""

from __future__ import annotations

from desktop.settings import Settings
from desktop.ui.main_window import MainWindow


def test_help_menu_has_about(qtbot, app_paths):
    window = MainWindow(paths=app_paths, settings=Settings())
    qtbot.addWidget(window)
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert "Help" in menus
    assert "About Plansmith" in [a.text().replace("&", "") for a in menus["Help"].actions()]
