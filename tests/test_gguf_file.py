"""inspect_gguf on the real SmolLM2 file and on the ways a model file goes wrong."""

from __future__ import annotations

import shutil
import struct
import time
from pathlib import Path

import pytest
from fetch_models import fetch

from desktop.errors import ModelFileError
from desktop.llm.gguf_file import inspect_gguf

SMOL_SIZE = 98_362_432


@pytest.fixture(scope="module")
def smol() -> Path:
    return fetch("smollm2")


def _cut(src: Path, dest: Path, n: int) -> Path:
    """Copy the first n bytes of src, as an interrupted copy would leave them."""
    with src.open("rb") as f:
        dest.write_bytes(f.read(n))
    return dest


def test_real_model_header(smol: Path) -> None:
    start = time.perf_counter()
    info = inspect_gguf(smol)
    assert time.perf_counter() - start < 1.0
    assert info.version == 3
    assert info.architecture == "llama"
    assert info.file_size == SMOL_SIZE
    assert info.expected_size == SMOL_SIZE
    assert info.tensor_count == 272
    assert info.n_layers == 30
    assert info.context_length == 8192
    assert info.quantization == "Q4_1"
    assert info.chat_template and "im_start" in info.chat_template
    assert info.name


def test_copy_cut_in_half_is_refused(smol: Path, tmp_path: Path) -> None:
    half = _cut(smol, tmp_path / "half.gguf", SMOL_SIZE // 2)
    with pytest.raises(ModelFileError, match=rf"cut short: {SMOL_SIZE // 2:,} bytes of {SMOL_SIZE:,} expected — copy it again"):
        inspect_gguf(half)


def test_copy_missing_its_last_byte_is_refused(smol: Path, tmp_path: Path) -> None:
    short = _cut(smol, tmp_path / "short.gguf", SMOL_SIZE - 1)
    with pytest.raises(ModelFileError, match="cut short"):
        inspect_gguf(short)


def test_copy_cut_inside_header_is_refused(smol: Path, tmp_path: Path) -> None:
    head = _cut(smol, tmp_path / "head.gguf", 4096)
    with pytest.raises(ModelFileError, match="cut short inside its header"):
        inspect_gguf(head)


def test_text_file_renamed_gguf(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("This is not a model, just some notes.\n" * 100)
    with pytest.raises(ModelFileError, match="not a GGUF model file"):
        inspect_gguf(fake)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gguf"
    empty.touch()
    with pytest.raises(ModelFileError, match="empty"):
        inspect_gguf(empty)


def test_three_byte_file(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.gguf"
    tiny.write_bytes(b"GGU")
    with pytest.raises(ModelFileError, match="not a GGUF model file"):
        inspect_gguf(tiny)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        inspect_gguf(tmp_path / "nope.gguf")
    with pytest.raises(ModelFileError, match="is a folder"):
        inspect_gguf(tmp_path)


def test_unsupported_version(smol: Path, tmp_path: Path) -> None:
    data = bytearray(smol.open("rb").read(4096))
    struct.pack_into("<I", data, 4, 1)
    old = tmp_path / "old.gguf"
    old.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="GGUF version 1"):
        inspect_gguf(old)


def test_trailing_bytes_are_tolerated(smol: Path, tmp_path: Path) -> None:
    padded = tmp_path / "padded.gguf"
    shutil.copyfile(smol, padded)
    with padded.open("ab") as f:
        f.write(b"\0" * 32)
    info = inspect_gguf(padded)
    assert info.file_size == SMOL_SIZE + 32
    assert info.expected_size == SMOL_SIZE
