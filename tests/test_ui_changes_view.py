"""ChangesView over a recorded Phase 2 answer, parsed by the real parser against a copy of a codebase."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QPushButton

from desktop.core.changes import ChangeSet
from desktop.ui.changes_view import ChangesView
from desktop.ui.diff_highlighter import LEFT_OUT_MARK, DiffColors, DiffHighlighter

RECORDED = Path(__file__).parent / "fixtures" / "recorded"
ANSWER = (RECORDED / "answer_two_files.md").read_text(encoding="utf-8")
HOSTILE = "../../etc/passwd"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def root(tmp_path) -> Path:
    dest = tmp_path / "codebase"
    shutil.copytree(RECORDED / "codebase", dest)
    return dest


@pytest.fixture
def original(root) -> dict[str, bytes]:
    return snapshot(root)


@pytest.fixture
def view(qtbot, root, app_paths):
    widget = ChangesView()
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    changeset = ChangeSet.from_answer(ANSWER, root=root)
    widget.set_changeset(changeset, root=root, backups_dir=app_paths.backups_dir)
    return widget


def test_lists_every_file_and_the_hostile_path_as_rejected_with_its_reason(view):
    paths = [view.files.item(row).data(Qt.ItemDataRole.UserRole)
             for row in range(view.files.count())]
    assert paths == ["shop/discounts.py", "shop/pricing.py", "shop/cart.py", HOSTILE]
    assert "new file" in view.file_item("shop/discounts.py").text()
    assert "modified" in view.file_item("shop/cart.py").text()

    hostile = view.file_item(HOSTILE)
    assert "rejected: refused: path leaves the codebase: ../../etc/passwd" in hostile.text()
    assert not hostile.flags() & Qt.ItemFlag.ItemIsUserCheckable
    view.select_file(HOSTILE)
    assert "path leaves the codebase" in view.notes.toPlainText()
    assert view.notes.isVisible()
    assert not view.edit_button.isEnabled()
    assert view.diff_view.toPlainText() == ""
    assert "1 rejected" in view.summary.text()


def test_diff_shows_the_selected_file_with_its_hunks(view):
    view.select_file("shop/cart.py")
    assert view.hunks.count() == 3
    text = view.diff_view.toPlainText()
    assert "+from shop.discounts import DiscountCode, lookup_code" in text
    assert "-        return self.subtotal()" in text
    assert text.count("@@ -") == 3


def test_accept_one_file_reject_another_then_apply_and_undo(qtbot, view, root, original):
    view.set_accepted("shop/pricing.py", False)
    assert "not accepted" in view.file_item("shop/pricing.py").text()
    assert "2 accepted" in view.summary.text()
    changeset = view.changeset()
    cart = changeset.get("shop/cart.py")
    discounts = changeset.get("shop/discounts.py")

    with qtbot.waitSignal(view.applied) as applied:
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert sorted(applied.args[0]) == ["shop/cart.py", "shop/discounts.py"]

    after = snapshot(root)
    expected = dict(original)
    expected["shop/cart.py"] = cart.new_text.encode()
    expected["shop/discounts.py"] = discounts.new_text.encode()
    assert after == expected  # pricing.py untouched, nothing else written
    assert "def apply_code(self, code: str) -> None:" in after["shop/cart.py"].decode()
    assert "percent_of" not in after["shop/pricing.py"].decode()
    assert not view.apply_button.isEnabled()  # the same diff cannot be applied twice
    assert "Applied: 2 file(s) written" in view.message_text()

    with qtbot.waitSignal(view.undone):
        qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert snapshot(root) == original
    assert not (root / "shop" / "discounts.py").exists()
    assert view.apply_button.isEnabled()


def test_a_rejected_hunk_is_left_out_of_the_applied_file(qtbot, view, root, original):
    view.set_hunk_accepted("shop/cart.py", 1, False)  # the `discount` field
    headers = [s for s in view.diff_view.toPlainText().split("\n") if s.startswith("@@")]
    assert headers[1].endswith(LEFT_OUT_MARK)
    assert not headers[0].endswith(LEFT_OUT_MARK) and not headers[2].endswith(LEFT_OUT_MARK)
    assert "2 of 3 hunks" in view.file_item("shop/cart.py").text()
    assert view.hunks.item(1).text().endswith(LEFT_OUT_MARK)
    assert not view.hunks.item(0).text().endswith(LEFT_OUT_MARK)

    with qtbot.waitSignal(view.applied):
        view.apply()
    cart = (root / "shop" / "cart.py").read_text()
    assert "discount: DiscountCode | None = None" not in cart
    assert "from shop.discounts import DiscountCode, lookup_code" in cart  # hunk 0
    assert "def discount_amount(self) -> float:" in cart  # hunk 2
    old = original["shop/cart.py"].decode()
    assert cart == old.replace(
        "from shop.pricing import format_price, round_price\n",
        "from shop.discounts import DiscountCode, lookup_code\n"
        "from shop.pricing import format_price, percent_of, round_price\n",
    ).replace(
        "    def total(self) -> float:\n        return self.subtotal()\n",
        "    def apply_code(self, code: str) -> None:\n"
        '        """Use a discount code; ValueError if it is unknown."""\n'
        "        self.discount = lookup_code(code)\n\n"
        "    def discount_amount(self) -> float:\n"
        "        if self.discount is None:\n"
        "            return 0.0\n"
        "        return percent_of(self.subtotal(), self.discount.percent)\n\n"
        "    def total(self) -> float:\n"
        "        return round_price(self.subtotal() - self.discount_amount())\n",
    ).replace(
        "                 for i in self.items]\n        lines.append(f\"Total:",
        "                 for i in self.items]\n"
        "        if self.discount is not None:\n"
        "            lines.append(f\"Discount ({self.discount.code}): \"\n"
        "                         f\"{format_price(-self.discount_amount())}\")\n"
        "        lines.append(f\"Total:",
    )


def test_exported_patch_applies_with_git_to_a_fresh_copy(qtbot, view, tmp_path):
    view.set_accepted("shop/pricing.py", False)
    view.set_hunk_accepted("shop/cart.py", 1, False)
    with qtbot.waitSignal(view.exported) as exported:
        written = view.export_patch_to(tmp_path / "out" / "discounts.patch")
    assert written == exported.args[0] == tmp_path / "out" / "discounts.patch"
    patch = written.read_text()
    assert "shop/pricing.py" not in patch and HOSTILE not in patch

    fresh = tmp_path / "fresh"
    shutil.copytree(RECORDED / "codebase", fresh)
    assert git("init", "-q", cwd=fresh).returncode == 0
    assert git("add", ".", cwd=fresh).returncode == 0
    assert git("commit", "-qm", "base", cwd=fresh).returncode == 0
    check = git("apply", "--check", str(written), cwd=fresh)
    assert check.returncode == 0, check.stderr
    assert git("apply", str(written), cwd=fresh).returncode == 0
    changeset = view.changeset()
    assert (fresh / "shop/cart.py").read_text() == \
        changeset.get("shop/cart.py").text_with_accepted_hunks()
    assert (fresh / "shop/discounts.py").read_text() == changeset.get("shop/discounts.py").new_text
    assert "percent_of" not in (fresh / "shop/pricing.py").read_text()


def test_a_file_changed_after_the_diff_stops_apply_with_a_message(qtbot, view, root, app_paths):
    (root / "shop" / "cart.py").write_text("# edited by hand meanwhile\n", encoding="utf-8")
    before = snapshot(root)

    with qtbot.waitSignal(view.error) as error:
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    message = error.args[0]
    assert "changed on disk" in message and "shop/cart.py" in message
    assert "Traceback" not in message
    assert view.message_text() == message
    assert snapshot(root) == before  # not even the new file was written
    assert view.apply_button.isEnabled()

    view.set_accepted("shop/cart.py", False)  # the user acts on it: the old message goes
    assert view.message_text() == ""


def test_uncommitted_files_make_apply_ask_first(qtbot, view, root):
    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "base", cwd=root)
    (root / "README.md").write_text("work in progress\n", encoding="utf-8")
    before = snapshot(root)

    view.apply()
    box = view.pending_confirmation
    assert box is not None and "README.md" in box.informativeText()
    box.reject()  # Cancel
    assert snapshot(root) == before
    assert "Not applied" in view.message_text()

    view.apply()
    box = view.pending_confirmation
    go = next(b for b in box.buttons() if b.text() == "Apply anyway")
    with qtbot.waitSignal(view.applied):
        qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert (root / "shop" / "discounts.py").exists()
    assert (root / "README.md").read_text() == "work in progress\n"


def test_edit_a_change_before_applying_shows_python_warnings(qtbot, view, root):
    view.select_file("shop/pricing.py")
    view.edit_current()
    dialog = view.edit_dialog
    assert "def percent_of(amount: float, percent: int) -> float:" in dialog.text()
    dialog.editor.setPlainText(dialog.text().replace("def percent_of(", "def percent_of(("))
    dialog.accept()

    item = view.file_item("shop/pricing.py")
    assert "Python no longer parses" in item.text()
    assert "Python no longer parses" in view.notes.toPlainText()

    view.set_edited_text("shop/pricing.py", (root / "shop/pricing.py").read_text()
                         + "\n\nVAT = 0.21\n")
    assert "Python" not in view.file_item("shop/pricing.py").text()
    with qtbot.waitSignal(view.applied):
        view.apply()
    assert (root / "shop/pricing.py").read_text().endswith("\n\nVAT = 0.21\n")


def test_a_new_changeset_closes_the_editor_of_the_old_one(qtbot, view, root, app_paths):
    view.select_file("shop/pricing.py")
    view.edit_current()
    dialog = view.edit_dialog
    dialog.editor.setPlainText("x = 1\n")
    fresh = ChangeSet.from_answer(ANSWER, root=root)
    view.set_changeset(fresh, root=root, backups_dir=app_paths.backups_dir)
    assert view.edit_dialog is None and not dialog.isVisible()
    assert "percent_of" in fresh.get("shop/pricing.py").new_text  # the edit was dropped


def test_undo_with_nothing_applied_says_so(qtbot, view):
    with qtbot.waitSignal(view.error) as error:
        view.undo()
    assert error.args[0].startswith("Nothing to undo")


def test_export_error_is_a_message(qtbot, view, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with qtbot.waitSignal(view.error) as error:
        assert view.export_patch_to(blocker / "out.patch") is None
    assert error.args[0].startswith("Could not write the patch")


def test_nothing_accepted_disables_apply_and_export(view):
    for path in ("shop/discounts.py", "shop/pricing.py", "shop/cart.py"):
        view.set_accepted(path, False)
    assert not view.apply_button.isEnabled()
    assert not view.export_button.isEnabled()
    assert "0 accepted" in view.summary.text()


def test_the_file_list_greys_out_while_read_only_and_unticked_files_stay_dimmed(qtbot, view):
    view.set_accepted("shop/pricing.py", False)

    def darkest_text(path: str) -> int:
        """The darkest pixel of the row's text (the check box and icon left out)."""
        rect = view.files.visualItemRect(view.file_item(path))
        image = view.files.viewport().grab(rect.adjusted(rect.width() // 4, 0, 0, 0)).toImage()
        return min(QColor(image.pixel(x, y)).lightness()
                   for x in range(image.width()) for y in range(image.height()))

    ticked, unticked = darkest_text("shop/cart.py"), darkest_text("shop/pricing.py")
    assert ticked < unticked  # a file that will not be applied is dimmed
    view.set_read_only(True)  # a follow-up streams: the list is frozen and looks it
    assert darkest_text("shop/cart.py") > ticked
    view.set_read_only(False)
    assert darkest_text("shop/cart.py") == ticked and darkest_text("shop/pricing.py") == unticked


def test_unreadable_parts_of_an_answer_are_listed(qtbot, app_paths, root):
    widget = ChangesView()
    qtbot.addWidget(widget)
    answer = "shop/x.py\n```python\n<<<<<<< SEARCH\nfoo\n=======\nbar\n```\n"
    widget.set_changeset(ChangeSet.from_answer(answer, root=root), root=root,
                         backups_dir=app_paths.backups_dir)
    assert "could not be read" in widget.summary.text()
    widget.files.setCurrentRow(widget.files.count() - 1)
    assert "no '>>>>>>> REPLACE' line" in widget.notes.toPlainText()
    assert not widget.apply_button.isEnabled()


def test_empty_view_shows_no_empty_panes(qtbot):
    widget = ChangesView()
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.notes.isVisible() and not widget.hunks.isVisible()
    assert "No changes yet" in widget.diff_view.placeholderText()
    assert not any(b.isEnabled() for b in (widget.apply_button, widget.undo_button,
                                            widget.export_button, widget.edit_button))


def test_a_dark_palette_recolours_the_diff(qtbot, view):
    view.select_file("shop/cart.py")
    dark = _palette("#1e1e1e", "#e0e0e0")
    view.setPalette(dark)
    added = next(view.diff_view.document().findBlockByNumber(n) for n in range(50)
                 if view.diff_view.document().findBlockByNumber(n).text().startswith("+"))
    ranges = added.layout().formats()
    assert ranges[0].format.foreground().color().name() == DiffColors.for_palette(dark).added_fg


def test_fits_1280_by_720(view):
    hint = view.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720
    for button in view.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= button.sizeHint().width(), button.text()


def _palette(base: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    return palette


def _contrast(a: str, b: str) -> float:
    def luminance(color: str) -> float:
        c = QColor(color)
        channels = []
        for v in (c.redF(), c.greenF(), c.blueF()):
            channels.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
        r, g, b_ = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("base,text", [("#ffffff", "#000000"), ("#1e1e1e", "#e0e0e0")])
def test_highlighter_colours_are_readable_in_light_and_dark(qtbot, base, text):
    colors = DiffColors.for_palette(_palette(base, text))
    assert _contrast(colors.added_fg, colors.added_bg) >= 7
    assert _contrast(colors.removed_fg, colors.removed_bg) >= 7
    assert _contrast(colors.hunk_fg, colors.hunk_bg) >= 7
    assert _contrast(colors.file_fg, base) >= 7


def test_highlighter_colours_lines_by_kind(qtbot):
    from PySide6.QtWidgets import QPlainTextEdit

    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    light = _palette("#ffffff", "#000000")
    highlighter = DiffHighlighter(edit.document(), light)
    edit.setPlainText("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n ctx\n-old\n+new\n"
                      f"@@ -9 +9 @@{LEFT_OUT_MARK}\n-gone\n+kept out\n@@ -20 +20 @@\n--- sql\n")

    def foreground(line_no: int) -> str | None:
        ranges = edit.document().findBlockByNumber(line_no).layout().formats()
        return ranges[0].format.foreground().color().name() if ranges else None

    colors = DiffColors.for_palette(light)
    assert foreground(1) == colors.file_fg  # "--- a/x" in the header
    assert foreground(3) == colors.hunk_fg
    assert foreground(4) is None
    assert foreground(5) == colors.removed_fg
    assert foreground(6) == colors.added_fg
    muted = foreground(8)
    assert muted not in (colors.removed_fg, None)
    assert foreground(9) == muted  # the whole left-out hunk is dimmed
    assert foreground(11) == colors.removed_fg  # "--- sql" after @@ is a removed line

    dark = _palette("#1e1e1e", "#e0e0e0")
    highlighter.set_palette(dark)
    assert foreground(6) == DiffColors.for_palette(dark).added_fg


@pytest.mark.slow
def test_the_screenshot_script_captures_every_state(tmp_path):
    """packaging/screenshots.py end to end, offscreen (screenshots.sh runs it under Xvfb)."""
    repo = Path(__file__).resolve().parent.parent
    out = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, str(repo / "packaging" / "screenshots.py"), str(out),
                             "--delay", "0.001"], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    shots = sorted(p.name for p in out.glob("*.png"))
    assert "03-phase1-streaming.png" in shots and "06-changes-view.png" in shots
    assert "07-error-file-changed-before-apply.png" in shots
    assert "10-window-changes-read-only-while-follow-up-streams.png" in shots
    assert "11-window-changes-not-applied-question.png" in shots
    assert "pane-11-would-break-unticked.png" in shots and "pane-12-would-break-question.png" in shots
    groups = {prefix: sum(name.startswith(prefix) for name in shots)
              for prefix in ("pane-", "recovery-", "settings-")}
    groups["window"] = sum(name[:2].isdigit() for name in shots)
    assert groups == {"window": 11, "pane-": 12, "recovery-": 6, "settings-": 4}, shots
    for name in shots:
        image = QImage(str(out / name))
        assert not image.isNull(), name
        assert (image.width(), image.height()) == (1280, 720), name


def test_a_failed_check_is_shown_and_apply_asks_first(qtbot, root, app_paths):
    from desktop.core.checks import CheckResult, Failure

    failed = CheckResult("command", "pytest -q", passed=3, failed=1, returncode=1, seconds=1.2, network_cut=True,
                         failures=[Failure("tests/test_a.py::test_total", "assert 80.0 == 90.0")],
                         new_failures=[Failure("tests/test_a.py::test_total", "assert 80.0 == 90.0")],
                         output="FAILED tests/test_a.py::test_total - assert 80.0 == 90.0\n1 failed, 3 passed")
    widget = ChangesView()
    qtbot.addWidget(widget)
    widget.show()
    changeset = ChangeSet.from_answer(ANSWER, root=root)
    changeset.checks = [failed.to_dict()]
    widget.set_changeset(changeset, root=root, backups_dir=app_paths.backups_dir)
    assert widget.checks_label.isVisible() and widget.check_output_button.isVisible()
    assert "check `pytest -q`: failed (3 passed, 1 failed, 1 new, 1.2 s)" in widget.checks_label.text()
    before = snapshot(root)
    widget.apply()
    box = widget.pending_confirmation
    assert box is not None and box.windowTitle() == "The check failed"
    assert "tests/test_a.py::test_total" in box.detailedText()
    box.reject()
    assert snapshot(root) == before and "Not applied" in widget.message_text()
    widget.apply()
    go = next(b for b in widget.pending_confirmation.buttons() if b.text() == "Apply anyway")
    with qtbot.waitSignal(widget.applied):
        qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert snapshot(root) != before
    # Without checks, nothing about them is shown.
    widget.set_changeset(ChangeSet.from_answer(ANSWER, root=root), root=root, backups_dir=app_paths.backups_dir)
    assert not widget.checks_label.isVisible()


def test_a_change_that_would_break_its_file_starts_unticked_and_apply_asks_once_when_ticked(qtbot, root, app_paths):
    from desktop.core.risky_changes import untick_risky_changes

    target = next(p for p in sorted(root.rglob("*.py")) if "def " in p.read_text())
    rel = target.relative_to(root).as_posix()
    changeset = ChangeSet.from_answer(f"{rel}\n```python\ndef broken(:\n    pass\n```\n", root=root)
    assert [path for path, _ in untick_risky_changes(changeset)] == [rel]
    widget = ChangesView()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_changeset(changeset, root=root, backups_dir=app_paths.backups_dir)
    assert not widget.apply_button.isEnabled()  # nothing ticked: nothing to apply
    assert "no longer parse" in widget.files.item(0).toolTip()
    widget.files.setCurrentRow(0)
    assert "Not ticked: the file would no longer parse" in widget.notes.toPlainText()
    assert "would break: the file would no longer parse" in widget.files.item(0).text()
    changeset.get(rel).accepted = True  # the user ticks it anyway
    widget.set_changeset(changeset, root=root, backups_dir=app_paths.backups_dir)
    before = snapshot(root)
    widget.apply()
    box = widget.pending_confirmation
    assert box is not None and box.windowTitle() == "A change would break a file"
    assert f"{rel}: the file would no longer parse" in box.text()
    box.reject()
    assert snapshot(root) == before and "Not applied" in widget.message_text()
