"""An engine that replays recorded answers: deterministic tests of what follows generation.

Not a mock: it goes through the same interface, streaming in small pieces, honouring
stop, max_tokens and prompt progress, so the parser, the GUI and Apply/Undo see exactly
what they would see from a model.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterator

from desktop.errors import ContextError
from desktop.llm.engine import EngineInfo, Message, PromptProgress, Usage

_TOKEN = re.compile(r"\s*\S+|\s+")


class ReplayEngine:
    gpu_fallback_reason: str | None = None

    def __init__(
        self, answers: list[str] | None = None, *, context_size: int = 8192, delay: float = 0.0, prefill: bool = False
    ) -> None:
        # With prefill, a recorded answer is the text that follows the reply's given start.
        self.supports_prefill = prefill
        self._answers: deque[str] = deque(answers or [])
        self.context_size = context_size
        self.delay = delay  # seconds per piece, to exercise streaming in the GUI
        self.last_usage = Usage()
        self.prompts: list[list[Message]] = []  # every conversation it was asked to continue
        self.prefills: list[str] = []
        self.calls: list[dict] = []  # each call's temperature and seed

    def enqueue(self, *answers: str) -> None:
        self._answers.extend(answers)

    def load(self) -> None:
        """Nothing to read: the answers are in memory."""

    def info(self) -> EngineInfo:
        return EngineInfo("replay", "replay (recorded answers)", self.context_size, None)

    def count_tokens(self, text: str) -> int:
        return len(_TOKEN.findall(text))

    def count_message_tokens(self, messages: list[Message]) -> int:
        return sum(self.count_tokens(m["content"]) + 4 for m in messages)

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        stop_event: threading.Event | None = None,
        on_prompt_progress: PromptProgress | None = None,
        ignore_eos: bool = False,
        prefill: str = "",
        seed: int | None = None,
    ) -> Iterator[str]:
        usage = Usage(prompt_tokens=self.count_message_tokens(messages))
        self.last_usage = usage
        if usage.prompt_tokens >= self.context_size:
            raise ContextError(f"The prompt is {usage.prompt_tokens} tokens but the context holds {self.context_size}.")
        self.prompts.append([dict(m) for m in messages])
        self.prefills.append(prefill)
        self.calls.append({"temperature": temperature, "seed": seed})
        if on_prompt_progress:
            on_prompt_progress(usage.prompt_tokens, usage.prompt_tokens)
        answer = self._answers.popleft() if self._answers else ""
        started = time.perf_counter()
        usage.finish_reason = "stop"
        for piece in _TOKEN.findall(answer):
            if stop_event is not None and stop_event.is_set():
                usage.finish_reason = "cancelled"
                break
            if usage.generated_tokens >= max_tokens:
                usage.finish_reason = "length"
                break
            if self.delay:
                time.sleep(self.delay)
            usage.generated_tokens += 1
            yield piece
        usage.generate_seconds = max(time.perf_counter() - started, 1e-6)

    def close(self) -> None:
        pass
