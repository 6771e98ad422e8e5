"""A real OpenAI-compatible server for tests: `python -m llama_cpp.server` with SmolLM2.

Import the fixture into a test module: `from llama_server import llama_server`.
The server listens on a free 127.0.0.1 port; its output goes to a log file that a
failure to start quotes. It is killed when the session ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    import httpx
except ImportError:  # huggingface-hub 2.x brings the same client as `httpx2`
    import httpx2 as httpx

STARTUP_SECONDS = 120.0  # loading SmolLM2 takes ~2 s; a busy 2-core CI machine is slower


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LlamaServer:
    url: str
    model_path: Path
    n_ctx: int
    log_path: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_llama_server(model_path: Path, *, n_ctx: int = 2048, threads: int = 2, log_dir: Path) -> LlamaServer:
    """Start the server and wait until it answers /v1/models; raise with its log if it cannot."""
    last_error = ""
    for _attempt in range(3):  # the port may be taken between choosing and binding it
        port = free_port()
        log_path = log_dir / f"llama-server-{port}.log"
        cmd = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model_path),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--n_ctx", str(n_ctx),
            "--n_threads", str(threads),
            "--n_threads_batch", str(threads),
        ]  # fmt: skip
        log_file = open(log_path, "wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # its log lines arrive as they happen
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads must not spin on 2 shared cores
        process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log_file.close()  # the child holds its own handle
        server = LlamaServer(f"http://127.0.0.1:{port}", model_path, n_ctx, log_path, process)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                last_error = f"exited with {process.returncode}:\n{server.log_text()[-3000:]}"
                break
            try:
                if httpx.get(server.url + "/v1/models", timeout=2.0, trust_env=False).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            stop_llama_server(server)
            raise RuntimeError(f"llama_cpp.server did not answer within {STARTUP_SECONDS:.0f} s:\n{server.log_text()[-3000:]}")
    raise RuntimeError(f"llama_cpp.server could not start: {last_error}")


def stop_llama_server(server: LlamaServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def llama_server(smollm2_path):
    """`python -m llama_cpp.server` with SmolLM2 and a 2048-token context, for the session."""
    log_dir = Path(tempfile.mkdtemp(prefix="plansmith-llama-server-"))
    server = start_llama_server(smollm2_path, n_ctx=2048, log_dir=log_dir)
    try:
        yield server
    finally:
        stop_llama_server(server)


__all__ = ["LlamaServer", "free_port", "llama_server", "start_llama_server", "stop_llama_server"]
