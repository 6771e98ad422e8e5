"""RemoteEngine against a real `python -m llama_cpp.server` with SmolLM2, and its failure
cases against tiny HTTP servers of our own on 127.0.0.1. Also the API-key store."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import sys
import threading
import time
from pathlib import Path

import pytest
from fake_openai import Route, _Handler, chat_route, chunk, fake_server  # noqa: F401  (the fixture)
from llama_server import free_port, llama_server  # noqa: F401  (the session fixture)

from desktop.errors import ContextError, EngineError, SettingsError
from desktop.llm import secrets
from desktop.llm.remote_engine import (
    API_KEY_ENV,
    IncompleteAnswerError,
    RemoteEngine,
    ServerAuthError,
    ServerTimeoutError,
    ServerUnreachableError,
    UnknownModelError,
    estimate_tokens,
    normalize_url,
)

FIXTURE = Path(__file__).parent / "fixtures" / "smallrepo"
HELLO = [{"role": "user", "content": "Say hello."}]


@pytest.fixture(autouse=True)
def no_system_keyring(monkeypatch):
    """No test here reads or writes the real keyring, or sees a key from the environment."""
    monkeypatch.setattr(secrets, "usable_keyring", lambda: None)
    monkeypatch.delenv(API_KEY_ENV, raising=False)


# -- failures, each with a message the user can act on -----------------------------------


def test_unreachable_server_names_the_url():
    url = f"http://127.0.0.1:{free_port()}"
    engine = RemoteEngine(url, connect_timeout=2.0)
    with pytest.raises(ServerUnreachableError, match=url.replace(".", r"\.")):
        list(engine.stream(HELLO, max_tokens=8))
    with pytest.raises(ServerUnreachableError):
        engine.count_tokens("anything")
    info = engine.info()  # never raises: the run record still gets written
    assert "not reached" in info.backend and info.context_size == 8192
    assert isinstance(ServerUnreachableError("x"), EngineError)


def _key_guarded(h: _Handler) -> bool:
    if h.headers.get("Authorization") != "Bearer right-key":
        h.send_json(401, {"error": {"message": "Invalid API Key", "type": "authentication_error"}})
        return False
    return True


def _guarded(route: Route) -> Route:
    return lambda h: _key_guarded(h) and route(h)


def test_wrong_or_missing_api_key(fake_server):
    server = fake_server({
        ("GET", "/v1/models"): _guarded(lambda h: h.send_json(200, {"data": [{"id": "tiny"}]})),
        ("POST", "/v1/chat/completions"): _guarded(chat_route(["Hi"])),
    })  # fmt: skip
    with pytest.raises(ServerAuthError, match="refused the API key") as wrong:
        list(RemoteEngine(server.url, api_key="wrong-key").stream(HELLO, max_tokens=8))
    assert "wrong-key" not in str(wrong.value)  # the key itself is never shown
    with pytest.raises(ServerAuthError, match="needs an API key"):
        list(RemoteEngine(server.url, api_key="").stream(HELLO, max_tokens=8))
    assert "".join(RemoteEngine(server.url, api_key="right-key").stream(HELLO, max_tokens=8)) == "Hi"


def test_api_key_comes_from_the_store_or_the_environment(fake_server, monkeypatch):
    server = fake_server({
        ("GET", "/v1/models"): _guarded(lambda h: h.send_json(200, {"data": [{"id": "tiny"}]})),
        ("POST", "/v1/chat/completions"): _guarded(chat_route(["Hi"])),
    })  # fmt: skip
    where = secrets.set_api_key(server.url + "/v1/", "right-key")  # the same server, written differently
    assert "readable only by you" in where
    assert "".join(RemoteEngine(server.url).stream(HELLO, max_tokens=8)) == "Hi"
    monkeypatch.setenv(API_KEY_ENV, "wrong-key")  # the environment wins over the store
    with pytest.raises(ServerAuthError):
        list(RemoteEngine(server.url).stream(HELLO, max_tokens=8))


def test_unknown_model(fake_server):
    def not_found(h: _Handler) -> None:
        model = h.body["model"]
        h.send_json(404, {"object": "error", "message": f"The model `{model}` does not exist.", "type": "NotFoundError", "code": 404})

    server = fake_server({
        ("GET", "/v1/models"): lambda h: h.send_json(200, {"data": [{"id": "qwen-coder", "owned_by": "vllm", "max_model_len": 4096}]}),
        ("POST", "/v1/chat/completions"): not_found,
    })  # fmt: skip
    engine = RemoteEngine(server.url, model="no-such-model")
    with pytest.raises(UnknownModelError) as err:
        list(engine.stream(HELLO, max_tokens=8))
    message = str(err.value)
    assert "'no-such-model'" in message and "qwen-coder" in message and "--server-model" in message
    assert engine.last_usage.finish_reason == "error"


def test_a_stream_cut_in_the_middle_keeps_the_text(fake_server):
    def cut(h: _Handler) -> None:
        h.start_events()
        for piece in ["def ", "low_stock", "(stock"]:
            h.event(chunk(piece))
        h.connection.shutdown(socket.SHUT_RDWR)  # the server dies mid-answer

    server = fake_server({("POST", "/v1/chat/completions"): cut})
    engine = RemoteEngine(server.url)
    seen: list[str] = []
    with pytest.raises(IncompleteAnswerError, match="incomplete") as err:
        for piece in engine.stream(HELLO, max_tokens=64):
            seen.append(piece)
    assert seen == ["def ", "low_stock", "(stock"]
    assert err.value.partial_text == "def low_stock(stock"
    assert "text so far is kept" in str(err.value)
    assert engine.last_usage.finish_reason == "error" and engine.last_usage.generated_tokens == 3


def test_an_answer_ended_without_a_finish_reason_is_incomplete(fake_server):
    def interrupted(h: _Handler) -> None:  # what llama_cpp.server does when another request arrives
        h.start_events()
        h.event(chunk("half an "))
        h.event("[DONE]")

    server = fake_server({("POST", "/v1/chat/completions"): interrupted})
    with pytest.raises(IncompleteAnswerError, match="interrupt_requests") as err:
        list(RemoteEngine(server.url).stream(HELLO, max_tokens=8))
    assert err.value.partial_text == "half an "


def test_timeout_before_and_during_the_answer(fake_server):
    def silent(h: _Handler) -> None:
        h.start_events()
        h.client_gone_within(10)

    def stalls(h: _Handler) -> None:
        h.start_events()
        h.event(chunk("partial "))
        h.event(chunk("answer"))
        h.client_gone_within(10)

    server = fake_server({("POST", "/v1/chat/completions"): silent, ("POST", "/v2/v1/chat/completions"): stalls})
    engine = RemoteEngine(server.url, first_byte_timeout=0.5, idle_timeout=30)
    started = time.monotonic()
    with pytest.raises(ServerTimeoutError, match="sent nothing for 0.5 s after the request"):
        list(engine.stream(HELLO, max_tokens=8))
    assert time.monotonic() - started < 5
    # Silence in the middle of an answer has its own limit; the text so far is kept.
    engine2 = RemoteEngine(server.url + "/v2", first_byte_timeout=30, idle_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(IncompleteAnswerError, match="sent nothing for 0.5 s in the middle") as err:
        list(engine2.stream(HELLO, max_tokens=8))
    assert time.monotonic() - started < 5
    assert err.value.partial_text == "partial answer"


def test_the_server_timeouts_come_from_the_settings():
    from desktop.llm.factory import make_server_engine
    from desktop.settings import Settings

    engine = make_server_engine(Settings(server_url="http://127.0.0.1:9", server_connect_timeout=3,
                                         server_first_byte_timeout=200, server_idle_timeout=45))
    assert (engine.connect_timeout, engine.first_byte_timeout, engine.idle_timeout) == (3, 200, 45)
    assert engine.timeout > 200  # httpx's read limit never cuts in before ours
    with pytest.raises(SettingsError):
        Settings(server_idle_timeout=0).validate()


def test_stop_while_the_server_is_silent_returns_fast_and_drops_the_connection(fake_server):
    dropped = threading.Event()

    def slow_prompt(h: _Handler) -> None:
        h.start_events()
        h.event(chunk("first "))
        if h.client_gone_within(10):  # e.g. still reading a long prompt: nothing to send
            dropped.set()

    server = fake_server({("POST", "/v1/chat/completions"): slow_prompt})
    engine = RemoteEngine(server.url)
    stop = threading.Event()
    pieces = []
    gen = engine.stream(HELLO, max_tokens=64, stop_event=stop)
    pieces.append(next(gen))
    stopped_at = []

    def press_stop() -> None:
        stopped_at.append(time.monotonic())
        stop.set()

    threading.Timer(0.2, press_stop).start()
    pieces += list(gen)
    assert time.monotonic() - stopped_at[0] < 0.5
    assert pieces == ["first "]
    assert engine.last_usage.finish_reason == "cancelled"
    assert dropped.wait(2.0), "the server never saw the connection close"


def test_llama_server_facts_usage_and_prompt_progress(fake_server):
    """llama-server: context from /props, exact counts via /apply-template + /tokenize."""

    def tokenize(h: _Handler) -> None:
        h.send_json(200, {"tokens": list(range(len(h.body["content"].split())))})

    def answer(h: _Handler) -> None:
        assert h.body["return_progress"] is True and h.body["stream_options"] == {"include_usage": True}
        h.start_events()
        h.event({"choices": [], "prompt_progress": {"total": 12, "cache": 4, "processed": 12, "time_ms": 5}})
        for piece in ["Hello", " there"]:
            h.event(chunk(piece))
        h.event(chunk(finish="length", timings={"cache_n": 4, "prompt_n": 8, "predicted_n": 2}))
        h.event({"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}})
        h.event("[DONE]")

    server = fake_server({
        ("GET", "/props"): lambda h: h.send_json(200, {"default_generation_settings": {"n_ctx": 1024}, "total_slots": 4}),
        ("GET", "/v1/models"): lambda h: h.send_json(200, {"data": [{"id": "coder.gguf", "owned_by": "llamacpp", "meta": {"n_ctx_train": 32768}}]}),
        ("POST", "/tokenize"): tokenize,
        ("POST", "/apply-template"): lambda h: h.send_json(200, {"prompt": "<s> user: " + h.body["messages"][-1]["content"]}),
        ("POST", "/v1/chat/completions"): answer,
    })  # fmt: skip
    engine = RemoteEngine(server.url, context_size=8192)
    info = engine.info()
    assert info.context_size == 1024 and info.name == "coder.gguf"
    assert "llama.cpp server" in info.backend and "/props" in info.backend and "counted by the server" in info.backend
    assert engine.count_tokens("three words here") == 3
    progress = []
    text = "".join(engine.stream(HELLO, max_tokens=100, on_prompt_progress=lambda d, t: progress.append((d, t))))
    assert text == "Hello there"
    usage = engine.last_usage
    assert (usage.prompt_tokens, usage.generated_tokens, usage.cached_tokens) == (12, 2, 4)
    assert usage.finish_reason == "length" and usage.prompt_seconds > 0 and usage.tokens_per_second > 0
    assert progress[0] == (0, 4) and (12, 12) in progress  # 4 = the counted prompt, then the server's figures
    sent = server.requests[-1][2]
    assert sent["max_tokens"] == 100 and sent["model"] == "coder.gguf"


def test_prompt_over_the_reported_context_is_refused_before_sending(fake_server):
    server = fake_server({
        ("GET", "/props"): lambda h: h.send_json(200, {"default_generation_settings": {"n_ctx": 64}}),
        ("POST", "/tokenize"): lambda h: h.send_json(200, {"tokens": [1] * len(h.body["content"].split())}),
        ("POST", "/apply-template"): lambda h: h.send_json(200, {"prompt": h.body["messages"][-1]["content"]}),
    })  # fmt: skip
    engine = RemoteEngine(server.url)
    with pytest.raises(ContextError, match="holds 64 tokens"):
        list(engine.stream([{"role": "user", "content": "word " * 100}], max_tokens=8))
    assert "/v1/chat/completions" not in server.paths()


def test_context_error_from_the_server_teaches_the_context_size(fake_server):
    def too_long(h: _Handler) -> None:
        h.send_json(400, {"error": {
            "code": 400, "type": "exceed_context_size_error", "n_prompt_tokens": 9412, "n_ctx": 4096,
            "message": "request (9412 tokens) exceeds the available context size (4096 tokens), try increasing it",
        }})  # fmt: skip

    server = fake_server({("POST", "/v1/chat/completions"): too_long})
    engine = RemoteEngine(server.url, context_size=8192)
    assert engine.info().context_size == 8192 and "context from settings" in engine.info().backend
    with pytest.raises(ContextError, match="holds 4096 tokens"):
        list(engine.stream(HELLO, max_tokens=8))
    assert engine.info().context_size == 4096 and "server's error" in engine.info().backend


def test_vllm_context_from_models_and_its_tokenizer(fake_server):
    def tokenize(h: _Handler) -> None:
        assert h.body["model"] == "Qwen/Qwen2.5-Coder-7B-Instruct"
        text = h.body.get("prompt") or " ".join(m["content"] for m in h.body["messages"])
        h.send_json(200, {"count": len(text.split()), "max_model_len": 16384, "tokens": []})

    server = fake_server({
        ("GET", "/v1/models"): lambda h: h.send_json(200, {"data": [
            {"id": "Qwen/Qwen2.5-Coder-7B-Instruct", "owned_by": "vllm", "max_model_len": 16384}]}),
        ("POST", "/tokenize"): tokenize,
        ("POST", "/v1/chat/completions"): chat_route(["ok"], usage={"prompt_tokens": 9, "completion_tokens": 1}),
    })  # fmt: skip
    engine = RemoteEngine(server.url, model="Qwen/Qwen2.5-Coder-7B-Instruct")
    assert engine.info().context_size == 16384 and "vLLM" in engine.info().backend
    assert engine.count_tokens("one two three four") == 4
    assert engine.count_message_tokens([{"role": "user", "content": "a b c"}]) == 3
    assert "".join(engine.stream(HELLO, max_tokens=8)) == "ok"
    assert engine.last_usage.prompt_tokens == 9


def test_without_a_tokenizer_counts_are_estimated_and_say_so(fake_server):
    server = fake_server({("POST", "/v1/chat/completions"): chat_route(["a", "b", "c"])})
    engine = RemoteEngine(server.url, context_size=4096)
    assert engine.count_tokens("x" * 35) == 10 == estimate_tokens("x" * 35)
    assert engine.count_tokens("x" * 36) == 11  # rounded up
    info = engine.info()
    assert "estimated" in info.backend and info.context_size == 4096 and not engine.counts_exactly
    assert "".join(engine.stream(HELLO, max_tokens=8)) == "abc"
    assert engine.last_usage.generated_tokens == 3  # counted, as the server reported no usage


def test_an_error_event_mid_stream_is_an_incomplete_answer(fake_server):
    def fails(h: _Handler) -> None:
        h.start_events()
        h.event(chunk("Some text"))
        h.event({"error": {"code": 500, "message": "CUDA error: out of memory", "type": "server_error"}})

    server = fake_server({("POST", "/v1/chat/completions"): fails})
    with pytest.raises(IncompleteAnswerError, match="out of memory") as err:
        list(RemoteEngine(server.url).stream(HELLO, max_tokens=8))
    assert err.value.partial_text == "Some text"


def test_several_models_need_a_choice(fake_server):
    server = fake_server({("GET", "/v1/models"): lambda h: h.send_json(200, {"data": [{"id": "a"}, {"id": "b"}]})})
    with pytest.raises(UnknownModelError, match="several models"):
        list(RemoteEngine(server.url).stream(HELLO, max_tokens=8))


def test_server_addresses_are_normalised():
    assert normalize_url("gpu-box:8080") == "http://gpu-box:8080"
    assert normalize_url("http://gpu-box:8080/v1/") == "http://gpu-box:8080"
    assert normalize_url("https://llm.lan/v1/chat/completions") == "https://llm.lan"
    with pytest.raises(EngineError, match="No server address"):
        RemoteEngine("  ")


# -- the API key store -------------------------------------------------------------------


class MemoryKeyring:
    """A keyring backend that keeps secrets in a dict (duck-typed like keyring's)."""

    priority = 1

    def __init__(self, *, fail: bool = False) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.fail = fail

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        if self.fail:
            raise RuntimeError("the keyring is locked")
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        del self.items[(service, username)]


def test_key_file_is_private_and_round_trips(app_paths):
    store = secrets.SecretStore(backend=None)
    assert store.keys_file.parent == app_paths.config_dir
    assert store.get("http://gpu-box:8080") is None
    store.set("gpu-box:8080/v1", "sk-123\n")
    assert store.get("http://gpu-box:8080") == "sk-123"
    if os.name != "nt":
        assert stat.S_IMODE(store.keys_file.stat().st_mode) == 0o600
        os.chmod(store.keys_file, 0o644)  # someone loosened it: the next read tightens it
        assert store.get("http://gpu-box:8080") == "sk-123"
        assert stat.S_IMODE(store.keys_file.stat().st_mode) == 0o600
    assert store.delete("http://gpu-box:8080") is True
    assert store.get("http://gpu-box:8080") is None and store.delete("http://gpu-box:8080") is False
    with pytest.raises(ValueError):
        store.set("http://gpu-box:8080", "   ")


def test_keyring_is_used_when_usable_and_the_file_when_it_fails(app_paths):
    ring = MemoryKeyring()
    store = secrets.SecretStore(backend=ring)
    assert "system keyring" in store.set("http://gpu-box:8080", "sk-ring")
    assert ring.items == {("plansmith", "http://gpu-box:8080"): "sk-ring"}
    assert not store.keys_file.exists()
    assert store.get("http://gpu-box:8080/") == "sk-ring"
    assert store.delete("http://gpu-box:8080") is True and ring.items == {}

    locked = secrets.SecretStore(backend=MemoryKeyring(fail=True))
    assert "readable only by you" in locked.set("http://gpu-box:8080", "sk-file")
    assert locked.get("http://gpu-box:8080") == "sk-file"


def test_fail_and_null_keyrings_and_no_keyring_count_as_unusable(monkeypatch):
    monkeypatch.undo()  # the real usable_keyring, with keyring's own backends swapped in
    import keyring  # installed by the `test` extra
    from keyring.backends import fail, null

    for backend in (fail.Keyring(), null.Keyring()):
        monkeypatch.setattr(keyring, "get_keyring", lambda backend=backend: backend)
        assert secrets.usable_keyring() is None
    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring())
    assert isinstance(secrets.usable_keyring(), MemoryKeyring)
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    assert secrets.usable_keyring() is None


