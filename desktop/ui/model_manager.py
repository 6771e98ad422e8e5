"""The model manager: catalogue and installed models with fit hints; download, import, verify, delete.

All model work runs on a ModelWorker in its own QThread; the dialog asks through queued
signals and renders what comes back in @Slot methods. Cancel is a threading.Event set
from the GUI thread (a queued "cancel" slot would never run while the download is busy).
Nothing is downloaded until the user presses Download. In first_run mode the dialog
explains that no model is installed and preselects the recommended one.
"""

from __future__ import annotations

import atexit

import functools
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import Cancelled, PlansmithError
from desktop.llm.catalog import Catalog, CatalogEntry, load_catalog
from desktop.llm.download import DownloadProgress, download_model, partial_path
from desktop.llm.hardware import Fit, Hardware, Recommendation, best_context, detect_hardware, recommend
from desktop.llm.store import InstalledModel, ModelStore, spec_for
from desktop.llm.transfer import import_model
from desktop.paths import AppPaths
from desktop.settings import Settings

log = logging.getLogger(__name__)
GIB = 1 << 30


@dataclass(frozen=True)
class Row:
    key: str  # catalogue id, or the path of a model not in the catalogue
    title: str
    size: int
    entry: CatalogEntry | None
    model: InstalledModel | None
    fit: Fit | None
    partial: int = 0  # bytes left by an interrupted download

    @property
    def status(self) -> str:
        m = self.model
        if m is None:
            return f"Partly downloaded ({self.partial / self.size:.0%})" if self.partial else "Not installed"
        if m.problem:
            return "Unusable"
        return "Installed, verified" if m.verified else "Installed"


@dataclass(frozen=True)
class Listing:
    rows: tuple[Row, ...]
    hardware: Hardware
    recommendation: Recommendation


@dataclass
class DownloadJob:
    entry: CatalogEntry
    endpoint: str | None = None
    token: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


class ModelWorker(QObject):
    """Lists, downloads, imports, verifies and deletes models. Constraint: never touches a widget."""

    listed = Signal(object)  # Listing
    progress = Signal(object)  # DownloadProgress
    done = Signal(str, str)  # operation, message for the user
    installed = Signal(object)  # Path of a model just downloaded or imported
    failed = Signal(str, str)  # operation, message for the user
    cancelled = Signal(str)  # operation

    def __init__(self, *, paths: AppPaths, catalog: Catalog, hardware: Hardware | None = None) -> None:
        super().__init__()
        self._paths = paths
        self._catalog = catalog
        self._hardware = hardware

    def _store(self, settings: Settings) -> ModelStore:
        return ModelStore(paths=self._paths, settings=settings, catalog=self._catalog)

    @Slot(object)
    def refresh(self, settings: Settings) -> None:
        try:
            self.listed.emit(self._listing(settings))
        except Exception as exc:
            log.exception("listing models failed")
            self.failed.emit("refresh", f"Could not list the models: {exc}")

    def _listing(self, settings: Settings) -> Listing:
        hw = self._hardware = self._hardware or detect_hardware()
        models = self._store(settings).list(hashes=False)
        by_entry = {m.entry.id: m for m in models if m.entry}
        rows = []
        for e in self._catalog:
            partial = sum(partial_path(self._paths, f).stat().st_size
                          for f in e.files if partial_path(self._paths, f).exists())
            rows.append(Row(e.id, e.name, e.size, e, by_entry.get(e.id), best_context(e, hw), partial))
        for m in models:
            if m.entry is None or by_entry.get(m.entry.id) is not m:
                fit = best_context(spec_for(m), hw) if m.usable else None
                rows.append(Row(str(m.path), m.name, m.size, None, m, fit))
        return Listing(tuple(rows), hw, recommend(self._catalog, hw))

    @Slot(object)
    def download(self, job: DownloadJob) -> None:
        try:
            path = download_model(
                job.entry, paths=self._paths, endpoint=job.endpoint, token=job.token,
                progress=self.progress.emit, cancel=job.cancel,
            )
        except Cancelled:
            self.cancelled.emit("download")
        except PlansmithError as exc:
            self.failed.emit("download", str(exc))
        except Exception as exc:
            log.exception("download failed")
            self.failed.emit("download", f"The download failed: {exc}")
        else:
            self.installed.emit(path)
            self.done.emit("download", f"{job.entry.name} is installed and verified: {path}")

    @Slot(object, object)
    def import_file(self, path: Path, settings: Settings) -> None:
        def body() -> str:
            installed = import_model(path, paths=self._paths, catalog=self._catalog)
            self.installed.emit(installed)
            return f"Imported and verified: {installed}"

        self._run("import", body)

    @Slot(object, object)
    def verify(self, model: InstalledModel, settings: Settings) -> None:
        def body() -> str:
            checked = self._store(settings).verify(model)
            how = "matches the catalogue" if checked.verified else "digest recorded"
            return f"{model.name} is whole: SHA-256 {checked.sha256} ({how})."

        self._run("verify", body)

    @Slot(object, object)
    def delete(self, model: InstalledModel, settings: Settings) -> None:
        def body() -> str:
            self._store(settings).delete(model)
            return f"Deleted {model.path.name}."

        self._run("delete", body)

    def _run(self, operation: str, body) -> None:
        try:
            message = body()
        except PlansmithError as exc:
            self.failed.emit(operation, str(exc))
        except Exception as exc:
            log.exception("%s failed", operation)
            self.failed.emit(operation, f"{operation.capitalize()} failed: {exc}")
        else:
            self.done.emit(operation, message)


