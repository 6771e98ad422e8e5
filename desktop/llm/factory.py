"""Build the engine the settings ask for. The engines import their backends lazily."""

from __future__ import annotations

from pathlib import Path

from desktop.errors import ModelFileError
from desktop.llm.engine import Engine
from desktop.settings import Settings


def make_local_engine(settings: Settings, *, model_path: Path, sha256: str | None = None) -> Engine:
    from desktop.llm.llama_engine import LlamaEngine

    return LlamaEngine(
        model_path,
        context_size=settings.context_size,
        threads=settings.threads_for(headless=True),  # the window passes its own (one core kept free)
        gpu_layers=settings.gpu_layers,
        sha256=sha256,
        prompt_lookup=settings.prompt_lookup,
    )


def make_server_engine(settings: Settings, *, url: str = "", model: str = "") -> Engine:
    """The team server (OpenAI-compatible) the settings name, or `url`/`model` when given."""
    from desktop.llm.remote_engine import RemoteEngine

    return RemoteEngine(url or settings.server_url, model=model or settings.server_model,
                        context_size=settings.context_size, connect_timeout=settings.server_connect_timeout,
                        first_byte_timeout=settings.server_first_byte_timeout,
                        idle_timeout=settings.server_idle_timeout)


def resolve_model_path(settings: Settings, *, explicit: str | None, candidates: list[Path]) -> Path:
    """The model to use: the one asked for, else the one in settings, else the first installed."""
    for choice in (explicit, settings.model_path):
        if choice:
            path = Path(choice).expanduser()
            if not path.exists():
                raise ModelFileError(f"Model file not found: {path}")
            return path
    if candidates:
        return candidates[0]
    raise ModelFileError(
        "No model is installed. Download one with `plansmith models download NAME`, "
        "import a .gguf with `plansmith models import FILE`, or pass --model PATH."
    )
