"""Installed models: finding, hashing once, verifying, deleting, choosing; the CLI's offline commands."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
from fakehub import make_gguf
from fetch_models import fetch

from desktop import cli_models
from desktop.errors import ModelFileError, PlansmithError
from desktop.llm.catalog import load_catalog
from desktop.llm.hardware import GIB, Hardware
from desktop.llm.store import APP, USER, HashIndex, ModelStore, default_model
from desktop.paths import AppPaths
from desktop.settings import Settings

SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOL_SHA = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


@pytest.fixture
def env(tmp_path: Path):
    """An app folder holding SmolLM2, and a user folder with a good model and three bad ones."""
    paths = AppPaths.under(tmp_path / "home")
    paths.models_dir.mkdir(parents=True)
    smol = fetch("smollm2")
    shutil.copyfile(smol, paths.models_dir / SMOL)
    mine = tmp_path / "my-models"
    mine.mkdir()
    (mine / "cut.gguf").write_bytes(smol.read_bytes()[: smol.stat().st_size // 2])
    (mine / "notes.gguf").write_text("not a model\n")
    make_gguf(mine / "lonely-00001-of-00002.gguf", n_bytes=4096)
    make_gguf(mine / "mine.gguf", n_bytes=300_000, name="mine")
    settings = Settings(models_dirs=[str(mine)])
    return paths, settings, mine


def by_name(models, name):
    (m,) = [m for m in models if m.name == name]
    return m


def test_list_finds_models_in_all_folders(env) -> None:
    paths, settings, mine = env
    models = ModelStore(paths=paths, settings=settings).list()
    smol = by_name(models, "smollm2-135m")
    assert smol.location == APP and smol.path == paths.models_dir / SMOL
    assert smol.sha256 == SMOL_SHA and smol.verified and smol.usable and smol.info.architecture == "llama"
    assert "cut short: 49,181,216 bytes of 98,362,432 expected" in by_name(models, "cut").problem
    assert "not a GGUF model file" in by_name(models, "notes").problem
    assert "part(s) 2 of 2 are missing" in by_name(models, "lonely").problem
    good = by_name(models, "mine")
    assert good.location == USER and good.entry is None and good.usable and good.sha256
    assert {m.name for m in ModelStore(paths=paths, settings=settings).installed()} >= {"smollm2-135m", "mine"}
    assert not {"cut", "notes", "lonely"} & {m.name for m in ModelStore(paths=paths, settings=settings).installed()}


def test_sha256_is_computed_once_and_verify_rehashes(env) -> None:
    paths, settings, _ = env
    store = ModelStore(paths=paths, settings=settings)
    smol = by_name(store.list(), "smollm2-135m")
    index = HashIndex(paths.data_dir / "models-index.json")
    assert index.get(smol.path) == SMOL_SHA  # persisted across store instances
    # Damage one byte but keep size and mtime: the cached digest is trusted by list() ...
    st = smol.path.stat()
    with smol.path.open("r+b") as f:
        f.seek(st.st_size // 2)
        byte = f.read(1)
        f.seek(st.st_size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(smol.path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert by_name(ModelStore(paths=paths, settings=settings).list(), "smollm2-135m").verified
    # ... but verify() reads every byte again.
    with pytest.raises(ModelFileError, match="damaged or altered.*download it again"):
        store.verify(smol)
    assert HashIndex(index.path).get(smol.path) != SMOL_SHA  # the new digest replaced the stale one
    # A changed mtime means the cached digest is not trusted any more.
    os.utime(smol.path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert HashIndex(index.path).get(smol.path) is None
    assert by_name(store.list(hashes=False), "smollm2-135m").sha256 is None


def test_find_and_delete(env) -> None:
    paths, settings, mine = env
    store = ModelStore(paths=paths, settings=settings)
    assert store.find("smollm2-135m").path.name == SMOL
    assert store.find(SMOL.upper()).name == "smollm2-135m"
    assert store.find(str(mine / "mine.gguf")).name == "mine"
    with pytest.raises(ModelFileError, match="No installed model called 'nope'. Installed: .*smollm2-135m"):
        store.find("nope")
    with pytest.raises(ModelFileError, match="not in Plansmith's models folder"):
        store.delete(store.find("mine"))
    assert (mine / "mine.gguf").exists()
    store.delete(store.find("smollm2-135m"))
    assert not (paths.models_dir / SMOL).exists()


def test_default_model_never_downloads(env, tmp_path: Path) -> None:
    paths, settings, mine = env
    models = ModelStore(paths=paths, settings=settings).list(hashes=False)
    vm = Hardware(total_ram=24 * GIB, available_ram=20 * GIB, cpu_cores=2)
    assert default_model(models, hw=vm).name == "mine"  # the tiny test model only when nothing else
    assert default_model([m for m in models if m.name != "mine"], hw=vm).name == "smollm2-135m"
    chosen = Settings(model_path=str(paths.models_dir / SMOL))
    assert default_model(models, hw=vm, settings=chosen).name == "smollm2-135m"
    assert default_model([m for m in models if not m.usable], hw=vm) is None
    assert default_model([], hw=vm) is None
    assert default_model(models).name in ("mine", "smollm2-135m")


# --- CLI: list, verify, delete, doctor, with no network --------------------------------


def run_cli(argv: list[str], paths: AppPaths, settings: Settings) -> str:
    parser = argparse.ArgumentParser()
    cli_models.add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    out = io.StringIO()
    assert args.handler(args, paths=paths, settings=settings, out=out) == 0
    return out.getvalue()


def test_cli_list_verify_delete(env) -> None:
    paths, settings, _ = env
    listing = run_cli(["models", "list", "--hash"], paths, settings)
    assert "smollm2-135m" in listing and "verified" in listing and "UNUSABLE" in listing
    assert "qwen2.5-coder-32b" in listing and "tokens/s" in listing
    assert "OK, GGUF header whole" in run_cli(["models", "verify", "smollm2-135m"], paths, settings)
    assert "Deleted" in run_cli(["models", "delete", "smollm2-135m", "--yes"], paths, settings)
    with pytest.raises(ModelFileError, match="cut short"):
        run_cli(["models", "verify", "cut"], paths, settings)


def test_cli_delete_asks_first(env, monkeypatch) -> None:
    paths, settings, _ = env
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: nobody to ask
    with pytest.raises(PlansmithError, match="--yes"):
        run_cli(["models", "delete", "smollm2-135m"], paths, settings)
    assert (paths.models_dir / SMOL).exists()


_events: list[tuple[str, tuple]] = []
_recording = False


def _audit(event: str, args: tuple) -> None:
    if _recording and event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"):
        _events.append((event, args))


sys.addaudithook(_audit)


def test_list_and_doctor_use_no_network(env) -> None:
    global _recording
    paths, settings, _ = env
    # The hook does see connections: check it on a local socket first.
    server = socket.create_server(("127.0.0.1", 0))
    _recording = True
    try:
        socket.create_connection(server.getsockname()).close()
        assert any(e == "socket.connect" for e, _ in _events)
        _events.clear()
        listing = run_cli(["models", "list"], paths, settings)
        doctor = run_cli(["doctor"], paths, settings)
    finally:
        _recording = False
        server.close()
    assert _events == []
    assert "smollm2-135m" in listing
    assert "RAM:" in doctor and "llama-cpp-python" in doctor and "recommended for this machine" in doctor
    assert str(paths.models_dir) in doctor
    assert load_catalog().get("smollm2-135m").id in doctor
    assert "built" in doctor  # which backend, and why (or that dev.sh did not build it)


def test_doctor_says_which_backend_dev_sh_built_and_why(tmp_path) -> None:
    from desktop.cli_models import _build_reason

    assert "not by packaging/dev.sh" in _build_reason(tmp_path)
    (tmp_path / ".llama-backend").write_text("CUDA for compute capability 90 (from nvidia-smi)\n")
    (tmp_path / ".llama-build-flags").write_text("-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90\n")
    line = _build_reason(tmp_path)
    assert "for: CUDA for compute capability 90 (from nvidia-smi)" in line
    assert "CMake flags: -DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90" in line
