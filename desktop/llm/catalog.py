"""The curated model catalogue (models/catalog.toml): what can be downloaded, and what it needs."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import ModelFileError
from desktop.paths import shipped_models_dir

CATALOG_FILE = "catalog.toml"
MIB = 1 << 20
# Compute and output buffers llama.cpp allocates beside weights and KV cache.
BUFFERS_BYTES = 384 * MIB
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class CatalogError(ModelFileError):
    """The catalogue file is missing or malformed, or names no such model (bad input: exit 2 in the CLI)."""


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    repo: str
    files: tuple[str, ...]
    sizes: tuple[int, ...]
    params_b: float
    context_length: int
    default_context: int
    kv_bytes_per_token: int
    memory_mib: int
    licence: str
    revision: str = "main"
    sha256: tuple[str, ...] = ()
    verified: bool = False
    quantization: str = ""
    active_params_b: float | None = None
    licence_url: str = ""
    description: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def file_name(self) -> str:
        """The file llama.cpp is pointed at: the only file, or the first part of a split model."""
        return self.files[0]

    @property
    def size(self) -> int:
        return sum(self.sizes)

    @property
    def active_b(self) -> float:
        """Billions of parameters each token reads (all of them unless mixture of experts)."""
        return self.active_params_b or self.params_b

    def memory_at(self, context: int) -> int:
        """Bytes of memory the model needs loaded with this context (weights + KV cache + buffers)."""
        return self.size + self.kv_bytes_per_token * context + BUFFERS_BYTES

    @property
    def memory_bytes(self) -> int:
        return self.memory_mib * MIB


@dataclass(frozen=True)
class Catalog:
    entries: tuple[CatalogEntry, ...]
    source: Path | None = None

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, name: str) -> CatalogEntry | None:
        """By id, or by (first) file name, ignoring case."""
        key = name.strip().lower()
        for e in self.entries:
            if key == e.id.lower() or key in (f.lower() for f in e.files):
                return e
        return None

    def get(self, name: str) -> CatalogEntry:
        entry = self.find(name)
        if entry is None:
            known = ", ".join(e.id for e in self.entries)
            raise CatalogError(f"No model called {name!r} in the catalogue. Known models: {known}.")
        return entry

    def match_file(self, file_name: str, size: int) -> CatalogEntry | None:
        """The entry whose first file has this name and whose parts add up to this size."""
        for e in self.entries:
            if e.file_name == file_name and e.size == size:
                return e
        return None


def default_catalog_path() -> Path:
    return shipped_models_dir() / CATALOG_FILE


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and check the catalogue; CatalogError says which entry and field are wrong."""
    path = path or default_catalog_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"The model catalogue {path} is missing: reinstall Plansmith.") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"Cannot read the model catalogue {path}: {exc}") from exc
    if raw.get("schema") != 1:
        raise CatalogError(f"{path}: unknown catalogue schema {raw.get('schema')!r} (this app reads schema 1).")
    entries = [_entry(item, path, i) for i, item in enumerate(raw.get("model", []))]
    ids = [e.id for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"{path}: model ids used twice: {', '.join(dupes)}")
    return Catalog(tuple(entries), source=path)


def _entry(item: dict, path: Path, index: int) -> CatalogEntry:
    where = f"{path}: model #{index + 1} ({item.get('id', '?')})"
    try:
        entry = CatalogEntry(
            id=str(item["id"]),
            name=str(item["name"]),
            repo=str(item["repo"]),
            revision=str(item.get("revision", "main")),
            files=tuple(str(f) for f in item["files"]),
            sizes=tuple(int(s) for s in item["sizes"]),
            sha256=tuple(str(s).lower() for s in item.get("sha256", ())),
            verified=bool(item.get("verified", False)),
            quantization=str(item.get("quantization", "")),
            params_b=float(item["params_b"]),
            active_params_b=float(item["active_params_b"]) if "active_params_b" in item else None,
            context_length=int(item["context_length"]),
            default_context=int(item["default_context"]),
            kv_bytes_per_token=int(item["kv_bytes_per_token"]),
            memory_mib=int(item["memory_mib"]),
            licence=str(item["licence"]),
            licence_url=str(item.get("licence_url", "")),
            description=str(item.get("description", "")),
            tags=tuple(str(t) for t in item.get("tags", ())),
        )
    except KeyError as exc:
        raise CatalogError(f"{where}: missing field {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from None
    problems = []
    if not entry.files or len(entry.files) != len(entry.sizes):
        problems.append("needs one size per file")
    if any(not f.endswith(".gguf") or "/" in f or "\\" in f for f in entry.files):
        problems.append("files must be plain .gguf names")
    if entry.verified and (len(entry.sha256) != len(entry.files) or not all(_SHA256.match(s) for s in entry.sha256)):
        problems.append("verified = true needs one 64-hex-digit sha256 per file")
    if entry.default_context > entry.context_length:
        problems.append("default_context is larger than context_length")
    expected_mib = math.ceil(entry.memory_at(entry.default_context) / MIB)
    if abs(entry.memory_mib - expected_mib) > 1:
        problems.append(f"memory_mib should be {expected_mib} (weights + KV cache + buffers)")
    if problems:
        raise CatalogError(f"{where}: " + "; ".join(problems))
    return entry
