"""Asks what to do with an apply that a crash, kill or power cut stopped part-way: finish it,
roll it back, or decide later. The work is the core's (desktop.core.apply_recovery): quick file
operations, run on the GUI thread like Apply and Undo.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.apply_recovery import InterruptedApply, finish_apply, roll_back_apply
from desktop.errors import PlansmithError

_NAMES_SHOWN = 8  # of each kind; the details list every file


class RecoveryDialog(QMessageBox):
    """Open it with open(); `resolved` says what came of the answer."""

    resolved = Signal(str, str, bool)  # a message to show, its kind ("info" | "warning" | "error"), done

    def __init__(self, item: InterruptedApply, *, backups_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Warning, "An apply stopped part-way",
                         f"An apply to {item.root} stopped part-way: {len(item.new)} file(s) are new, "
                         f"{len(item.old)} still old. Finish it, or roll it back?", QMessageBox.StandardButton.NoButton,
                         parent)
        self.item, self.backups_dir = item, backups_dir
        self.setInformativeText(item.describe(limit=_NAMES_SHOWN))
        self.setDetailedText(item.describe())
        self.finish_button = self.addButton("&Finish", QMessageBox.ButtonRole.AcceptRole)
        self.finish_button.setToolTip("Write the files it had not written yet: every file becomes the new version")
        self.roll_back_button = self.addButton("&Roll back", QMessageBox.ButtonRole.DestructiveRole)
        self.roll_back_button.setToolTip("Put back the files it had written: every file as it was before")
        self.later_button = self.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.later_button)
        self.setEscapeButton(self.later_button)
        self.finished.connect(self._on_finished)

    @Slot(int)
    def _on_finished(self, _result: int) -> None:
        clicked, root = self.clickedButton(), self.item.root
        try:
            if clicked is self.finish_button:
                record = finish_apply(self.item, backups_dir=self.backups_dir)
                message = f"{record} Every file of the apply to {root} is now the new version."
            elif clicked is self.roll_back_button:
                record = roll_back_apply(self.item, backups_dir=self.backups_dir)
                message = f"{record} Every file of the apply to {root} is as it was before it."
            else:
                self.resolved.emit(f"An apply to {root} stopped part-way; applying to it is refused until it is "
                                   "finished or rolled back. Choose that folder as the codebase to be asked "
                                   f"again, or run: plansmith recover --repo {root}", "warning", False)
                return
        except PlansmithError as exc:
            self.resolved.emit(str(exc), "error", False)
            return
        self.resolved.emit(message, "info", True)
