"""Read a GGUF file's header and check that the file is whole, without reading the weights.

The header is parsed here rather than with gguf.GGUFReader: the reader builds a numpy
array per tokenizer string (about 5 s for a 1.5B model), and it cannot say by how much a
file is cut short. The gguf package still supplies the tensor-type size table, so new
quantisation types are known as soon as the package knows them.
"""

from __future__ import annotations

import mmap
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import ModelFileError

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# GGUF metadata value types -> struct format of one scalar (STRING and ARRAY handled apart).
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_ARCH_KEYS = (
    ".context_length",
    ".block_count",
    ".embedding_length",
    ".attention.head_count",
    ".attention.head_count_kv",
    ".attention.key_length",
    ".attention.value_length",
)
# A sane ceiling: real models have a few dozen keys and at most a few thousand tensors.
_MAX_COUNT = 1 << 24


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    version: int
    architecture: str
    name: str | None
    context_length: int | None
    n_layers: int | None
    tensor_count: int
    file_size: int
    expected_size: int  # the least size the tensor table needs (data offset + last tensor's end)
    chat_template: str | None
    quantization: str | None
    kv_bytes_per_token: int | None = None  # f16 KV cache per token of context, when the header says enough


class _CutShort(Exception):
    """The header runs past the end of the file."""


class _Header:
    """A bounds-checked little-endian cursor over the mapped file."""

    def __init__(self, buf: mmap.mmap | bytes) -> None:
        self.buf = buf
        self.pos = 0
        self.size = len(buf)

    def _take(self, n: int) -> int:
        start = self.pos
        if n < 0 or start + n > self.size:
            raise _CutShort
        self.pos = start + n
        return start

    def scalar(self, fmt: str):
        n = struct.calcsize(fmt)
        return struct.unpack_from(fmt, self.buf, self._take(n))[0]

    def count(self) -> int:
        n = self.scalar("<Q")
        if n > _MAX_COUNT:
            raise ModelFileError("corrupt header: implausible count")
        return n

    def string(self) -> str:
        n = self.scalar("<Q")
        start = self._take(n)
        return bytes(self.buf[start : start + n]).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        self._take(self.scalar("<Q"))

    def value(self, vtype: int, *, keep: bool):
        if vtype in _SCALARS:
            return self.scalar(_SCALARS[vtype])
        if vtype == _STRING:
            if keep:
                return self.string()
            self.skip_string()
            return None
        if vtype == _ARRAY:
            etype = self.scalar("<I")
            n = self.count()
            if etype in _SCALARS:  # fixed size: skip in one step (token scores, types, ...)
                self._take(n * struct.calcsize(_SCALARS[etype]))
            elif etype == _STRING:
                unpack, buf = struct.unpack_from, self.buf
                for _ in range(n):  # the tokenizer's vocabulary: walk the lengths only
                    ln = unpack("<Q", buf, self._take(8))[0]
                    self._take(ln)
            elif etype == _ARRAY:
                for _ in range(n):
                    self.value(_ARRAY, keep=False)
            else:
                raise ModelFileError(f"corrupt header: unknown array type {etype}")
            return None
        raise ModelFileError(f"corrupt header: unknown value type {vtype}")


def _type_sizes() -> tuple[dict[int, tuple[int, int]], dict[int, str], dict[int, str]]:
    # Imported here: the gguf package pulls numpy and yaml (~0.1 s), not needed at app start.
    from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType, LlamaFileType

    sizes = {int(t): bs for t, bs in GGML_QUANT_SIZES.items()}
    tensor_names = {int(t): t.name for t in GGMLQuantizationType}
    file_types = {int(t): t.name.removeprefix("MOSTLY_") for t in LlamaFileType}
    return sizes, tensor_names, file_types


def _cut_short(path: Path, have: int, need: int | None) -> ModelFileError:
    if need is None:
        return ModelFileError(
            f"{path.name}: the file is cut short inside its header ({have:,} bytes) — copy it again."
        )
    return ModelFileError(
        f"{path.name}: the file is cut short: {have:,} bytes of {need:,} expected — copy it again."
    )


def _check_path(path: Path) -> int:
    if not path.exists():
        raise ModelFileError(f"Model file not found: {path}")
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file: choose the .gguf file inside it.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelFileError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc
    if size == 0:
        raise ModelFileError(f"{path.name} is empty (0 bytes): not a GGUF model file — copy it again.")
    return size


def inspect_gguf(path: Path) -> GGUFInfo:
    """Parse the header and tensor table; raise ModelFileError if the file is not a whole GGUF model."""
    path = Path(path)
    size = _check_path(path)
    try:
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse(path, buf, size)
    except OSError as exc:
        raise ModelFileError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc


