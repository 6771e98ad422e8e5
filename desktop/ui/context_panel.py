"""The codebase folder: files scanned, which went into the model's context and which were left out.

The user pins files (always in, first) or drops them (never in) before running; the
choice travels with the next run request as `pinned` / `dropped`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.codebase import Codebase, RankedFile
from desktop.core.context import ContextPack

MAX_ROWS = 1000  # more rows make the list slow to fill; the filter reaches the rest
COL_FILE, COL_PIN, COL_DROP, COL_STATE = range(4)


class ContextPanel(QWidget):
    choose_folder_requested = Signal()
    check_requested = Signal()  # "what fits": packs the context (loads the model if needed)
    selection_changed = Signal()  # pins or drops changed: the shown context is out of date
    check_command_edited = Signal(str)  # the check command of this codebase, as the user left it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = QLabel("No codebase folder chosen")
        self.folder.setObjectName("muted")
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = QPushButton("Choose folder…")
        self.choose_button.clicked.connect(self.choose_folder_requested)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter files…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._refill)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["File", "Pin", "Drop", "Context"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_FILE, QHeaderView.ResizeMode.Stretch)
        for col in (COL_PIN, COL_DROP, COL_STATE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemChanged.connect(self._item_changed)
        self.check_button = QPushButton("Check what fits")
        self.check_button.setToolTip("Pack the context as the next run will (loads the model if needed)")
        self.check_button.clicked.connect(self.check_requested)
        self.check_command = QLineEdit()
        self.check_command.setPlaceholderText("Check command, e.g. pytest -q (optional)")
        self.check_command.setToolTip(
            "Run on a scratch copy of this codebase with the change, before you apply it (never in your "
            "folder). New failures go back to the model. Remembered for this codebase.")
        self.check_command.setEnabled(False)
        self.check_command.editingFinished.connect(lambda: self.check_command_edited.emit(self.check_command.text()))
        top = QHBoxLayout()
        top.addWidget(self.folder, 1)
        top.addWidget(self.choose_button)
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.check_command)
        layout.addWidget(self.error)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        self._codebase: Codebase | None = None
        self._ranked: list[RankedFile] | None = None
        self._pack: ContextPack | None = None
        self._pinned: list[str] = []
        self._dropped: set[str] = set()
        self._filling = False
        self._stale = False  # pins or drops changed since the shown pack

    # -- state from the window ---------------------------------------------------------

    def show_folder(self, path: Path | None, *, check_command: str = "") -> None:
        self.folder.setText(str(path) if path else "No codebase folder chosen")
        self.folder.setToolTip(str(path) if path else "")
        self.check_command.setText(check_command)
        self.check_command.setEnabled(path is not None)

    def show_scanning(self, files_seen: int) -> None:
        self.error.hide()
        self.summary.setText(f"Scanning… {files_seen:,} files looked at")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        if message:
            self.summary.setText("")

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def set_files(self, codebase: Codebase, ranked: list[RankedFile] | None) -> None:
        """A new scan (or a new ranking): keep pins and drops that still name a file."""
        if self._codebase is None or codebase.root != self._codebase.root:
            self._pinned, self._dropped = [], set()
        names = {f.rel_path for f in codebase.files}
        self._pinned = [p for p in self._pinned if p in names]
        self._dropped &= names
        self._codebase, self._ranked, self._pack, self._stale = codebase, ranked, None, False
        self.error.hide()
        self._refill()

    def set_pack(self, pack: ContextPack | None) -> None:
        self._pack, self._stale = pack, False
        self._refill()

    def clear(self) -> None:
        self._codebase, self._ranked, self._pack = None, None, None
        self._pinned, self._dropped = [], set()
        self.tree.clear()
        self.summary.setText("")

    # -- pins and drops -----------------------------------------------------------------

    def pinned(self) -> tuple[str, ...]:
        return tuple(self._pinned)

    def dropped(self) -> tuple[str, ...]:
        return tuple(sorted(self._dropped))

    def set_pinned(self, path: str, pinned: bool) -> None:
        if pinned:
            self._dropped.discard(path)
            if path not in self._pinned:
                self._pinned.append(path)
        elif path in self._pinned:
            self._pinned.remove(path)
        self._changed()

    def set_dropped(self, path: str, dropped: bool) -> None:
        if dropped:
            self._dropped.add(path)
            if path in self._pinned:
                self._pinned.remove(path)
        else:
            self._dropped.discard(path)
        self._changed()

    def _changed(self) -> None:
        self._stale = self._pack is not None
        self._refill()
        self.selection_changed.emit()

    @Slot(QTreeWidgetItem, int)
    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column not in (COL_PIN, COL_DROP):
            return
        path = item.data(COL_FILE, Qt.ItemDataRole.UserRole)
        on = item.checkState(column) == Qt.CheckState.Checked
        if column == COL_PIN:
            self.set_pinned(path, on)
        else:
            self.set_dropped(path, on)

    # -- the list ---------------------------------------------------------------------------

    def _states(self) -> dict[str, tuple[str, str]]:
        """path -> (short state, tooltip) from the last context pack."""
        states: dict[str, tuple[str, str]] = {}
        if self._pack is None:
            return states
        for f in self._pack.files:
            if f.cut_at_line is not None:
                states[f.path] = (f"cut: first {f.cut_at_line} lines", f"{f.tokens} tokens")
            else:
                states[f.path] = (f"in ({f.tokens} tok)", f"{f.tokens} tokens")
        for path, reason in self._pack.left_out:
            states[path] = ("left out", reason)
        return states

    def _order(self) -> list[tuple[str, RankedFile | None]]:
        if self._codebase is None:
            return []
        if self._ranked is not None:
            return [(r.rel_path, r) for r in self._ranked]
        return [(f.rel_path, None) for f in self._codebase.files]

    @Slot()
    def _refill(self) -> None:
        if self._codebase is None:
            return
        needle = self.filter.text().strip().lower()
        order = self._order()
        pinned = [p for p in self._pinned]
        rest = [(p, r) for p, r in order if p not in self._pinned]
        ranked = {p: r for p, r in order}
        rows = [(p, ranked.get(p)) for p in pinned] + rest
        if needle:
            rows = [(p, r) for p, r in rows if needle in p.lower()]
        states = self._states()
        self._filling = True
        self.tree.setUpdatesEnabled(False)
        try:
            self.tree.clear()
            items = []
            for path, rank in rows[:MAX_ROWS]:
                item = QTreeWidgetItem([path, "", "", ""])
                item.setData(COL_FILE, Qt.ItemDataRole.UserRole, path)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(COL_PIN, Qt.CheckState.Checked if path in self._pinned else Qt.CheckState.Unchecked)
                item.setCheckState(COL_DROP, Qt.CheckState.Checked if path in self._dropped else Qt.CheckState.Unchecked)
                tip = path
                if rank is not None and rank.reasons:
                    tip += f"\nrelevance {rank.score:g}: " + "; ".join(rank.reasons)
                item.setToolTip(COL_FILE, tip)
                state = states.get(path)
                if path in self._dropped:
                    state = ("dropped", "You dropped this file: it never goes into the context.")
                if state is not None:
                    item.setText(COL_STATE, state[0])
                    item.setToolTip(COL_STATE, state[1])
                items.append(item)
            self.tree.addTopLevelItems(items)
        finally:
            self.tree.setUpdatesEnabled(True)
            self._filling = False
        self._update_summary(shown=min(len(rows), MAX_ROWS), matching=len(rows))

    def _update_summary(self, *, shown: int, matching: int) -> None:
        cb = self._codebase
        if cb is None:
            return
        skipped = sum(cb.skipped.values())
        parts = [f"{len(cb.files):,} files scanned"]
        if skipped:
            parts.append(f"{skipped:,} skipped")
        if self._pack is not None:
            parts.append(
                f"{len(self._pack.files)} in the context ({self._pack.used:,} of {self._pack.budget:,} tokens), "
                f"{len(self._pack.left_out)} left out"
                + (" (before your last change: check again)" if self._stale else "")
            )
        else:
            parts.append("context not packed yet")
        if shown < matching:
            parts.append(f"showing {shown:,} of {matching:,}: filter to find the rest")
        self.summary.setText("; ".join(parts))
        self.summary.setToolTip(
            "\n".join(f"{reason}: {n}" for reason, n in cb.skipped.items()) if cb.skipped else ""
        )

    def rows(self) -> list[tuple[str, str]]:
        """(path, context state) of the shown rows, top to bottom."""
        return [
            (self.tree.topLevelItem(i).text(COL_FILE), self.tree.topLevelItem(i).text(COL_STATE))
            for i in range(self.tree.topLevelItemCount())
        ]
