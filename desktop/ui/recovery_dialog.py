"""Asks what to do with an apply that a crash, kill or power cut stopped part-way: finish it,
roll it back, or decide later. The work is the core's (desktop.core.apply_recovery): quick file
operations, run on the GUI thread like Apply and Undo.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.apply import NEW_FILES
from desktop.core.apply_recovery import InterruptedApply, finish_apply, roll_back_apply
from desktop.errors import PlansmithError

# Of each kind, so that the box fits a 720-pixel-high screen; the details list every file.
_NAMES_SHOWN = 6


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def _when(started: str) -> str:
    try:
        return datetime.fromisoformat(started).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started  # "?" when the manifest did not say


def _names(title: str, names: list[str], *, limit: int | None = _NAMES_SHOWN) -> list[str]:
    if not names:
        return []
    shown = names if limit is None else names[:limit]
    lines = [f"{title} ({len(names)}):"] + [f"  {name}" for name in shown]
    if len(shown) < len(names):
        lines.append(f"  … and {len(names) - len(shown)} more (Show Details)")
    return lines


def question(item: InterruptedApply) -> str:
    """The box's first line: what happened, and what it asks."""
    total = len(item.new) + len(item.old) + len(item.edited)
    if item.edited:  # whether the apply wrote those cannot be told
        done = f"part-way through its {_files(total)}"
    elif item.new:
        done = f"after writing {len(item.new)} of its {_files(total)}"
    else:
        done = f"before writing any of its {_files(total)}"
    return f"Plansmith stopped while applying changes to {item.root.name}, {done}. Finish the apply, or roll it back?"


def summary(item: InterruptedApply) -> str:
    """Where and when, which files, and what each answer does (in words a user can act on)."""
    lines = [f"Folder: {item.root}", f"Started: {_when(item.started)}", ""]
    lines += _names("Written", item.new) + _names("Not written yet", item.old)
    lines += _names("Changed since by something else", item.edited)
    lines.append("")
    if item.edited:
        lines += ["Finish and Roll back are refused while a file has changed since: put each back as it was, or "
                  "as the apply would make it (both versions are in the backup; see Show Details), then choose.", ""]
    # Counts only where they are sure: a changed file may or may not have been written.
    if item.old or item.edited:
        count = f"the {_files(len(item.old))}" if not item.edited else "the files"
        lines.append(f"Finish: write {count} not written yet, so every file has the change.")
    else:
        lines.append("Finish: mark the apply done (every file already has the change).")
    if item.new or item.edited:
        count = f"the {_files(len(item.new))}" if not item.edited else "the files"
        lines.append(f"Roll back: undo {count} it wrote, so every file is as it was before.")
    else:
        lines.append("Roll back: mark the apply undone (it wrote no file).")
    lines.append("Later: leave the files as they are; new applies to this folder are refused until you choose.")
    return "\n".join(lines)


def details(item: InterruptedApply) -> str:
    """Every file, the temp files the stop left, and where the backup is."""
    temps = [str(p.relative_to(item.root)) if p.is_relative_to(item.root) else str(p) for p in item.temp_files]
    lines = [f"Folder: {item.root}", f"Started: {_when(item.started)}",
             f"Backup: {item.backup_dir} (originals in files/, new versions in {NEW_FILES}/)", ""]
    for title, names in (("Written", item.new), ("Not written yet", item.old),
                         ("Changed since by something else", item.edited),
                         ("Half-written temp files, removed by Finish or Roll back", temps)):
        lines += _names(title, names, limit=None)
    return "\n".join(lines)


class RecoveryDialog(QMessageBox):
    """Open it with open(); `resolved` says what came of the answer."""

    resolved = Signal(str, str, bool)  # a message to show, its kind ("info" | "warning" | "error"), done

    def __init__(self, item: InterruptedApply, *, backups_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Warning, "An apply stopped part-way", question(item),
                         QMessageBox.StandardButton.NoButton, parent)
        self.item, self.backups_dir = item, backups_dir
        self.setInformativeText(summary(item))
        self.setDetailedText(details(item))
        self.finish_button = self.addButton("&Finish", QMessageBox.ButtonRole.AcceptRole)
        self.finish_button.setToolTip("Write the files it had not written yet: every file gets the change")
        self.roll_back_button = self.addButton("&Roll back", QMessageBox.ButtonRole.DestructiveRole)
        self.roll_back_button.setToolTip("Undo the files it had written: every file as it was before")
        self.later_button = self.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
        self.later_button.setToolTip("Decide later: asked again at the next start, or when you choose this folder")
        self.setDefaultButton(self.later_button)  # Enter changes no file
        self.setEscapeButton(self.later_button)
        self.finished.connect(self._on_finished)

    @Slot(int)
    def _on_finished(self, _result: int) -> None:
        clicked, root = self.clickedButton(), self.item.root
        try:
            if clicked is self.finish_button:
                record = finish_apply(self.item, backups_dir=self.backups_dir)
                message = f"{record} Every file of the apply to {root} now has the change."
            elif clicked is self.roll_back_button:
                record = roll_back_apply(self.item, backups_dir=self.backups_dir)
                message = f"{record} Every file of the apply to {root} is as it was before."
            else:
                self.resolved.emit(f"The apply to {root} is still unfinished: new applies to that folder are "
                                   "refused until it is finished or rolled back. Choose the folder as the codebase "
                                   f"to be asked again, or run: plansmith recover --repo {root}", "warning", False)
                return
        except PlansmithError as exc:
            self.resolved.emit(str(exc), "error", False)
            return
        self.resolved.emit(message, "info", True)
