"""A tiny OpenAI-compatible server of our own on 127.0.0.1, for exact answers and failures."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = Callable[["_Handler"], None]


class _Handler(BaseHTTPRequestHandler):
    server: "_FakeHTTPServer"

    def log_message(self, *args):  # keep the test output clean
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.body = json.loads(raw) if raw else None
        fake = self.server.fake
        fake.requests.append((self.command, self.path, self.body, dict(self.headers)))
        route = fake.routes.get((self.command, self.path))
        if route is None:
            self.send_json(404, {"detail": "Not Found"})
        else:
            route(self)

    do_GET = do_POST = _serve

    def send_json(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()  # HTTP/1.0: the body ends when we close the connection
        self.wfile.flush()

    def event(self, payload) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    def client_gone_within(self, seconds: float) -> bool:
        """Wait for the client to close its side (recv gives b"" or fails)."""
        self.connection.settimeout(seconds)
        try:
            return self.connection.recv(1) == b""
        except socket.timeout:
            return False
        except OSError:
            return True


class _FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True


class FakeServer:
    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        self.routes = {("GET", "/v1/models"): lambda h: h.send_json(200, {"object": "list", "data": [{"id": "tiny"}]})}
        self.routes.update(routes)
        self.requests: list[tuple[str, str, object, dict]] = []
        self.httpd = _FakeHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.fake = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def paths(self, method: str = "POST") -> list[str]:
        return [p for m, p, _, _ in self.requests if m == method]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_server():
    made: list[FakeServer] = []

    def make(routes: dict[tuple[str, str], Route]) -> FakeServer:
        made.append(FakeServer(routes))
        return made[-1]

    yield make
    for server in made:
        server.close()


def chunk(text: str | None = None, finish: str | None = None, **extra) -> dict:
    delta = {"content": text} if text is not None else {}
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


def chat_route(pieces: list[str], *, usage: dict | None = None) -> Route:
    def route(h: _Handler) -> None:
        h.start_events()
        for piece in pieces:
            h.event(chunk(piece))
        h.event(chunk(finish="stop"))
        if usage:
            h.event({"choices": [], "usage": usage})
        h.event("[DONE]")

    return route




def answers_route(answers: list[str]) -> Route:
    """Each chat request gets the next answer, whole, as one streamed piece."""
    queue = list(answers)

    def route(h: _Handler) -> None:
        chat_route([queue.pop(0) if queue else ""])(h)

    return route
