"""PNG screenshots of the app in each state, from recorded answers (run it via screenshots.sh).

    python packaging/screenshots.py [OUT_DIR] [--only window|pane|recovery|settings]

"window" drives the real MainWindow (empty, plan and codebase chosen, Phase 1 streaming,
Phase 1 done, Phase 2 streaming, the Changes view, errors, dark theme, the Changes view
read-only while a follow-up streams, the question a new run asks over reviewed changes not
applied); "pane" shows the review pane alone for its close-ups (rejected path, edit dialog,
Python warning, the uncommitted-files question, a change that would break its file left
unticked, the question Apply asks when it is ticked anyway); "recovery" starts the window
after applies that a crash stopped part-way (the question, its details, what Finish and Later
leave); "settings" opens the Settings dialog over the window. Default: all of them.

Everything shown is deterministic: a copy of tests/fixtures/recorded/codebase in a temp
folder, the recorded model answers replayed through the real pipeline by ReplayEngine
(with a delay per piece, so streaming is visible), and a temp PLANSMITH_HOME. Window shots use
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECORDED = REPO / "tests" / "fixtures" / "recorded"
SIZE = (1280, 720)  # the smallest screen the app must work on

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget  # noqa: E402


class Camera:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[Path] = []
        self.started = time.monotonic()

    def settle(self, ms: int = 250) -> None:
        run_events_for(ms)  # let layouts, repaints and queued signals run

    def window(self, name: str, widget: QWidget) -> Path:
        """The top-level window's pixels as Qt renders them."""
        self.settle()
        path = self.out / f"{name}.png"
        if not widget.window().grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        return self._done(path)

    def screen(self, name: str, *, window: QWidget, dialog: QWidget | None) -> Path:
        """The window with its dialog on top: the X screen under Xvfb, else composed by Qt."""
        self.settle(400)
        path = self.out / f"{name}.png"
        importer = shutil.which("import")
        if QGuiApplication.platformName() == "xcb" and importer and os.environ.get("DISPLAY"):
            result = subprocess.run([importer, "-window", "root", str(path)],
                                    capture_output=True, text=True, check=False)
            if result.returncode == 0:
                return self._done(path)
            print(f"import failed ({result.stderr.strip()}); composing the shot with Qt instead")
        window = window.window()
        shot = window.grab()
        if dialog is not None and dialog.isVisible():
            painter = QPainter(shot)
            painter.drawPixmap(dialog.frameGeometry().topLeft() - window.geometry().topLeft(),
                               dialog.grab())
            painter.end()
        shot.save(str(path))
        return self._done(path)

    def _done(self, path: Path) -> Path:
        self.taken.append(path)
        print(f"  {path.name}  ({time.monotonic() - self.started:.1f} s)")
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


def run_events_for(ms: int) -> None:
    """Run the event loop for ms, in a blocking loop as app.exec() does.

    Waiting in a QTest.qWait loop instead made the worker thread stream at about 7 ms per
    piece whatever the replay delay (measured here: 5 s instead of 1 s for Phase 1).
    """
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition, *, timeout_s: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what or condition}")
        run_events_for(20)


# The follow-up's recorded answer: one more code, on top of the two-file answer.
FOLLOW_UP = """Here is the revision: the shop also knows SUMMER20, which takes 20 % off. Nothing
else changes: lookup_code already accepts any known code, in any case.

shop/discounts.py
```python
<<<<<<< SEARCH
KNOWN_CODES = {
    "SAVE10": DiscountCode("SAVE10", 10),
    "WELCOME5": DiscountCode("WELCOME5", 5),
}
=======
KNOWN_CODES = {
    "SAVE10": DiscountCode("SAVE10", 10),
    "WELCOME5": DiscountCode("WELCOME5", 5),
    "SUMMER20": DiscountCode("SUMMER20", 20),
}
>>>>>>> REPLACE
```
"""


