"""The main window: plan, codebase and model on the left; Phase 1 and Phase 2 on the right.

The window renders state and emits intent. All model work happens in RunWorker on its own
thread, reached only through the queued *_requested signals below; scanning and model
listing happen in IoWorker on another. Results come back to @Slot methods here.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QMessageBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.answer_choices import AnswerChoice, answer_choices, changeset_for
from desktop.core.apply_recovery import find_interrupted
from desktop.core.changes import ChangeSet
from desktop.core.codebase import Codebase, RankedFile
from desktop.core.plan import Plan, plan_from_text, read_plan
from desktop.core.records import RunRecord
from desktop.core.review_ticks import carry_ticks, codebase_texts
from desktop.core.run_settings import run_options
from desktop.core.turns import Turn
from desktop.errors import ModelFileError, PlanError, PlansmithError, SettingsError
from desktop.paths import AppPaths
from desktop.settings import Settings, load_settings, save_settings
from desktop.ui.changes_view import ChangesView
from desktop.ui.context_panel import ContextPanel
from desktop.ui.drop_zone import DropZone
from desktop.ui.recovery_dialog import RecoveryDialog
from desktop.ui.status import Banner, RunStatus
from desktop.ui.stream_view import StreamView
from desktop.ui.workers import (
    EngineFactory,
    EngineSpec,
    IoWorker,
    ModelState,
    RunRequest,
    RunWorker,
    ScanRequest,
    start_in_thread,
    stop_thread,
)

log = logging.getLogger(__name__)

_BUSY_LABELS = {"reflect": "Phase 1", "implement": "Phase 2", "follow_up": "Follow-up", "prepare": "Packing the context"}


class MainWindow(QMainWindow):
    # The app sets this: with no model installed, the model manager opens in first-run mode.
    offer_first_run = False

    # To RunWorker (queued: it lives in its own thread).
    prepare_requested = Signal(object)
    reflect_requested = Signal(object)
    implement_requested = Signal(object)
    follow_up_requested = Signal(object)
    release_requested = Signal()
    review_save_requested = Signal(str, object, int)  # run id, the reviewed ChangeSet as a dict, its answer (0: none)
    shutdown_requested = Signal()
    # To IoWorker.
    scan_requested = Signal(object)
    models_requested = Signal(object)
    # For tests and the benchmark: an operation ended and the window has shown its result.
    operation_done = Signal(str, str)  # operation, the run's phase

    def __init__(
        self,
        *,
        paths: AppPaths | None = None,
        settings: Settings | None = None,
        engine_factory: EngineFactory | None = None,
    ) -> None:
        super().__init__()
        self.paths = (paths or AppPaths.default()).ensure()
        settings_problem = ""
        if settings is None:
            try:
                settings = load_settings(self.paths.settings_file)
            except SettingsError as exc:
                settings, settings_problem = Settings(), f"{exc} Default settings are used until you save new ones."
        self.settings = settings
        self.plan: Plan | None = None
        self.codebase_root: Path | None = None
        self.codebase: Codebase | None = None
        self.ranked: list[RankedFile] | None = None
        self.model_path: Path | None = Path(settings.model_path) if settings.model_path else None
        self.changeset: ChangeSet | None = None
        self.busy: str | None = None  # the RunWorker operation under way
        self.phase = "idle"
        self.run_id: str | None = None
        self.last_stop_latency: float | None = None  # seconds from Stop to the worker's end of work
        self._stop: threading.Event | None = None
        self._stop_pressed_at: float | None = None
        self._scan: ScanRequest | None = None
        self._record: RunRecord | None = None  # a reopened run, continued by the next Phase 2 or follow-up
        self._detached = False  # a reopened run that cannot be continued is shown for reading only
        self._op_failed = False
        self._answers = False  # Phase 2 has produced an answer in this run
        self._turns: list[Turn] = []  # the run's turns, for the answers the review can open
        self._choices: list[AnswerChoice] = []  # those answers, when the run wrote more than one
        self._shown_choice = 0  # the row of _choices whose changes the review shows
        self._target: StreamView | None = None
        self._context_size = 0  # of the loaded model
        self._loaded: ModelState | None = None
        self._shut_down = False
        self.recovery_prompt: RecoveryDialog | None = None  # open while it asks about a stopped apply
        self._recovery_root: Path | None = None  # the codebase it asks about (None: any)

        self.setWindowTitle("Plansmith")
        self.setMinimumSize(960, 600)
        self._build()
        self._build_actions()
        self._start_workers(engine_factory)
        self.drop_zone.set_recent(self.settings.recent_plans)
        self._show_model_choice()
        self._update_actions()
        if settings_problem:
            self.banner.show_message(settings_problem, kind="warning")
        # Listing models reads their headers: after the window is up, off the GUI thread.
        QTimer.singleShot(0, self.refresh_models)
        QTimer.singleShot(0, self.ask_about_stopped_applies)

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = Banner()
        self.drop_zone = DropZone()
        self.drop_zone.plan_chosen.connect(self.load_plan)
        self.drop_zone.open_requested.connect(self.open_plan_dialog)

        self.model_combo = QComboBox()
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.setMinimumContentsLength(16)
        self.model_combo.setToolTip("Installed models")
        self.model_combo.activated.connect(self._model_chosen)
        self.model_info = QLabel()
        self.model_info.setObjectName("muted")
        self.model_info.setWordWrap(True)
        self.model_file_button = QPushButton("File…")
        self.model_file_button.setToolTip("Use a .gguf model file from anywhere on this computer")
        self.model_file_button.clicked.connect(self.open_model_dialog)
        self.model_manager_button = QPushButton("Manage models…")
        self.model_manager_button.clicked.connect(self.open_model_manager)
        model_box = QGroupBox("Model")
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.model_file_button)
        model_layout = QVBoxLayout(model_box)
        model_layout.addLayout(model_row)
        model_layout.addWidget(self.model_info)
        model_layout.addWidget(self.model_manager_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.context_panel = ContextPanel()
        self.context_panel.choose_folder_requested.connect(self.open_codebase_dialog)
        self.context_panel.check_requested.connect(self.check_context)
        self.context_panel.check_command_edited.connect(self._set_check_command)
        codebase_box = QGroupBox("Codebase")
        QVBoxLayout(codebase_box).addWidget(self.context_panel)

        plan_box = QGroupBox("Plan")
        QVBoxLayout(plan_box).addWidget(self.drop_zone)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(plan_box)
        left_layout.addWidget(model_box)
        left_layout.addWidget(codebase_box, 1)

        # Phase 1
        self.reflection_view = StreamView(placeholder="The model's reflection on the plan appears here (Run, Ctrl+R).")
        self.edit_button = QPushButton("Edit")
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip("Edit the reflection before Phase 2; the model follows your version")
        self.edit_button.toggled.connect(self._toggle_editing)
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.clicked.connect(self.regenerate)
        self.approve_button = QPushButton("Approve && implement")
        self.approve_button.setDefault(True)
        self.approve_button.clicked.connect(self.approve)
        phase1_buttons = QHBoxLayout()
        phase1_buttons.addStretch(1)
        for b in (self.edit_button, self.regenerate_button, self.approve_button):
            phase1_buttons.addWidget(b)
        phase1 = QWidget()
        phase1_layout = QVBoxLayout(phase1)
        phase1_layout.addWidget(self.reflection_view, 1)
        phase1_layout.addLayout(phase1_buttons)

        # Phase 2
        self.answer_view = StreamView(placeholder="The implementation streams in here after you approve the reflection.", monospace=True)
        self.changes_view = ChangesView()
        self.follow_up_edit = QLineEdit()
        self.follow_up_edit.setPlaceholderText("A further instruction to revise the answer, e.g. “also handle empty input”")
        self.follow_up_edit.returnPressed.connect(self.send_follow_up)
        self.follow_up_button = QPushButton("Send follow-up")
        self.follow_up_button.clicked.connect(self.send_follow_up)
        follow_row = QHBoxLayout()
        follow_row.addWidget(self.follow_up_edit, 1)
        follow_row.addWidget(self.follow_up_button)
        phase2_split = QSplitter(Qt.Orientation.Vertical)
        phase2_split.addWidget(self.answer_view)
        phase2_split.addWidget(self.changes_view)
        phase2_split.setSizes([220, 380])
        self.phase2_split = phase2_split
        phase2 = QWidget()
        phase2_layout = QVBoxLayout(phase2)
        phase2_layout.addWidget(phase2_split, 1)
        phase2_layout.addLayout(follow_row)

        self.tabs = QTabWidget()
        self.tabs.addTab(phase1, "1 · Reflection")
        self.tabs.addTab(phase2, "2 · Implementation")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([400, 880])
        split.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

        self.status = RunStatus()
        self.statusBar().addWidget(self.status, 1)

    def _action(self, name: str, *, text: str, slot, shortcuts: tuple[str, ...] = (), tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            tip = f"{tip or text.replace('&', '').replace('…', '')} ({shortcuts[0]})"
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.actions[name] = action
        self.addAction(action)  # shortcuts work wherever the focus is in this window
        return action

    def _build_actions(self) -> None:
        self.actions: dict[str, QAction] = {}
        a = self._action
        a("open_plan", text="&Open plan…", slot=self.open_plan_dialog, shortcuts=("Ctrl+O",))
        a("choose_codebase", text="Choose &codebase folder…", slot=self.open_codebase_dialog, shortcuts=("Ctrl+Shift+O",))
        a("history", text="&History…", slot=self.open_history, shortcuts=("Ctrl+H",))
        a("settings", text="&Settings…", slot=self.open_settings, shortcuts=("Ctrl+,",))
        a("quit", text="&Quit", slot=self.close, shortcuts=("Ctrl+Q",))
        a("run", text="&Run", slot=self.start_run, shortcuts=("Ctrl+R",), tip="Start Phase 1: the model reflects on the plan")
        a("stop", text="&Stop", slot=self.stop, shortcuts=("Esc",), tip="Stop the model; the text so far stays")
        a("regenerate", text="Re&generate reflection", slot=self.regenerate)
        a("approve", text="&Approve && implement", slot=self.approve, shortcuts=("Ctrl+Return", "Ctrl+Enter"), tip="Approve the reflection and run Phase 2")
        a("apply", text="A&pply changes", slot=self.apply_changes, shortcuts=("Ctrl+Shift+A",), tip="Write the accepted changes to the codebase")
        a("model_file", text="Use a model &file…", slot=self.open_model_dialog)
        a("model_manager", text="&Manage models…", slot=self.open_model_manager)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.actions["open_plan"])
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.actions["choose_codebase"])
        file_menu.addSeparator()
        file_menu.addAction(self.actions["history"])
        file_menu.addAction(self.actions["settings"])
        file_menu.addSeparator()
        file_menu.addAction(self.actions["quit"])
        run_menu = menu.addMenu("&Run")
        for name in ("run", "stop", "regenerate", "approve", "apply"):
            run_menu.addAction(self.actions[name])
        model_menu = menu.addMenu("&Model")
        model_menu.addAction(self.actions["model_file"])
        model_menu.addAction(self.actions["model_manager"])
        help_menu = menu.addMenu("&Help")
        help_menu.addAction("&About Plansmith", self._show_about)

        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("runToolbar")
        toolbar.setMovable(False)
        for name in ("run", "stop", "approve", "apply"):
            toolbar.addAction(self.actions[name])
        toolbar.addSeparator()
        toolbar.addAction(self.actions["history"])
        toolbar.addAction(self.actions["settings"])

    def _start_workers(self, engine_factory: EngineFactory | None) -> None:
        self.worker = RunWorker(paths=self.paths, engine_factory=engine_factory)
        w = self.worker
        self.prepare_requested.connect(w.prepare)
        self.reflect_requested.connect(w.reflect)
        self.implement_requested.connect(w.implement)
        self.follow_up_requested.connect(w.follow_up)
        self.release_requested.connect(w.release_engine)
        self.review_save_requested.connect(w.save_review)
        w.review_not_saved.connect(self._on_review_not_saved)  # a method, not a lambda: queued to this thread
        self.changes_view.review_changed.connect(self._on_review_changed)
        self.changes_view.answer_chosen.connect(self.open_answer)
        self.shutdown_requested.connect(w.shutdown)
        w.model_loading.connect(self._on_model_loading)
        w.model_loaded.connect(self._on_model_loaded)
        w.model_released.connect(self._on_model_released)
        w.context_ready.connect(self._on_context_ready)
        w.phase_changed.connect(self._on_phase_changed)
        w.text_ready.connect(self._on_text)
        w.prompt_progress.connect(self._on_prompt_progress)
        w.turn_done.connect(self._on_turn_done)
        w.notice.connect(self._on_notice)
        w.reflection_ready.connect(self._on_reflection_ready)
        w.answers_ready.connect(self._on_answers)  # a method, not a lambda: queued to this thread
        w.changeset_ready.connect(self._on_changeset)
        w.record_saved.connect(self._on_record_saved)
        w.failed.connect(self._on_failed)
        w.finished.connect(self._on_finished)
        self.run_thread = start_in_thread(w, name="plansmith-model")

        self.io_worker = IoWorker(paths=self.paths)
        io = self.io_worker
        self.scan_requested.connect(io.scan)
        self.models_requested.connect(io.list_models)
        io.scan_progress.connect(self._on_scan_progress)
        io.scan_finished.connect(self._on_scan_finished)
        io.scan_failed.connect(self._on_scan_failed)
        io.models_listed.connect(self._on_models_listed)
        io.models_failed.connect(self._on_models_failed)
        self.io_thread = start_in_thread(io, name="plansmith-files")

    # -- enabling ---------------------------------------------------------------------------

    def _update_actions(self) -> None:
        busy = self.busy is not None
        scanning = self._scan is not None
        can_run = self.plan is not None and self.codebase is not None and not busy and not scanning
        has_reflection = bool(self.reflection_view.text().strip())
        self.actions["run"].setEnabled(can_run)
        self.actions["regenerate"].setEnabled(can_run and has_reflection)
        self.actions["stop"].setEnabled(busy or scanning)
        continuing = self._record is not None  # a reopened run needs its folder scanned first
        self.actions["approve"].setEnabled(not busy and has_reflection and not self._detached and not (continuing and scanning))
        self.actions["apply"].setEnabled(not busy and self.changeset is not None and bool(self.changeset.accepted()))
        self.regenerate_button.setEnabled(self.actions["regenerate"].isEnabled())
        self.approve_button.setEnabled(self.actions["approve"].isEnabled())
        self.edit_button.setEnabled(not busy and has_reflection)
        can_follow = not busy and not self._detached and self._shows_kept_answer() and (
            self._answers or (continuing and not scanning and len(self._record.get("turns") or []) > 1)
        )
        self.follow_up_edit.setEnabled(can_follow)
        self.follow_up_button.setEnabled(can_follow)
        self.context_panel.check_button.setEnabled(can_run)
        self.context_panel.choose_button.setEnabled(not busy)
        self.drop_zone.setEnabled(not busy)
        self.model_combo.setEnabled(not busy)
        self.model_file_button.setEnabled(not busy)
        self.actions["open_plan"].setEnabled(not busy)
        self.actions["choose_codebase"].setEnabled(not busy)
        self.actions["history"].setEnabled(not busy)
        self.actions["settings"].setEnabled(not busy)
        self.actions["model_file"].setEnabled(not busy)
        self.changes_view.set_read_only(busy)

    # -- the plan -------------------------------------------------------------------------

    @Slot()
    def open_plan_dialog(self) -> None:
        start = str(Path(self.settings.recent_plans[0]).parent) if self.settings.recent_plans else str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "Open plan", start, "Plans (*.md *.markdown *.txt);;All files (*)")
        if chosen:
            self.load_plan(Path(chosen))

    @Slot(Path)
    def load_plan(self, path: Path) -> bool:
        """Read the plan (dropped, opened or recent); PlanError shows inline and keeps the old plan."""
        if self.busy:
            return False
        path = Path(path).expanduser().absolute()
        try:
            plan = read_plan(path, max_bytes=self.settings.plan_max_bytes)
        except PlanError as exc:
            self.drop_zone.show_error(str(exc))
            return False
        if self.plan is None or plan.sha256 != self.plan.sha256:
            self._clear_run_views()  # the shown reflection and answers belong to the old plan
        self._set_plan(plan, detail=f"{path.name} · {len(plan.text):,} characters · {len(plan.sections)} sections")
        remembered = self.settings.codebase_for_plan.get(str(path))
        self.settings.remember_plan(path, None if remembered else self.codebase_root)
        self._save_settings()
        self.drop_zone.set_recent(self.settings.recent_plans)
        if remembered and Path(remembered).is_dir() and Path(remembered) != self.codebase_root:
            self.set_codebase(Path(remembered))
        elif self.codebase is not None:
            self._rank_again()  # the same folder, ranked against the new plan
        elif self.codebase_root is not None:
            self.set_codebase(self.codebase_root)  # a scan under way ranks for the old plan: start again
        return True

    def _set_plan(self, plan: Plan, *, detail: str) -> None:
        self.plan = plan
        self._record, self._detached = None, False
        self.drop_zone.show_plan(title=plan.title, detail=detail)
        self.setWindowTitle(f"{plan.title} — Plansmith")
        self._update_actions()

    def _clear_run_views(self) -> None:
        self.edit_button.setChecked(False)
        self.reflection_view.clear()
        self.answer_view.clear()
        self._answers = False
        if self.changeset is not None:
            self.changes_view.set_changeset(ChangeSet(self.changeset.root), root=self.changeset.root, backups_dir=self.paths.backups_dir)
        self.changeset = None
        self._show_choices([], number=None)
        self.phase = "idle"
        self.status.set_phase("idle")

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for p in self.settings.recent_plans:
            action = self.recent_menu.addAction(p)
            action.triggered.connect(lambda _checked=False, p=p: self.load_plan(Path(p)))
        if not self.settings.recent_plans:
            self.recent_menu.addAction("No recent plans").setEnabled(False)

    # -- the codebase ---------------------------------------------------------------------

    @Slot()
    def open_codebase_dialog(self) -> None:
        start = str(self.codebase_root or (self.plan.path.parent if self.plan and self.plan.path else Path.home()))
        folder = QFileDialog.getExistingDirectory(self, "Codebase folder", start)
        if folder:
            self.set_codebase(Path(folder))

    def set_codebase(self, path: Path) -> None:
        """The folder the dialog picked (tests call this too): remember it for the plan, scan it."""
        path = Path(path).expanduser().absolute()
        self._cancel_scan()
        self.codebase_root, self.codebase, self.ranked = path, None, None
        self.context_panel.clear()
        self.context_panel.show_folder(path, check_command=self.settings.check_command_for(path))
        if self.plan is not None and self.plan.path is not None:
            self.settings.remember_plan(self.plan.path, path)
            self._save_settings()
        self._start_scan(ScanRequest(root=path, plan=self.plan, max_file_bytes=self.settings.file_max_bytes))
        self.ask_about_stopped_applies(root=path)

    @Slot()
    def ask_about_stopped_applies(self, root: Path | None = None) -> None:
        """If an apply (to root, or to any codebase) stopped part-way, ask to finish or roll it back."""
        if self.recovery_prompt is not None or self._shut_down:
            return
        found = find_interrupted(self.paths.backups_dir, root=root)
        if not found:
            return
        box = RecoveryDialog(found[0], backups_dir=self.paths.backups_dir, parent=self)
        # A method, not a lambda: a lambda's receiver outlived the dialog deleted under it and
        # crashed PySide6 ("shared QObject was deleted directly").
        box.resolved.connect(self._on_recovery_answered)
        self.recovery_prompt, self._recovery_root = box, root
        box.open()

    @Slot(str, str, bool)
    def _on_recovery_answered(self, message: str, kind: str, done: bool) -> None:
        if self.recovery_prompt is not None:
            self.recovery_prompt.deleteLater()
            self.recovery_prompt = None
        self.banner.show_message(message, kind=kind)
        if done:
            self.ask_about_stopped_applies(root=self._recovery_root)  # another codebase's may be waiting too

    def _rank_again(self) -> None:
        self._cancel_scan()
        self._start_scan(ScanRequest(root=self.codebase_root, plan=self.plan, max_file_bytes=self.settings.file_max_bytes, codebase=self.codebase))

    def _start_scan(self, request: ScanRequest) -> None:
        self._scan = request
        self.context_panel.show_scanning(0)
        self.status.show_busy("Scanning the codebase…" if request.codebase is None else "Ranking the files…")
        self._update_actions()
        self.scan_requested.emit(request)

    def _cancel_scan(self) -> None:
        if self._scan is not None:
            self._scan.cancel.set()
            self._scan = None
            self.status.hide_progress()

    @Slot(object, int)
    def _on_scan_progress(self, request: ScanRequest, seen: int) -> None:
        if request is self._scan:
            self.context_panel.show_scanning(seen)
            self.status.show_busy(f"Scanning the codebase: {seen:,} files looked at")

    @Slot(object, object, object)
    def _on_scan_finished(self, request: ScanRequest, codebase: Codebase, ranked) -> None:
        if request is not self._scan:
            return  # a newer scan replaced it
        self._scan = None
        self.codebase, self.ranked = codebase, ranked
        self.context_panel.set_files(codebase, ranked)
        if not self.busy:
            self.status.hide_progress()
        self._update_actions()

    @Slot(object, str)
    def _on_scan_failed(self, request: ScanRequest, message: str) -> None:
        if request is not self._scan:
            return
        self._scan = None
        self.status.hide_progress()
        self.context_panel.show_error(message or "The scan was stopped. Choose the folder again to scan it.")
        self._update_actions()

    # -- the model ------------------------------------------------------------------------

    @Slot()
    def refresh_models(self) -> None:
        self.models_requested.emit(self.settings)

    @Slot(object, object)
    def _on_models_listed(self, models, default) -> None:
        if self.model_path is None and default is not None:
            self.model_path = Path(default.path)
        self.model_combo.clear()
        for m in models:
            size = f"{m.size / 1e9:.1f} GB" if m.size >= 1e8 else f"{m.size / 1e6:.0f} MB"
            self.model_combo.addItem(f"{m.name} ({size})", str(m.path))
            index = self.model_combo.count() - 1
            self.model_combo.setItemData(index, m.problem or str(m.path), Qt.ItemDataRole.ToolTipRole)
            if m.problem:
                self.model_combo.model().item(index).setEnabled(False)
        self._show_model_choice()
        if self.offer_first_run and not models and self.model_path is None:
            self.offer_first_run = False  # once per launch: the user may well close it
            QTimer.singleShot(0, lambda: self.open_model_manager(first_run=True))

    @Slot(str)
    def _on_models_failed(self, message: str) -> None:
        self.banner.show_message(message, kind="warning")
        self._show_model_choice()

    def _show_model_choice(self) -> None:
        """Select the chosen model in the switcher (adding it when it is a file from elsewhere)."""
        if self._uses_server():
            state = self._loaded
            name = self.settings.server_model or "the server's model"
            self.model_info.setText(f"Team server {self.settings.server_url} · {name}"
                                    + (f" · context {state.context_size:,} tokens" if state is not None else
                                       " (Settings › Engine)"))
            self.model_info.setToolTip(state.backend if state is not None else "")
            return
        if self.model_path is None:
            self.model_info.setText("No model installed: download one with Manage models…, or use a .gguf file.")
            return
        index = self.model_combo.findData(str(self.model_path))
        if index < 0:
            self.model_combo.addItem(self.model_path.stem, str(self.model_path))
            index = self.model_combo.count() - 1
            self.model_combo.setItemData(index, str(self.model_path), Qt.ItemDataRole.ToolTipRole)
        self.model_combo.setCurrentIndex(index)
        state = self._loaded
        if state is not None:
            where = "GPU" if any(k in state.backend for k in ("GPU", "CUDA", "Metal", "Vulkan")) else "CPU"
            self.model_info.setText(f"{state.name} · {where} · context {state.context_size:,} tokens")
            self.model_info.setToolTip(state.backend)
        else:
            self.model_info.setText(f"{self.model_path.name}: loads when a run starts (context {self.settings.context_size:,}).")
            self.model_info.setToolTip("")

    @Slot(int)
    def _model_chosen(self, index: int) -> None:
        path = self.model_combo.itemData(index)
        if path:
            self.select_model(Path(path))

    def select_model(self, path: Path) -> None:
        if self.model_path == Path(path):
            return
        self.model_path = Path(path)
        self.settings.model_path = str(path)
        self._save_settings()
        self.release_requested.emit()  # free the old model's memory now; the new one loads lazily
        self._loaded = None
        self._show_model_choice()

    @Slot()
    def open_model_dialog(self) -> None:
        start = str(self.model_path.parent if self.model_path else self.paths.models_dir)
        chosen, _ = QFileDialog.getOpenFileName(self, "Model file", start, "GGUF models (*.gguf);;All files (*)")
        if chosen:
            self.select_model_file(Path(chosen))

    def select_model_file(self, path: Path) -> bool:
        """A .gguf picked by hand: its header is checked now, so a bad file is refused with a reason."""
        from desktop.llm.gguf_file import inspect_gguf  # reads the header only; no llama_cpp

        try:
            inspect_gguf(Path(path))
        except ModelFileError as exc:
            self.banner.show_message(str(exc), kind="error")
            return False
        self.banner.dismiss()
        self.select_model(Path(path))
        return True

    @Slot()
    def open_model_manager(self, first_run: bool = False) -> None:
        # Imported here: the manager pulls in the download stack, which the window does not need to open.
        from desktop.ui.model_manager import ModelManagerDialog

        dialog = ModelManagerDialog(paths=self.paths, settings=self.settings, parent=self, first_run=first_run)
        dialog.exec()
        if dialog.installed_path is not None:
            self.select_model(Path(dialog.installed_path))
        self.refresh_models()

    @Slot(str)
    def _on_model_loading(self, name: str) -> None:
        self._loaded = None
        self.status.show_busy(f"Loading {name}…")
        self.model_info.setText(f"Loading {name}…")

    @Slot(object)
    def _on_model_loaded(self, state: ModelState) -> None:
        self.status.hide_progress()
        self._loaded = state
        self._show_model_choice()
        self._context_size = state.context_size
        self.status.set_context_size(state.context_size)
        if state.fallback_reason:
            self.banner.show_message(state.fallback_reason, kind="warning")

    @Slot()
    def _on_model_released(self) -> None:
        self._loaded = None
        self._show_model_choice()

    # -- running --------------------------------------------------------------------------

    def _uses_server(self) -> bool:
        return self.settings.engine == "server" and bool(self.settings.server_url)

    def _request(self, **fields) -> RunRequest | None:
        if self.model_path is None and not self._uses_server():
            self.banner.show_message(
                "No model is chosen. Download one with Manage models…, or use a .gguf file (Model › Use a model file…).",
                kind="error",
            )
            return None
        self._stop = threading.Event()
        return RunRequest(
            engine=EngineSpec.from_settings(self.settings, model_path=self.model_path),
            options=run_options(self.settings, paths=self.paths, codebase=self.codebase_root),
            stop=self._stop,
            **fields,
        )

    def _begin(self, operation: str, *, target: StreamView | None) -> None:
        self.busy = operation
        self._target = target
        self._op_failed = False
        self._stop_pressed_at = None
        self.banner.dismiss()
        self.status.start_clock()
        self.status.set_phase({"prepare": "Packing the context"}.get(operation, "Starting"))
        self._update_actions()

    def _run_inputs(self) -> dict:
        return dict(
            plan=self.plan,
            codebase=self.codebase,
            ranked=self.ranked,
            pinned=self.context_panel.pinned(),
            dropped=self.context_panel.dropped(),
        )

    @Slot()
    def start_run(self, *, new_run: bool = True) -> None:
        """Phase 1 (Ctrl+R). new_run=False redoes the current run's Phase 1 (Regenerate)."""
        if not self.actions["run"].isEnabled():
            return
        if self.changes_view.has_unapplied_changes():
            answer = QMessageBox.question(
                self, "Changes not applied",
                "The reviewed changes of this run are not applied. A new Phase 1 replaces them in the "
                "window (the run stays in History, without hand edits made since). Go on?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        request = self._request(new_run=new_run, **self._run_inputs())
        if request is None:
            return
        # A new Phase 1 supersedes a reopened record (Regenerate of a reopened run starts a new one).
        self._record, self._detached = None, False
        self.edit_button.setChecked(False)
        self.reflection_view.clear()
        self.answer_view.clear()
        self._answers = False
        self.changeset = None
        self._show_choices([], number=None)  # the old run's answers are no longer to be opened
        self.tabs.setCurrentIndex(0)
        self._begin("reflect", target=self.reflection_view)
        self.reflect_requested.emit(request)

    @Slot()
    def regenerate(self) -> None:
        self.start_run(new_run=False)

    @Slot()
    def check_context(self) -> None:
        if self.plan is None or self.codebase is None or self.busy:
            return
        request = self._request(**self._run_inputs())
        if request is not None:
            self._begin("prepare", target=None)
            self.prepare_requested.emit(request)

    @Slot(bool)
    def _toggle_editing(self, editing: bool) -> None:
        self.reflection_view.set_editing(editing)
        self.edit_button.setText("Preview" if editing else "Edit")

    @Slot()
    def approve(self) -> None:
        """Phase 2 with the reflection as shown (the user's edit, when there is one). Ctrl+Enter."""
        if self.follow_up_edit.hasFocus() and self.follow_up_button.isEnabled():
            self.send_follow_up()  # Ctrl+Enter in the follow-up box sends it
            return
        if not self.actions["approve"].isEnabled():
            return
        edited = self.reflection_view.is_edited()
        text = self.reflection_view.text()
        if not text.strip():
            self.banner.show_message("The reflection is empty: write one, or run Phase 1 first.", kind="error")
            return
        request = self._request(text=text if edited else None, record=self._record, **self._run_inputs())
        if request is None:
            return
        self.edit_button.setChecked(False)
        self.answer_view.clear()
        self.changeset = None
        self.tabs.setCurrentIndex(1)
        self._begin("implement", target=self.answer_view)
        self.implement_requested.emit(request)

    @Slot()
    def send_follow_up(self) -> None:
        instruction = self.follow_up_edit.text().strip()
        if not instruction or not self.follow_up_button.isEnabled():
            return
        edited = [c.path for c in (self.changeset.changes if self.changeset else []) if c.edited]
        if edited:
            answer = QMessageBox.question(
                self, "Hand edits",
                "A follow-up revises the model's answer, so your hand edits to " + ", ".join(edited[:5])
                + (f" and {len(edited) - 5} more" if len(edited) > 5 else "") + " are replaced by the revised "
                "answer. Go on?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        request = self._request(text=instruction, record=self._record, **self._run_inputs())
        if request is None:
            return
        self.follow_up_edit.clear()
        self.tabs.setCurrentIndex(1)
        self.answer_view.show_plain()
        self.answer_view.append(f"\n\n――― Follow-up: {instruction} ―――\n\n")
        self.answer_view.scroll_to_end()  # the revision is followed as it streams
        self._begin("follow_up", target=self.answer_view)
        self.follow_up_requested.emit(request)

    @Slot()
    def stop(self) -> None:
        """Esc: the worker checks the event between tokens and while reading the prompt."""
        if self.busy and self._stop is not None and not self._stop.is_set():
            self._stop_pressed_at = time.perf_counter()
            self._stop.set()
            self.status.set_phase("Stopping…")
        elif self._scan is not None:
            self._cancel_scan()
            self.context_panel.show_error("The scan was stopped. Choose the folder again to scan it.")
            self._update_actions()

    @Slot()
    def apply_changes(self) -> None:
        if self.actions["apply"].isEnabled():
            self.tabs.setCurrentIndex(1)
            self.changes_view.apply()

    # -- what the worker reports -------------------------------------------------------------

    @Slot(object)
    def _on_context_ready(self, pack) -> None:
        self.context_panel.set_pack(pack)

    @Slot(str)
    def _on_phase_changed(self, phase: str) -> None:
        self.phase = phase
        if not (self._stop is not None and self._stop.is_set() and phase in ("reflecting", "implementing")):
            self.status.set_phase(phase)

    @Slot(str, object)
    def _on_text(self, text: str, stats) -> None:
        if self._target is not None:
            self._target.append(text)
        self.status.set_figures(
            generated=stats.generated,
            tokens_per_second=stats.tokens_per_second,
            prompt_tokens=stats.prompt_tokens,
            context_size=stats.context_size,
        )

    @Slot(int, int)
    def _on_prompt_progress(self, done: int, total: int) -> None:
        self.status.show_prompt_progress(done, total)

    @Slot(str, object)
    def _on_turn_done(self, kind: str, usage) -> None:
        self.status.hide_progress()
        self.status.set_figures(
            generated=usage.generated_tokens,
            # A rate over a few milliseconds says nothing (a replayed or one-token answer).
            tokens_per_second=usage.tokens_per_second if usage.generate_seconds >= 0.05 else 0.0,
            prompt_tokens=usage.prompt_tokens,
            context_size=self._context_size,
        )
        if usage.finish_reason == "length":
            limit = "Max reflection tokens" if kind == "reflection" else "Max answer tokens"
            self.banner.show_message(
                f"The {kind} reached its length limit ({usage.generated_tokens} tokens) and may be cut short. "
                f"Raise {limit} in Settings if it needs more room.",
                kind="warning",
            )

    @Slot(str)
    def _on_notice(self, text: str) -> None:
        if self.busy in ("implement", "follow_up"):
            self.answer_view.append(f"\n\n――― {text} ―――\n\n")
        else:
            self.banner.show_message(text, kind="info")

    @Slot(str)
    def _on_reflection_ready(self, text: str) -> None:
        self.reflection_view.flush()

    def _show_about(self) -> None:
        from desktop.ui.about import show_about  # llama.cpp's build facts are read only when asked

        show_about(self)

    @Slot(object)
    def _on_changeset(self, changeset: ChangeSet) -> None:
        if self.busy == "follow_up" and self.changeset is not None:
            carry_ticks(self.changeset, changeset)  # files the follow-up left as they were keep their ticks
        self.changeset = changeset
        self._answers = True
        self.changes_view.set_changeset(changeset, root=changeset.root, backups_dir=self.paths.backups_dir)
        if changeset.changes:  # review time: the diff gets the room, the raw answer a strip
            total = sum(self.phase2_split.sizes())
            self.phase2_split.setSizes([max(90, total // 6), total - max(90, total // 6)])

    @Slot()
    def _on_review_changed(self) -> None:
        if self.run_id and self.changeset is not None and not self.busy:
            number = self._choices[self._shown_choice].number if self._choices else 0
            self.review_save_requested.emit(self.run_id, self.changeset.to_dict(), number)

    # -- the run's other answers ----------------------------------------------------------------

    @Slot(object)
    def _on_answers(self, turns: list[Turn]) -> None:
        self._show_choices(turns, number=None)

    def _show_choices(self, turns: list[Turn], *, number: int | None) -> None:
        """List the run's answers in the review, answer `number` shown (None: the one kept)."""
        self._turns = turns
        self._choices = answer_choices(turns)
        rows = [i for i, c in enumerate(self._choices) if (c.number == number if number else c.kept)]
        self._shown_choice = rows[0] if rows else 0
        self.changes_view.set_answer_choices([c.label for c in self._choices], self._shown_choice)
        self._update_actions()

    def _shows_kept_answer(self) -> bool:
        return not self._choices or self._choices[self._shown_choice].kept

    @Slot(int)
    def open_answer(self, row: int) -> None:
        """Show another of the run's answers for review, with its checks; saved with the run."""
        if self.busy or not 0 <= row < len(self._choices) or self.changeset is None:
            return
        choice, root = self._choices[row], self.changeset.root
        same = self.codebase is not None and self.codebase.root == root
        try:
            changeset, notes = changeset_for(
                choice, self._turns, root=root, files=[f.rel_path for f in self.codebase.files] if same else None,
                plan_text=self.plan.text if self.plan else "",
                other_files=(lambda: codebase_texts(self.codebase)) if same else tuple)
        except (OSError, PlansmithError) as exc:
            self.banner.show_message(f"Answer {choice.number} cannot be shown: {exc}", kind="error")
            return
        self._shown_choice = row
        self.changeset = changeset
        self.changes_view.set_changeset(changeset, root=root, backups_dir=self.paths.backups_dir)
        self.changes_view.set_answer_choices([c.label for c in self._choices], row)
        follow = "" if choice.kept else " Follow-ups revise the kept answer: open it again to send one."
        self.banner.show_message(" ".join([f"Showing answer {choice.number}: {choice.verdict}.", *notes]) + follow,
                                 kind="info")
        self._on_review_changed()
        self._update_actions()

    @Slot(str)
    def _on_review_not_saved(self, why: str) -> None:
        self.banner.show_message(f"Your ticks and edits were not saved with the run: {why}", kind="warning")

    @Slot(str)
    def _on_record_saved(self, run_id: str) -> None:
        self.run_id = run_id
        self.status.phase.setToolTip(f"Saved as run {run_id}")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._op_failed = True
        self.banner.show_message(message, kind="error")

    @Slot(str, str, float)
    def _on_finished(self, operation: str, phase: str, ended: float) -> None:
        if self._stop_pressed_at is not None:
            self.last_stop_latency = ended - self._stop_pressed_at
        stopped = self._stop is not None and self._stop.is_set()
        self.busy = None
        self.phase = phase
        self.status.stop_clock()
        self.status.hide_progress()
        # A stop that landed after the work was done changes nothing: show what the run says.
        stopped = stopped and operation != "prepare" and phase in ("idle", "reflecting", "implementing", "stopped")
        self.status.set_phase("stopped" if stopped else phase)
        if operation == "reflect":
            if self.reflection_view.text().strip():
                self.reflection_view.show_markdown()
        elif operation in ("implement", "follow_up"):
            self.answer_view.flush()
            if not self._op_failed:
                self._answers = True
        if operation in ("implement", "follow_up") and not self._op_failed:
            self._record = None  # the worker now holds the continued run
        if stopped:
            self.banner.show_message("Stopped. The text written so far is kept and saved with the run.", kind="info")
        self._update_actions()
        self.operation_done.emit(operation, phase)

    # -- history and settings -----------------------------------------------------------------

    @Slot()
    def open_history(self) -> None:
        from desktop.ui.history_dialog import HistoryDialog

        dialog = HistoryDialog(runs_dir=self.paths.runs_dir, parent=self)
        if dialog.exec() and dialog.chosen_record is not None:
            self.open_record(dialog.chosen_record)

    def open_record(self, record: RunRecord) -> None:
        """Show a saved run and, where possible, make it the one the next Phase 2 or follow-up continues."""
        from desktop.core.saved_runs import answers_text, continuation

        if self.busy:
            self.banner.show_message("Stop the current run before opening another.", kind="error")
            return
        plan_info = record.get("plan") or {}
        try:
            plan_path = Path(plan_info["path"]) if plan_info.get("path") else None
            plan = plan_from_text(plan_info.get("text") or "", path=plan_path)
        except PlanError as exc:
            self.banner.show_message(f"This run cannot be reopened: {exc}", kind="error")
            return
        run_id = record.get("run_id", "")
        self._set_plan(plan, detail=f"from saved run {run_id}")
        self.reflection_view.set_text(record.get("reflection") or "", markdown=True)
        answers = answers_text(record)
        self.answer_view.set_text(answers, markdown=False)
        self._answers = False
        self.changeset = None
        root = Path(record.get("codebase") or "")
        if record.get("changeset"):
            try:
                self.changeset = ChangeSet.from_dict(record["changeset"], root=root)
                self.changes_view.set_changeset(self.changeset, root=root, backups_dir=self.paths.backups_dir)
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("cannot show the changes of run %s: %s", run_id, exc)
        try:
            turns = [Turn.from_dict(t) for t in record.get("turns") or [] if isinstance(t, dict)]
        except (ValueError, TypeError) as exc:
            log.warning("cannot list the answers of run %s: %s", run_id, exc)
            turns = []
        self._show_choices(turns, number=record.get("shown_answer"))
        self.phase = record.get("phase", "")
        self.status.set_phase(self.phase)
        self.run_id = run_id
        self.tabs.setCurrentIndex(1 if answers else 0)
        can_continue, notes = continuation(record, current_model=self.model_path.stem if self.model_path else None)
        self.banner.show_message(notes, kind="info" if can_continue else "warning")
        self._detached = not can_continue  # shown for reading only: Approve and follow-up stay off
        if can_continue:
            self._record = record
            self.set_codebase(root)  # the continued run needs the folder scanned
        self._update_actions()

    @Slot()
    def open_settings(self) -> None:
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, settings_file=self.paths.settings_file, codebase=self.codebase_root,
                                parent=self)
        if dialog.exec() and dialog.result_settings is not None:
            self.apply_settings(dialog.result_settings)

    def apply_settings(self, settings: Settings) -> None:
        """New settings take effect at the next run (a changed engine setting reloads the model)."""
        models_changed = settings.models_dirs != self.settings.models_dirs
        self.settings = settings
        if self.codebase_root is not None:
            self.context_panel.check_command.setText(settings.check_command_for(self.codebase_root))
        self._show_model_choice()
        if models_changed:
            self.refresh_models()

    @Slot(str)
    def _set_check_command(self, command: str) -> None:
        """The codebase panel's check command, remembered for this codebase."""
        if self.codebase_root is None or command.strip() == self.settings.check_command_for(self.codebase_root):
            return
        self.settings.remember_check_command(self.codebase_root, command)
        self._save_settings()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings, self.paths.settings_file)
        except OSError as exc:
            self.banner.show_message(f"Could not save the settings to {self.paths.settings_file}: {exc.strerror or exc}", kind="warning")

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop generation, wait for the worker (which saves the run record), stop the threads."""
        if self._shut_down:
            return
        self._shut_down = True
        if self._stop is not None:
            self._stop.set()
        if self._scan is not None:
            self._scan.cancel.set()
        if self.busy:
            self.status.set_phase("Stopping…")
        # Queued behind the operation under way, which ends within a second of the stop
        # and saves its record before this runs.
        self.shutdown_requested.emit()
        stop_thread(self.run_thread)
        stop_thread(self.io_thread)
        self._save_settings()

    def report_unexpected(self, message: str) -> None:
        """For the application's excepthook: a bug shows as one readable line, never a traceback."""
        try:
            self.banner.show_message(message, kind="error")
        except RuntimeError:  # the window is already gone
            pass

