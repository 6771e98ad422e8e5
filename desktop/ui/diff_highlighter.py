"""Colour a unified diff in a QTextDocument: added, removed, hunk and file header lines.

Colours follow the palette (a light or a dark theme); call `set_palette` and the text
is re-coloured. A hunk header that ends with `LEFT_OUT_MARK` greys out that hunk's lines,
so the view can show a rejected hunk without hiding it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import (QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat,
                           QTextDocument)

__all__ = ["DiffHighlighter", "DiffColors", "LEFT_OUT_MARK", "is_dark", "muted_text"]

LEFT_OUT_MARK = "  (left out)"
# Block states: plain, inside a left-out hunk, inside a file header (before its first @@,
# where "--- a/x" is a header line, not a removed line).
_NORMAL, _LEFT_OUT, _HEADER = 0, 1, 2
_HEADER_PREFIXES = ("--- ", "+++ ", "new file mode", "deleted file mode", "index ", "similarity",
                    "rename ", "old mode", "new mode")


def is_dark(palette: QPalette) -> bool:
    """True when the palette's text sits on a dark background."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def muted_text(palette: QPalette) -> QColor:
    """Text dimmed toward the background, still readable (a disabled grey is too faint)."""
    return _blend(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base),
                  0.6)


@dataclass(frozen=True)
class DiffColors:
    added_fg: str
    added_bg: str
    removed_fg: str
    removed_bg: str
    hunk_fg: str
    hunk_bg: str
    file_fg: str

    @classmethod
    def for_palette(cls, palette: QPalette) -> "DiffColors":
        # Contrast of each fg on its bg is above 7:1 in both themes (WCAG AAA).
        if is_dark(palette):
            return cls("#aff5b4", "#133a21", "#ffc2bd", "#4c1b1f", "#9ecbff", "#16304f", "#e6edf3")
        return cls("#0f5323", "#dafbe1", "#82071e", "#ffebe9", "#0a3069", "#ddf4ff", "#1f2328")


def _blend(a: QColor, b: QColor, share: float) -> QColor:
    """`share` of a mixed with the rest of b."""
    return QColor(round(a.red() * share + b.red() * (1 - share)),
                  round(a.green() * share + b.green() * (1 - share)),
                  round(a.blue() * share + b.blue() * (1 - share)))


def _format(fg: str, bg: str | None = None, *, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(fg))
    if bg:
        fmt.setBackground(QColor(bg))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class DiffHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self.set_palette(palette, rehighlight=False)

    def set_palette(self, palette: QPalette, *, rehighlight: bool = True) -> None:
        c = DiffColors.for_palette(palette)
        left_out = _format(muted_text(palette).name())
        left_out.setFontItalic(True)
        self._formats = {
            "+": _format(c.added_fg, c.added_bg),
            "-": _format(c.removed_fg, c.removed_bg),
            "@": _format(c.hunk_fg, c.hunk_bg, bold=True),
            "file": _format(c.file_fg, bold=True),
            "left_out": left_out,
        }
        if rehighlight:
            self.rehighlight()

    def format_for(self, line: str, *, state: int = _NORMAL) -> QTextCharFormat | None:
        """The format a line gets in a block state, or None for plain context."""
        if line.startswith("@@"):
            return self._formats["@"]
        if line.startswith("diff --git") or (state == _HEADER and line.startswith(_HEADER_PREFIXES)):
            return self._formats["file"]
        if state == _LEFT_OUT and line[:1] in ("+", "-", " ", "\\"):
            return self._formats["left_out"]
        if line.startswith("+"):
            return self._formats["+"]
        if line.startswith("-"):
            return self._formats["-"]
        return None

    @staticmethod
    def next_state(line: str, previous: int) -> int:
        if line.startswith("@@"):
            return _LEFT_OUT if line.endswith(LEFT_OUT_MARK) else _NORMAL
        if line.startswith("diff --git"):
            return _HEADER
        if previous == _HEADER and not line.startswith(_HEADER_PREFIXES):
            return _NORMAL
        return max(previous, _NORMAL)  # -1 (no previous block) counts as plain

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        state = self.next_state(text, self.previousBlockState())
        self.setCurrentBlockState(state)
        fmt = self.format_for(text, state=state)
        if fmt is not None and text:
            self.setFormat(0, len(text), fmt)
