"""Installed models: the app's models folder, the shipped/portable models/ folder, and the user's folders.

A model's SHA-256 is computed once and kept in an index (data folder, models-index.json)
keyed by path, size and modification time, so listing stays fast and a changed file is
hashed again. Nothing here downloads: `default_model` chooses among what is installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop.errors import ModelFileError
from desktop.llm.catalog import BUFFERS_BYTES, Catalog, CatalogEntry, load_catalog
from desktop.llm.gguf_file import GGUFInfo, inspect_gguf
from desktop.llm.hardware import Hardware, best_context, quality
from desktop.paths import AppPaths, shipped_models_dir
from desktop.settings import Settings

INDEX_FILE = "models-index.json"
_SPLIT = re.compile(r"^(?P<base>.+)-(?P<part>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
# Where a model was found: the app's own folder (the only one Plansmith deletes from),
# the folder shipped beside the app (portable installs), or a folder named in settings.
APP, PORTABLE, USER = "app", "portable", "user"


@dataclass(frozen=True)
class InstalledModel:
    name: str  # catalogue id when matched, else the file name without .gguf
    path: Path  # the file to load: the only one, or the first part of a split model
    parts: tuple[Path, ...]
    size: int
    sha256: str | None  # None until hashed; for split models the digest of the parts' digests
    location: str  # APP, PORTABLE or USER
    entry: CatalogEntry | None = None
    info: GGUFInfo | None = None
    problem: str | None = None  # why it cannot be used (cut short, part missing, not GGUF)

    @property
    def verified(self) -> bool:
        """The bytes are exactly those of a catalogue entry with a known SHA-256."""
        if not (self.entry and self.entry.verified and self.sha256):
            return False
        return self.sha256 == combined_sha256(self.entry.sha256)

    @property
    def usable(self) -> bool:
        return self.problem is None


def combined_sha256(part_digests: tuple[str, ...] | list[str]) -> str:
    """One digest for a model: the file's own, or for a split model the SHA-256 of its parts' digests."""
    if len(part_digests) == 1:
        return part_digests[0]
    return hashlib.sha256("\n".join(part_digests).encode()).hexdigest()


def sha256_file(path: Path, *, progress: Callable[[int], None] | None = None) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(4 << 20):
            h.update(block)
            if progress:
                progress(len(block))
    return h.hexdigest()


class HashIndex:
    """SHA-256 per file, trusted while the file's size and mtime are unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, dict] | None = None

    def _load(self) -> dict[str, dict]:
        if self._data is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self._data = raw["files"] if isinstance(raw, dict) and isinstance(raw.get("files"), dict) else {}
            except (OSError, ValueError, KeyError):
                self._data = {}  # a lost or damaged cache only costs re-hashing
        return self._data

    @staticmethod
    def _key(path: Path) -> tuple[str, int, int]:
        st = path.stat()
        return str(path.resolve()), st.st_size, st.st_mtime_ns

    def get(self, path: Path) -> str | None:
        key, size, mtime = self._key(path)
        rec = self._load().get(key)
        if rec and rec.get("size") == size and rec.get("mtime_ns") == mtime:
            return rec.get("sha256")
        return None

    def put(self, path: Path, sha256: str) -> None:
        key, size, mtime = self._key(path)
        self._load()[key] = {"size": size, "mtime_ns": mtime, "sha256": sha256}
        self._save()

    def forget(self, path: Path) -> None:
        if self._load().pop(str(path.resolve()), None) is not None:
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".models-index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": 1, "files": self._data}, f, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def sha256(self, path: Path, *, progress: Callable[[int], None] | None = None) -> str:
        cached = self.get(path)
        if cached:
            return cached
        digest = sha256_file(path, progress=progress)
        self.put(path, digest)
        return digest


def hash_index(paths: AppPaths) -> HashIndex:
    return HashIndex(paths.data_dir / INDEX_FILE)


