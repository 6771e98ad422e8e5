"""Saved runs: listed newest first, previewed, reopened in the window (to continue), or deleted."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.records import RunRecord, RunSummary, delete_run, list_runs, load_run
from desktop.errors import PlansmithError


def record_markdown(record: RunRecord) -> str:
    """A run record as Markdown: what was asked, what the model wrote, which files it changes."""
    model = (record.get("model") or {}).get("name", "?")
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(record.get("started_at") or 0)))
    lines = [
        f"# {record.get('title') or 'Run'}",
        f"*{when} · {record.get('phase', '?')} · model {model} · codebase `{record.get('codebase', '?')}`*",
    ]
    if record.get("error"):
        lines += ["", f"**Error:** {record['error']}"]
    reflection = record.get("reflection") or ""
    lines += ["", "## Reflection" + (" (edited)" if record.get("reflection_edited") else ""), "", reflection or "*none*"]
    for turn in (record.get("turns") or [])[1:]:
        lines += ["", f"## {turn.get('kind', 'answer').capitalize()}", "", "```", turn.get("text", ""), "```"]
    changes = (record.get("changeset") or {}).get("changes") or []
    if changes:
        lines += ["", "## Changes", ""]
        lines += [f"- {c.get('kind', '?')} `{c.get('path', '?')}`" for c in changes]
    return "\n".join(lines)


class HistoryDialog(QDialog):
    """After exec(), `chosen_record` holds the run to reopen (None when closed without one)."""

    def __init__(self, *, runs_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run history")
        self.resize(900, 560)
        self._runs_dir = runs_dir
        self.chosen_record: RunRecord | None = None
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._preview)
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([320, 580])
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("Open in window")
        self.open_button.setToolTip("Show this run's reflection, answers and changes; continue it with a follow-up")
        self.delete_button = QPushButton("Delete…")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        # Enter opens the selected run; deleting takes a click (never the default button).
        self.open_button.setDefault(True)
        self.delete_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.list.itemActivated.connect(lambda _item: self.open_selected())
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for summary in list_runs(runs_dir=self._runs_dir):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.started_at))
            item = QListWidgetItem(f"{summary.title or summary.run_id}\n{when} · {summary.phase} · {summary.changes} files · {summary.model}")
            item.setData(Qt.ItemDataRole.UserRole, summary)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.preview.setMarkdown("*No saved runs yet. Every run is saved here as it ends.*")
        self._update_buttons()

    def _selected(self) -> RunSummary | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        has = self._selected() is not None
        self.open_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    @Slot()
    def _preview(self, *_args) -> None:
        self._update_buttons()
        summary = self._selected()
        if summary is None:
            self.preview.clear()
            return
        try:
            self.preview.setMarkdown(record_markdown(load_run(summary.run_id, runs_dir=self._runs_dir)))
            self._show_error("")
        except PlansmithError as exc:
            self._show_error(str(exc))

    @Slot()
    def open_selected(self) -> None:
        summary = self._selected()
        if summary is None:
            return
        try:
            self.chosen_record = load_run(summary.run_id, runs_dir=self._runs_dir)
        except PlansmithError as exc:
            self._show_error(str(exc))
            return
        self.accept()

    @Slot()
    def delete_selected(self) -> None:
        summary = self._selected()
        if summary is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete run",
            f"Delete the saved run “{summary.title or summary.run_id}”? Its record (which quotes your code) is removed from disk.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete_run(summary.run_id, runs_dir=self._runs_dir)
        except PlansmithError as exc:
            self._show_error(str(exc))
            return
        self.refresh()
