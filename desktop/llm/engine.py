"""The one small interface every model backend implements."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


# Called while the prompt is read: (tokens done, tokens in all).
PromptProgress = Callable[[int, int], None]

FinishReason = Literal["stop", "length", "cancelled", "error"]


@dataclass
class Usage:
    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens reused from the KV cache, not read again
    generated_tokens: int = 0
    prompt_seconds: float = 0.0  # time to first token
    generate_seconds: float = 0.0
    finish_reason: FinishReason = "stop"

    @property
    def tokens_per_second(self) -> float:
        return self.generated_tokens / self.generate_seconds if self.generate_seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {
            "prompt_tokens": self.prompt_tokens,
            "cached_tokens": self.cached_tokens,
            "generated_tokens": self.generated_tokens,
            "prompt_seconds": round(self.prompt_seconds, 3),
            "generate_seconds": round(self.generate_seconds, 3),
            "tokens_per_second": round(self.tokens_per_second, 2),
            "finish_reason": self.finish_reason,
        }


@dataclass(frozen=True)
class EngineInfo:
    name: str  # model name shown to the user
    backend: str  # "llama.cpp (CPU)", "llama.cpp (CUDA, 29/29 layers)", "server http://..."
    context_size: int
    sha256: str | None = None


class Engine(Protocol):
    """A chat model that streams text.

    `stream` is a generator: it yields text pieces as they are produced and returns when
    the answer ends, `max_tokens` is reached, or `stop_event` is set (checked between
    tokens and, where the backend allows, while the prompt is read). After it ends,
    `last_usage` holds the figures of that call. A prompt that does not fit the context
    raises ContextError; the engine never truncates silently. One thread owns an engine.
    """

    last_usage: Usage
    # Whether `stream` takes `prefill=`, a start of the reply the model continues from (needed
    # by the small-model strategy; a chat server that cannot continue a reply says False).
    supports_prefill: bool
    # Why a model meant for the GPU runs on the CPU (its GPU load failed), else None.
    gpu_fallback_reason: str | None

    def load(self) -> object:
        """Do the slow start (read the model, reach the server) now; the other calls do it if needed."""
        ...

    def info(self) -> EngineInfo: ...

    def count_tokens(self, text: str) -> int: ...

    def count_message_tokens(self, messages: list[Message]) -> int: ...

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        stop_event: threading.Event | None = None,
        on_prompt_progress: PromptProgress | None = None,
        seed: int | None = None,  # None: the engine's own; a number makes sampling above 0 repeatable
    ) -> Iterator[str]: ...

    def close(self) -> None: ...
