"""The model manager dialog (offscreen): first run, download from the fake hub, stop, import, verify, delete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from fakehub import FakeHub, sha256_of
from fetch_models import fetch
from PySide6.QtWidgets import QMessageBox

from desktop.llm.catalog import load_catalog
from desktop.llm.download import partial_path
from desktop.llm.hardware import GIB, Hardware
from desktop.paths import AppPaths
from desktop.settings import Settings
from desktop.ui.model_manager import ModelManagerDialog

CATALOG = load_catalog()
SMOL = CATALOG.get("smollm2-135m")
VM = Hardware(total_ram=24 * GIB, available_ram=20 * GIB, cpu_cores=2)


@pytest.fixture
def hub():
    with FakeHub() as h:
        h.add(SMOL.repo, SMOL.file_name, fetch("smollm2"))
        yield h


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


def open_dialog(qtbot, paths: AppPaths, hub: FakeHub | None = None, **kw) -> ModelManagerDialog:
    dialog = ModelManagerDialog(
        paths=paths, settings=Settings(), endpoint=hub.endpoint if hub else None, catalog=CATALOG, hardware=VM, **kw
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.listing is not None, timeout=10_000)
    return dialog


def row_status(dialog: ModelManagerDialog, key: str) -> str:
    assert dialog.select(key)
    return dialog.selected_row().status


def test_first_run_recommends_and_downloads(qtbot, paths: AppPaths, hub: FakeHub) -> None:
    dialog = open_dialog(qtbot, paths, hub, first_run=True)
    assert "No model is installed yet" in dialog.intro.text() and "Qwen2.5-Coder 1.5B" in dialog.intro.text()
    assert dialog.selected_row().key == "qwen2.5-coder-1.5b"  # preselected, not downloaded
    assert hub.requests == []  # opening the dialog made no request
    assert dialog.select("smollm2-135m") and dialog.download_button.isEnabled()
    with qtbot.waitSignal(dialog.download_finished, timeout=60_000) as finished:
        dialog.download_button.click()
    assert "installed and verified" in finished.args[0]
    assert dialog.progress.value() == 1000
    assert dialog.installed_path == paths.models_dir / SMOL.file_name
    assert sha256_of(dialog.installed_path) == SMOL.sha256[0]
    qtbot.waitUntil(lambda: row_status(dialog, "smollm2-135m") == "Installed, verified", timeout=10_000)
    assert not dialog.download_button.isEnabled() and dialog.verify_button.isEnabled()


def test_stop_keeps_the_partial_and_resume_finishes(qtbot, paths: AppPaths, hub: FakeHub) -> None:
    hub.throttle = 10 * (1 << 20)
    dialog = open_dialog(qtbot, paths, hub)
    dialog.select("smollm2-135m")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 20, timeout=30_000)
    assert dialog.cancel_button.isEnabled() and not dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.download_finished, timeout=15_000) as finished:
        dialog.cancel_button.click()
    assert "stopped" in finished.args[0]
    assert not (paths.models_dir / SMOL.file_name).exists()
    assert partial_path(paths, SMOL.file_name).exists()
    qtbot.waitUntil(lambda: row_status(dialog, "smollm2-135m").startswith("Partly downloaded"), timeout=10_000)
    assert dialog.download_button.text() == "&Resume download"
    hub.throttle = None
    with qtbot.waitSignal(dialog.download_finished, timeout=60_000) as finished:
        dialog.download_button.click()
    assert "installed and verified" in finished.args[0]


def test_download_error_is_shown_not_raised(qtbot, paths: AppPaths, hub: FakeHub) -> None:
    hub.corrupt = True
    hub.files[(SMOL.repo, SMOL.file_name)].sha256 = "0" * 64  # the hub disagrees with the catalogue
    dialog = open_dialog(qtbot, paths, hub)
    dialog.select("smollm2-135m")
    with qtbot.waitSignal(dialog.download_finished, timeout=30_000) as finished:
        dialog.download_button.click()
    assert "different" in finished.args[0] and finished.args[0] == dialog.message.text()
    assert not dialog.cancel_button.isEnabled() and dialog.download_button.isEnabled()


def test_import_verify_delete(qtbot, paths: AppPaths, tmp_path: Path, monkeypatch) -> None:
    dialog = open_dialog(qtbot, paths)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(fetch("smollm2").read_bytes()[:1_000_000])
    with qtbot.waitSignal(dialog.operation_finished, timeout=30_000) as result:
        dialog.import_path(cut)
    assert result.args == ["import", False] and "cut short" in dialog.message.text()

    copy = tmp_path / SMOL.file_name
    shutil.copyfile(fetch("smollm2"), copy)
    with qtbot.waitSignal(dialog.operation_finished, timeout=30_000) as result:
        dialog.import_path(copy)
    assert result.args == ["import", True] and dialog.installed_path == paths.models_dir / SMOL.file_name
    qtbot.waitUntil(lambda: row_status(dialog, "smollm2-135m") == "Installed, verified", timeout=10_000)

    with qtbot.waitSignal(dialog.operation_finished, timeout=30_000) as result:
        dialog.verify_button.click()
    assert result.args == ["verify", True] and "is whole" in dialog.message.text()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.select("smollm2-135m")
    with qtbot.waitSignal(dialog.operation_finished, timeout=30_000) as result:
        dialog.delete_button.click()
    assert result.args == ["delete", True] and not (paths.models_dir / SMOL.file_name).exists()
    qtbot.waitUntil(lambda: row_status(dialog, "smollm2-135m") == "Not installed", timeout=10_000)


def test_closing_during_a_download_stops_it(qtbot, paths: AppPaths, hub: FakeHub) -> None:
    hub.throttle = 5 * (1 << 20)
    dialog = open_dialog(qtbot, paths, hub)
    dialog.select("smollm2-135m")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 10, timeout=30_000)
    dialog.reject()  # must not hang, crash, or leave a half-installed file
    assert not dialog._thread.isRunning()
    assert not (paths.models_dir / SMOL.file_name).exists()
    assert partial_path(paths, SMOL.file_name).exists()