def _parse(path: Path, buf: mmap.mmap, size: int) -> GGUFInfo:
    if size < 4 or buf[:4] != MAGIC:
        raise ModelFileError(f"{path.name} is not a GGUF model file (it does not start with 'GGUF').")
    h = _Header(buf)
    h.pos = 4
    try:
        version = h.scalar("<I")
        if version not in SUPPORTED_VERSIONS:
            if version & 0xFFFF == 0 and (version >> 24) in SUPPORTED_VERSIONS:
                raise ModelFileError(f"{path.name} is a big-endian GGUF file; only little-endian files are supported.")
            raise ModelFileError(
                f"{path.name} uses GGUF version {version}; this app reads versions "
                f"{', '.join(map(str, SUPPORTED_VERSIONS))}. Get a newer conversion of the model."
            )
        n_tensors = h.count()
        n_kv = h.count()
        wanted = {"general.architecture", "general.name", "general.alignment", "general.file_type",
                  "tokenizer.chat_template"}
        meta: dict[str, object] = {}
        for _ in range(n_kv):
            key = h.string()
            vtype = h.scalar("<I")
            keep = key in wanted or key.endswith(_ARCH_KEYS)
            value = h.value(vtype, keep=keep)
            if keep:
                meta[key] = value
        tensors: list[tuple[int, int, int]] = []  # (ggml type, element count, offset)
        for _ in range(n_tensors):
            h.skip_string()
            n_dims = h.scalar("<I")
            if n_dims > 8:
                raise ModelFileError("corrupt header: tensor with too many dimensions")
            n_el = 1
            for _ in range(n_dims):
                n_el *= h.scalar("<Q")
            tensors.append((h.scalar("<I"), n_el, h.scalar("<Q")))
        header_end = h.pos
    except _CutShort:
        raise _cut_short(path, size, None) from None
    except ModelFileError as exc:
        if str(exc).startswith("corrupt header"):
            raise ModelFileError(f"{path.name}: {exc} — the file is damaged; copy or download it again.") from None
        raise

    alignment = meta.get("general.alignment") or DEFAULT_ALIGNMENT
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise ModelFileError(f"{path.name}: corrupt header (alignment {alignment!r}) — the file is damaged.")
    data_offset = -(-header_end // alignment) * alignment
    sizes, tensor_names, file_types = _type_sizes()
    end = 0
    bytes_by_type: Counter[int] = Counter()
    for ttype, n_el, offset in tensors:
        if ttype not in sizes:
            raise ModelFileError(
                f"{path.name} uses tensor type {ttype}, unknown to this version of Plansmith: update the app."
            )
        block, type_size = sizes[ttype]
        nbytes = n_el // block * type_size
        end = max(end, offset + nbytes)
        bytes_by_type[ttype] += nbytes
    expected = data_offset + end
    if size < expected:
        raise _cut_short(path, size, expected)

    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise ModelFileError(f"{path.name}: the header names no model architecture; it is not a usable model file.")

    def as_int(key: str) -> int | None:
        v = meta.get(key)
        return int(v) if isinstance(v, int) and not isinstance(v, bool) else None

    file_type = as_int("general.file_type")
    if file_type is not None and file_type in file_types:
        quant: str | None = file_types[file_type]
    elif bytes_by_type:  # older conversions name no file type: the type holding most bytes
        quant = tensor_names.get(bytes_by_type.most_common(1)[0][0])
    else:
        quant = None
    name = meta.get("general.name")
    layers, heads = as_int(f"{arch}.block_count"), as_int(f"{arch}.attention.head_count")
    kv_heads, embd = as_int(f"{arch}.attention.head_count_kv") or heads, as_int(f"{arch}.embedding_length")
    kv_bytes = None
    if layers and heads and kv_heads and embd:
        k_len = as_int(f"{arch}.attention.key_length") or embd // heads
        v_len = as_int(f"{arch}.attention.value_length") or embd // heads
        kv_bytes = layers * kv_heads * (k_len + v_len) * 2
    template = meta.get("tokenizer.chat_template")
    return GGUFInfo(
        path=path,
        version=version,
        architecture=arch,
        name=name if isinstance(name, str) else None,
        context_length=as_int(f"{arch}.context_length"),
        n_layers=as_int(f"{arch}.block_count"),
        tensor_count=len(tensors),
        file_size=size,
        expected_size=expected,
        chat_template=template if isinstance(template, str) else None,
        quantization=quant,
        kv_bytes_per_token=kv_bytes,
    )