# -- with a real server: python -m llama_cpp.server and SmolLM2 ----------------------------


def test_streams_text_with_usage(llama_server):  # noqa: F811
    engine = RemoteEngine(llama_server.url, context_size=2048)
    progress = []
    pieces = list(engine.stream(
        [{"role": "user", "content": "Write one sentence about rivers."}],
        max_tokens=24,
        on_prompt_progress=lambda done, total: progress.append((done, total)),
    ))  # fmt: skip
    assert "".join(pieces).strip()
    usage = engine.last_usage
    assert usage.prompt_tokens > 5 and 0 < usage.generated_tokens <= 24
    assert usage.finish_reason in ("stop", "length")
    assert usage.prompt_seconds > 0 and usage.tokens_per_second > 0
    assert progress[0] == (0, usage.prompt_tokens) and progress[-1] == (usage.prompt_tokens, usage.prompt_tokens)
    info = engine.info()
    assert info.name == str(llama_server.model_path) and "llama-cpp-python server" in info.backend
    engine.close()


def test_stop_mid_stream_returns_quickly_and_frees_the_server(llama_server):  # noqa: F811
    engine = RemoteEngine(llama_server.url, context_size=2048)
    stop = threading.Event()
    pieces = []
    gen = engine.stream([{"role": "user", "content": "Tell a long story about a dragon."}], max_tokens=400, stop_event=stop)
    for piece in gen:
        pieces.append(piece)
        if len(pieces) == 5:
            stop.set()
            stopped_at = time.monotonic()
    assert time.monotonic() - stopped_at < 0.5
    assert len(pieces) == 5 and engine.last_usage.finish_reason == "cancelled"
    deadline = time.monotonic() + 5
    while "Disconnected from client" not in llama_server.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Disconnected from client" in llama_server.log_text(), "the server kept generating"
    started = time.monotonic()
    assert "".join(engine.stream(HELLO, max_tokens=4))
    assert time.monotonic() - started < 10
    engine.close()


