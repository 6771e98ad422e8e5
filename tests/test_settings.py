"""Threads: automatic by default, every core for command-line runs, one fewer for the window."""

from __future__ import annotations

import json
import os

import pytest

from desktop.errors import SettingsError
from desktop.llm.factory import make_local_engine
from desktop.settings import SCHEMA_VERSION, Settings, default_threads, load_settings, save_settings


def test_automatic_threads_use_every_core_headless_and_keep_one_for_the_window():
    cores = os.cpu_count() or 2
    settings = Settings()
    assert settings.threads == 0
    assert settings.threads_for(headless=True) == cores
    assert settings.threads_for(headless=False) == max(1, cores - 1)
    assert Settings(threads=3).threads_for(headless=True) == 3 == Settings(threads=3).threads_for(headless=False)
    assert make_local_engine(Settings(), model_path="m.gguf").threads == default_threads(headless=True)
    with pytest.raises(SettingsError):
        Settings(threads=-1).validate()


def test_the_old_default_written_out_by_schema_1_becomes_automatic(tmp_path):
    path = tmp_path / "settings.json"
    old_default = max(1, (os.cpu_count() or 2) - 1)
    path.write_text(json.dumps({"schema_version": 1, "threads": old_default}))
    assert load_settings(path).threads == 0
    path.write_text(json.dumps({"schema_version": 1, "threads": old_default + 5}))  # the user's own choice stays
    assert load_settings(path).threads == old_default + 5
    save_settings(Settings(threads=0), path)
    assert load_settings(path).threads == 0 and json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION


def test_the_examples_run_by_default_only_on_code_that_only_computes(tmp_path):
    from desktop.core.run_settings import run_options
    from desktop.paths import AppPaths

    paths = AppPaths.under(tmp_path / "app")
    assert Settings().check_examples == "computing"
    for mode, on, any_code in (("computing", True, False), ("any", True, True), ("off", False, False)):
        options = run_options(Settings(check_examples=mode), paths=paths)
        assert (options.check_examples, options.examples_any_code) == (on, any_code)
    with pytest.raises(SettingsError):
        Settings(check_examples="sometimes").validate()
    path = tmp_path / "settings.json"  # schema 2 held a bool: on meant any code; off, its default
    path.write_text(json.dumps({"schema_version": 2, "check_examples": True}))
    assert load_settings(path).check_examples == "any"
    path.write_text(json.dumps({"schema_version": 2, "check_examples": False}))
    assert load_settings(path).check_examples == "computing"