class ModelStore:
    """Finds, hashes, verifies and deletes installed models. Pass everything in; no globals."""

    def __init__(self, *, paths: AppPaths, settings: Settings | None = None, catalog: Catalog | None = None) -> None:
        self.paths = paths
        self.catalog = catalog if catalog is not None else load_catalog()
        self.settings = settings
        self.index = hash_index(paths)

    def folders(self) -> list[tuple[str, Path]]:
        found = [(APP, self.paths.models_dir), (PORTABLE, shipped_models_dir())]
        for d in self.settings.models_dirs if self.settings else []:
            found.append((USER, Path(d).expanduser()))
        seen: set[Path] = set()
        unique = []
        for where, folder in found:
            key = folder.resolve() if folder.exists() else folder
            if key not in seen:
                seen.add(key)
                unique.append((where, folder))
        return unique

    def installed(self) -> list[InstalledModel]:
        """The models that can be loaded now (whole GGUF files), without hashing anything new."""
        return [m for m in self.list(hashes=False) if m.usable]

    def list(self, *, hashes: bool = True, progress: Callable[[int], None] | None = None) -> list[InstalledModel]:
        """Every .gguf model in the folders (split parts grouped); hashes=False uses cached digests only."""
        models: list[InstalledModel] = []
        for where, folder in self.folders():
            groups: dict[str, list[Path]] = {}
            for f in _gguf_files(folder):
                m = _SPLIT.match(f.name)
                groups.setdefault(str(f.parent / m["base"]) if m else str(f), []).append(f)
            for files in groups.values():
                models.append(self._model(sorted(files), where, hashes=hashes, progress=progress))
        return models

    def _model(self, files: list[Path], where: str, *, hashes: bool, progress) -> InstalledModel:
        first = files[0]
        size = sum(f.stat().st_size for f in files)
        problem = _missing_parts(files)
        info = None
        if problem is None:
            try:
                info = inspect_gguf(first)
                for part in files[1:]:
                    inspect_gguf(part)
            except ModelFileError as exc:
                problem = str(exc)
        digest = None
        if hashes and problem is None:
            digest = combined_sha256([self.index.sha256(f, progress=progress) for f in files])
        elif problem is None:
            cached = [self.index.get(f) for f in files]
            digest = combined_sha256(cached) if all(cached) else None
        entry = self.catalog.match_file(first.name, size)
        m = _SPLIT.match(first.name)
        name = entry.id if entry else (m["base"] if m else first.stem)
        return InstalledModel(name, first, tuple(files), size, digest, where, entry, info, problem)

    def find(self, name: str, *, hashes: bool = False) -> InstalledModel:
        """An installed model by catalogue id, file name, name or path; ModelFileError if none."""
        key = name.strip()
        candidates = self.list(hashes=hashes)
        for m in candidates:
            if key.lower() in (m.name.lower(), m.path.name.lower(), str(m.path).lower()):
                return m
        if Path(key).is_file():
            return self._model([Path(key)], USER, hashes=hashes, progress=None)
        names = ", ".join(sorted({m.name for m in candidates})) or "none"
        raise ModelFileError(f"No installed model called {name!r}. Installed: {names}.")

    def verify(self, model: InstalledModel, *, progress: Callable[[int], None] | None = None) -> InstalledModel:
        """Re-read the header and re-hash every byte (ignoring the cache); ModelFileError if damaged."""
        for part in model.parts:
            inspect_gguf(part)
        digests = []
        for part in model.parts:
            digest = sha256_file(part, progress=progress)
            self.index.put(part, digest)
            digests.append(digest)
        digest = combined_sha256(digests)
        entry = model.entry
        if entry and entry.verified and digest != combined_sha256(entry.sha256):
            raise ModelFileError(
                f"{model.path.name} is damaged or altered: its SHA-256 is {digest}, the catalogue "
                f"expects {combined_sha256(entry.sha256)}. Delete it and download it again."
            )
        return InstalledModel(model.name, model.path, model.parts, model.size, digest, model.location, entry, model.info)

    def delete(self, model: InstalledModel) -> None:
        """Delete a model from the app's own folder; files elsewhere belong to the user."""
        app_dir = self.paths.models_dir.resolve()
        if any(p.resolve().parent != app_dir for p in model.parts):
            raise ModelFileError(
                f"{model.path} is not in Plansmith's models folder ({self.paths.models_dir}); "
                "delete it yourself, or remove its folder from the settings."
            )
        for part in model.parts:
            part.unlink(missing_ok=True)
            self.index.forget(part)


def _gguf_files(folder: Path) -> list[Path]:
    # The folder and one level of subfolders (one folder per model is a common layout).
    if not folder.is_dir():
        return []
    found = []
    for pattern in ("*.gguf", "*/*.gguf"):
        found += [p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith(".")]
    return sorted(found)


def _missing_parts(files: list[Path]) -> str | None:
    m = _SPLIT.match(files[0].name)
    if not m:
        return None
    count = int(m["count"])
    have = {int(_SPLIT.match(f.name)["part"]) for f in files}
    missing = sorted(set(range(1, count + 1)) - have)
    if missing:
        return f"{m['base']}: part(s) {', '.join(map(str, missing))} of {count} are missing — copy them beside the others."
    return None


def spec_for(model: InstalledModel) -> CatalogEntry:
    """The catalogue entry, or one estimated from the file's header for models not in the catalogue."""
    if model.entry:
        return model.entry
    info = model.info
    ctx_len = (info.context_length if info else None) or 4096
    kv = (info.kv_bytes_per_token if info else None) or max(8192, model.size // 40_000)
    params_b = model.size / 0.6e9  # about 4.8 bits per weight at Q4_K_M
    default_ctx = min(8192, ctx_len)
    memory_mib = -(-(model.size + kv * default_ctx + BUFFERS_BYTES) // (1 << 20))
    return CatalogEntry(
        id=model.name, name=model.name, repo="", files=(model.path.name,), sizes=(model.size,),
        params_b=params_b, context_length=ctx_len, default_context=default_ctx,
        kv_bytes_per_token=kv, memory_mib=memory_mib, licence="unknown",
        quantization=(info.quantization or "") if info else "",
    )


def default_model(models: list[InstalledModel], *, hw: Hardware | None = None, settings: Settings | None = None) -> InstalledModel | None:
    """The model to use when the user has not picked one: never a download, None when nothing is installed.

    The settings' model_path wins when it is installed and whole. Otherwise, with hardware
    known, the best model that fits and runs at a usable
    speed; failing that the fastest that fits; without hardware, the smallest.
    """
    usable = [m for m in models if m.usable]
    if settings and settings.model_path:
        wanted = Path(settings.model_path).expanduser()
        for m in usable:
            if m.path == wanted or (wanted.exists() and m.path.exists() and m.path.samefile(wanted)):
                return m
    if not usable:
        return None
    real = [m for m in usable if not (m.entry and "test" in m.entry.tags)] or usable
    if hw is None:
        return min(real, key=lambda m: m.size)
    fits = [(m, best_context(spec_for(m), hw)) for m in real]
    good = [(m, f) for m, f in fits if f.usable]
    if good:
        return max(good, key=lambda mf: (quality(mf[1].entry), -mf[0].size))[0]
    fitting = [(m, f) for m, f in fits if f.fits]
    if fitting:
        return max(fitting, key=lambda mf: mf[1].tokens_per_s)[0]
    return min(real, key=lambda m: m.size)