def main_window_scenes(camera: Camera, *, work: Path, delay: float) -> None:
    """The real window over a ReplayEngine: every state a user goes through."""
    from desktop.llm.replay_engine import ReplayEngine
    from desktop.paths import AppPaths
    from desktop.settings import Settings
    from desktop.ui.main_window import MainWindow

    paths = AppPaths.default().ensure()
    reflection = (RECORDED / "phase1_reflection.md").read_text(encoding="utf-8")
    answer = (RECORDED / "answer_two_files.md").read_text(encoding="utf-8")
    plan = work / "discount-codes.md"
    shutil.copyfile(RECORDED / "plan.md", plan)
    root = fresh_codebase(work)
    # The file is never opened: the engine factory hands back the replaying engine. Its name
    # says so in the model box, so no screenshot pretends a real model wrote the text.
    model = work / "recorded-answers.gguf"
    replay = ReplayEngine([reflection, answer], delay=delay)
    settings = Settings(model_path=str(model), context_size=8192, max_repairs=0,
                        check_examples="off")  # the recorded answers hold no examples turn
    window = MainWindow(paths=paths, settings=settings, engine_factory=lambda spec: replay)
    done: list[str] = []
    window.operation_done.connect(lambda operation, _phase: done.append(operation))
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    camera.window("01-window-empty", window)

    window.load_plan(plan)
    window.set_codebase(root)
    wait_until(lambda: window.codebase is not None, what="the codebase scan")
    camera.window("02-window-plan-and-codebase", window)

    window.start_run()
    wait_until(lambda: len(window.reflection_view.text()) > 1100, what="Phase 1 text")
    camera.window("03-phase1-streaming", window)
    wait_until(lambda: "reflect" in done, what="the end of Phase 1")
    camera.window("04-phase1-done", window)

    window.approve()
    wait_until(lambda: len(window.answer_view.text()) > 900, what="Phase 2 text")
    camera.window("05-phase2-streaming", window)
    wait_until(lambda: "implement" in done, what="the end of Phase 2")
    view = window.changes_view
    view.set_hunk_accepted("shop/cart.py", 1, False)
    view.hunks.setCurrentRow(0)
    camera.window("06-changes-view", window)

    cart = root / "shop" / "cart.py"
    original = cart.read_bytes()
    cart.write_text(cart.read_text(encoding="utf-8") + "\n# edited by hand meanwhile\n",
                    encoding="utf-8")
    window.apply_changes()
    camera.window("07-error-file-changed-before-apply", window)
    cart.write_bytes(original)

    app = QApplication.instance()
    light = app.palette()
    app.setPalette(dark_palette())
    camera.window("08-window-changes-dark", window)
    app.setPalette(light)
    window.close()

    # A first start: no model installed yet, Run pressed anyway.
    def opened(settings_: Settings) -> MainWindow:
        """A window over the recorded answers with the plan and the scanned codebase."""
        w = MainWindow(paths=paths, settings=settings_, engine_factory=lambda spec: replay)
        w.resize(*SIZE)
        w.move(0, 0)
        w.show()
        w.load_plan(plan)
        w.set_codebase(root)
        wait_until(lambda: w.codebase is not None, what="the codebase scan")
        return w

    bare = opened(Settings())
    bare.start_run()
    camera.window("09-error-no-model", bare)
    bare.close()

    # A second run, reviewed and not applied. A follow-up streams: the changes shown can be
    # read, not ticked, edited or applied. Then Run again asks first (answered No).
    replay.enqueue(reflection, answer, FOLLOW_UP)
    again = opened(settings)
    done.clear()
    again.operation_done.connect(lambda operation, _phase: done.append(operation))
    again.start_run()
    wait_until(lambda: "reflect" in done, what="the end of Phase 1")
    again.approve()
    wait_until(lambda: "implement" in done, what="the end of Phase 2")
    view = again.changes_view
    view.select_file("shop/cart.py")
    view.set_hunk_accepted("shop/cart.py", 1, False)
    view.hunks.setCurrentRow(0)
    replay.delay = max(delay, 0.08)  # slow, so the shot lands mid-stream
    again.follow_up_edit.setText("Also accept the code SUMMER20, 20 % off")
    again.send_follow_up()
    bar = again.answer_view.editor.verticalScrollBar()
    bar.setValue(bar.maximum())  # scrolled to the end, the view follows the new text
    streamed = len(again.answer_view.text())
    wait_until(lambda: len(again.answer_view.text()) > streamed + 120, what="the follow-up's text")
    camera.window("10-window-changes-read-only-while-follow-up-streams", again)
    wait_until(lambda: "follow_up" in done, what="the end of the follow-up")
    replay.delay = delay

    shots: list[Path] = []

    def answer_no() -> None:  # runs inside the question's exec()
        box = QApplication.activeModalWidget()
        try:
            if not isinstance(box, QMessageBox) or box.windowTitle() != "Changes not applied":
                raise SystemExit("the question about changes not applied did not open")
            shots.append(camera.screen("11-window-changes-not-applied-question", window=again, dialog=box))
        finally:
            if isinstance(box, QMessageBox):
                box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(300, answer_no)
    again.start_run()
    if len(shots) != 1 or again.busy is not None:
        raise SystemExit("the question about changes not applied was not shot, or a run started")
    again.close()


