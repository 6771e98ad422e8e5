"""Where Plansmith keeps its own files: platformdirs folders, injectable for tests.

Set PLANSMITH_HOME to put every folder under one directory (tests, portable installs).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "plansmith"


def app_root() -> Path:
    """The folder that holds the app: the repo in a checkout, the bundle when frozen."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def _shipped(name: str) -> Path:
    # In a wheel, resources/ and models/ are copied inside the package; in a checkout
    # (and an editable install) they sit beside it. PyInstaller puts them in _MEIPASS.
    candidates = [Path(__file__).resolve().parent / name, app_root() / name]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        candidates.insert(0, Path(meipass) / name)
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[-1]


def resources_dir() -> Path:
    return _shipped("resources")


def shipped_models_dir() -> Path:
    """The catalogue folder, also the drop-in folder for .gguf files in portable installs."""
    return _shipped("models")


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def default(cls) -> "AppPaths":
        home = os.environ.get("PLANSMITH_HOME")
        if home:
            return cls.under(Path(home))
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> "AppPaths":
        return cls(root / "config", root / "data", root / "cache", root / "log")

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def prompts_override_dir(self) -> Path:
        return self.config_dir / "prompts"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def downloads_dir(self) -> Path:
        return self.cache_dir / "downloads"

    @property
    def scratch_dir(self) -> Path:
        """Scratch copies of a codebase for checks; each is removed after its check."""
        return self.cache_dir / "scratch"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "plansmith.log"

    def ensure(self) -> "AppPaths":
        for d in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self
