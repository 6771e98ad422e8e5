"""PNG screenshots of the app in each state, from recorded answers (run it via screenshots.sh).

    python packaging/screenshots.py [OUT_DIR] [--standalone]

Everything shown is deterministic: a copy of tests/fixtures/recorded/codebase in a temp
folder, the recorded model answers, and a temp PLANSMITH_HOME. Window shots use
QWidget.grab(); shots that include a dialog capture the whole X screen with ImageMagick's
`import -window root` when it is available (under Xvfb), else they grab the dialog alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECORDED = REPO / "tests" / "fixtures" / "recorded"
SIZE = (1280, 720)  # the smallest screen the app must work on

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QPalette  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402


class Camera:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[Path] = []

    def settle(self, ms: int = 250) -> None:
        QTest.qWait(ms)  # let layouts, repaints and queued signals run

    def window(self, name: str, widget: QWidget) -> Path:
        """The top-level window's pixels as Qt renders them."""
        self.settle()
        path = self.out / f"{name}.png"
        if not widget.window().grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        return self._done(path)

    def screen(self, name: str, fallback: QWidget) -> Path:
        """The whole X screen (window and dialogs), or the fallback widget off X."""
        self.settle(400)
        path = self.out / f"{name}.png"
        importer = shutil.which("import")
        if QGuiApplication.platformName() == "xcb" and importer and os.environ.get("DISPLAY"):
            result = subprocess.run([importer, "-window", "root", str(path)],
                                    capture_output=True, text=True, check=False)
            if result.returncode == 0:
                return self._done(path)
            print(f"import failed ({result.stderr.strip()}); grabbing the widget instead")
        fallback.grab().save(str(path))
        return self._done(path)

    def _done(self, path: Path) -> Path:
        self.taken.append(path)
        print(f"  {path.name}")
        return path


def dark_palette() -> QPalette:
    """A common dark palette for Fusion (button, window), with text roles made explicit."""
    p = QPalette(QColor("#3c3c3c"), QColor("#2d2d2d"))
    for role, color in {
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Link: "#79b8ff",
    }.items():
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p


def fresh_codebase(work: Path, name: str = "shop") -> Path:
    root = work / name
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(RECORDED / "codebase", root)
    return root


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=Plansmith", "-c", "user.email=shots@example.com",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True,
                   capture_output=True)


def changes_view_scenes(camera: Camera, *, work: Path) -> None:
    """The review pane in a window of its own (until MainWindow exists, or with --standalone)."""
    from desktop.core.changes import ChangeSet
    from desktop.paths import AppPaths
    from desktop.ui.changes_view import ChangesView

    answer = (RECORDED / "answer_two_files.md").read_text(encoding="utf-8")
    backups = AppPaths.default().ensure().backups_dir
    window = QMainWindow()
    window.setWindowTitle("Plansmith — review changes")
    view = ChangesView()
    window.setCentralWidget(view)
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    camera.window("01-changes-empty", window)

    root = fresh_codebase(work)

    def load() -> None:
        view.set_changeset(ChangeSet.from_answer(answer, root=root), root=root,
                           backups_dir=backups)

    load()
    view.set_hunk_accepted("shop/cart.py", 1, False)
    view.hunks.setCurrentRow(0)
    camera.window("02-changes-view", window)

    view.select_file("../../etc/passwd")
    camera.window("03-changes-rejected-path", window)

    view.set_accepted("shop/pricing.py", False)
    view.select_file("shop/cart.py")
    view.apply()
    camera.window("04-changes-applied", window)
    view.undo()

    load()
    cart = root / "shop" / "cart.py"
    original = cart.read_bytes()
    cart.write_text(cart.read_text(encoding="utf-8") + "\n# edited by hand meanwhile\n",
                    encoding="utf-8")
    view.apply()
    camera.window("05-error-stale-file", window)
    cart.write_bytes(original)

    load()
    view.select_file("shop/pricing.py")
    view.edit_current()
    dialog = view.edit_dialog
    dialog.editor.setPlainText(dialog.text().replace("def percent_of(", "def percent_of(("))
    camera.screen("06-edit-dialog", dialog)
    dialog.accept()
    camera.window("07-python-warning", window)

    QApplication.instance().setPalette(dark_palette())
    load()
    view.set_hunk_accepted("shop/cart.py", 1, False)
    view.select_file("shop/cart.py")
    camera.window("08-changes-view-dark", window)
    QApplication.instance().setPalette(QApplication.style().standardPalette())

    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "base", cwd=root)
    (root / "README.md").write_text("# shop\n\nWork in progress.\n", encoding="utf-8")
    load()
    view.apply()
    box = view.pending_confirmation
    camera.screen("09-apply-asks-about-uncommitted-files", box or window)
    if box is not None:
        box.reject()
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "screenshots",
                        help="folder for the PNGs (default: screenshots/)")
    parser.add_argument("--standalone", action="store_true",
                        help="screenshot the review pane alone even if MainWindow exists")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="plansmith-shots-") as tmp:
        work = Path(tmp)
        os.environ["PLANSMITH_HOME"] = str(work / "home")  # never the user's own folders
        app = QApplication.instance() or QApplication([sys.argv[0]])
        app.setApplicationName("Plansmith")
        app.setStyle("Fusion")  # the same look on every machine the script runs on
        app.setPalette(app.style().standardPalette())
        camera = Camera(out)
        print(f"Screenshots ({QGuiApplication.platformName()}) into {out}:")
        changes_view_scenes(camera, work=work)
        app.processEvents()
    print(f"{len(camera.taken)} screenshots.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