def changes_view_scenes(camera: Camera, *, work: Path) -> None:
    """Close-ups of the review pane in a window of its own."""
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
    camera.window("pane-01-empty", window)

    root = fresh_codebase(work, "shop-pane")

    def load() -> None:
        view.set_changeset(ChangeSet.from_answer(answer, root=root), root=root,
                           backups_dir=backups)

    load()
    view.set_hunk_accepted("shop/cart.py", 1, False)
    view.hunks.setCurrentRow(0)
    camera.window("pane-02-changes", window)

    view.select_file("../../etc/passwd")
    camera.window("pane-03-rejected-path", window)

    view.set_accepted("shop/pricing.py", False)
    view.select_file("shop/cart.py")
    view.apply()
    camera.window("pane-04-applied", window)
    view.undo()

    load()
    cart = root / "shop" / "cart.py"
    original = cart.read_bytes()
    cart.write_text(cart.read_text(encoding="utf-8") + "\n# edited by hand meanwhile\n",
                    encoding="utf-8")
    view.apply()
    camera.window("pane-05-error-stale-file", window)
    cart.write_bytes(original)

    load()
    view.select_file("shop/pricing.py")
    view.edit_current()
    dialog = view.edit_dialog
    dialog.editor.setPlainText(dialog.text().replace("def percent_of(", "def percent_of(("))
    camera.screen("pane-06-edit-dialog", window=window, dialog=dialog)
    dialog.accept()
    camera.window("pane-07-python-warning", window)

    QApplication.instance().setPalette(dark_palette())
    load()
    view.set_hunk_accepted("shop/cart.py", 1, False)
    view.select_file("shop/cart.py")
    camera.window("pane-08-dark", window)
    QApplication.instance().setPalette(QApplication.style().standardPalette())

    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "base", cwd=root)
    (root / "README.md").write_text("# shop\n\nWork in progress.\n", encoding="utf-8")
    load()
    view.apply()
    box = view.pending_confirmation
    camera.screen("pane-09-uncommitted-files-question", window=window, dialog=box)
    if box is not None:
        box.reject()

    load()  # a run that wrote three answers while its checks failed: the kept one shown
    view.set_answer_choices(["Answer 1 (first answer, 1 repair): 2 problems after its checks",
                             "Answer 2 (written afresh): 1 problem after its checks",
                             "Answer 3 (sampled candidate): passes its checks · kept"], 2)
    camera.window("pane-10-answer-choices", window)

    # A whole-file answer for pricing.py that no longer parses (a colon missing): the review's
    # own rule leaves it unticked, the reason in the list and the notes.
    from desktop.core.review_ticks import set_review_ticks

    fence = "```"
    pricing = (root / "shop" / "pricing.py").read_text(encoding="utf-8")
    broken = pricing + ("\n\ndef percent_of(amount: float, percent: int) -> float\n"
                        '    """`percent` per cent of `amount`, rounded to cents."""\n'
                        "    return round_price(amount * percent / 100)\n")
    risky = (answer[:answer.index("shop/pricing.py\n")]
             + f"shop/pricing.py\n{fence}python\n{broken}{fence}\n\n"
             + answer[answer.index("shop/cart.py\n"):])
    changeset = ChangeSet.from_answer(risky, root=root)
    plan_text = (RECORDED / "plan.md").read_text(encoding="utf-8")
    unticked = set_review_ticks(changeset, plan_text=plan_text, other_files=lambda: [
        (p.relative_to(root).as_posix(), p.read_text(encoding="utf-8")) for p in root.rglob("*.py")])
    if not changeset.get("shop/pricing.py").flag:
        raise SystemExit(f"the broken pricing.py was not flagged: {unticked}")
    view.set_changeset(changeset, root=root, backups_dir=backups)
    view.set_answer_choices([], 0)  # one answer: the choices of pane-10 are not this run's
    view.select_file("shop/pricing.py")
    camera.window("pane-11-would-break-unticked", window)

    view.set_accepted("shop/pricing.py", True)  # ticked anyway: Apply asks first
    view.apply()
    box = view.pending_confirmation
    if box is None or box.windowTitle() != "A change would break a file":
        raise SystemExit("Apply did not ask about the change that would break a file")
    camera.screen("pane-12-would-break-question", window=window, dialog=box)
    box.reject()
    window.close()


