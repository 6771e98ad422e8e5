"""Download a catalogue model from a Hugging Face hub (or a mirror), resumable across restarts.

huggingface_hub resolves the file (URL, size, SHA-256 from X-Linked-Etag, redirects, auth
errors) and provides the HTTP session (proxy variables honoured). The bytes are fetched
here with ranged GETs into "<file>.incomplete" in the downloads folder, because
hf_hub_download deletes its partial file when a run ends. A file is renamed into the
models folder only after its SHA-256 matched and its GGUF header says it is whole.

Offline by default: importing this module imports no network code; the hub is only
contacted inside download_model.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import queue
import re
import shutil
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from desktop.errors import Cancelled, DownloadError, ModelFileError
from desktop.llm.catalog import CatalogEntry
from desktop.llm.gguf_file import inspect_gguf
from desktop.llm.store import hash_index
from desktop.paths import AppPaths

DEFAULT_ENDPOINT = "https://huggingface.co"
INCOMPLETE = ".incomplete"
SPACE_MARGIN = 8 << 20  # keep some room so the disk is not filled to the last byte
MAX_FAILURES = 5  # consecutive attempts without a single new byte
PROGRESS_INTERVAL_S = 0.1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class DownloadProgress:
    model: str
    file_name: str
    part: int  # 1-based, of parts
    parts: int
    done: int  # bytes of the whole model on disk, resumed bytes included
    total: int
    speed: float  # bytes/s over the last few seconds
    eta: float | None  # seconds
    stage: str = "downloading"  # "connecting", "downloading", "verifying", "done"

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class RemoteFile:
    name: str
    url: str  # where the bytes are (the resolve URL, or the CDN it redirects to)
    size: int
    sha256: str


def partial_path(paths: AppPaths, file_name: str) -> Path:
    return paths.downloads_dir / (file_name + INCOMPLETE)


def discard_partial(entry: CatalogEntry, *, paths: AppPaths) -> None:
    """Delete what an interrupted download of this model left behind."""
    for name in entry.files:
        partial_path(paths, name).unlink(missing_ok=True)
        _meta_path(partial_path(paths, name)).unlink(missing_ok=True)


def download_model(
    entry: CatalogEntry,
    *,
    paths: AppPaths,
    endpoint: str | None = None,
    token: str | None = None,
    progress: Callable[[DownloadProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Download, verify and install a model; return the path to load. Resumes a partial download.

    Raises DownloadError (network, disk space, checksum: the message says what to do),
    Cancelled when `cancel` is set (the partial file is kept for next time).
    """
    targets = [paths.models_dir / name for name in entry.files]
    if _installed(entry, targets):
        return targets[0]
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    hub = _Hub(endpoint, token)
    report = _Reporter(entry, progress)
    report.stage("connecting")
    remotes = [hub.resolve(entry, name) for name in entry.files]
    for remote, expected_size, i in zip(remotes, entry.sizes, range(len(remotes))):
        if entry.verified:
            if remote.size != expected_size or remote.sha256 != entry.sha256[i]:
                raise DownloadError(
                    f"{endpoint} offers a different {remote.name} than the catalogue lists "
                    f"({remote.size:,} bytes, SHA-256 {remote.sha256}); not downloading it. "
                    "Check the endpoint, or update Plansmith."
                )
    paths.downloads_dir.mkdir(parents=True, exist_ok=True)
    paths.models_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(paths.downloads_dir / f"{entry.file_name}.lock", entry):
        return _download(entry, remotes, targets, paths=paths, report=report, hub=hub, cancel=cancel)


@contextmanager
def _exclusive(lock_path: Path, entry: CatalogEntry):
    """One download of a model at a time: two windows appending to one partial file would spoil it."""
    from filelock import FileLock, Timeout  # a dependency of huggingface_hub

    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise DownloadError(f"{entry.name} is already being downloaded by another Plansmith window or command.") from None
    try:
        yield
    finally:
        lock.release()


def _download(entry, remotes, targets, *, paths: AppPaths, report: "_Reporter", hub: "_Hub", cancel) -> Path:
    partials = [partial_path(paths, r.name) for r in remotes]
    have = [_prepare_partial(p, r) for p, r in zip(partials, remotes)]
    _check_space(paths, remaining=sum(r.size for r in remotes) - sum(have), total=sum(r.size for r in remotes))
    report.start(total=sum(r.size for r in remotes), done=sum(have))
    digests = []
    for i, (remote, partial) in enumerate(zip(remotes, partials)):
        report.part = i + 1
        report.file_name = remote.name
        digests.append(hub.fetch(remote, partial, report=report, cancel=cancel))
    report.stage("verifying")
    for remote, partial, digest in zip(remotes, partials, digests):
        _check_file(remote, partial, digest)
    index = hash_index(paths)
    # Last part first: the file the app loads appears only when every other part is in place.
    for remote, partial, target, digest in reversed(list(zip(remotes, partials, targets, digests))):
        _install(partial, target)
        _meta_path(partial).unlink(missing_ok=True)
        index.put(target, digest)
    report.stage("done")
    return targets[0]


