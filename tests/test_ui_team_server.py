"""Settings › Engine: the window runs on a team server (a scripted OpenAI-compatible one on 127.0.0.1)."""

from __future__ import annotations

import time

from fake_openai import answers_route, fake_server  # noqa: F401  (the fixture)
from test_ui_main_window import ANSWER, REFLECTION, project, ready, run_op  # noqa: F401  (fixture)

from desktop.llm.secrets import get_api_key
from desktop.settings import Settings, load_settings
from desktop.ui.main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog


def test_the_engine_fields_are_validated_saved_and_the_key_goes_to_the_secret_store(qtbot, app_paths):
    dialog = SettingsDialog(Settings(), settings_file=app_paths.settings_file)
    qtbot.addWidget(dialog)
    assert not dialog.server_url.isEnabled()  # local engine: the server fields wait
    dialog.engine.setCurrentIndex(dialog.engine.findData("server"))
    assert dialog.server_url.isEnabled() and dialog.api_key.isEnabled()
    dialog.server_url.setText("models.internal:8080")
    dialog.accept()
    assert "http://" in dialog.error.text() and dialog.result_settings is None
    dialog.server_url.setText("http://127.0.0.1:9/")
    dialog.server_model.setText("qwen-coder")
    dialog.api_key.setText("sk-team-123")
    dialog.first_byte_timeout.setValue(300)
    dialog.accept()
    saved = load_settings(app_paths.settings_file)
    assert (saved.engine, saved.server_url, saved.server_model) == ("server", "http://127.0.0.1:9", "qwen-coder")
    assert (saved.server_connect_timeout, saved.server_first_byte_timeout, saved.server_idle_timeout) == (10, 300, 60)
    assert "sk-team" not in app_paths.settings_file.read_text()  # the key is not in the settings file
    assert get_api_key("http://127.0.0.1:9") == "sk-team-123"


def test_fields_that_cannot_take_effect_wait_disabled_and_keep_their_values(qtbot, app_paths):
    dialog = SettingsDialog(Settings(gpu_layers=20, threads=2, prompt_lookup=True), settings_file=app_paths.settings_file)
    qtbot.addWidget(dialog)
    assert dialog.prompt_lookup.isChecked() and dialog.prompt_lookup.isEnabled()  # on, at temperature 0
    assert dialog.gpu_layers.isEnabled() and dialog.threads.isEnabled()
    dialog.temperature.setValue(0.3)  # sampled answers do not guess ahead
    assert not dialog.prompt_lookup.isEnabled()
    dialog.temperature.setValue(0.0)
    assert dialog.prompt_lookup.isEnabled()
    dialog.gpu_auto.setChecked(True)
    assert not dialog.gpu_layers.isEnabled()
    dialog.gpu_auto.setChecked(False)
    dialog.engine.setCurrentIndex(dialog.engine.findData("server"))  # this computer's settings wait
    assert not any(w.isEnabled() for w in (dialog.prompt_lookup, dialog.gpu_auto, dialog.gpu_layers, dialog.threads))
    dialog.engine.setCurrentIndex(dialog.engine.findData("local"))
    assert all(w.isEnabled() for w in (dialog.prompt_lookup, dialog.gpu_auto, dialog.gpu_layers, dialog.threads))
    dialog.prompt_lookup.setChecked(False)
    dialog.temperature.setValue(0.5)
    dialog.accept()
    saved = load_settings(app_paths.settings_file)
    assert (saved.prompt_lookup, saved.temperature, saved.gpu_layers, saved.threads) == (False, 0.5, 20, 2)


def test_a_run_in_the_window_uses_the_team_server_without_a_local_model(qtbot, app_paths, project, fake_server):
    server = fake_server({("POST", "/v1/chat/completions"): answers_route([REFLECTION, ANSWER])})
    settings = Settings(engine="server", server_url=server.url, server_model="tiny", context_size=16384,
                        max_repairs=0, check_examples="off")  # two recorded answers
    window = MainWindow(paths=app_paths, settings=settings)  # the app's own engine factory
    qtbot.addWidget(window)
    window.show()
    try:
        assert "Team server" in window.model_info.text()
        ready(qtbot, window, project)
        assert run_op(qtbot, window, window.actions["run"].trigger, timeout=30_000) == ["reflect", "reflected"], window.banner.message()
        assert window.reflection_view.text() == REFLECTION
        assert run_op(qtbot, window, window.approve, timeout=30_000) == ["implement", "done"]
        assert [c.path for c in window.changeset.changes] == ["pkg/greet.py"]
        bodies = [body for method, path, body, _ in server.requests if path == "/v1/chat/completions"]
        assert len(bodies) == 2 and bodies[0]["model"] == "tiny"
    finally:
        window.close()


def test_the_server_timeouts_set_in_settings_reach_the_windows_engine(qtbot, app_paths, project, fake_server):
    """A server that never answers: with a first-byte limit of 1 s the run fails in about that,
    not after the 120 s default."""
    server = fake_server({("POST", "/v1/chat/completions"): lambda h: h.client_gone_within(20)})
    settings = Settings(engine="server", server_url=server.url, server_model="tiny", server_first_byte_timeout=1.0,
                        max_repairs=0, check_examples="off")
    window = MainWindow(paths=app_paths, settings=settings)
    qtbot.addWidget(window)
    window.show()
    try:
        ready(qtbot, window, project)
        started = time.monotonic()
        assert run_op(qtbot, window, window.actions["run"].trigger, timeout=15_000)[0] == "reflect"
        assert time.monotonic() - started < 10
        assert "1 s" in window.banner.message() or "second" in window.banner.message(), window.banner.message()
    finally:
        window.close()
