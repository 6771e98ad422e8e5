"""An engine over an OpenAI-compatible chat server on the team's network.

Servers it knows: llama.cpp's llama-server, vLLM, Ollama and `python -m llama_cpp.server`;
any other server that speaks `/v1/chat/completions` with SSE streaming works too.

Constraints this module is built around:
- Stop must return within 0.5 s even while the server sends nothing (it may be reading a
  long prompt), so the response is read on a helper thread and handed over through a queue.
  Stop shuts the socket down: closing the connection is how these servers learn to stop.
- Servers differ in what they report. What the engine learnt and from where is in info():
  the context size (llama-server /props, vLLM /v1/models, else the setting, corrected by the
  first context error) and how tokens are counted (the server's tokenizer, else an estimate).
- It never falls back to another engine: a server that cannot be used raises a typed error.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

try:
    import httpx
except ImportError:  # huggingface-hub 2.x brings the same client as `httpx2`
    import httpx2 as httpx

from desktop.errors import ContextError, EngineError
from desktop.llm.engine import EngineInfo, Message, PromptProgress, Usage

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 3.5  # the estimate used where the server cannot tokenize
API_KEY_ENV = "PLANSMITH_API_KEY"
_POLL_SECONDS = 0.05  # how often a waiting stream looks at the stop flag
_COUNT_CACHE_SIZE = 2048
# Chat-template markup where the server cannot apply its template for us (ChatML's figures).
_TURN_TOKENS, _REPLY_TOKENS = 5, 3


class ServerError(EngineError):
    """The team server could not be used; the message says what to do about it."""


class ServerUnreachableError(ServerError):
    """Nothing answers at the server's address."""


class ServerAuthError(ServerError):
    """The server wants an API key, or refused the one sent (HTTP 401/403)."""


class UnknownModelError(ServerError):
    """The server does not serve the model asked for."""


class ServerTimeoutError(ServerError):
    """The server stopped answering for longer than the timeout."""


class IncompleteAnswerError(ServerError):
    """The answer broke off; `partial_text` holds what arrived (it was also yielded)."""

    def __init__(self, message: str, *, partial_text: str = "") -> None:
        super().__init__(message)
        self.partial_text = partial_text