def _installed(entry: CatalogEntry, targets: list[Path]) -> bool:
    if not all(t.is_file() for t in targets):
        return False
    if entry.verified:
        return all(t.stat().st_size == s for t, s in zip(targets, entry.sizes))
    try:
        for t in targets:
            inspect_gguf(t)
    except ModelFileError:
        return False
    return True


def _meta_path(partial: Path) -> Path:
    return partial.with_name(partial.name + ".json")


def _prepare_partial(partial: Path, remote: RemoteFile) -> int:
    """Bytes already downloaded of this very file; a partial of another version is dropped."""
    meta = _meta_path(partial)
    record = {"url_path": urlsplit(remote.url).path, "size": remote.size, "sha256": remote.sha256}
    try:
        old = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    same = isinstance(old, dict) and old.get("size") == remote.size and old.get("sha256") == remote.sha256
    if not same or not partial.exists() or partial.stat().st_size > remote.size:
        partial.unlink(missing_ok=True)
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(record), encoding="utf-8")
    return partial.stat().st_size if partial.exists() else 0


def _check_space(paths: AppPaths, *, remaining: int, total: int) -> None:
    need = {paths.downloads_dir: remaining + SPACE_MARGIN}
    try:
        same_disk = os.stat(paths.downloads_dir).st_dev == os.stat(paths.models_dir).st_dev
    except OSError:
        same_disk = True
    if not same_disk:  # the finished file is copied across, so it needs room there too
        need[paths.models_dir] = total + SPACE_MARGIN
    for folder, needed in need.items():
        free = shutil.disk_usage(folder).free
        if free < needed:
            raise DownloadError(
                f"Not enough disk space in {folder}: the download needs {_mb(needed)}, "
                f"{_mb(free)} is free. Free some space and try again (the download resumes)."
            )


def _check_file(remote: RemoteFile, partial: Path, digest: str) -> None:
    size = partial.stat().st_size
    problem = None
    if size != remote.size:
        problem = f"it has {size:,} bytes instead of {remote.size:,}"
    elif digest != remote.sha256:
        problem = f"its SHA-256 is {digest}, expected {remote.sha256}"
    else:
        try:
            inspect_gguf(partial)
        except ModelFileError as exc:
            problem = str(exc)
    if problem:
        partial.unlink(missing_ok=True)
        _meta_path(partial).unlink(missing_ok=True)
        raise DownloadError(
            f"The download of {remote.name} is damaged ({problem}). It was discarded and nothing "
            "was installed. Try again; if it happens again, the server or a proxy is altering the file."
        )


