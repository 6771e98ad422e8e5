"""download_model against the fake hub on 127.0.0.1: verify, resume after a kill, cancel, refuse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fakehub import FakeHub, make_gguf, sha256_of
from fetch_models import fetch

from desktop.errors import Cancelled, DownloadError
from desktop.llm.catalog import CatalogEntry, load_catalog
from desktop.llm.download import DownloadProgress, download_model, partial_path
from desktop.llm.store import hash_index
from desktop.paths import AppPaths

ROOT = Path(__file__).resolve().parent.parent
REPO = "test/Fake-GGUF"
MB = 1 << 20


def entry_for(*files: Path, verified: bool = False, repo: str = REPO) -> CatalogEntry:
    return CatalogEntry(
        id="fake", name="Fake", repo=repo, files=tuple(f.name for f in files),
        sizes=tuple(f.stat().st_size for f in files),
        sha256=tuple(sha256_of(f) for f in files) if verified else (), verified=verified,
        params_b=0.1, context_length=2048, default_context=2048, kv_bytes_per_token=0, memory_mib=0, licence="MIT",
    )


@pytest.fixture
def hub():
    with FakeHub() as h:
        yield h


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


@pytest.fixture(scope="module")
def model20(tmp_path_factory) -> Path:
    return make_gguf(tmp_path_factory.mktemp("src") / "fake-20m.gguf", n_bytes=20 * MB, seed=1)


def installed(paths: AppPaths) -> list[str]:
    return sorted(p.name for p in paths.models_dir.glob("*")) if paths.models_dir.exists() else []


def test_download_real_model_and_check_sha(hub: FakeHub, paths: AppPaths) -> None:
    entry = load_catalog().get("smollm2-135m")
    hub.add(entry.repo, entry.file_name, fetch("smollm2"))
    seen: list[DownloadProgress] = []
    path = download_model(entry, paths=paths, endpoint=hub.endpoint, progress=seen.append)
    assert path == paths.models_dir / entry.file_name
    assert sha256_of(path) == entry.sha256[0]
    assert hash_index(paths).get(path) == entry.sha256[0]  # recorded: the store will not hash it again
    assert not partial_path(paths, entry.file_name).exists()
    done = [p.done for p in seen if p.stage == "downloading"]
    assert done == sorted(done) and seen[-1].stage == "done" and seen[-1].done == entry.size
    # Installed already: no request at all the second time.
    hub.reset_counters()
    assert download_model(entry, paths=paths, endpoint=hub.endpoint) == path
    assert hub.requests == []


def test_unverified_entry_is_checked_against_linked_etag(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    hub.add(REPO, model20.name, model20)
    hub.redirect = True  # like the real hub: resolve answers 302 to the CDN
    path = download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)
    assert sha256_of(path) == sha256_of(model20)
    assert any(p.startswith("/cdn/") for _, p, _ in hub.requests)


def test_server_without_sha256_is_refused(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    hub.add(REPO, model20.name, model20)
    hub.etag_override = "a" * 40  # a git SHA-1, as for a file not stored in LFS
    with pytest.raises(DownloadError, match="no SHA-256"):
        download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)
    assert installed(paths) == []


def test_verified_entry_refuses_a_different_file(hub: FakeHub, paths: AppPaths, model20: Path, tmp_path: Path) -> None:
    other = make_gguf(tmp_path / model20.name, n_bytes=MB, seed=9)
    hub.add(REPO, model20.name, other)
    with pytest.raises(DownloadError, match="different"):
        download_model(entry_for(model20, verified=True), paths=paths, endpoint=hub.endpoint)
    assert [m for m, _, _ in hub.requests] == ["HEAD"]  # refused before any byte was fetched
    assert installed(paths) == []


def test_corrupted_bytes_are_refused_and_nothing_installed(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    hub.add(REPO, model20.name, model20)
    hub.corrupt = True
    with pytest.raises(DownloadError, match="SHA-256.*nothing was installed"):
        download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)
    assert installed(paths) == []
    assert not partial_path(paths, model20.name).exists()  # a bad partial is not resumed


def test_dropped_connections_resume_within_one_call(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    hub.add(REPO, model20.name, model20)
    hub.drop_after = 6 * MB
    path = download_model(entry_for(model20, verified=True), paths=paths, endpoint=hub.endpoint)
    assert sha256_of(path) == sha256_of(model20)
    ranges = [r for m, _, r in hub.requests if m == "GET"]
    assert len(ranges) == 4 and ranges[0] is None and all(r.startswith("bytes=") for r in ranges[1:])
    assert hub.bytes_sent == model20.stat().st_size


def _settled(hub: FakeHub) -> int:
    """bytes_sent once the server has noticed the dead client (its last writes may still count)."""
    last = -1
    while hub.bytes_sent != last:
        last = hub.bytes_sent
        time.sleep(0.3)
    return last


_CHILD = """
import sys
from pathlib import Path
from desktop.llm.catalog import CatalogEntry
from desktop.llm.download import download_model
from desktop.paths import AppPaths
spec = __import__("json").loads(sys.argv[1])
entry = CatalogEntry(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec["entry"].items()})
download_model(entry, paths=AppPaths.under(Path(spec["home"])), endpoint=spec["endpoint"])
print("finished")
"""


def test_resume_after_the_client_is_killed(hub: FakeHub, paths: AppPaths, model20: Path, tmp_path: Path) -> None:
    size = model20.stat().st_size
    entry = entry_for(model20, verified=True)
    hub.add(REPO, model20.name, model20)
    hub.throttle = 8 * MB  # bytes/s: the child is killed after about a second
    spec = {"entry": entry.__dict__, "home": str(tmp_path / "home"), "endpoint": hub.endpoint}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(spec)], cwd=ROOT)
    partial = partial_path(paths, model20.name)
    deadline = time.monotonic() + 30
    while not (partial.exists() and partial.stat().st_size >= 6 * MB):
        assert child.poll() is None, "the download ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.kill()  # SIGKILL: no cleanup of any kind runs
    child.wait()
    first = _settled(hub)
    kept = partial.stat().st_size
    assert 6 * MB <= kept < size and installed(paths) == []

    hub.throttle = None
    hub.reset_counters()
    path = download_model(entry, paths=paths, endpoint=hub.endpoint)
    assert sha256_of(path) == entry.sha256[0]
    assert hub.bytes_sent == size - kept < size  # only the missing bytes the second time
    assert first + hub.bytes_sent >= size
    assert [r for m, _, r in hub.requests if m == "GET"] == [f"bytes={kept}-"]


def test_cancel_keeps_the_partial_for_next_time(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    hub.add(REPO, model20.name, model20)
    hub.throttle = 20 * MB
    cancel = threading.Event()

    def progress(p: DownloadProgress) -> None:
        if p.done >= 4 * MB:
            cancel.set()

    started = time.monotonic()
    with pytest.raises(Cancelled):
        download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint, progress=progress, cancel=cancel)
    assert time.monotonic() - started < 5
    assert installed(paths) == []
    kept = partial_path(paths, model20.name).stat().st_size
    assert kept >= 4 * MB
    hub.throttle = None
    _settled(hub)
    hub.reset_counters()
    download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)
    assert hub.bytes_sent == model20.stat().st_size - kept


def test_token_is_sent_only_when_given(hub: FakeHub, paths: AppPaths, model20: Path, tmp_path: Path) -> None:
    hub.add(REPO, model20.name, model20)
    download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)
    assert hub.authorizations and not any(hub.authorizations)
    hub.reset_counters()
    download_model(entry_for(model20), paths=AppPaths.under(tmp_path / "other"), endpoint=hub.endpoint, token="hf_secret")
    assert set(hub.authorizations) == {"Bearer hf_secret"}


def test_split_model_parts_are_all_installed(hub: FakeHub, paths: AppPaths, tmp_path: Path) -> None:
    parts = [make_gguf(tmp_path / f"big-0000{i}-of-00002.gguf", n_bytes=2 * MB, seed=i) for i in (1, 2)]
    for p in parts:
        hub.add(REPO, p.name, p)
    seen: list[DownloadProgress] = []
    path = download_model(entry_for(*parts), paths=paths, endpoint=hub.endpoint, progress=seen.append)
    assert path.name == "big-00001-of-00002.gguf"
    assert installed(paths) == [p.name for p in parts]
    assert {p.part for p in seen} == {1, 2} and seen[-1].done == sum(p.stat().st_size for p in parts)


def test_missing_file_on_hub(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    with pytest.raises(DownloadError, match="has no file"):
        download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)


def test_unreachable_endpoint(paths: AppPaths, model20: Path) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(DownloadError, match="Cannot reach"):
        download_model(entry_for(model20), paths=paths, endpoint=f"http://127.0.0.1:{port}")


def test_importing_the_module_imports_no_network_code() -> None:
    code = "import sys, desktop.llm.download, desktop.llm.store; print(sorted(m for m in ('huggingface_hub', 'httpx2', 'httpx', 'requests') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- a full disk ------------------------------------------------------------------------


def _small_disk(folder: Path, mb: int) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={mb}m", "tmpfs", str(folder)], capture_output=True)
    return r.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 40 MB filesystem, or None where mounting is not allowed (then RLIMIT_FSIZE stands in)."""
    folder = tmp_path / "small"
    # PLANSMITH_TEST_NO_MOUNT=1 exercises the fallback on a machine where mounting works.
    mounted = not os.environ.get("PLANSMITH_TEST_NO_MOUNT") and _small_disk(folder, 40)
    yield folder if mounted else None
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


