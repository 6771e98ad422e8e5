"""Review a ChangeSet: accept or reject files and hunks, edit a change, apply, undo, export.

The widget renders the ChangeSet and records the user's choices in it; writing, undoing
and exporting are the core's (desktop.core.apply). Those calls are quick file operations
and run on the GUI thread; every error they raise is shown as its message, never a
traceback, and emitted as `error`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QPalette, QTextCursor
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QListView, QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit,
                               QPushButton, QSplitter, QStyle, QVBoxLayout, QWidget)

from desktop.core.apply import apply_changes, dirty_git_files, export_patch, undo_last_apply
from desktop.core.checks import CheckResult
from desktop.core.changes import ChangeSet, FileChange, Hunk
from desktop.errors import PlansmithError
from desktop.ui.diff_highlighter import LEFT_OUT_MARK, DiffHighlighter, is_dark, muted_text

__all__ = ["ChangesView", "EditDialog"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_PATH_ROLE = Qt.ItemDataRole.UserRole
_PARSE_PROBLEMS = "\0parse-problems"  # the list entry for unreadable parts of the answer
_KIND_LABELS = {"new": "new file", "modify": "modified", "replace": "replaced (whole file)",
                "rejected": "rejected"}
_DIRTY_SHOWN = 12  # uncommitted files named in the warning before "and N more"
_HUNK_ROWS_SHOWN = 4  # hunk rows shown at once; more scroll


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _monospace() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def _set_dimmed(item: QListWidgetItem, dim: bool, palette: QPalette) -> None:
    """Dimmed when it will not be applied; otherwise the style's own text colour, which greys
    out with the list while a run makes the view read-only (a set colour would not)."""
    item.setData(Qt.ItemDataRole.ForegroundRole, muted_text(palette) if dim else None)


def _banner_style(*, dark: bool, kind: str) -> str:
    colors = {  # (foreground, background): contrast above 7:1 in both themes
        ("error", False): ("#82071e", "#ffebe9"), ("error", True): ("#ffc2bd", "#4c1b1f"),
        ("warning", False): ("#5c3b00", "#fff8c5"), ("warning", True): ("#f2cc60", "#3b2e0a"),
        ("info", False): ("#0f5323", "#dafbe1"), ("info", True): ("#aff5b4", "#133a21"),
    }
    fg, bg = colors[(kind, dark)]
    return (f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}; "
            "border-radius: 6px; padding: 5px 8px; }")


class EditDialog(QDialog):
    """The new text of one file, editable; OK hands it back through `text()`."""

    def __init__(self, *, path: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Edit {path}")
        self.editor = QPlainTextEdit()
        self.editor.setFont(_monospace())
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setPlainText(text)
        note = QLabel("This text replaces the model's version of the file. "
                      "The diff is made again from it when you press OK.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.resize(900, 600)

    def text(self) -> str:
        return self.editor.toPlainText()


class ChangesView(QWidget):
    """The review pane for one ChangeSet. Emits what happened; holds no file logic itself."""

    applied = Signal(list)  # the paths written, relative to the root
    undone = Signal()
    exported = Signal(Path)  # where the patch was written
    error = Signal(str)  # a message for the user, already shown in the view
    review_changed = Signal()  # the user ticked, unticked or edited something (to be saved with the run)
    answer_chosen = Signal(int)  # the user picked another of the run's answers (its row in "Answer")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._changeset: ChangeSet | None = None
        self._root: Path | None = None
        self._backups_dir: Path | None = None
        self._applied = False  # the current changes are on disk; review is frozen until undo
        self._read_only = False  # a run is writing: nothing here may change or be applied
        self._filling = False  # list items are being (re)built: ignore itemChanged
        self._hand_edited = False  # the user edited a file of the shown changes by hand
        self._shown_answer = 0  # the row of "Answer" whose changes are shown
        self._hunk_rows: list[int] = []  # the diff view's line number of each hunk header
        self._hunk_bodies: list[Hunk] = []  # the hunks listed, in order
        self.edit_dialog: EditDialog | None = None
        self.pending_confirmation: QMessageBox | None = None
        self._message_kind = "info"
        self._build()
        self._show_file(None)
        self._show_message("", kind="info")
        self._update_actions()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.summary = QLabel("No changes to review yet.")
        self.summary.setWordWrap(True)
        self.apply_button = QPushButton("&Apply accepted changes")
        self.apply_button.setToolTip("Write the accepted files and hunks to the codebase "
                                     "(originals are backed up; Undo puts them back)")
        self.undo_button = QPushButton("&Undo last apply")
        self.export_button = QPushButton("E&xport patch…")
        self.export_button.setToolTip("Save the accepted changes as a patch for `git apply`")
        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.checks_label = QLabel()
        self.checks_label.setWordWrap(True)
        self.checks_label.setObjectName("checksLabel")
        self.checks_label.hide()
        self.check_output_button = QPushButton("Check &output…")
        self.check_output_button.setToolTip("What the checks printed, on the scratch copy")
        self.check_output_button.clicked.connect(self._show_check_output)
        self.check_output_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        for button in (self.export_button, self.undo_button, self.apply_button):
            top.addWidget(button)
        checks_row = QHBoxLayout()
        checks_row.addWidget(self.checks_label, 1)
        checks_row.addWidget(self.check_output_button)
        # The run's other answers (written while its checks failed), shown only when there are some.
        self.answer_box = QComboBox()
        self.answer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.answer_box.activated.connect(self._on_answer_activated)
        self.answer_label = QLabel("A&nswer:")
        self.answer_label.setBuddy(self.answer_box)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer_label)
        answer_row.addWidget(self.answer_box)
        answer_row.addStretch(1)
        self.answer_label.hide()
        self.answer_box.hide()

        self.files = QListWidget()
        self.files.setIconSize(QSize(16, 16))
        # Wrapped, not clipped: a rejection's reason must be readable in full.
        self.files.setWordWrap(True)
        self.files.setResizeMode(QListView.ResizeMode.Adjust)
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.setSpacing(2)
        self.files.currentItemChanged.connect(self._on_current_file)
        self.files.itemChanged.connect(self._on_file_checked)
        files_label = QLabel("Files (tick to accept)")
        files_label.setBuddy(self.files)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(files_label)
        left_layout.addWidget(self.files, 1)

        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setToolTip("Edit the new text of this file before applying it")
        self.edit_button.clicked.connect(self.edit_current)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.edit_button)

        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setFont(_monospace())
        self.hunks_label = QLabel("Hunks (tick to accept)")
        self.hunks = QListWidget()
        self.hunks.setFont(_monospace())
        # Rows are elided, never scrolled sideways: a horizontal bar would hide a hunk row.
        self.hunks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hunks.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.hunks.setWordWrap(False)
        self.hunks.itemChanged.connect(self._on_hunk_checked)
        self.hunks.currentRowChanged.connect(self._scroll_to_hunk)
        self.hunks_label.setBuddy(self.hunks)

        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(_monospace())
        self.diff_view.setPlaceholderText("Select a file to see its diff.")
        self.highlighter = DiffHighlighter(self.diff_view.document(), self.palette())

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(title_row)
        right_layout.addWidget(self.notes)
        right_layout.addWidget(self.hunks_label)
        right_layout.addWidget(self.hunks)
        right_layout.addWidget(self.diff_view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        # Both panes grow and shrink (1:3), so the diff keeps room when the view is embedded small.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 900])
        splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(220)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(answer_row)
        layout.addLayout(checks_row)
        layout.addWidget(self.message)  # next to the buttons whose outcome it reports
        layout.addWidget(splitter, 1)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(1200, 640)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "highlighter"):
            self.highlighter.set_palette(self.palette())
            self._show_message(self.message.text(), kind=self._message_kind)
            self._rerender_items()
        super().changeEvent(event)

    # -- state in -------------------------------------------------------------------------

    def set_changeset(self, changeset: ChangeSet, *, root: Path, backups_dir: Path) -> None:
        """Show a new ChangeSet for review; root is the codebase, backups_dir holds undo data."""
        self._close_dialogs()  # an open editor or question belongs to the old ChangeSet
        self._changeset = changeset
        self._root = Path(root)
        self._backups_dir = Path(backups_dir)
        self._applied = False
        self._hand_edited = False
        self._show_message("", kind="info")
        self._fill_files()
        first = next((row for row in range(self.files.count())
                      if self._change_at(row) is not None
                      and self._change_at(row).kind != "rejected"), 0)
        if self.files.count():
            self.files.setCurrentRow(first)
        else:
            self._show_file(None)
        self._update_actions()

    def changeset(self) -> ChangeSet | None:
        return self._changeset

    def set_answer_choices(self, labels: list[str], current: int) -> None:
        """The run's answers the user can open instead of the shown one (row `current`);
        hidden when there is only one."""
        with QSignalBlocker(self.answer_box):
            self.answer_box.clear()
            self.answer_box.addItems(labels)
            self.answer_box.setCurrentIndex(current if labels else -1)
        self._shown_answer = current
        self.answer_label.setVisible(len(labels) > 1)
        self.answer_box.setVisible(len(labels) > 1)
        self._update_actions()

    @Slot(int)
    def _on_answer_activated(self, row: int) -> None:
        if row == self._shown_answer:
            return
        with QSignalBlocker(self.answer_box):
            self.answer_box.setCurrentIndex(self._shown_answer)  # until the new changes are shown
        if not self._hand_edited:
            self.answer_chosen.emit(row)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Open another answer",
                          "Your edits to the shown changes are dropped when another answer is opened.",
                          QMessageBox.StandardButton.Cancel, self)
        go = box.addButton("Open anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._on_open_answer_answered(box, go, row))
        self.pending_confirmation = box
        box.open()

    def _on_open_answer_answered(self, box: QMessageBox, go: QPushButton, row: int) -> None:
        box.deleteLater()
        if self.pending_confirmation is not box:
            return
        self.pending_confirmation = None
        if box.clickedButton() is go:
            self.answer_chosen.emit(row)

    def current_path(self) -> str | None:
        item = self.files.currentItem()
        return None if item is None else item.data(_PATH_ROLE)

    def select_file(self, path: str) -> None:
        self.files.setCurrentItem(self.file_item(path))

    def file_item(self, path: str) -> QListWidgetItem:
        for row in range(self.files.count()):
            if self.files.item(row).data(_PATH_ROLE) == path:
                return self.files.item(row)
        raise KeyError(path)

    # -- the file list --------------------------------------------------------------------

    def _change_at(self, row: int) -> FileChange | None:
        item = self.files.item(row)
        if item is None or self._changeset is None:
            return None
        return self._changeset.get(item.data(_PATH_ROLE))

    def _fill_files(self) -> None:
        self._filling = True
        try:
            self.files.clear()
            cs = self._changeset
            if cs is None:
                return
            for change in cs.changes:
                item = QListWidgetItem()
                item.setData(_PATH_ROLE, change.path)
                self.files.addItem(item)
                self._render_file_item(item, change)
            if cs.parse_problems:
                n = len(cs.parse_problems)
                item = QListWidgetItem(self.style().standardIcon(
                    QStyle.StandardPixmap.SP_MessageBoxWarning),
                    f"Unreadable parts of the answer\n{n} part{'s' if n > 1 else ''} not used")
                item.setData(_PATH_ROLE, _PARSE_PROBLEMS)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip("\n\n".join(f"Answer line {p.answer_line}: {p.message}"
                                            for p in cs.parse_problems))
                self.files.addItem(item)
        finally:
            self._filling = False
        self._update_summary()

    def _render_file_item(self, item: QListWidgetItem, change: FileChange) -> None:
        was_filling, self._filling = self._filling, True
        try:
            style = self.style()
            if change.kind == "rejected":
                icon = QStyle.StandardPixmap.SP_MessageBoxCritical
                detail = f"rejected: {_first_line(change.problems[0])}" if change.problems \
                    else "rejected"
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setData(Qt.ItemDataRole.CheckStateRole, None)
            else:
                icon = (QStyle.StandardPixmap.SP_MessageBoxWarning
                        if change.warnings or change.problems else QStyle.StandardPixmap.SP_FileIcon)
                added, removed = change.counts(only_accepted=True)
                total = len(change.hunk_accepted)
                taken = sum(change.hunk_accepted)
                hunks = (f" · {taken} of {total} hunks" if taken != total
                         else f" · {total} hunk{'s' if total != 1 else ''}")
                edited = " · edited by hand" if change.edited else ""
                detail = f"{_KIND_LABELS[change.kind]}{edited} · +{added} −{removed}{hunks}"
                if not change.accepted:
                    detail = "not accepted · " + detail
                if change.problems:
                    n = len(change.problems)
                    detail += f"\n{n} edit{'s' if n > 1 else ''} failed (see details)"
                detail += "".join(f"\n⚠ {_first_line(w)}" for w in change.warnings)
                detail += f"\n⚠ would break: {change.flag}" if change.flag else ""
                detail += "".join(f"\nℹ {_first_line(n)}" for n in change.notes)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if not self._applied:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked if change.accepted
                                   else Qt.CheckState.Unchecked)
            item.setIcon(style.standardIcon(icon))
            item.setText(f"{change.path}\n{detail}")
            # Dimmed when it will not be applied: a cue that does not rely on how the
            # style draws an unticked box (faint in some dark palettes).
            dim = change.kind == "rejected" or not change.accepted
            _set_dimmed(item, dim, self.palette())
            item.setToolTip("\n\n".join([change.path, *change.problems, *change.warnings,
                                          *([change.flag] if change.flag else []), *change.notes]))
        finally:
            self._filling = was_filling

    def _update_checks(self) -> None:
        results = self._check_results()
        self.checks_label.setText("Checks: " + "; ".join(r.summary() for r in results))
        self.checks_label.setVisible(bool(results))
        self.check_output_button.setVisible(bool(results))

    def _update_summary(self) -> None:
        self._update_checks()
        cs = self._changeset
        if cs is None:
            self.summary.setText("No changes to review yet.")
            return
        if not cs.changes:
            self.summary.setText("The answer held no file changes."
                                 + (" Parts of it could not be read: see the list."
                                    if cs.parse_problems else ""))
            return
        counts: dict[str, int] = {}
        for c in cs.changes:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        parts = [f"{counts[k]} {_KIND_LABELS[k].split(' ')[0]}" for k in
                 ("new", "modify", "replace", "rejected") if counts.get(k)]
        accepted = len(cs.accepted())
        self.summary.setText(f"{len(cs.changes)} file{'s' if len(cs.changes) != 1 else ''}: "
                             f"{', '.join(parts)} — {accepted} accepted")

    @Slot(QListWidgetItem)
    def _on_file_checked(self, item: QListWidgetItem) -> None:
        if self._filling or self._changeset is None:
            return
        change = self._changeset.get(item.data(_PATH_ROLE))
        if change is None or change.kind == "rejected":
            return
        change.accepted = item.checkState() == Qt.CheckState.Checked
        self._render_file_item(item, change)
        self._update_summary()
        if item is self.files.currentItem():
            self._show_file(change)
        self._drop_stale_message()
        self._update_actions()
        self.review_changed.emit()

    def set_accepted(self, path: str, accepted: bool) -> None:
        """Tick or untick a file, as a click on its checkbox does."""
        self.file_item(path).setCheckState(Qt.CheckState.Checked if accepted
                                           else Qt.CheckState.Unchecked)

    # -- one file: details, hunks, diff ---------------------------------------------------

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_file(self, current: QListWidgetItem | None, _previous=None) -> None:
        if current is None or self._changeset is None:
            self._show_file(None)
        elif current.data(_PATH_ROLE) == _PARSE_PROBLEMS:
            self._show_parse_problems()
        else:
            self._show_file(self._changeset.get(current.data(_PATH_ROLE)))

    def _show_notes(self, lines: list[str], *, max_lines: int = 6, fill: bool = False) -> None:
        text = "\n\n".join(lines)
        self.notes.setPlainText(text)
        self.notes.setVisible(bool(lines))
        if fill:  # the notes are all there is to show: use the whole pane
            self.notes.setMinimumHeight(0)
            self.notes.setMaximumHeight(16777215)
            return
        # As tall as the text up to max_lines; longer notes scroll.
        shown = min(max(text.count("\n") + 1, 1), max_lines)
        margins = self.notes.contentsMargins()
        height = (shown * self.notes.fontMetrics().lineSpacing()
                  + 2 * self.notes.document().documentMargin()
                  + margins.top() + margins.bottom() + 2)
        self.notes.setFixedHeight(int(height))

    def _show_parse_problems(self) -> None:
        cs = self._changeset
        self.title.setText("Unreadable parts of the answer")
        self._show_notes([f"Answer line {p.answer_line}: {p.message}\n"
                          + "\n".join("    " + s for s in p.excerpt.split("\n"))
                          for p in cs.parse_problems], fill=True)
        self._fill_hunks(None)
        self.diff_view.clear()
        self.diff_view.hide()
        self.edit_button.setEnabled(False)

    def _show_file(self, change: FileChange | None) -> None:
        self.diff_view.show()
        if change is None:
            self.title.setText("")
            self.diff_view.setPlaceholderText(
                "Select a file to see its diff." if self._changeset is not None else
                "No changes yet. When the model's answer has been read, the files it changes "
                "are listed on the left and their diffs appear here.")
            self._show_notes([])
            self._fill_hunks(None)
            self.diff_view.clear()
            self.edit_button.setEnabled(False)
            return
        state = "" if change.accepted or change.kind == "rejected" else "  — not accepted"
        self.title.setText(f"{change.path}  ({_KIND_LABELS[change.kind]}){state}")
        self.title.setToolTip(change.path)
        notes = [f"Problem: {p}" for p in change.problems]
        notes += [f"Warning: {w}" for w in change.warnings]
        notes += [f"Not ticked: {change.flag}"] if change.flag else []
        notes += [f"Note: {n}" for n in change.notes]
        self._show_notes(notes)
        self._fill_hunks(change)
        self._render_diff(change)
        self.edit_button.setEnabled(not change.refused and not self._applied and not self._read_only)

    def _fill_hunks(self, change: FileChange | None) -> None:
        self._filling = True
        try:
            self.hunks.clear()
            hunks = change.hunks() if change is not None else []
            for hunk in hunks:
                item = QListWidgetItem()
                item.setToolTip("\n".join(hunk.body))
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if not self._applied:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                self.hunks.addItem(item)
                self._render_hunk_item(item, hunk, taken=change.hunk_accepted[hunk.index])
        finally:
            self._filling = False
        self._hunk_bodies = hunks
        shown = bool(hunks)
        self.hunks.setVisible(shown)
        self.hunks_label.setVisible(shown)
        if shown:
            self.hunks_label.setText(f"Hunks (tick to accept): {len(hunks)}")
            rows = min(len(hunks), _HUNK_ROWS_SHOWN)
            self.hunks.setFixedHeight(rows * self.hunks.sizeHintForRow(0)
                                      + 2 * self.hunks.frameWidth() + 2)

    def _render_hunk_item(self, item: QListWidgetItem, hunk: Hunk, *, taken: bool) -> None:
        was_filling, self._filling = self._filling, True
        try:
            added = sum(1 for s in hunk.body if s.startswith("+"))
            removed = sum(1 for s in hunk.body if s.startswith("-"))
            first = next((s[1:].strip() for s in hunk.body if s[:1] in "+-" and s[1:].strip()), "")
            item.setText(f"{hunk.header}  +{added} −{removed}  {first}"
                         + ("" if taken else LEFT_OUT_MARK))
            _set_dimmed(item, not taken, self.palette())
            item.setCheckState(Qt.CheckState.Checked if taken else Qt.CheckState.Unchecked)
        finally:
            self._filling = was_filling

    def _render_diff(self, change: FileChange) -> None:
        if change.kind == "rejected":
            self.diff_view.setPlaceholderText(
                "No diff: this change was rejected (see the problem above)."
                + ("" if change.refused else " Edit… lets you write the file's new text yourself."))
            self.diff_view.clear()
            self._hunk_rows = []
            return
        lines: list[str] = []
        self._hunk_rows = []
        for hunk in change.hunks():
            self._hunk_rows.append(len(lines))
            mark = "" if change.hunk_accepted[hunk.index] else LEFT_OUT_MARK
            lines.append(hunk.header + mark)
            lines += hunk.body
        if not lines:
            self.diff_view.setPlaceholderText("No difference: the new text is the same as the file.")
        self.diff_view.setPlainText("\n".join(lines))

    @Slot(int)
    def _scroll_to_hunk(self, row: int) -> None:
        if 0 <= row < len(self._hunk_rows):
            block = self.diff_view.document().findBlockByNumber(self._hunk_rows[row])
            self.diff_view.setTextCursor(QTextCursor(block))
            self.diff_view.verticalScrollBar().setValue(self._hunk_rows[row])

    @Slot(QListWidgetItem)
    def _on_hunk_checked(self, item: QListWidgetItem) -> None:
        path = self.current_path()
        change = self._changeset.get(path) if self._changeset and path else None
        if self._filling or change is None:
            return
        row = self.hunks.row(item)
        change.hunk_accepted[row] = item.checkState() == Qt.CheckState.Checked
        self._render_hunk_item(item, self._hunk_bodies[row], taken=change.hunk_accepted[row])
        scroll = self.diff_view.verticalScrollBar().value()
        self._render_diff(change)
        self.diff_view.verticalScrollBar().setValue(scroll)
        self._render_file_item(self.files.currentItem(), change)
        self._drop_stale_message()
        self._update_actions()
        self.review_changed.emit()

    def set_hunk_accepted(self, path: str, index: int, accepted: bool) -> None:
        """Tick or untick one hunk of a file, as a click on its checkbox does."""
        self.select_file(path)
        self.hunks.item(index).setCheckState(Qt.CheckState.Checked if accepted
                                             else Qt.CheckState.Unchecked)

    # -- editing --------------------------------------------------------------------------

    @Slot()
    def edit_current(self) -> None:
        """Open the current file's new text (as it would be applied) in an editor dialog."""
        path = self.current_path()
        change = self._changeset.get(path) if self._changeset and path else None
        if change is None or change.refused:
            return
        if change.new_text is None:
            text = change.old_text or ""
        else:
            text = change.text_with_accepted_hunks()
        self._close_dialogs()
        dialog = EditDialog(path=change.path, text=text, parent=self)
        dialog.finished.connect(lambda result: self._on_edit_finished(dialog, result))
        self.edit_dialog = dialog
        dialog.open()

    def _on_edit_finished(self, dialog: EditDialog, result: int) -> None:
        dialog.deleteLater()
        if self.edit_dialog is not dialog:
            return  # closed by _close_dialogs: its ChangeSet is gone
        self.edit_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.set_edited_text(dialog.path, dialog.text())

    def _close_dialogs(self) -> None:
        """Close an open editor or question without acting on it."""
        dialogs = [d for d in (self.edit_dialog, self.pending_confirmation) if d is not None]
        self.edit_dialog = self.pending_confirmation = None
        for dialog in dialogs:
            dialog.reject()

    def set_edited_text(self, path: str, text: str) -> None:
        """The user's own version of a file replaces the model's (diff and warnings redone)."""
        change = self._changeset.get(path) if self._changeset else None
        if change is None:
            return
        if self._guard("Editing", lambda: change.set_new_text(text)) is _FAILED:
            return
        self._render_file_item(self.file_item(path), change)
        self._update_summary()
        if self.current_path() == path:
            self._show_file(change)
        self._hand_edited = True
        self._show_message(f"Edited {path}: the diff now shows your version.", kind="info")
        self._update_actions()
        self.review_changed.emit()

    # -- apply, undo, export --------------------------------------------------------------

    def _has_accepted_edits(self) -> bool:
        cs = self._changeset
        return cs is not None and any(any(c.hunk_accepted) and c.text_with_accepted_hunks()
                                      != c.old_text for c in cs.accepted())

    def has_unapplied_changes(self) -> bool:
        """Reviewed changes with edits left to apply (ticked, not yet on disk)."""
        return self._changeset is not None and not self._applied and self._has_accepted_edits()

    def set_read_only(self, read_only: bool) -> None:
        """While a run streams, the shown changes can be read but not ticked, edited,
        applied, exported or undone."""
        if read_only != self._read_only:
            self._read_only = read_only
            self._update_actions()

    def _update_actions(self) -> None:
        ready = self._changeset is not None and self._root is not None and not self._read_only
        edits = self._has_accepted_edits()
        self.apply_button.setEnabled(ready and edits and not self._applied)
        self.export_button.setEnabled(ready and edits)
        self.undo_button.setEnabled(ready)
        self.files.setEnabled(self._changeset is not None and not self._read_only)
        self.hunks.setEnabled(not self._read_only)
        self.answer_box.setEnabled(ready and not self._applied)
        self.answer_box.setToolTip(
            "Undo the apply to open another answer" if self._applied else
            "The answers this run wrote while its checks failed; the checks kept the one marked kept")
        if self._read_only:
            self.edit_button.setEnabled(False)

    @Slot()
    def _on_apply_clicked(self) -> None:
        self.apply()

    def apply(self) -> None:
        """Apply the accepted changes; asks first (once) when a check failed on them or a ticked
        change would break a file, and when the codebase has uncommitted files."""
        if self._changeset is None or self._root is None or self._applied or self._read_only:
            return
        failed = [r for r in self._check_results() if not r.ok]
        flagged = [c for c in self._changeset.accepted() if c.flag]
        if failed or flagged:
            parts = []
            if failed:
                parts.append("The checks failed on this change (run on a scratch copy before it was shown):\n\n"
                             + "\n".join(r.summary() for r in failed))
            if flagged:
                parts.append("These ticked changes would break a file:\n\n"
                             + "\n".join(f"{c.path}: {c.flag}" for c in flagged))
            box = QMessageBox(QMessageBox.Icon.Warning, "The check failed" if failed else "A change would break a file",
                              "\n\n".join(parts), QMessageBox.StandardButton.Cancel, self)
            if failed:
                box.setDetailedText("\n\n".join(f"{f.id}: {f.message}" for r in failed for f in r.new_failures))
            go = box.addButton("Apply anyway", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.finished.connect(lambda _result: self._on_check_answer(box, go))
            self.pending_confirmation = box
            box.open()
            return
        self._apply_unless_dirty()

    def _on_check_answer(self, box: QMessageBox, go: QPushButton) -> None:
        box.deleteLater()
        if self.pending_confirmation is not box:
            return
        self.pending_confirmation = None
        if box.clickedButton() is go:
            self._apply_unless_dirty()
        else:
            self._show_message("Not applied: nothing was written.", kind="warning")

    def _check_results(self) -> list[CheckResult]:
        return [CheckResult.from_dict(d) for d in (self._changeset.checks if self._changeset else [])]

    @Slot()
    def _show_check_output(self) -> None:
        results = self._check_results()
        box = QMessageBox(QMessageBox.Icon.Information, "Check output",
                          "\n".join(r.summary() for r in results) or "No check ran.",
                          QMessageBox.StandardButton.Close, self)
        box.setDetailedText("\n\n".join(f"$ {r.command or 'plan examples'}\n{r.output}" for r in results))
        box.finished.connect(lambda _result: box.deleteLater())
        box.open()

    def _apply_unless_dirty(self) -> None:
        dirty = dirty_git_files(self._root)
        if not dirty:
            self._apply_now()
            return
        shown = "\n".join(dirty[:_DIRTY_SHOWN])
        more = f"\n… and {len(dirty) - _DIRTY_SHOWN} more" if len(dirty) > _DIRTY_SHOWN else ""
        box = QMessageBox(QMessageBox.Icon.Warning, "Uncommitted changes",
                          (f"{len(dirty)} files in the codebase have" if len(dirty) != 1
                           else "1 file in the codebase has")
                          + " uncommitted changes. Applying now mixes the model's changes "
                          "with them; committing or stashing first keeps them apart.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(shown + more)
        go = box.addButton("Apply anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._on_dirty_answer(box, go))
        self.pending_confirmation = box
        box.open()

    def _on_dirty_answer(self, box: QMessageBox, go: QPushButton) -> None:
        box.deleteLater()
        if self.pending_confirmation is not box:
            return  # closed by _close_dialogs: its ChangeSet is gone
        self.pending_confirmation = None
        if box.clickedButton() is go:
            self._apply_now()
        else:
            self._show_message("Not applied: nothing was written.", kind="warning")

    def _apply_now(self) -> None:
        record = self._guard("Applying", lambda: apply_changes(
            self._changeset, backups_dir=self._backups_dir))
        if record is _FAILED:
            return
        self._applied = True
        self._refresh_after_disk_change()
        self._show_message(f"{record.summary()} Undo last apply puts the files back.", kind="info")
        self.applied.emit(list(record.written))

    @Slot()
    def _on_undo_clicked(self) -> None:
        self.undo()

    def undo(self) -> None:
        """Restore the files of the last apply in this codebase (works after a restart too)."""
        if self._root is None:
            return
        record = self._guard("Undo", lambda: undo_last_apply(root=self._root,
                                                             backups_dir=self._backups_dir))
        if record is _FAILED:
            return
        self._applied = False
        self._refresh_after_disk_change()
        self._show_message(f"{record.summary()} The files are as they were before the apply.",
                           kind="info")
        self.undone.emit()

    def _rerender_items(self) -> None:
        for row in range(self.files.count()):
            change = self._change_at(row)
            if change is not None:
                self._render_file_item(self.files.item(row), change)
        self._on_current_file(self.files.currentItem())

    def _refresh_after_disk_change(self) -> None:
        self._rerender_items()
        self._update_actions()

    @Slot()
    def _on_export_clicked(self) -> None:
        if self._root is None:
            return
        suggested = str(Path.home() / f"{self._root.name or 'changes'}.patch")
        chosen, _ = QFileDialog.getSaveFileName(self, "Export patch", suggested,
                                                "Patch files (*.patch *.diff);;All files (*)")
        if chosen:
            self.export_patch_to(Path(chosen))

    def export_patch_to(self, dest: Path) -> Path | None:
        """Write the accepted changes as a patch at dest (a file, or a folder to put it in)."""
        if self._changeset is None:
            return None
        written = self._guard("Export", lambda: export_patch(self._changeset, Path(dest)))
        if written is _FAILED:
            return None
        self._show_message(f"Patch written to {written}. Apply it with: git apply {written.name}",
                           kind="info")
        self.exported.emit(written)
        return written

    # -- messages -------------------------------------------------------------------------

    def _guard(self, what: str, action: Callable[[], T]) -> T | object:
        """Run a core call; on failure show its message (no traceback) and return _FAILED."""
        try:
            return action()
        except PlansmithError as e:
            message = str(e)
        except OSError as e:
            message = f"{what} failed: {e.strerror or e}" + (f": {e.filename}" if e.filename else "")
        except Exception as e:  # noqa: BLE001: a bug must not reach the user as a traceback
            log.exception("%s failed", what)
            message = f"{what} failed unexpectedly ({type(e).__name__}: {e}). Nothing more was done."
        self._show_message(message, kind="error")
        self.error.emit(message)
        return _FAILED

    def _show_message(self, text: str, *, kind: str) -> None:
        self._message_kind = kind
        self.message.setText(text)
        self.message.setStyleSheet(_banner_style(dark=is_dark(self.palette()), kind=kind))
        self.message.setVisible(bool(text))

    def _drop_stale_message(self) -> None:
        """A failed or cancelled apply's message is about the review as it was: once the user
        ticks or unticks something it no longer holds, so it goes."""
        if self._message_kind in ("error", "warning"):
            self._show_message("", kind="info")

    def message_text(self) -> str:
        return self.message.text() if self.message.isVisibleTo(self) else ""


_FAILED = object()