class _Crash(BaseException):
    """The process dying mid-apply: nothing after it runs, and nothing catches it."""


def stop_apply_part_way(root: Path, answer: str, *, backups: Path, written: int) -> None:
    """Apply `answer` for real and 'die' after `written` files, leaving half a write beside the
    next one, as a kill -9 or a power cut does (the apply's manifest stays "applying")."""
    from desktop.core.apply import apply_changes
    from desktop.core.changes import ChangeSet

    changeset = ChangeSet.from_answer(answer, root=root)
    real, calls = os.replace, iter(range(10_000))

    def replace(src, dst):  # call 0 saves the manifest, then one call per file
        if next(calls) == written + 1:
            raise _Crash
        return real(src, dst)

    os.replace = replace
    try:
        apply_changes(changeset, backups_dir=backups)
    except _Crash:
        pass
    else:
        raise SystemExit(f"the apply to {root} was meant to stop part-way")
    finally:
        os.replace = real
    cut = [c.path for c in changeset.accepted()][written]
    target = root / cut
    (target.parent / f".{target.name}.k2j4x9_q.plansmith").write_bytes(b"def ")  # half a write


def big_codebase(work: Path, *, files: int) -> tuple[Path, str]:
    """A codebase of `files` modules and an answer that edits each of them and adds two."""
    root = work / "inventory-service"
    if root.exists():
        shutil.rmtree(root)
    fence = "```"
    parts = []
    for n in range(files):
        path = f"inventory/handlers/stock_{n:02d}.py"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"LIMIT = {n}\n", encoding="utf-8")
        parts.append(f"{path}\n{fence}python\n<<<<<<< SEARCH\nLIMIT = {n}\n=======\nLIMIT = {n + 100}\n"
                     f">>>>>>> REPLACE\n{fence}\n")
    for path in ("inventory/audit/log.py", "inventory/audit/__init__.py"):
        parts.append(f"{path}\n{fence}python\n<<<<<<< SEARCH\n=======\nAUDIT = True\n>>>>>>> REPLACE\n{fence}\n")
    return root, "\n".join(parts)


def recovery_scenes(camera: Camera, *, work: Path) -> None:
    """The window starts after two applies a crash stopped part-way: it asks about each in turn."""
    from PySide6.QtWidgets import QAbstractButton

    from desktop.core.apply_recovery import find_interrupted, roll_back_apply
    from desktop.llm.replay_engine import ReplayEngine
    from desktop.paths import AppPaths
    from desktop.settings import Settings
    from desktop.ui.main_window import MainWindow

    paths = AppPaths.default().ensure()
    # The newest is asked about first: the big one is made first, so the small one comes first.
    big, big_answer = big_codebase(work, files=20)
    stop_apply_part_way(big, big_answer, backups=paths.backups_dir, written=12)
    shop = fresh_codebase(work, "shop-recovery")
    answer = (RECORDED / "answer_two_files.md").read_text(encoding="utf-8")
    stop_apply_part_way(shop, answer, backups=paths.backups_dir, written=1)

    window = MainWindow(paths=paths, settings=Settings(model_path=str(work / "recorded-answers.gguf")),
                        engine_factory=lambda spec: ReplayEngine([]))
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    wait_until(lambda: window.recovery_prompt is not None, what="the recovery question")
    box = window.recovery_prompt
    camera.screen("recovery-01-question", window=window, dialog=box)

    details = next(b for b in box.findChildren(QAbstractButton) if b.text().startswith("Show Details"))
    details.click()
    camera.screen("recovery-02-details", window=window, dialog=box)

    box.finish_button.click()
    wait_until(lambda: window.recovery_prompt is not None and window.recovery_prompt is not box,
               what="the question about the second stopped apply")
    box = window.recovery_prompt
    camera.screen("recovery-03-finished-then-many-files", window=window, dialog=box)

    box.later_button.click()
    wait_until(lambda: window.recovery_prompt is None, what="the answer Later")
    camera.window("recovery-04-later", window)

    # A file the stopped apply wrote, edited since: Finish and Roll back are refused until it is put back.
    edited = big / "inventory" / "handlers" / "stock_03.py"
    written = edited.read_bytes()
    edited.write_text("LIMIT = 3  # by hand\n", encoding="utf-8")
    window.set_codebase(big)
    wait_until(lambda: window.recovery_prompt is not None, what="the question about the edited apply")
    box = window.recovery_prompt
    camera.screen("recovery-05-file-changed-since", window=window, dialog=box)
    box.finish_button.click()
    wait_until(lambda: window.recovery_prompt is None, what="the refused Finish")
    camera.window("recovery-06-finish-refused", window)
    edited.write_bytes(written)
    window.close()
    for item in find_interrupted(paths.backups_dir):  # later windows would ask about it again
        roll_back_apply(item, backups_dir=paths.backups_dir)


