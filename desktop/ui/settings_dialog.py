"""Settings: the engine (this computer or a team server), context size, GPU layers, threads, temperature, answer lengths, models folder."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import SettingsError
from desktop.settings import Settings, default_threads, save_settings


def _seconds(value: float, what: str) -> QDoubleSpinBox:
    """A whole-seconds field for one of the team server's timeouts."""
    box = QDoubleSpinBox()
    box.setRange(1.0, 3600.0)
    box.setDecimals(0)
    box.setSuffix(" s")
    box.setValue(value)
    box.setToolTip(f"Seconds {what}. Stop always ends a wait at once.")
    return box


class SettingsDialog(QDialog):
    """Edits a copy of the settings; on OK validates, saves to `settings_file`, and keeps the result."""

    def __init__(self, settings: Settings, *, settings_file: Path, codebase: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._codebase = codebase
        self.setWindowTitle("Settings")
        self._original = settings
        self._file = settings_file
        self.result_settings: Settings | None = None

        self.context_size = QSpinBox()
        self.context_size.setRange(512, 1_048_576)
        self.context_size.setSingleStep(1024)
        self.context_size.setSuffix(" tokens")
        self.context_size.setValue(settings.context_size)
        self.context_size.setToolTip("How much the model reads at once: plan, code and answers. More needs more memory.")

        self.gpu_auto = QCheckBox("Auto (all layers when this build can use the GPU)")
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(0, 999)
        self.gpu_layers.setToolTip("0 runs on the CPU only")
        self.gpu_auto.setChecked(settings.gpu_layers < 0)
        self.gpu_layers.setValue(max(0, settings.gpu_layers))
        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu_auto)
        gpu_row.addWidget(self.gpu_layers)

        self.threads = QSpinBox()
        self.threads.setRange(0, max(1, os.cpu_count() or 1) * 2)
        self.threads.setSpecialValueText(f"Auto ({default_threads()} here, {default_threads(headless=True)} "
                                         "for the command line)")
        self.threads.setValue(settings.threads)
        self.threads.setToolTip("Auto keeps one core free in the window so it stays responsive; "
                                "command-line runs use every core.")

        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setDecimals(2)
        self.temperature.setValue(settings.temperature)
        self.temperature.setToolTip("0 gives the same answer every time")

        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(16, 131_072)
        self.max_tokens.setSingleStep(256)
        self.max_tokens.setSuffix(" tokens")
        self.max_tokens.setValue(settings.max_answer_tokens)

        self.reflection_tokens = QSpinBox()
        self.reflection_tokens.setRange(16, 131_072)
        self.reflection_tokens.setSingleStep(256)
        self.reflection_tokens.setSuffix(" tokens")
        self.reflection_tokens.setValue(settings.max_reflection_tokens)

        self.models_dir = QLineEdit(settings.models_dirs[0] if settings.models_dirs else "")
        self.models_dir.setPlaceholderText("Another folder with .gguf models (optional)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        models_row = QHBoxLayout()
        models_row.addWidget(self.models_dir, 1)
        models_row.addWidget(browse)

        self.check_examples = QComboBox()
        for label, mode in (("When the code only computes", "computing"), ("For any code", "any"), ("Off", "off")):
            self.check_examples.addItem(label, mode)
        self.check_examples.setCurrentIndex(max(0, self.check_examples.findData(settings.check_examples)))
        self.check_examples.setToolTip(
            "Phase 1 writes the plan's examples as Python checks, which you can edit with the reflection. "
            "They run on a scratch copy of the codebase, without network where the system allows; "
            "failures go back to the model as repairs. 'When the code only computes': only when every "
            "file they load imports and calls nothing that reaches files, processes or the network "
            "(read from the code, not run). Off: no examples are written or run.")
        self.check_command = QLineEdit(settings.check_command_for(codebase) if codebase else "")
        self.check_command.setPlaceholderText("e.g. pytest -q (empty: none)" if codebase else "Choose a codebase first")
        self.check_command.setEnabled(codebase is not None)
        self.check_command.setToolTip(
            "A shell command run on a scratch copy of this codebase with the change, before you apply it "
            "(never in your folder). Remembered for this codebase.")
        self.check_timeout = QDoubleSpinBox()
        self.check_timeout.setRange(1.0, 3600.0)
        self.check_timeout.setDecimals(0)
        self.check_timeout.setSuffix(" s")
        self.check_timeout.setValue(settings.check_timeout)
        self.check_timeout.setToolTip("A check that runs longer is stopped, with every process it started.")

        self.repairs = QSpinBox()
        self.repairs.setRange(0, 10)
        self.repairs.setValue(settings.max_repairs)
        self.repairs.setToolTip("Turns after Phase 2's answer that fix what the checks found: repairs of the same "
                                "answer, and while only the examples or the check command fail, answers written "
                                "afresh. 0 makes Phase 2 a single answer.")

        self.candidates = QSpinBox()
        self.candidates.setRange(1, 10)
        self.candidates.setValue(settings.candidates)
        self.candidates.setToolTip("While the checks fail, try up to this many Phase 2 answers and keep the best "
                                   "(each costs one answer; 3-5 suit a GPU or a team server).")

        self.prompt_lookup = QCheckBox("Check tokens guessed from the prompt in batches (temperature 0 only)")
        self.prompt_lookup.setChecked(settings.prompt_lookup)
        self.prompt_lookup.setToolTip(
            "Prompt-lookup decoding: where the answer repeats code it was shown, the model on this computer "
            "checks several tokens copied from the prompt at once. It can be faster where a step is bound by "
            "memory (a GPU); on a small CPU it was slower. The answer is the one it would write anyway, up to "
            "rounding. Only answers at temperature 0 use it, and only with the engine on this computer.")

        self.engine = QComboBox()
        self.engine.addItem("This computer (llama.cpp, in process)", "local")
        self.engine.addItem("Team server (OpenAI-compatible)", "server")
        self.engine.setCurrentIndex(max(0, self.engine.findData(settings.engine)))
        self.server_url = QLineEdit(settings.server_url)
        self.server_url.setPlaceholderText("http://models.internal:8080")
        self.server_model = QLineEdit(settings.server_model)
        self.server_model.setPlaceholderText("model name on the server (empty: its default)")
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("empty: keep the stored key (or none)")
        self.api_key.setToolTip("Kept in the system's secret store, never in the settings file.")
        self.connect_timeout = _seconds(settings.server_connect_timeout, "to open the connection")
        self.first_byte_timeout = _seconds(settings.server_first_byte_timeout,
                                           "from the request to the server's first line (it may be reading a long prompt)")
        self.idle_timeout = _seconds(settings.server_idle_timeout, "of silence in the middle of an answer")
        timeouts_row = QHBoxLayout()
        for label, box in (("connect", self.connect_timeout), ("first byte", self.first_byte_timeout),
                           ("silence", self.idle_timeout)):
            timeouts_row.addWidget(QLabel(label))
            timeouts_row.addWidget(box)
        # Fields that cannot take effect wait, disabled, with their values kept.
        self.engine.currentIndexChanged.connect(self._update_enabled)
        self.gpu_auto.toggled.connect(self._update_enabled)
        self.temperature.valueChanged.connect(self._update_enabled)
        self._update_enabled()

        form = QFormLayout()
        form.addRow("Engine", self.engine)
        form.addRow("Server URL", self.server_url)
        form.addRow("Server model", self.server_model)
        form.addRow("API key", self.api_key)
        form.addRow("Server timeouts", timeouts_row)
        form.addRow("Context size", self.context_size)
        form.addRow("GPU layers", gpu_row)
        form.addRow("Threads", self.threads)
        form.addRow("Temperature", self.temperature)
        form.addRow("Prompt lookup", self.prompt_lookup)
        form.addRow("Max answer tokens", self.max_tokens)
        form.addRow("Max reflection tokens", self.reflection_tokens)
        form.addRow("Models folder", models_row)
        form.addRow("Examples", self.check_examples)
        form.addRow("Check command" + (f" for {codebase.name}" if codebase else ""), self.check_command)
        form.addRow("Check time limit", self.check_timeout)
        form.addRow("Repairs", self.repairs)
        form.addRow("Candidates", self.candidates)

        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    @Slot()
    def _update_enabled(self) -> None:
        server = self.engine.currentData() == "server"
        for field in (self.server_url, self.server_model, self.api_key, self.connect_timeout,
                      self.first_byte_timeout, self.idle_timeout):
            field.setEnabled(server)
        # The server runs its own model: GPU layers and threads are this computer's.
        self.gpu_auto.setEnabled(not server)
        self.gpu_layers.setEnabled(not server and not self.gpu_auto.isChecked())
        self.threads.setEnabled(not server)
        # The local engine's own way of decoding, for greedy answers only.
        self.prompt_lookup.setEnabled(not server and self.temperature.value() == 0)

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Models folder", self.models_dir.text() or str(Path.home()))
        if folder:
            self.models_dir.setText(folder)

    def edited_settings(self) -> Settings:
        """The settings as the dialog shows them; SettingsError if a value is out of range."""
        extra = self.models_dir.text().strip()
        dirs = list(self._original.models_dirs)
        if extra:
            if not Path(extra).expanduser().is_dir():
                raise SettingsError(f"The models folder {extra} does not exist.")
            dirs = [extra] + [d for d in dirs[1:] if d != extra]
        else:
            dirs = dirs[1:]
        engine = self.engine.currentData()
        url = self.server_url.text().strip().rstrip("/")
        if engine == "server" and not url.startswith(("http://", "https://")):
            raise SettingsError("The team server needs a URL that starts with http:// or https://.")
        new = dataclasses.replace(
            self._original,
            engine=engine,
            server_url=url,
            server_model=self.server_model.text().strip(),
            server_connect_timeout=self.connect_timeout.value(),
            server_first_byte_timeout=self.first_byte_timeout.value(),
            server_idle_timeout=self.idle_timeout.value(),
            context_size=self.context_size.value(),
            gpu_layers=-1 if self.gpu_auto.isChecked() else self.gpu_layers.value(),
            threads=self.threads.value(),
            temperature=round(self.temperature.value(), 2),
            prompt_lookup=self.prompt_lookup.isChecked(),
            max_answer_tokens=self.max_tokens.value(),
            max_reflection_tokens=self.reflection_tokens.value(),
            models_dirs=dirs,
            recent_plans=list(self._original.recent_plans),
            codebase_for_plan=dict(self._original.codebase_for_plan),
            check_examples=self.check_examples.currentData(),
            check_timeout=float(self.check_timeout.value()),
            max_repairs=self.repairs.value(),
            candidates=self.candidates.value(),
            check_commands=dict(self._original.check_commands),
        )
        if self._codebase is not None:
            new.remember_check_command(self._codebase, self.check_command.text())
        return new.validate()

    def accept(self) -> None:
        try:
            new = self.edited_settings()
            if new.engine == "server" and self.api_key.text().strip():
                from desktop.llm.secrets import set_api_key

                set_api_key(new.server_url, self.api_key.text())
            save_settings(new, self._file)
        except SettingsError as exc:
            self._show_error(str(exc))
            return
        except OSError as exc:
            self._show_error(f"Could not save the settings to {self._file}: {exc.strerror or exc}")
            return
        self.result_settings = new
        super().accept()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
