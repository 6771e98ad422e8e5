"""Typed user settings with a schema version, stored as JSON in the config folder."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import SettingsError

SCHEMA_VERSION = 3
EXAMPLE_MODES = ("off", "computing", "any")


def default_threads(*, headless: bool = False) -> int:
    """Every core for a command-line run; the window keeps one free so it stays responsive."""
    cores = os.cpu_count() or 2
    return cores if headless else max(1, cores - 1)


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    # Model and engine
    model_path: str | None = None  # a .gguf file; None: the store's default
    engine: str = "local"  # "local" (llama-cpp-python in process) or "server"
    context_size: int = 8192
    gpu_layers: int = -1  # -1: auto (all layers when the build can offload, else 0)
    threads: int = 0  # 0: automatic (default_threads: all cores headless, one fewer for the window)
    temperature: float = 0.0
    # At temperature 0 the local engine can guess ahead from the prompt and check the guess in one
    # batch (prompt-lookup decoding). Off by default: on the 2-core development CPU a whole-file
    # answer was 0.95x as fast with it (a batch cost about as much per token as single tokens).
    prompt_lookup: bool = False
    max_answer_tokens: int = 2048
    max_reflection_tokens: int = 1024
    max_repairs: int = 8
    models_dirs: list[str] = field(default_factory=list)
    # Team server (OpenAI-compatible)
    server_url: str = ""
    server_model: str = ""
    server_connect_timeout: float = 10.0  # seconds to open the connection
    server_first_byte_timeout: float = 120.0  # from the request to the first line (prompt reading)
    server_idle_timeout: float = 60.0  # silence between lines of an answer
    # Checks on a scratch copy before a change is applied
    # The plan's examples, as Phase 1 writes them: "computing" runs them only when every file
    # they load only computes (read from its code: no files, processes, network); "any" runs
    # them on any code; "off" does not write them.
    check_examples: str = "computing"
    check_timeout: float = 120.0  # seconds for one check; the whole process group is killed after
    check_commands: dict[str, str] = field(default_factory=dict)  # codebase folder -> command
    candidates: int = 1  # Phase 2 answers tried while the checks fail (3-5 suit a GPU or a team server)
    # Input limits
    plan_max_bytes: int = 1_000_000
    file_max_bytes: int = 512_000
    # GUI memory
    recent_plans: list[str] = field(default_factory=list)
    codebase_for_plan: dict[str, str] = field(default_factory=dict)

    def validate(self) -> "Settings":
        if self.context_size < 512:
            raise SettingsError("Context size must be at least 512 tokens.")
        if self.threads < 0:
            raise SettingsError("Threads must be 0 (automatic) or more.")
        if not 0.0 <= self.temperature <= 2.0:
            raise SettingsError("Temperature must be between 0 and 2.")
        if self.max_answer_tokens < 16 or self.max_reflection_tokens < 16:
            raise SettingsError("Max answer and reflection tokens must be at least 16.")
        if not 0 <= self.max_repairs <= 10:
            raise SettingsError("Repairs must be between 0 and 10.")
        if not 1 <= self.candidates <= 10:
            raise SettingsError("Candidates must be between 1 and 10.")
        if not self.check_timeout > 0:
            raise SettingsError("The check time limit must be more than 0 seconds.")
        if min(self.server_connect_timeout, self.server_first_byte_timeout, self.server_idle_timeout) <= 0:
            raise SettingsError("The server timeouts must be more than 0 seconds.")
        if self.check_examples not in EXAMPLE_MODES:
            raise SettingsError(f"Unknown examples setting {self.check_examples!r}: use {', '.join(EXAMPLE_MODES)}.")
        if self.engine not in ("local", "server"):
            raise SettingsError(f"Unknown engine {self.engine!r}: use 'local' or 'server'.")
        return self

    def threads_for(self, *, headless: bool) -> int:
        """The threads a run uses: the setting, or when it is automatic, default_threads."""
        return self.threads or default_threads(headless=headless)

    def check_command_for(self, codebase: Path) -> str:
        return self.check_commands.get(str(Path(codebase).resolve()), "")

    def remember_check_command(self, codebase: Path, command: str) -> None:
        key = str(Path(codebase).resolve())
        if command.strip():
            self.check_commands[key] = command.strip()
        else:
            self.check_commands.pop(key, None)

    def remember_plan(self, plan: Path, codebase: Path | None = None, *, keep: int = 10) -> None:
        key = str(plan)
        self.recent_plans = [key] + [p for p in self.recent_plans if p != key][: keep - 1]
        if codebase is not None:
            self.codebase_for_plan[key] = str(codebase)


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives defaults, unknown keys are ignored."""
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"Cannot read settings file {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"Settings file {path} does not hold a JSON object.")
    known = {f.name for f in dataclasses.fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known}
    if raw.get("schema_version", 1) < 2 and values.get("threads") == max(1, (os.cpu_count() or 2) - 1):
        values["threads"] = 0  # schema 1 wrote its default (cores - 1) out: it becomes automatic
    if isinstance(values.get("check_examples"), bool):  # schema 2: on for any code, or off (its default)
        values["check_examples"] = "any" if values["check_examples"] else "computing"
    values["schema_version"] = SCHEMA_VERSION  # migrations go here when the schema changes
    try:
        return Settings(**values).validate()
    except TypeError as exc:
        raise SettingsError(f"Settings file {path} is invalid: {exc}") from exc


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically so a crash never leaves a half-written settings file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(dataclasses.asdict(settings), indent=2, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