def test_context_size_read_from_the_server(llama_server):  # noqa: F811
    # llama_cpp.server reports its n_ctx nowhere but in its context error; the engine learns it there.
    engine = RemoteEngine(llama_server.url, context_size=8192)
    assert engine.info().context_size == 8192
    with pytest.raises(ContextError, match="holds 2048 tokens"):
        list(engine.stream([{"role": "user", "content": "word " * 3000}], max_tokens=8))
    assert engine.info().context_size == 2048 == llama_server.n_ctx
    with pytest.raises(ContextError):  # now refused without a round trip to generation
        list(engine.stream([{"role": "user", "content": "word " * 3000}], max_tokens=8))
    engine.close()


def test_count_tokens_uses_the_server_tokenizer(llama_server, smollm2_engine):  # noqa: F811
    engine = RemoteEngine(llama_server.url, context_size=2048)
    text = (FIXTURE / "inventory" / "report.py").read_text(encoding="utf-8")
    assert engine.counts_exactly and "counted by the server" in engine.info().backend
    assert engine.count_tokens(text) == smollm2_engine.count_tokens(text)
    assert engine.count_tokens(text) != estimate_tokens(text)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]
    assert engine.count_message_tokens(messages) >= smollm2_engine.count_message_tokens(messages) - 2
    engine.close()


@pytest.mark.slow
def test_two_phase_run_through_the_server(llama_server, tmp_path):  # noqa: F811
    from desktop.core.changes import ChangeSet
    from desktop.core.codebase import scan_codebase
    from desktop.core.pipeline import Phase, Run, RunOptions
    from desktop.core.plan import read_plan
    from desktop.core.prompts import Prompts

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    engine = RemoteEngine(llama_server.url, context_size=llama_server.n_ctx)
    events = []
    run = Run(
        plan=read_plan(repo / "plan.md"),
        codebase=scan_codebase(repo),
        engine=engine,
        prompts=Prompts.load(),
        options=RunOptions(reflection_tokens=64, answer_tokens=96, max_repairs=0),
        on_event=events.append,
    )
    reflection = run.reflect()
    assert run.phase == Phase.REFLECTED and reflection.strip()
    changeset = run.implement()
    assert run.phase == Phase.DONE
    assert run.turns[1].kind == "implementation" and run.turns[1].text.strip()
    assert isinstance(changeset, ChangeSet)
    assert {"phase", "text", "prompt_progress", "turn_done"} <= {e.kind for e in events}
    record = run.to_record()
    assert record["model"]["backend"].startswith(f"server {llama_server.url}")
    engine.close()