_LIMITED_CHILD = """
import resource, signal, sys
from pathlib import Path
from desktop.errors import DownloadError
from desktop.llm.catalog import CatalogEntry
from desktop.llm.download import download_model
from desktop.paths import AppPaths
spec = __import__("json").loads(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (spec["limit"], spec["limit"]))
entry = CatalogEntry(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec["entry"].items()})
try:
    download_model(entry, paths=AppPaths.under(Path(spec["home"])), endpoint=spec["endpoint"])
except DownloadError as exc:
    print("DownloadError:", exc)
    sys.exit(3)
"""


def _download_with_file_size_limit(hub: FakeHub, entry: CatalogEntry, home: Path, limit: int) -> str:
    spec = {"entry": entry.__dict__, "home": str(home), "endpoint": hub.endpoint, "limit": limit}
    out = subprocess.run([sys.executable, "-c", _LIMITED_CHILD, json.dumps(spec)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 3, out.stderr
    return out.stdout


def test_not_enough_space_is_refused_up_front(hub: FakeHub, tmp_path: Path, small_disk: Path | None) -> None:
    big = make_gguf(tmp_path / "big.gguf", n_bytes=50 * MB, seed=3)
    hub.add(REPO, big.name, big)
    entry = entry_for(big)
    if small_disk is None:
        home = tmp_path / "home"
        message = _download_with_file_size_limit(hub, entry, home, 10 * MB)
        assert "disk is full" in message
        paths = AppPaths.under(home)
    else:
        paths = AppPaths(tmp_path / "c", tmp_path / "d", small_disk, tmp_path / "l")
        with pytest.raises(DownloadError, match=r"Not enough disk space .* needs .* MB, .* MB is free"):
            download_model(entry, paths=paths, endpoint=hub.endpoint)
        assert [m for m, _, _ in hub.requests] == ["HEAD"]
    assert installed(paths) == []


def test_disk_filling_up_mid_download(hub: FakeHub, tmp_path: Path, model20: Path, small_disk: Path | None) -> None:
    hub.add(REPO, model20.name, model20)
    entry = entry_for(model20, verified=True)
    if small_disk is None:
        home = tmp_path / "home"
        assert "disk is full" in _download_with_file_size_limit(hub, entry, home, 5 * MB)
        paths = AppPaths.under(home)
    else:
        paths = AppPaths(tmp_path / "c", tmp_path / "d", small_disk, tmp_path / "l")
        ballast = small_disk / "ballast"

        def fill_the_disk(p: DownloadProgress) -> None:
            if p.done > 0 and not ballast.exists():  # something else eats the space meanwhile
                with ballast.open("wb") as f:
                    try:
                        while True:
                            f.write(b"\0" * MB)
                            f.flush()
                    except OSError:
                        pass

        hub.throttle = 40 * MB
        with pytest.raises(DownloadError, match="disk is full"):
            download_model(entry, paths=paths, endpoint=hub.endpoint, progress=fill_the_disk)
        ballast.unlink()
        hub.throttle = None
        path = download_model(entry, paths=paths, endpoint=hub.endpoint)  # resumes once there is room
        assert sha256_of(path) == entry.sha256[0]
        os.unlink(path)
    assert installed(paths) == []


def test_one_download_of_a_model_at_a_time(hub: FakeHub, paths: AppPaths, model20: Path) -> None:
    from filelock import FileLock

    hub.add(REPO, model20.name, model20)
    paths.downloads_dir.mkdir(parents=True)
    with FileLock(str(paths.downloads_dir / f"{model20.name}.lock")):  # another window holds it
        with pytest.raises(DownloadError, match="already being downloaded"):
            download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint)
    assert download_model(entry_for(model20), paths=paths, endpoint=hub.endpoint).exists()