def _install(partial: Path, target: Path) -> None:
    try:
        os.replace(partial, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise DownloadError(f"Cannot move {partial.name} into {target.parent}: {exc.strerror}") from exc
        tmp = target.with_name(f".{target.name}.copying")  # hidden: the store ignores it
        try:
            shutil.copyfile(partial, tmp)
            os.replace(tmp, target)
        except OSError as copy_exc:
            tmp.unlink(missing_ok=True)
            raise DownloadError(f"Cannot copy {partial.name} into {target.parent}: {copy_exc.strerror}") from copy_exc
        partial.unlink(missing_ok=True)


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


class _Reporter:
    """Turns byte counts into DownloadProgress with speed and ETA, at most ~10 calls a second."""

    def __init__(self, entry: CatalogEntry, callback: Callable[[DownloadProgress], None] | None) -> None:
        self.entry = entry
        self.callback = callback
        self.part, self.file_name = 1, entry.files[0]
        self.total = self.done = 0
        self._samples: deque[tuple[float, int]] = deque()
        self._last = 0.0

    def start(self, *, total: int, done: int) -> None:
        self.total, self.done = total, done
        self._samples.append((time.monotonic(), done))
        self.emit("downloading", force=True)

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL_S or self.done >= self.total:
            self._samples.append((now, self.done))
            while len(self._samples) > 2 and now - self._samples[0][0] > 5.0:
                self._samples.popleft()
            self.emit("downloading", now=now)

    def rewind(self, n: int) -> None:
        self.done -= n
        self._samples.clear()
        self._samples.append((time.monotonic(), self.done))

    def stage(self, name: str) -> None:
        self.emit(name, force=True)

    def emit(self, stage: str, *, now: float | None = None, force: bool = False) -> None:
        if self.callback is None:
            return
        now = now or time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL_S and self.done < self.total:
            return
        self._last = now
        speed = 0.0
        if len(self._samples) >= 2:
            (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
            speed = (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
        eta = (self.total - self.done) / speed if speed > 0 else None
        self.callback(
            DownloadProgress(
                self.entry.id, self.file_name, self.part, len(self.entry.files),
                self.done, self.total, speed, eta, stage,
            )
        )


class _Hasher:
    """SHA-256 on a second thread, so hashing overlaps the download (hashlib releases the GIL)."""

    _RESET, _STOP = object(), object()

    def __init__(self) -> None:
        self._q: queue.Queue = queue.Queue(maxsize=32)
        self._h = hashlib.sha256()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is self._STOP:
                return
            try:
                if item is self._RESET:
                    self._h = hashlib.sha256()
                elif isinstance(item, tuple):  # (path, n): the first n bytes already on disk
                    path, n = item
                    with open(path, "rb") as f:
                        while n > 0 and (block := f.read(min(n, 4 << 20))):
                            self._h.update(block)
                            n -= len(block)
                else:
                    for chunk in item:
                        self._h.update(chunk)
            except BaseException as exc:  # reported by hexdigest(); keep draining the queue
                self._error = exc

    def prefix(self, path: Path, n: int) -> None:
        if n:
            self._q.put((path, n))

    def feed(self, chunks: list[bytes]) -> None:
        self._q.put(chunks)

    def reset(self) -> None:
        self._q.put(self._RESET)

    def close(self) -> None:
        self._q.put(self._STOP)
        self._thread.join()

    def hexdigest(self) -> str:
        self.close()
        if self._error:
            raise DownloadError(f"Cannot read back the downloaded file: {self._error}")
        return self._h.hexdigest()


class _Hub:
    """The few huggingface_hub calls we make, imported only when a download starts."""

    def __init__(self, endpoint: str, token: str | None) -> None:
        import huggingface_hub as hf
        from huggingface_hub import errors, utils

        try:
            import httpx2 as httpx  # huggingface_hub >= 2
        except ImportError:  # pragma: no cover - huggingface_hub 1.x
            import httpx  # type: ignore[no-redef]
        self.hf, self.errors, self.utils, self.httpx = hf, errors, utils, httpx
        self.endpoint = endpoint
        self.token = token or False  # never send a token the user did not give for this download
        self.timeout = httpx.Timeout(60.0, connect=15.0)

    def resolve(self, entry: CatalogEntry, name: str) -> RemoteFile:
        url = self.hf.hf_hub_url(entry.repo, name, revision=entry.revision, endpoint=self.endpoint)
        try:
            meta = self.hf.get_hf_file_metadata(
                url, token=self.token, endpoint=self.endpoint, retry_on_errors=False, timeout=15.0
            )
        except self.errors.GatedRepoError as exc:
            raise DownloadError(
                f"{entry.repo} is gated: accept its licence on the hub, then download with a token."
            ) from exc
        except self.errors.RepositoryNotFoundError as exc:
            raise DownloadError(f"{entry.repo} was not found on {self.endpoint} (or needs a token).") from exc
        except self.errors.RevisionNotFoundError as exc:
            raise DownloadError(f"{entry.repo} has no revision {entry.revision!r} on {self.endpoint}.") from exc
        except self.errors.RemoteEntryNotFoundError as exc:
            raise DownloadError(f"{entry.repo} has no file {name} on {self.endpoint}.") from exc
        except self.errors.OfflineModeIsEnabled as exc:
            raise DownloadError("Downloads are off: HF_HUB_OFFLINE is set in the environment.") from exc
        except self.errors.HfHubHTTPError as exc:
            raise DownloadError(f"{self.endpoint} refused {name}: {_first_line(exc)}") from exc
        except (self.httpx.HTTPError, OSError) as exc:
            raise DownloadError(
                f"Cannot reach {self.endpoint}: {_first_line(exc)}. Check the network connection "
                "or the proxy settings (HTTPS_PROXY)."
            ) from exc
        sha = (meta.etag or "").lower()
        if not _SHA256.match(sha):
            raise DownloadError(
                f"{self.endpoint} gives no SHA-256 for {name}, so the download could not be verified. "
                "Use the official hub or a mirror that sends X-Linked-Etag."
            )
        if not meta.size:
            raise DownloadError(f"{self.endpoint} does not say how big {name} is; cannot download it safely.")
        return RemoteFile(name=name, url=meta.location or url, size=int(meta.size), sha256=sha)

    def _headers(self, url: str, have: int) -> dict[str, str]:
        headers = self.utils.build_hf_headers(token=self.token)
        if urlsplit(url).netloc != urlsplit(self.endpoint).netloc:
            headers.pop("authorization", None)  # a signed CDN URL: the token stays with the hub
        headers["Accept-Encoding"] = "identity"
        if have:
            headers["Range"] = f"bytes={have}-"
        return headers

    def fetch(self, remote: RemoteFile, partial: Path, *, report: _Reporter, cancel: threading.Event | None) -> str:
        """Append the missing bytes to `partial`; return the SHA-256 of the whole file."""
        hasher = _Hasher()
        try:
            self._fetch(remote, partial, hasher=hasher, report=report, cancel=cancel)
        except BaseException:
            hasher.close()
            raise
        return hasher.hexdigest()

    def _fetch(self, remote: RemoteFile, partial: Path, *, hasher: _Hasher, report: _Reporter, cancel) -> None:
        have = partial.stat().st_size if partial.exists() else 0
        hasher.prefix(partial, have)
        failures = 0
        try:
            with partial.open("ab") as f:
                pos = _Position(have)
                while pos.have < remote.size:
                    _check_cancel(cancel)
                    before = pos.have
                    try:
                        self._get(remote, f, pos, hasher=hasher, report=report, cancel=cancel)
                    except (self.httpx.TransportError, self.errors.HfHubHTTPError) as exc:
                        failures = 0 if pos.have > before else failures + 1
                        if failures >= MAX_FAILURES or _is_client_error(exc):
                            raise DownloadError(
                                f"The download of {remote.name} stopped: {_first_line(exc)}. "
                                "Check the connection and try again; it will resume."
                            ) from exc
                        if _wait(cancel, min(0.25 * 2**failures, 8.0)):
                            raise Cancelled() from None
                # No fsync: it made a loopback download ~25% slower. A crash before write-back
                # leaves a file cut short, which inspect_gguf refuses wherever it is listed or loaded.
                f.flush()
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                raise DownloadError(
                    f"The disk is full ({partial.parent}): the download of {remote.name} stopped at "
                    f"{_mb(partial.stat().st_size)} of {_mb(remote.size)}. Free some space and try again; it resumes."
                ) from exc
            raise

    def _get(self, remote: RemoteFile, f, pos: "_Position", *, hasher: _Hasher, report: _Reporter, cancel) -> None:
        # retry_on_exceptions=(): an error raised while reading the body must not make the
        # backoff generator retry (it would yield twice); the caller's loop resumes instead.
        with self.utils.http_stream_backoff(
            "GET", remote.url, headers=self._headers(remote.url, pos.have), timeout=self.timeout,
            max_retries=2, retry_on_exceptions=(),
        ) as response:
            self.utils.hf_raise_for_status(response)
            if pos.have and response.status_code != 206:  # the server ignored Range: start over
                f.seek(0)
                f.truncate()
                hasher.reset()
                report.rewind(pos.have)
                pos.have = 0
            batch: list[bytes] = []
            batched = 0
            try:
                for chunk in response.iter_bytes():
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    if pos.have + len(chunk) > remote.size:
                        raise DownloadError(f"The server sent more than the {remote.size:,} bytes of {remote.name}.")
                    f.write(chunk)
                    pos.have += len(chunk)
                    batch.append(chunk)
                    batched += len(chunk)
                    if batched >= 1 << 20:
                        hasher.feed(batch)
                        batch, batched = [], 0
                    report.add(len(chunk))
            finally:
                if batch:  # written to the file, so it belongs in the hash whatever happens next
                    hasher.feed(batch)


class _Position:
    """Bytes of the file on disk; shared with _get so an error mid-body still counts what arrived."""

    def __init__(self, have: int) -> None:
        self.have = have


def _wait(cancel: threading.Event | None, seconds: float) -> bool:
    """Sleep before a retry; True if the user cancelled meanwhile."""
    if cancel is None:
        time.sleep(seconds)
        return False
    return cancel.wait(seconds)


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def _is_client_error(exc: Exception) -> bool:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status is not None and 400 <= status < 500 and status not in (408, 429)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
