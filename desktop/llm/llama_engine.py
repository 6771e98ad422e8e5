"""The in-process engine over llama-cpp-python.

Constraints this module is built around (see NOTES):
- a `Llama` object is not thread-safe: whichever thread calls `stream` first owns it;
- `create_chat_completion` re-detokenizes the whole answer on every token, so we drive
  `generate()` ourselves with incremental UTF-8 decoding;
- prompt reading is done here in `n_batch` chunks so we can report progress and stop
  between chunks, and inside a chunk through llama.cpp's abort callback (CPU only);
- a follow-up turn is built as a token list (previous prompt + the tokens actually
  sampled + the template's closing/next-turn tokens) so the KV cache prefix matches whole.
"""

from __future__ import annotations

import codecs
import ctypes
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import ContextError, EngineError
from desktop.llm.engine import EngineInfo, Message, PromptProgress, Usage
from desktop.llm.kv_copies import MIN_TOKENS, KvCopies, shared_prefix
from desktop.llm.lookup_decoding import greedy_lookup_tokens

log = logging.getLogger(__name__)

# Used when a GGUF file carries no chat template of its own.
_CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

_log_callback = None  # llama.cpp keeps a raw pointer: the ctypes object must stay alive


def _route_llama_logs() -> None:
    """Send llama.cpp's own log lines to Python logging instead of stderr."""
    global _log_callback
    if _log_callback is not None:
        return
    import llama_cpp

    levels = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}

    @llama_cpp.llama_log_callback
    def _callback(level, text, _user_data):  # pragma: no cover - called from C
        if text:
            log.log(levels.get(level, logging.DEBUG), "llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

    _log_callback = _callback
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


def gpu_offload_supported() -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


def system_info() -> str:
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()


@dataclass
class _Turn:
    """What the last call left in the KV cache, so a follow-up can extend it."""

    messages: list[Message]
    prompt_tokens: list[int]
    generated: list[int] = field(default_factory=list)
    text: str = ""


class LlamaEngine:
    """Chat with a GGUF model in this process. Loads lazily, on the thread that first uses it."""

    supports_prefill = True

    def __init__(
        self,
        model_path: Path | str,
        *,
        context_size: int = 8192,
        threads: int | None = None,
        gpu_layers: int = -1,
        n_batch: int = 512,
        seed: int = 0,
        sha256: str | None = None,
        prompt_lookup: bool = False,
        kv_copy_bytes: int = 512 * 1024 * 1024,
    ) -> None:
        self.model_path = Path(model_path)
        self.requested_context = context_size
        self.threads = threads
        self.requested_gpu_layers = gpu_layers
        self.n_batch = n_batch
        self.seed = seed
        # Greedy answers (temperature 0) guess ahead from the prompt (lookup_decoding.py).
        self.prompt_lookup = prompt_lookup
        self.last_usage = Usage()
        self.gpu_fallback_reason: str | None = None
        self._llm = None
        self._formatter = None
        self._gpu_layers_used = 0
        self._turn: _Turn | None = None
        # Copies of the KV cache for prompts moved away from, up to this many bytes (0: none).
        self._copies = KvCopies(kv_copy_bytes)
        self._abort_source: threading.Event | None = None
        self._abort_cb = None
        self._sha256 = sha256  # recorded with each run; hashing is the caller's (cached) job

    # -- loading -----------------------------------------------------------------------

    def load(self) -> None:
        if self._llm is not None:
            return
        from desktop.llm.gguf_file import inspect_gguf

        gguf = inspect_gguf(self.model_path)  # typed error for missing, fake or cut files
        _route_llama_logs()
        import llama_cpp

        n_ctx = self.requested_context
        if gguf.context_length and (n_ctx <= 0 or n_ctx > gguf.context_length):
            n_ctx = gguf.context_length
        layers = self.requested_gpu_layers
        if layers < 0:
            layers = -1 if gpu_offload_supported() else 0
        try:
            self._llm = self._construct(llama_cpp, n_ctx=n_ctx, gpu_layers=layers)
        except ValueError as exc:
            if layers == 0:
                raise EngineError(f"Could not load {self.model_path.name}: {exc}") from exc
            # Usually out of GPU memory: fall back to the CPU and say why.
            self.gpu_fallback_reason = f"GPU loading failed ({exc}); running on the CPU instead."
            log.warning(self.gpu_fallback_reason)
            layers = 0
            try:
                self._llm = self._construct(llama_cpp, n_ctx=n_ctx, gpu_layers=0)
            except ValueError as exc2:
                raise EngineError(f"Could not load {self.model_path.name}: {exc2}") from exc2
        self._gpu_layers_used = (gguf.n_layers or 0) + 1 if layers == -1 else layers
        self._formatter = self._make_formatter(llama_cpp)
        self._abort_cb = llama_cpp.ggml_abort_callback(self._should_abort)

    def _should_abort(self, _data) -> bool:
        source = self._abort_source
        return source is not None and source.is_set()

    def _construct(self, llama_cpp, *, n_ctx: int, gpu_layers: int):
        kwargs = dict(
            model_path=str(self.model_path),
            n_ctx=n_ctx,
            n_batch=self.n_batch,
            n_ubatch=self.n_batch,
            n_gpu_layers=gpu_layers,
            seed=self.seed,
            verbose=False,
        )
        if self.threads:
            kwargs.update(n_threads=self.threads, n_threads_batch=self.threads)
        return llama_cpp.Llama(**kwargs)

    def _make_formatter(self, llama_cpp):
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._llm
        template = llm.metadata.get("tokenizer.chat_template") or _CHATML
        eos, bos = llm.token_eos(), llm.token_bos()
        return Jinja2ChatFormatter(
            template=template,
            eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        )

    def forget(self) -> None:
        """Drop the KV cache, so the next call reads its whole prompt (benchmarks, tests)."""
        if self._llm is not None:
            self._llm.reset()
        self._copies.clear()
        self._turn = None

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
        self._copies.clear()
        self._llm = None
        self._turn = None

    # -- facts ------------------------------------------------------------------------

    def info(self) -> EngineInfo:
        if self._llm is None:
            return EngineInfo(self.model_path.stem, "llama.cpp (not loaded)", self.requested_context, self._sha256)
        where = f"GPU, {self._gpu_layers_used} layers" if self._gpu_layers_used else "CPU"
        return EngineInfo(self.model_path.stem, f"llama.cpp ({where})", self._llm.n_ctx(), self._sha256)

    @property
    def context_size(self) -> int:
        self.load()
        return self._llm.n_ctx()

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_message_tokens(self, messages: list[Message]) -> int:
        self.load()
        return len(self._tokenize_prompt(self._render(messages)))

    # -- prompt building --------------------------------------------------------------

    def _render(self, messages: list[Message]) -> str:
        return self._formatter(messages=list(messages)).prompt

    def _tokenize_prompt(self, text: str) -> list[int]:
        # The template already wrote any BOS it wants (as the chat handlers assume).
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def prompt_tokens(self, messages: list[Message], *, prefill: str = "") -> list[int]:
        """The prompt as tokens; continues the last turn's exact tokens when possible.

        `prefill` is the start of the reply, written for the model (it continues from there).
        """
        self.load()
        full = self._render(messages) + prefill
        turn = self._turn
        n = len(turn.messages) if turn else 0
        if (
            turn is not None
            and len(messages) > n + 1
            and list(messages[:n]) == turn.messages
            and messages[n]["role"] == "assistant"
            and messages[n]["content"] == turn.text
        ):
            head = self._render(turn.messages) + turn.text
            if full.startswith(head):
                return turn.prompt_tokens + turn.generated + self._tokenize_prompt(full[len(head):])
        return self._tokenize_prompt(full)

    # -- generation -------------------------------------------------------------------

    def _read_prompt(
        self, tokens: list[int], *, stop_event: threading.Event | None, on_progress: PromptProgress | None
    ) -> int:
        """Evaluate what the KV cache lacks; returns how many tokens were reused."""
        import llama_cpp

        llm = self._llm
        cached = llm._input_ids.tolist()
        common = shared_prefix(cached, tokens)
        if len(cached) - common >= MIN_TOKENS:
            self._copies.save(llm, cached)  # about to be dropped: kept to come back to (kv_copies.py)
        index, shared = self._copies.best(tokens)
        if shared >= common + MIN_TOKENS:
            common = shared if self._copies.restore(llm, index) else 0  # a failed one empties the cache
        common = min(common, len(tokens) - 1)  # re-read at least one token for fresh logits
        llm.n_tokens = common  # eval() drops the KV entries past this point
        todo = tokens[common:]
        total = len(todo)
        if on_progress:
            on_progress(0, total)
        # The abort callback costs a Python call per graph node: install it only while
        # reading the prompt, never while sampling.
        self._abort_source = stop_event
        ctx = llm._ctx.ctx
        llama_cpp.llama_set_abort_callback(ctx, self._abort_cb, ctypes.c_void_p(0))
        try:
            done = 0
            for start in range(0, total, self.n_batch):
                if stop_event is not None and stop_event.is_set():
                    break
                chunk = todo[start : start + self.n_batch]
                try:
                    llm.eval(chunk)
                except RuntimeError:
                    if stop_event is not None and stop_event.is_set():
                        break  # aborted inside the chunk; n_tokens still marks what is valid
                    raise
                done += len(chunk)
                if on_progress:
                    on_progress(done, total)
        finally:
            self._abort_source = None
            llama_cpp.llama_set_abort_callback(ctx, llama_cpp.ggml_abort_callback(), ctypes.c_void_p(0))
        return common

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
        """See Engine.stream. With `prefill`, the reply starts with that text (not yielded)."""
        self.load()
        import llama_cpp

        llm = self._llm
        llm.set_seed(self.seed if seed is None else seed)  # each call samples from a known seed
        usage = Usage()
        self.last_usage = usage
        started = time.perf_counter()
        tokens = self.prompt_tokens(messages, prefill=prefill)
        n_ctx = llm.n_ctx()
        usage.prompt_tokens = len(tokens)
        if len(tokens) >= n_ctx - 1:
            raise ContextError(
                f"The prompt is {len(tokens)} tokens but the context holds {n_ctx}. "
                "Raise the context size in Settings or leave files out of the context."
            )
        budget = min(max_tokens, n_ctx - len(tokens))
        self._turn = None  # the cache is about to change
        try:
            usage.cached_tokens = self._read_prompt(tokens, stop_event=stop_event, on_progress=on_prompt_progress)
        except RuntimeError as exc:
            usage.finish_reason = "error"
            raise EngineError(f"The model failed while reading the prompt: {exc}") from exc
        if stop_event is not None and stop_event.is_set():
            usage.finish_reason = "cancelled"
            usage.prompt_seconds = time.perf_counter() - started
            return
        turn = _Turn(messages=[dict(m) for m in messages], prompt_tokens=list(tokens))
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        vocab = llm._model.vocab
        pieces: list[str] = []
        first_token_at = None
        if temperature <= 0 and self.prompt_lookup:
            gen = greedy_lookup_tokens(llm, tokens)
        else:
            gen = llm.generate(
                tokens,
                temp=temperature,
                top_k=40,
                top_p=0.95,
                min_p=0.05,
                repeat_penalty=1.0,
                reset=True,  # the whole prompt is cached now, so this samples at once
            )
        usage.finish_reason = "length"
        try:
            for token in gen:
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    usage.prompt_seconds = first_token_at - started
                if not ignore_eos and llama_cpp.llama_vocab_is_eog(vocab, token):
                    usage.finish_reason = "stop"
                    break
                turn.generated.append(token)
                usage.generated_tokens += 1
                text = decoder.decode(llm.detokenize([token], special=False))
                if text:
                    pieces.append(text)
                    yield text
                if stop_event is not None and stop_event.is_set():
                    usage.finish_reason = "cancelled"
                    break
                if usage.generated_tokens >= budget:
                    usage.finish_reason = "length"
                    break
            tail = decoder.decode(b"", final=True)
            if tail:
                pieces.append(tail)
                yield tail
        except GeneratorExit:
            # The reader stopped reading (the loop guard, a cut copy): not the length limit.
            if usage.finish_reason == "length" and usage.generated_tokens < budget:
                usage.finish_reason = "stop"
            raise
        finally:
            gen.close()
            now = time.perf_counter()
            if first_token_at is None:
                usage.prompt_seconds = now - started
            else:
                usage.generate_seconds = now - first_token_at
            turn.text = prefill + "".join(pieces)
            self._turn = turn
