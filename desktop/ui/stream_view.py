"""A view for text the model writes: streamed in as plain text, then shown as rendered Markdown.

Streaming never touches the document per token: `append` only buffers, and a ~30 ms timer
inserts the whole buffer at the end with one cursor (appendPlainText would start a new
paragraph per call). See NOTES: one signal or one insert per token starves the event loop.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QTextCursor, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget

FLUSH_MS = 30


class StreamView(QWidget):
    """Plain text while streaming; Markdown when done; editable on request."""

    edited = Signal()  # the user changed the text while editing

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "", monospace: bool = False) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setPlaceholderText(placeholder)
        self.editor.setUndoRedoEnabled(False)  # streamed text is not the user's to undo
        if monospace:
            self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.editor.setWordWrapMode(QTextOption.WrapMode.NoWrap)
        self.rendered = QTextBrowser()
        self.rendered.setOpenLinks(False)  # an offline app: links in model text go nowhere
        self._stack = QStackedWidget()
        self._stack.addWidget(self.editor)
        self._stack.addWidget(self.rendered)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._chunks: list[str] = []  # everything received; the source of text() unless edited
        self._pending: list[str] = []
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)
        self.editor.document().contentsChanged.connect(self._contents_changed)
        self._inserting = False
        self._edited = False  # the user changed the text (the document's modified flag resets too easily)

    # -- streaming --------------------------------------------------------------------

    def clear(self) -> None:
        self._timer.stop()
        self._chunks, self._pending = [], []
        self._edited = False
        self._insert(lambda: self.editor.setPlainText(""))
        self.editor.setReadOnly(True)
        self.rendered.clear()
        self._stack.setCurrentWidget(self.editor)

    def append(self, text: str) -> None:
        if not text:
            return
        self._chunks.append(text)
        self._pending.append(text)
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def flush(self) -> None:
        if not self._pending:
            self._timer.stop()  # idle: no wake-ups until the next append
            return
        text = "".join(self._pending)
        self._pending = []
        bar = self.editor.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.editor.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self._insert(lambda: cursor.insertText(text))
        if at_end:
            bar.setValue(bar.maximum())

    def scroll_to_end(self) -> None:
        """Show the end of the text, so what streams next is followed (a new follow-up's answer)."""
        self.flush()
        bar = self.editor.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _insert(self, change) -> None:
        self._inserting = True
        try:
            change()
            self.editor.document().setModified(False)
        finally:
            self._inserting = False

    @Slot()
    def _contents_changed(self) -> None:
        if not self._inserting and not self.editor.isReadOnly():
            self._edited = True
            self.edited.emit()

    # -- reading and showing ----------------------------------------------------------

    def text(self) -> str:
        """What the view holds: the user's edit when there is one, else exactly what was streamed."""
        if self.is_edited():
            return self.editor.toPlainText()
        return "".join(self._chunks)

    def is_edited(self) -> bool:
        return self._edited

    def set_text(self, text: str, *, markdown: bool = True) -> None:
        self.clear()
        self.append(text)
        self.flush()
        if markdown:
            self.show_markdown()

    def show_markdown(self) -> None:
        self.flush()
        self.editor.setReadOnly(True)
        self.rendered.setMarkdown(self.text())
        self._stack.setCurrentWidget(self.rendered)

    def show_plain(self) -> None:
        self.flush()
        self._stack.setCurrentWidget(self.editor)

    def is_markdown_shown(self) -> bool:
        return self._stack.currentWidget() is self.rendered

    def set_editing(self, editing: bool) -> None:
        """Editing: the plain text becomes writable. Leaving it shows the result as Markdown."""
        if editing:
            self.show_plain()
            self.editor.setReadOnly(False)
            self.editor.setFocus()
        else:
            self.show_markdown()

    def is_editing(self) -> bool:
        return not self.editor.isReadOnly()
