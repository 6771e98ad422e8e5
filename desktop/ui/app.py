"""Start the desktop app (`plansmith` with no arguments): QApplication, style, window.

Startup stays light: no model is loaded and `llama_cpp` is not imported until a run
needs it, so the window shows in well under a second.
"""

from __future__ import annotations

import gc
import logging
import sys
from string import Template

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from desktop.paths import AppPaths, resources_dir

log = logging.getLogger("plansmith")


def _mix(a: QColor, b: QColor, share: float) -> str:
    """`share` of a over b, as an rgb() the style sheet reads."""
    r = round(a.red() * share + b.red() * (1 - share))
    g = round(a.green() * share + b.green() * (1 - share))
    bl = round(a.blue() * share + b.blue() * (1 - share))
    return f"rgb({r}, {g}, {bl})"


def style_sheet(palette: QPalette) -> str:
    """The style sheet template filled with colours derived from this palette (light or dark)."""
    text = palette.color(QPalette.ColorRole.WindowText)
    base = palette.color(QPalette.ColorRole.Window)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    dark = base.lightness() < 128
    red = QColor("#ff6b6b") if dark else QColor("#c62828")
    amber = QColor("#f0b429") if dark else QColor("#b26a00")
    values = {
        "border": _mix(text, base, 0.35),
        "muted": _mix(text, base, 0.65),
        "highlight_soft": _mix(highlight, base, 0.15),
        "info_border": _mix(highlight, base, 0.55),
        "info_bg": _mix(highlight, base, 0.12),
        "error_text": red.name(),
        "error_border": _mix(red, base, 0.7),
        "error_bg": _mix(red, base, 0.14),
        "warning_border": _mix(amber, base, 0.7),
        "warning_bg": _mix(amber, base, 0.14),
    }
    template = (resources_dir() / "styles" / "app.qss").read_text(encoding="utf-8")
    return Template(template).safe_substitute(values)


class _PaletteWatcher(QObject):
    """Re-derives the style sheet when the application palette changes (light/dark switch)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._sheet = ""

    def refresh(self, *_args) -> None:
        sheet = style_sheet(self._app.palette())
        if sheet != self._sheet:  # setting the same sheet again would re-polish every widget
            self._sheet = sheet
            self._app.setStyleSheet(sheet)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._app and event.type() == QEvent.Type.ApplicationPaletteChange:
            self.refresh()
        return False


def apply_style(app: QApplication) -> None:
    """Style from the current palette, again whenever the system switches light/dark."""
    watcher = _PaletteWatcher(app)
    watcher.refresh()
    app.installEventFilter(watcher)
    hints = app.styleHints()
    if hasattr(hints, "colorSchemeChanged"):  # Qt 6.5+
        hints.colorSchemeChanged.connect(watcher.refresh)


def create_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if existing is not None:
        return existing  # type: ignore[return-value]
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName("Plansmith")
    app.setApplicationDisplayName("Plansmith")
    app.setDesktopFileName("plansmith")
    icon = resources_dir() / "icons" / "plansmith.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    apply_style(app)
    return app


def create_window(*, paths: AppPaths | None = None):
    """The main window, sized for the screen (maximised on small ones such as 1280x720)."""
    from desktop.ui.main_window import MainWindow

    window = MainWindow(paths=paths)
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        if free.width() <= 1366 or free.height() <= 800:
            window.resize(free.width(), free.height())
            window.setWindowState(Qt.WindowState.WindowMaximized)
        else:
            window.resize(min(1440, int(free.width() * 0.85)), min(900, int(free.height() * 0.85)))
    # The objects made so far live as long as the app: keep full garbage collections, which
    # hold the GIL and so pause the GUI, from walking them again and again.
    gc.freeze()
    return window


def _install_excepthook(window) -> None:
    """A bug in a slot is logged with its traceback and shown as one line, never printed at the user."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, value, tb)
            return
        log.error("unexpected error", exc_info=(kind, value, tb))
        window.report_unexpected(f"Something went wrong: {value}. The details are in the log file.")

    sys.excepthook = hook


def main() -> int:
    from desktop.ui.platform_check import missing_message

    problem = missing_message()
    if problem:
        sys.stderr.write(problem + "\n")
        return 1
    paths = AppPaths.default().ensure()
    from desktop.cli import configure_logging

    configure_logging(paths)
    app = create_app()
    window = create_window(paths=paths)
    _install_excepthook(window)
    window.offer_first_run = True
    window.show()
    return app.exec()
