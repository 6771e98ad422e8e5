"""Where the plan comes in: drop a file from the file manager, open one, or pick a recent one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

_HINT = "Drop the plan file here (.md or .txt)"


def _local_paths(event) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropZone(QFrame):
    """Emits plan_chosen(path) for a drop, Open… or a recent plan; shows the plan or why it was refused."""

    plan_chosen = Signal(Path)
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setProperty("hover", False)
        self.title = QLabel(_HINT)
        self.title.setObjectName("planTitle")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel()
        self.detail.setObjectName("muted")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.open_button = QPushButton("Open plan…")
        self.open_button.clicked.connect(self.open_requested)
        self.recent = QComboBox()
        self.recent.setToolTip("Recent plans")
        self.recent.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.recent.setMinimumContentsLength(12)
        self.recent.activated.connect(self._recent_chosen)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.recent, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.error)
        layout.addLayout(row)

    # -- what it shows ------------------------------------------------------------------

    def show_plan(self, *, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.error.hide()
        self.error.setText("")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def set_recent(self, paths: list[str]) -> None:
        self.recent.blockSignals(True)
        self.recent.clear()
        self.recent.addItem("Recent plans…" if paths else "No recent plans")
        for p in paths:
            self.recent.addItem(Path(p).name, p)
            self.recent.setItemData(self.recent.count() - 1, p, Qt.ItemDataRole.ToolTipRole)
        self.recent.setEnabled(bool(paths))
        self.recent.setCurrentIndex(0)
        self.recent.blockSignals(False)

    @Slot(int)
    def _recent_chosen(self, index: int) -> None:
        path = self.recent.itemData(index)
        self.recent.setCurrentIndex(0)
        if path:
            self.plan_chosen.emit(Path(path))

    # -- drag and drop ------------------------------------------------------------------

    def _set_hover(self, hover: bool) -> None:
        self.setProperty("hover", hover)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Accept folders and odd files too: the drop then says why they cannot be used.
        if _local_paths(event):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if _local_paths(event):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._set_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        paths = _local_paths(event)
        if not paths:
            self.show_error("Only files from this computer can be dropped here.")
            event.ignore()
            return
        event.acceptProposedAction()
        if len(paths) > 1:
            self.show_error(f"{len(paths)} items were dropped: drop one plan file at a time.")
            return
        self.plan_chosen.emit(paths[0])