def settings_scenes(camera: Camera, *, work: Path) -> None:
    """The Settings dialog as the window opens it (modal, over the window), for each engine."""
    from desktop.llm.replay_engine import ReplayEngine
    from desktop.paths import AppPaths
    from desktop.settings import Settings
    from desktop.ui.main_window import MainWindow

    paths = AppPaths.default().ensure()
    root = fresh_codebase(work, "shop-settings")
    window = MainWindow(paths=paths, settings=Settings(model_path=str(work / "recorded-answers.gguf")),
                        engine_factory=lambda spec: ReplayEngine([]))
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    window.set_codebase(root)
    wait_until(lambda: window.codebase is not None, what="the codebase scan")
    shots: list[Path] = []

    def shoot() -> None:  # runs inside the dialog's exec()
        dialog = QApplication.activeModalWidget()
        try:
            if dialog is None:
                raise SystemExit("the Settings dialog did not open")
            shots.append(camera.screen("settings-01-local-engine", window=window, dialog=dialog))
            dialog.engine.setCurrentIndex(dialog.engine.findData("server"))
            dialog.server_url.setText("http://models.internal:8080")
            shots.append(camera.screen("settings-02-team-server", window=window, dialog=dialog))
            dialog.engine.setCurrentIndex(dialog.engine.findData("local"))
            dialog.temperature.setValue(0.3)  # prompt lookup waits: it serves greedy answers only
            shots.append(camera.screen("settings-03-temperature-above-0", window=window, dialog=dialog))
            dialog.temperature.setValue(0.0)
            QApplication.instance().setPalette(dark_palette())
            shots.append(camera.screen("settings-04-dark", window=window, dialog=dialog))
            size = dialog.frameGeometry()
            print(f"    dialog {size.width()}x{size.height()} at ({size.x()}, {size.y()})")
        finally:
            QApplication.instance().setPalette(QApplication.style().standardPalette())
            if dialog is not None:
                dialog.reject()

    QTimer.singleShot(300, shoot)
    window.open_settings()
    if len(shots) != 4:
        raise SystemExit("the Settings scenes did not all run")
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "screenshots",
                        help="folder for the PNGs (default: screenshots/)")
    parser.add_argument("--only", choices=("window", "pane", "recovery", "settings"),
                        help="only the main window's states, the review pane's close-ups, the "
                             "stopped-apply question, or the Settings dialog")
    parser.add_argument("--delay", type=float, default=0.012,
                        help="seconds per replayed piece of model text (default: 0.012)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="plansmith-shots-") as tmp:
        work = Path(tmp)
        os.environ["PLANSMITH_HOME"] = str(work / "home")  # never the user's own folders
        from desktop.ui.app import create_app

        app = create_app([sys.argv[0]])  # the app's own setup: names, icon, style sheet
        app.setStyle("Fusion")  # the same look on every machine the script runs on
        app.setPalette(app.style().standardPalette())
        camera = Camera(out)
        print(f"Screenshots ({QGuiApplication.platformName()}) into {out}:")
        if args.only in (None, "window"):
            main_window_scenes(camera, work=work, delay=args.delay)
        if args.only in (None, "pane"):
            changes_view_scenes(camera, work=work)
        if args.only in (None, "recovery"):
            recovery_scenes(camera, work=work)
        if args.only in (None, "settings"):
            settings_scenes(camera, work=work)
        app.processEvents()
    print(f"{len(camera.taken)} screenshots.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
