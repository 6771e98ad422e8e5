"""The status bar's run figures, the prompt-reading progress with an ETA, and the inline message banner."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

PHASE_LABELS = {
    "idle": "Ready",
    "reflecting": "Phase 1: reflecting",
    "reflected": "Phase 1 done: review the reflection",
    "implementing": "Phase 2: implementing",
    "done": "Phase 2 done: review the changes",
    "stopped": "Stopped",
    "failed": "Failed",
}


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Banner(QFrame):
    """A message above the work area that the user can act on and dismiss; never a traceback."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, *, kind: str = "error") -> None:
        """kind: "error", "warning" or "info" (styled by the [kind=...] rules of the style sheet)."""
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self._label.setText(text)
        self.show()

    def message(self) -> str:
        return "" if self.isHidden() else self._label.text()

    def kind(self) -> str:
        return str(self.property("kind") or "")

    @Slot()
    def dismiss(self) -> None:
        self._label.setText("")
        self.hide()


class RunStatus(QWidget):
    """Phase, tokens generated, tokens/s, context used of total, elapsed time; and a progress bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = QLabel(PHASE_LABELS["idle"])
        self.tokens = QLabel()
        self.rate = QLabel()
        self.context = QLabel()
        self.elapsed = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel()
        for w in (self.tokens, self.rate, self.context, self.elapsed):
            w.setObjectName("figure")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.phase)
        for w in (self.tokens, self.rate, self.context, self.elapsed):
            layout.addWidget(w)
        layout.addStretch(1)
        self._started: float | None = None
        self._read_started = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._tick)
        self.hide_progress()

    # -- the run clock ----------------------------------------------------------------

    def start_clock(self) -> None:
        self._started = time.perf_counter()
        self.tokens.setText("")
        self.rate.setText("")
        self._tick()
        self._clock.start()

    def stop_clock(self) -> None:
        self._tick()
        self._clock.stop()

    @Slot()
    def _tick(self) -> None:
        if self._started is not None:
            self.elapsed.setText(f"elapsed {_duration(time.perf_counter() - self._started)}")

    # -- figures ----------------------------------------------------------------------

    def set_phase(self, phase: str) -> None:
        self.phase.setText(PHASE_LABELS.get(phase, phase))

    def set_figures(self, *, generated: int, tokens_per_second: float, prompt_tokens: int, context_size: int) -> None:
        """tokens_per_second 0 (not measurable yet) leaves the rate blank."""
        self.tokens.setText(f"{generated} tokens")
        self.rate.setText(f"{tokens_per_second:.1f} tok/s" if tokens_per_second else "")
        if context_size:
            used = prompt_tokens + generated
            self.context.setText(f"context {used:,} / {context_size:,}")

    def set_context_size(self, context_size: int) -> None:
        self.context.setText(f"context – / {context_size:,}")

    # -- progress ---------------------------------------------------------------------

    def show_prompt_progress(self, done: int, total: int) -> None:
        """Reading the prompt: a bar and an ETA from the speed so far."""
        now = time.perf_counter()
        if done == 0 or self.progress.maximum() != total:
            self._read_started = now
        if total <= 0 or done >= total:
            self.hide_progress()
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        eta = ""
        if done > 0:
            left = (now - self._read_started) / done * (total - done)
            eta = f", about {_duration(left)} left"
        self.progress_label.setText(f"Reading the prompt: {done:,} / {total:,} tokens{eta}")
        self.progress.show()
        self.progress_label.show()

    def show_busy(self, text: str, *, done: int | None = None, total: int | None = None) -> None:
        """Work without a known end (loading a model) or with a count (scanning files)."""
        if done is None or not total:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.progress_label.setText(text)
        self.progress.show()
        self.progress_label.show()

    def hide_progress(self) -> None:
        self.progress.hide()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress_label.setText("")
        self.progress_label.hide()