class ModelManagerDialog(QDialog):
    """Lists catalogue and installed models; after exec(), `installed_path` is the last model added."""

    refresh_requested = Signal(object)  # Settings
    download_requested = Signal(object)  # DownloadJob
    import_requested = Signal(object, object)  # Path, Settings
    verify_requested = Signal(object, object)  # InstalledModel, Settings
    delete_requested = Signal(object, object)  # InstalledModel, Settings
    download_finished = Signal(str)  # a message: installed, failed, or stopped
    operation_finished = Signal(str, bool)  # operation, succeeded

    COLUMNS = ("Model", "Size", "Status", "On this machine", "Licence")

    def __init__(
        self,
        *,
        paths: AppPaths,
        settings: Settings,
        parent: QWidget | None = None,
        first_run: bool = False,
        endpoint: str | None = None,
        catalog: Catalog | None = None,
        hardware: Hardware | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Plansmith: choose a model" if first_run else "Models")
        self.resize(980, 520)
        self._settings = settings
        self._endpoint = endpoint
        self._first_run = first_run
        self._busy = False
        self._preselected = False
        self.listing: Listing | None = None
        self.installed_path: Path | None = None

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setVisible(first_run)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(self._update_buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.download_button = QPushButton("&Download")
        self.cancel_button = QPushButton("&Stop download")
        self.import_button = QPushButton("&Import a .gguf…")
        self.verify_button = QPushButton("&Verify")
        self.delete_button = QPushButton("De&lete")
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.import_button.clicked.connect(self._choose_import)
        self.verify_button.clicked.connect(self.verify_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        for b in (self.download_button, self.cancel_button, self.import_button, self.verify_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(close)

        self._worker = ModelWorker(paths=paths, catalog=catalog or load_catalog(), hardware=hardware)
        self._thread = QThread()
        self._thread.setObjectName("model-manager")
        self._worker.moveToThread(self._thread)
        # The thread must outlive the dialog's Python wrapper until it has stopped: whoever
        # drops the dialog (close, or just the last reference) ends up in _stop_worker.
        self._jobs = _JobBox()
        _running.append((self._thread, self._worker))
        self.destroyed.connect(functools.partial(_stop_worker, self._thread, self._jobs))
        self.refresh_requested.connect(self._worker.refresh)
        self.download_requested.connect(self._worker.download)
        self.import_requested.connect(self._worker.import_file)
        self.verify_requested.connect(self._worker.verify)
        self.delete_requested.connect(self._worker.delete)
        self._worker.listed.connect(self._on_listed)
        self._worker.progress.connect(self._on_progress)
        self._worker.done.connect(self._on_done)
        self._worker.installed.connect(self._on_installed)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.start()
        self._update_buttons()
        self.refresh()

    # -- asking the worker --------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        self.refresh_requested.emit(self._settings)

    def selected_row(self) -> Row | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def select(self, key: str) -> bool:
        """Select the row of a catalogue id or model path; False if there is none."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            row: Row = item.data(0, Qt.ItemDataRole.UserRole)
            if key in (row.key, row.title) or (row.model and key == row.model.name):
                self.tree.setCurrentItem(item)
                return True
        return False

    @Slot()
    def start_download(self) -> None:
        row = self.selected_row()
        if row is None or row.entry is None or self._busy:
            return
        self._jobs.job = DownloadJob(row.entry, endpoint=self._endpoint)
        self._set_busy(True, downloading=True)
        self.progress.setValue(int(1000 * row.partial / row.size) if row.size else 0)
        self.message.setText(f"Connecting to download {row.entry.name}…")
        self.download_requested.emit(self._jobs.job)

    @Slot()
    def cancel_download(self) -> None:
        if self._jobs.job is not None:
            self._jobs.job.cancel.set()
            self.message.setText("Stopping…")

    @Slot()
    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a model", "", "GGUF models (*.gguf);;All files (*)")
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        """Import a .gguf file or an export folder (what the Import button does after its file dialog)."""
        if self._busy:
            return
        self._set_busy(True)
        self.message.setText(f"Checking and copying {Path(path).name}…")
        self.import_requested.emit(Path(path), self._settings)

    @Slot()
    def verify_selected(self) -> None:
        row = self.selected_row()
        if row and row.model and not self._busy:
            self._set_busy(True)
            self.message.setText(f"Reading every byte of {row.model.path.name}…")
            self.verify_requested.emit(row.model, self._settings)

    @Slot()
    def delete_selected(self) -> None:
        row = self.selected_row()
        if not (row and row.model) or self._busy:
            return
        answer = QMessageBox.question(
            self, "Delete model", f"Delete {row.model.path.name} ({row.model.size / GIB:.1f} GB) from this computer?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._set_busy(True)
            self.delete_requested.emit(row.model, self._settings)

    # -- rendering what comes back ------------------------------------------------------

    @Slot(object)
    def _on_listed(self, listing: Listing) -> None:
        self.listing = listing
        current = self.selected_row()
        self.tree.clear()
        rec = listing.recommendation.entry
        for row in listing.rows:
            fit = row.fit.describe() if row.fit else (row.model.problem if row.model else "")
            title = row.title + ("  (recommended)" if rec and row.entry and row.entry.id == rec.id else "")
            item = QTreeWidgetItem([title, _size(row.size), row.status, fit, row.entry.licence if row.entry else ""])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            if row.model and row.model.problem:
                item.setToolTip(2, row.model.problem)
            if row.entry and row.entry.description:
                item.setToolTip(0, row.entry.description)
            self.tree.addTopLevelItem(item)
        if self._first_run:
            self.intro.setText(_first_run_text(listing))
        if current is not None:
            self.select(current.key)
        elif not self._preselected and rec is not None:
            self._preselected = True
            self.select(rec.id)
        self._update_buttons()

    @Slot(object)
    def _on_progress(self, p: DownloadProgress) -> None:
        if p.stage == "connecting":
            return
        self.progress.setValue(int(p.fraction * 1000))
        if p.stage == "verifying":
            self.message.setText(f"Checking {p.file_name} (SHA-256 and header)…")
            return
        eta = f", about {_duration(p.eta)} left" if p.eta is not None else ""
        part = f" (part {p.part} of {p.parts})" if p.parts > 1 else ""
        self.message.setText(f"{_size(p.done)} of {_size(p.total)}{part} · {p.speed / 1e6:.1f} MB/s{eta}")

    @Slot(object)
    def _on_installed(self, path: Path) -> None:
        self.installed_path = path

    @Slot(str, str)
    def _on_done(self, operation: str, message: str) -> None:
        self._finish(operation, message, ok=True)

    @Slot(str, str)
    def _on_failed(self, operation: str, message: str) -> None:
        self._finish(operation, message, ok=False)

    @Slot(str)
    def _on_cancelled(self, operation: str) -> None:
        self._finish(operation, "Download stopped. What arrived is kept: Download again to resume.", ok=False)

    def _finish(self, operation: str, message: str, *, ok: bool) -> None:
        self.message.setText(message)
        self.message.setStyleSheet("" if ok or operation == "download" and self._stopping() else "color: #b00020;")
        if operation == "refresh":
            return
        if operation == "download":
            self._jobs.job = None
            self.progress.setValue(1000 if ok else self.progress.value())
            self.download_finished.emit(message)
        self._set_busy(False)
        self.operation_finished.emit(operation, ok)
        self.refresh()

    def _stopping(self) -> bool:
        return self._jobs.job is not None and self._jobs.job.cancel.is_set()

    def _set_busy(self, busy: bool, *, downloading: bool = False) -> None:
        self._busy = busy
        if downloading:
            self.progress.setVisible(True)
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        row = self.selected_row()
        idle = not self._busy
        self.download_button.setEnabled(idle and bool(row and row.entry and row.model is None))
        self.cancel_button.setEnabled(self._jobs.job is not None)
        self.import_button.setEnabled(idle)
        self.verify_button.setEnabled(idle and bool(row and row.model and row.model.usable))
        self.delete_button.setEnabled(idle and bool(row and row.model))
        if row and row.entry and row.model is None and row.partial:
            self.download_button.setText("&Resume download")
        else:
            self.download_button.setText("&Download")

    # -- closing ------------------------------------------------------------------------

    def done(self, result: int) -> None:
        _stop_worker(self._thread, self._jobs)
        super().done(result)


class _JobBox:
    """The download in progress, reachable from _stop_worker after the dialog is gone."""

    job: DownloadJob | None = None


_running: list[tuple[QThread, QObject]] = []  # strong references until each thread has stopped


def _stop_worker(thread: QThread, jobs: _JobBox) -> None:
    if jobs.job is not None:
        jobs.job.cancel.set()  # the partial file stays for next time
    try:
        thread.quit()
        stopped = thread.wait(15_000)
    except RuntimeError:  # its C++ object is gone (stopped at exit by _stop_all)
        stopped = True
    if not stopped:  # a stalled connection: it ends at the read timeout
        log.warning("model manager worker still busy at close")
        return
    _running[:] = [(t, w) for t, w in _running if t is not thread]


@atexit.register
def _stop_all() -> None:
    """At exit, stop the threads of dialogs still open (or never collected): Qt aborts the
    process when a running QThread is destroyed during interpreter shutdown."""
    for thread, _worker in list(_running):
        _stop_worker(thread, _JobBox())
    _running.clear()


def _first_run_text(listing: Listing) -> str:
    rec = listing.recommendation
    hw = listing.hardware
    machine = f"{hw.total_ram / GIB:.0f} GB of memory, {hw.cpu_cores} CPU cores" + (
        f", {hw.gpu.name}" if hw.gpu else ""
    )
    if rec.entry is None:
        advice = rec.reason + ". You can still import a .gguf file you have."
    else:
        advice = (
            f"For this machine ({machine}) we suggest <b>{rec.entry.name}</b> "
            f"({_size(rec.entry.size)}, {rec.fit.describe() if rec.fit else ''}). It is selected below."
        )
    return (
        "<p>No model is installed yet. Plansmith runs the model on this computer; nothing leaves it.</p>"
        f"<p>{advice}</p><p>Press <b>Download</b> to fetch it (the only time Plansmith uses the network), "
        "or <b>Import a .gguf…</b> if you copied one here.</p>"
    )


def _size(n: int) -> str:
    return f"{n / GIB:.1f} GB" if n >= GIB / 10 else f"{n / (1 << 20):.0f} MB"


def _duration(s: float) -> str:
    s = int(s)
    return f"{s // 3600} h {s // 60 % 60:02d} min" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
