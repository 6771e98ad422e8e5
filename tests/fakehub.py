"""A small Hugging Face hub on 127.0.0.1 for download tests: enough of the protocol for one file.

    HEAD/GET /{repo}/resolve/{revision}/{file}  X-Repo-Commit, ETag + X-Linked-Etag (SHA-256),
                                                Content-Length + X-Linked-Size, Range -> 206
    GET /api/models/{repo}/revision/{revision}  {"sha": ...} (what snapshot_download asks first)

No X-Xet-Hash is ever sent, so huggingface_hub stays on plain HTTP. Knobs (set any time):
throttle (bytes/s per response), drop_after (close the connection after N body bytes),
corrupt (flip one byte in what is served), redirect (answer resolve with a 302 to /cdn/...).
bytes_sent counts body bytes; requests records (method, path, Range header).

    python tests/fakehub.py FILE REPO [--port N] [--throttle BPS]   # serve one file until killed
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HubFile:
    path: Path
    size: int
    sha256: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class FakeHub:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], HubFile] = {}
        self.throttle: float | None = None
        self.drop_after: int | None = None
        self.corrupt = False
        self.redirect = False
        self.etag_override: str | None = None  # e.g. a git SHA-1, as for a non-LFS file
        self.bytes_sent = 0
        self.requests: list[tuple[str, str, str | None]] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- content ------------------------------------------------------------------------
    def add(self, repo: str, name: str, path: Path, *, sha256: str | None = None) -> HubFile:
        f = HubFile(Path(path), Path(path).stat().st_size, sha256 or sha256_of(Path(path)))
        self.files[(repo, name)] = f
        return f

    def add_bytes(self, repo: str, name: str, data: bytes, *, folder: Path) -> HubFile:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{repo.replace('/', '--')}--{name}"
        path.write_bytes(data)
        return self.add(repo, name, path, sha256=hashlib.sha256(data).hexdigest())

    # -- server -------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self, port: int = 0) -> "FakeHub":
        # Keep any proxy from the environment away from our loopback server.
        no_proxy = os.environ.get("NO_PROXY", "")
        if "127.0.0.1" not in no_proxy:
            os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(filter(None, [no_proxy, "127.0.0.1", "localhost"]))
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fakehub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def count(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    def reset_counters(self) -> None:
        with self._lock:
            self.bytes_sent = 0
            self.requests.clear()
            self.authorizations.clear()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # quiet
        pass

    def _lookup(self) -> tuple[HubFile | None, str | None, str]:
        path = unquote(self.path.split("?", 1)[0])
        if path.startswith("/cdn/"):
            sha = path[len("/cdn/"):]
            for f in self.fake.files.values():
                if f.sha256 == sha:
                    return f, None, "cdn"
            return None, None, "cdn"
        if "/resolve/" in path:
            repo, rest = path.lstrip("/").split("/resolve/", 1)
            _revision, _, name = rest.partition("/")
            return self.fake.files.get((repo, name)), name, "resolve"
        return None, None, "other"

    def _common(self, f: HubFile) -> None:
        etag = self.fake.etag_override or f.sha256
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{etag}"')
        self.send_header("X-Linked-Etag", f'"{etag}"')
        self.send_header("X-Linked-Size", str(f.size))
        self.send_header("Accept-Ranges", "bytes")

    def _not_found(self) -> None:
        body = b'{"error": "Entry not found"}'
        self.send_response(404)
        self.send_header("X-Error-Code", "EntryNotFound")
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/api/models/"):
            body = json.dumps({"sha": COMMIT, "siblings": [{"rfilename": n} for (_, n) in self.fake.files]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._serve(body=True)

    def _serve(self, *, body: bool) -> None:
        fake = self.fake
        rng = self.headers.get("Range")
        with fake._lock:
            fake.requests.append((self.command, self.path, rng))
            fake.authorizations.append(self.headers.get("Authorization"))
        f, _name, kind = self._lookup()
        if f is None:
            self._not_found()
            return
        if kind == "resolve" and fake.redirect:
            self.send_response(302)
            self._common(f)
            self.send_header("Location", f"/cdn/{f.sha256}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        if rng and rng.startswith("bytes="):
            first = rng[len("bytes="):].split("-", 1)[0]
            start = int(first) if first else 0
        if start >= f.size and f.size:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{f.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if rng else 200)
        self._common(f)
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{f.size - 1}/{f.size}")
        self.send_header("Content-Length", str(f.size - start))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if body:
            self._send_body(f, start)

    def _send_body(self, f: HubFile, start: int) -> None:
        fake = self.fake
        limit = f.size - start
        if fake.drop_after is not None:
            limit = min(limit, fake.drop_after)
        sent = 0
        flip_at = f.size // 2
        try:
            with f.path.open("rb") as src:
                src.seek(start)
                if fake.throttle is None and not fake.corrupt:
                    while sent < limit:  # fast path: the kernel copies the file
                        n = self.connection.sendfile(src, start + sent, limit - sent)
                        if not n:
                            break
                        sent += n
                        fake.count(n)
                else:
                    block = 64 << 10
                    began = time.monotonic()
                    while sent < limit:
                        data = src.read(min(block, limit - sent))
                        if not data:
                            break
                        pos = start + sent
                        if fake.corrupt and pos <= flip_at < pos + len(data):
                            i = flip_at - pos
                            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
                        self.wfile.write(data)
                        sent += len(data)
                        fake.count(len(data))
                        if fake.throttle:
                            ahead = sent / fake.throttle - (time.monotonic() - began)
                            if ahead > 0:
                                time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError):
            return
        if sent < f.size - start:  # drop: the client sees the body end early
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close_connection = True


def make_gguf(path: Path, *, n_bytes: int, seed: int = 0, name: str = "fake") -> Path:
    """A valid little GGUF model file (one int8 tensor of pseudo-random bytes) of about n_bytes."""
    import numpy as np
    from gguf import GGUFWriter

    data = np.random.default_rng(seed).integers(-128, 128, size=n_bytes, dtype=np.int8)
    w = GGUFWriter(str(path), "llama")
    w.add_name(name)
    w.add_context_length(2048)
    w.add_block_count(1)
    w.add_tensor("blob", data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve one file like the Hugging Face hub does.")
    parser.add_argument("file", type=Path)
    parser.add_argument("repo")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--throttle", type=float)
    args = parser.parse_args(argv)
    hub = FakeHub()
    hub.add(args.repo, args.file.name, args.file)
    hub.throttle = args.throttle
    hub.start(args.port)
    print(hub.endpoint, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