def estimate_tokens(text: str) -> int:
    """An honest guess where no tokenizer is at hand: 3.5 characters a token, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def normalize_url(url: str) -> str:
    """The server's root: scheme added, trailing slash and `/v1` (or the chat path) removed."""
    url = url.strip()
    if not url:
        raise ServerError("No server address is set. Enter it in Settings, like http://gpu-box:8080.")
    if "://" not in url:
        url = "http://" + url
    url = url.rstrip("/")
    for suffix in ("/chat/completions", "/v1"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    return url.rstrip("/")


@dataclass
class ServerFacts:
    """What the server told us about itself (found once, on first use)."""

    kind: str = "OpenAI-compatible server"
    models: list[str] = field(default_factory=list)
    context_size: int | None = None
    context_source: str = ""
    tokenizer: str | None = None  # "llama.cpp" | "vllm" | "llama-cpp-python" | None


class RemoteEngine:
    """Chat with a model on an OpenAI-compatible server. One thread owns an engine."""

    supports_prefill = False  # a chat server answers a conversation; it does not continue a reply
    gpu_fallback_reason: str | None = None  # the server decides where its model runs

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "",
        api_key: str | None = None,
        context_size: int = 8192,
        connect_timeout: float = 10.0,
        first_byte_timeout: float = 120.0,
        idle_timeout: float = 60.0,
    ) -> None:
        """`api_key=None` looks the key up ($PLANSMITH_API_KEY, then the secret store); "" sends none.

        Timeouts: `connect_timeout` to open the connection; `first_byte_timeout` from the
        request to the server's first line (it may be reading a long prompt, so it is the
        generous one); `idle_timeout` for silence between lines after that. Stop always wins.
        """
        self.url = normalize_url(base_url)
        self.model = model.strip()
        self.requested_context = context_size
        self.connect_timeout = connect_timeout
        self.first_byte_timeout = first_byte_timeout
        self.idle_timeout = idle_timeout
        # httpx's own read limit is only a backstop: _consume enforces the two above.
        self.timeout = max(first_byte_timeout, idle_timeout) + 1.0
        self._api_key = api_key
        self.last_usage = Usage()
        self._facts: ServerFacts | None = None
        self._client: httpx.Client | None = None
        self._counts: dict[str, int] = {}
        self._reader: _Reader | None = None

    # -- connection -------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        if self._api_key is None:
            key = os.environ.get(API_KEY_ENV, "")
            if not key:
                from desktop.llm.secrets import get_api_key

                key = get_api_key(self.url) or ""
            self._api_key = key
        return self._api_key

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"Accept": "application/json"}
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            # trust_env=False: a team server is on the local network; a desktop's proxy
            # settings would send these requests (and the key) somewhere else.
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                headers=headers,
                trust_env=False,
            )
        return self._client

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One plain request; network failures become typed errors, HTTP statuses do not."""
        for attempt in (1, 2):
            try:
                return self._http().request(method, self.url + path, **kwargs)
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # Our requests here are all safe to repeat: once more, on a new connection.
                if attempt == 2:
                    raise self._transport_error(exc) from exc
                log.info("server %s dropped a kept-alive connection (%s); retrying once", self.url, exc)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise self._transport_error(exc) from exc
        raise AssertionError("unreachable")

    def _json(self, method: str, path: str, **kwargs) -> dict | None:
        """The JSON answer of an optional endpoint, or None where the server lacks it."""
        response = self._request(method, path, **kwargs)
        if response.status_code in (401, 403):
            raise self._status_error(response.status_code, response.text)
        if response.status_code >= 400:
            return None
        try:
            data = response.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def load(self) -> ServerFacts:
        """Reach the server and read what it reports; raises a typed error if it cannot be used."""
        if self._facts is None:
            self._facts = self._discover()
        return self._facts

    def _discover(self) -> ServerFacts:
        facts = ServerFacts()
        props = self._json("GET", "/props")
        if props and isinstance(props.get("default_generation_settings"), dict):
            facts.kind, facts.tokenizer = "llama.cpp server", "llama.cpp"
            n_ctx = props["default_generation_settings"].get("n_ctx") or props.get("n_ctx")
            if isinstance(n_ctx, int) and n_ctx > 0:
                facts.context_size, facts.context_source = n_ctx, "/props"
        listing = self._json("GET", "/v1/models") or {}
        entries = [e for e in listing.get("data") or [] if isinstance(e, dict) and e.get("id")]
        facts.models = [str(e["id"]) for e in entries]
        chosen = next((e for e in entries if e["id"] == self.model), entries[0] if len(entries) == 1 else None)
        if chosen is not None and facts.context_size is None:
            meta = chosen.get("meta") if isinstance(chosen.get("meta"), dict) else {}
            for value in (chosen.get("max_model_len"), meta.get("n_ctx")):
                if isinstance(value, int) and value > 0:
                    facts.context_size, facts.context_source = value, "/v1/models"
                    break
        if any(e.get("owned_by") == "vllm" or "max_model_len" in e for e in entries):
            facts.kind, facts.tokenizer = "vLLM", "vllm"
        if facts.tokenizer is None:
            if self._json("POST", "/extras/tokenize/count", json={"input": "probe"}) is not None:
                facts.kind, facts.tokenizer = "llama-cpp-python server", "llama-cpp-python"
            elif (self._json("GET", "/api/version") or {}).get("version"):
                facts.kind = "Ollama"
        if facts.context_size is None:
            facts.context_size, facts.context_source = self.requested_context, "settings"
        log.info("server %s: %s, context %s from %s", self.url, facts.kind, facts.context_size, facts.context_source)
        return facts

    def _model_name(self) -> str:
        if self.model:
            return self.model
        models = self.load().models
        if len(models) == 1:
            return models[0]
        if models:
            raise UnknownModelError(
                f"The server at {self.url} serves several models ({', '.join(models[:8])}). "
                "Choose one in Settings (server model) or with --server-model."
            )
        return ""

    def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- facts ------------------------------------------------------------------------

    @property
    def context_size(self) -> int:
        return self.load().context_size or self.requested_context

    @property
    def counts_exactly(self) -> bool:
        """True when tokens are counted by the server's own tokenizer, not estimated."""
        return self.load().tokenizer is not None

    def info(self) -> EngineInfo:
        """Never raises: an unreachable server shows in `backend`; using it raises."""
        try:
            facts = self.load()
            name = self.model or (facts.models[0] if len(facts.models) == 1 else "")
        except EngineError as exc:
            log.warning("server info unavailable: %s", exc)
            return EngineInfo(self.model or "(server model)", f"server {self.url} (not reached)", self.requested_context)
        counting = "tokens counted by the server" if facts.tokenizer else f"tokens estimated ({CHARS_PER_TOKEN} chars each)"
        backend = f"server {self.url} ({facts.kind}; context from {facts.context_source}; {counting})"
        return EngineInfo(name or "(server default)", backend, facts.context_size or self.requested_context)

    # -- token counts -----------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        cached = self._counts.get(text)
        if cached is not None:
            return cached
        count = self._server_count(text)
        if count is None:
            count = estimate_tokens(text)
        if len(self._counts) >= _COUNT_CACHE_SIZE:
            self._counts.clear()
        self._counts[text] = count
        return count

    def _server_count(self, text: str) -> int | None:
        tokenizer = self.load().tokenizer
        if tokenizer == "llama.cpp":
            data = self._json("POST", "/tokenize", json={"content": text, "add_special": False, "parse_special": False})
            tokens = (data or {}).get("tokens")
            count = len(tokens) if isinstance(tokens, list) else None
        elif tokenizer == "vllm":
            body = {"model": self._model_name(), "prompt": text, "add_special_tokens": False}
            count = (self._json("POST", "/tokenize", json=body) or {}).get("count")
        elif tokenizer == "llama-cpp-python":
            body = {"input": text, **({"model": self.model} if self.model else {})}
            count = (self._json("POST", "/extras/tokenize/count", json=body) or {}).get("count")
        else:
            return None
        if not isinstance(count, int):
            # Say so once and from then on estimate, rather than fail a run over a count.
            log.warning("server %s stopped tokenizing; estimating token counts from now on", self.url)
            self._facts.tokenizer = None
            return None
        return count

    def count_message_tokens(self, messages: list[Message]) -> int:
        exact = self._exact_message_count(messages)
        if exact is not None:
            return exact
        # No chat template at hand: the contents plus a few tokens of role markup per turn.
        return self._content_tokens(messages) + _TURN_TOKENS * len(messages) + _REPLY_TOKENS

    def _content_tokens(self, messages: list[Message]) -> int:
        return self.count_tokens("\n".join(m["content"] for m in messages))

    def _exact_message_count(self, messages: list[Message]) -> int | None:
        """The prompt's size through the server's own chat template, where it offers one."""
        tokenizer = self.load().tokenizer
        payload = [{"role": m["role"], "content": m["content"]} for m in messages]
        if tokenizer == "llama.cpp":
            prompt = (self._json("POST", "/apply-template", json={"messages": payload}) or {}).get("prompt")
            if isinstance(prompt, str):
                data = self._json("POST", "/tokenize", json={"content": prompt, "add_special": True, "parse_special": True})
                if isinstance((data or {}).get("tokens"), list):
                    return len(data["tokens"])
        elif tokenizer == "vllm":
            body = {"model": self._model_name(), "messages": payload, "add_generation_prompt": True}
            count = (self._json("POST", "/tokenize", json=body) or {}).get("count")
            if isinstance(count, int):
                return count
        return None

    # -- generation -------------------------------------------------------------------

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        stop_event: threading.Event | None = None,
        on_prompt_progress: PromptProgress | None = None,
        seed: int | None = None,
    ) -> Iterator[str]:
        usage = Usage()
        self.last_usage = usage
        started = time.perf_counter()
        try:
            body = self._request_body(messages, usage=usage, max_tokens=max_tokens, temperature=temperature)
            if seed is not None:
                body["seed"] = seed  # OpenAI's parameter; servers without it ignore it
        except Exception:
            usage.finish_reason = "error"
            raise
        if stop_event is not None and stop_event.is_set():
            usage.finish_reason = "cancelled"
            return
        if on_prompt_progress:
            on_prompt_progress(0, usage.prompt_tokens)
        reader = _Reader(self._http(), self.url + "/v1/chat/completions", body)
        self._reader = reader
        reader.start()
        turn = _TurnState(usage=usage, started=started)
        try:
            yield from self._consume(reader, turn, stop_event=stop_event, on_prompt_progress=on_prompt_progress)
        except Exception:
            usage.finish_reason = "error"
            raise
        finally:
            if not turn.ended:
                reader.cancel()  # stopped or failed: drop the connection (an ended one stays pooled)
            self._reader = None
            now = time.perf_counter()
            if turn.first_token_at is None:
                usage.prompt_seconds = now - started
            else:
                usage.generate_seconds = now - turn.first_token_at
            if not usage.generated_tokens:
                usage.generated_tokens = turn.pieces

    def _request_body(self, messages: list[Message], *, usage: Usage, max_tokens: int, temperature: float) -> dict:
        """The chat request; refuses a prompt the server's reported context cannot hold."""
        facts = self.load()
        model = self._model_name()
        exact = self._exact_message_count(messages)
        content = None if exact is not None else self._content_tokens(messages)
        usage.prompt_tokens = exact if exact is not None else content + _TURN_TOKENS * len(messages) + _REPLY_TOKENS
        budget = max_tokens
        if facts.context_source != "settings":
            # Refuse here only on a count that cannot be too high; else the server judges.
            floor = exact if exact is not None else (content if facts.tokenizer else None)
            if floor is not None and floor >= facts.context_size:
                raise self._context_error(facts.context_size, f"the prompt is {usage.prompt_tokens} tokens")
            budget = max(1, min(max_tokens, facts.context_size - usage.prompt_tokens))
        body: dict = {
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": budget,
            "temperature": temperature,
        }
        if model:
            body["model"] = model
        if facts.tokenizer == "llama.cpp":
            body["return_progress"] = True  # llama-server reports prompt reading as it goes
        return body

    def _consume(
        self,
        reader: _Reader,
        turn: _TurnState,
        *,
        stop_event: threading.Event | None,
        on_prompt_progress: PromptProgress | None,
    ) -> Iterator[str]:
        usage = turn.usage
        data_lines: list[str] = []
        heard_at, heard = time.monotonic(), False
        while True:
            if stop_event is not None and stop_event.is_set():
                usage.finish_reason = "cancelled"
                return
            try:
                kind, value = reader.events.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                limit = self.idle_timeout if heard else self.first_byte_timeout
                if time.monotonic() - heard_at > limit:
                    raise self._broken(turn, ServerTimeoutError(
                        f"The server at {self.url} sent nothing for {limit:g} s "
                        + ("in the middle of the answer." if heard else "after the request (it may be busy with "
                           "other users or reading a very long prompt).")
                        + " Try again later, or raise the server timeouts in the settings."))
                continue
            heard_at, heard = time.monotonic(), True
            if kind == "status":
                status, text = value
                raise self._status_error(status, text)
            if kind == "error":
                raise self._broken(turn, self._transport_error(value))
            if kind == "eof":
                turn.ended = True
                if data_lines:
                    yield from self._handle_event("\n".join(data_lines), turn, on_prompt_progress)
                if not turn.finished:
                    self._diagnose_empty_stream(turn, reader.body)
                    raise self._broken(turn, ServerError(f"The server at {self.url} closed the connection."))
                return
            line = value
            if line.startswith("data:"):
                data_lines.append(line[5:].removeprefix(" "))
            elif line == "" and data_lines:
                data = "\n".join(data_lines)
                data_lines = []
                if data.strip() == "[DONE]":
                    turn.ended = True
                    if not turn.finished:
                        # llama_cpp.server does this when another request interrupts the answer.
                        raise self._broken(turn, ServerError(
                            f"The server at {self.url} ended the answer early without saying why "
                            "(a llama_cpp.server started without --interrupt_requests False cuts an "
                            "answer short whenever another request arrives)"
                        ))
                    return
                yield from self._handle_event(data, turn, on_prompt_progress)
            # Other lines (": ping" comments, "event:", "id:") carry nothing we use.

    def _handle_event(self, data: str, turn: _TurnState, on_prompt_progress: PromptProgress | None) -> Iterator[str]:
        turn.events += 1
        try:
            chunk = json.loads(data)
        except ValueError:
            raise self._broken(turn, ServerError(f"The server at {self.url} sent something that is not JSON: {data[:120]!r}"))
        if not isinstance(chunk, dict):
            return
        if chunk.get("error"):
            raise self._broken(turn, self._status_error(400, data))
        usage = turn.usage
        progress = chunk.get("prompt_progress")
        if isinstance(progress, dict) and turn.first_token_at is None:
            # llama-server's own figures beat our count from here on.
            total = int(progress.get("total") or usage.prompt_tokens)
            usage.prompt_tokens = total
            if on_prompt_progress:
                on_prompt_progress(int(progress.get("processed", 0)), total)
        _read_usage(chunk, usage)
        for choice in chunk.get("choices") or []:
            text = (choice.get("delta") or {}).get("content")
            if text:
                if turn.first_token_at is None:
                    turn.first_token_at = time.perf_counter()
                    usage.prompt_seconds = turn.first_token_at - turn.started
                    if on_prompt_progress:
                        on_prompt_progress(usage.prompt_tokens, usage.prompt_tokens)
                turn.pieces += 1
                turn.text.append(text)
                yield text
            reason = choice.get("finish_reason")
            if reason:
                turn.finished = True
                usage.finish_reason = "length" if reason == "length" else "stop"

    def _diagnose_empty_stream(self, turn: _TurnState, body: dict) -> None:
        """Some servers (llama_cpp.server) answer 200 and then close on a prompt they refuse.

        Asking once more without streaming, for one token, gets the reason as a proper error.
        """
        if turn.events or turn.text:
            return
        body = {**body, "stream": False, "max_tokens": 1}
        body.pop("stream_options", None)
        body.pop("return_progress", None)
        response = self._request("POST", "/v1/chat/completions", json=body)
        if response.status_code >= 400:
            raise self._status_error(response.status_code, response.text)

    # -- errors -----------------------------------------------------------------------

    def _broken(self, turn: _TurnState, cause: Exception) -> Exception:
        """Before any text: the cause itself. After some: an incomplete answer, text kept."""
        turn.usage.finish_reason = "error"
        text = "".join(turn.text)
        if not text:
            return cause
        return IncompleteAnswerError(
            f"The answer is incomplete: the stream from {self.url} broke off after "
            f"{turn.pieces} pieces ({cause}). The text so far is kept; run the phase again to get a whole answer.",
            partial_text=text,
        )

    def _transport_error(self, exc: Exception) -> ServerError:
        if isinstance(exc, httpx.ConnectTimeout):
            return ServerUnreachableError(
                f"The server at {self.url} did not accept a connection within {self.connect_timeout:g} s. "
                "Check the address and that the machine is on and reachable from here."
            )
        if isinstance(exc, httpx.ConnectError):
            return ServerUnreachableError(
                f"Cannot reach the server at {self.url} ({exc}). Check that it is running, that the "
                "address and port are right, and that it listens on the network (e.g. --host 0.0.0.0)."
            )
        if isinstance(exc, httpx.TimeoutException):
            return ServerTimeoutError(
                f"The server at {self.url} sent nothing for {self.timeout:g} s. It may be busy with other "
                "users or reading a very long prompt; try again later or ask for a longer timeout."
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ServerError(f"{self.url} is not a usable server address ({exc}). Use a form like http://gpu-box:8080.")
        return ServerError(f"The connection to the server at {self.url} failed: {exc or type(exc).__name__}.")

    def _status_error(self, status: int, body: str) -> Exception:
        message, code, n_ctx = _error_details(body)
        said = f" The server said: {message}" if message else ""
        if status in (401, 403):
            store = f"`python -m desktop.llm.secrets set {self.url}` (or set ${API_KEY_ENV})"
            if not self.api_key:
                return ServerAuthError(f"The server at {self.url} needs an API key (HTTP {status}). Store it with {store}.")
            return ServerAuthError(
                f"The server at {self.url} refused the API key (HTTP {status}).{said} "
                f"Ask its administrator for the right key and store it with {store}."
            )
        lowered = f"{message} {code}".lower()
        if _is_context_error(status, lowered):
            return self._context_error(n_ctx, message or "the prompt does not fit")
        if code == "model_not_found" or (status in (400, 404) and "model" in lowered):
            served = self._facts.models if self._facts else []
            listing = f" It serves: {', '.join(served[:8])}." if served else ""
            return UnknownModelError(
                f"The server at {self.url} has no model named {self.model or '(none given)'!r}.{said}{listing} "
                "Set the model name in Settings (server model) or with --server-model."
            )
        if status == 404:
            return ServerError(
                f"{self.url} has no OpenAI-compatible chat endpoint (/v1/chat/completions answered 404). "
                "Check the address: it should be the server's base URL, like http://gpu-box:8080."
            )
        if status in (408, 504):
            return ServerTimeoutError(f"The server at {self.url} timed out (HTTP {status}).{said} Try again later.")
        if status in (429, 503):
            return ServerError(f"The server at {self.url} is busy or still loading (HTTP {status}).{said} Try again shortly.")
        return ServerError(f"The server at {self.url} failed (HTTP {status}).{said}")

    def _context_error(self, n_ctx: int | None, detail: str) -> ContextError:
        if n_ctx and self._facts is not None and self._facts.context_size != n_ctx:
            # The server's own figure beats the setting: later runs pack to it.
            self._facts.context_size, self._facts.context_source = n_ctx, "the server's error"
            self._counts.clear()
        holds = f" The server's context holds {n_ctx} tokens." if n_ctx else ""
        return ContextError(
            f"The prompt does not fit the context of the server at {self.url}: {detail.rstrip('.')}.{holds} "
            "Lower the context size in Settings to match (less code is packed), leave files out, "
            "or start the server with a larger context (llama-server -c, vLLM --max-model-len, "
            "Ollama num_ctx, llama_cpp.server --n_ctx)."
        )


# -- reading the response off the owner thread --------------------------------------------


@dataclass
class _TurnState:
    usage: Usage
    started: float
    first_token_at: float | None = None
    pieces: int = 0
    events: int = 0
    finished: bool = False  # a finish_reason arrived: the answer is whole
    ended: bool = False  # the server ended the stream itself
    text: list[str] = field(default_factory=list)


class _Reader(threading.Thread):
    """Reads one streamed response into `events`: ("status", (code, body)), ("line", str),
    ("eof", None) or ("error", exc). `cancel()` may be called from any thread."""

    def __init__(self, client: httpx.Client, url: str, body: dict) -> None:
        super().__init__(name="plansmith-server-stream", daemon=True)
        self.client, self.url, self.body = client, url, body
        self.events: queue.Queue = queue.Queue()
        self._cancelled = threading.Event()
        self._response: httpx.Response | None = None

    def run(self) -> None:
        for attempt in (1, 2):
            try:
                self._read()
                return
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # No answer at all: a kept-alive connection the server had closed (uvicorn
                # does after a failed stream). Once more, on a new connection.
                if attempt == 1 and self._response is None and not self._cancelled.is_set():
                    continue
                self._hand_over(exc)
                return
            except Exception as exc:
                self._hand_over(exc)
                return

    def _read(self) -> None:
        with self.client.stream("POST", self.url, json=self.body, headers={"Accept": "text/event-stream"}) as response:
            self._response = response
            if self._cancelled.is_set():
                return
            if response.status_code >= 400:
                response.read()
                self.events.put(("status", (response.status_code, response.text)))
                return
            for line in response.iter_lines():
                if self._cancelled.is_set():
                    return
                self.events.put(("line", line))
        self.events.put(("eof", None))

    def _hand_over(self, exc: Exception) -> None:
        # The owner thread decides what an error means; after cancel() it means nothing.
        if not self._cancelled.is_set():
            self.events.put(("error", exc))

    def cancel(self) -> None:
        """Drop the connection now, so the server stops generating."""
        if self._cancelled.is_set():
            return
        self._cancelled.set()
        response = self._response
        if response is None:
            return  # still connecting: run() sees the flag and closes as soon as it can
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            try:
                # shutdown, not close: it wakes the reader's blocked recv() and sends FIN at once.
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# -- what servers put in their answers ------------------------------------------------------


def _read_usage(chunk: dict, usage: Usage) -> None:
    """Usage figures from an OpenAI `usage` object or llama-server's `timings`."""
    reported = chunk.get("usage")
    if isinstance(reported, dict):
        if isinstance(reported.get("prompt_tokens"), int):
            usage.prompt_tokens = reported["prompt_tokens"]
        if isinstance(reported.get("completion_tokens"), int):
            usage.generated_tokens = reported["completion_tokens"]
        details = reported.get("prompt_tokens_details")
        if isinstance(details, dict) and isinstance(details.get("cached_tokens"), int):
            usage.cached_tokens = details["cached_tokens"]
    timings = chunk.get("timings")
    if isinstance(timings, dict) and isinstance(timings.get("cache_n"), int):
        usage.cached_tokens = timings["cache_n"]


_CTX_FIGURES = (
    re.compile(r"maximum context length is (\d+)"),  # vLLM, llama_cpp.server, OpenAI
    re.compile(r"available context size \((\d+)"),  # llama-server
    re.compile(r"context window of (\d+)"),  # llama-cpp-python itself
    re.compile(r"n_ctx[\"']?\s*[:=]\s*(\d+)"),
)


def _error_details(body: str) -> tuple[str, str, int | None]:
    """(message, code, the context size if the error names one) from an error body."""
    message, code, n_ctx = "", "", None
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            message = str(error.get("message") or "")
            code = str(error.get("code") or error.get("type") or "")
            if error.get("type") == "exceed_context_size_error":
                code = "exceed_context_size_error"
            if isinstance(error.get("n_ctx"), int):
                n_ctx = error["n_ctx"]
        elif isinstance(error, str):
            message = error
        message = message or str(data.get("message") or data.get("detail") or "")
        code = code or str(data.get("code") or data.get("type") or "")
    elif body:
        message = body.strip()[:300]
    if n_ctx is None:
        for pattern in _CTX_FIGURES:
            found = pattern.search(message) or pattern.search(body or "")
            if found:
                n_ctx = int(found.group(1))
                break
    return message.strip(), code, n_ctx


def _is_context_error(status: int, lowered: str) -> bool:
    if "context_length_exceeded" in lowered or "exceed_context_size" in lowered:
        return True
    return status == 400 and bool(re.search(r"context (length|size|window)|too many tokens|maximum context", lowered))
