"""The shipped catalogue and the loader's refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.llm.catalog import MIB, CatalogError, load_catalog

KNOWN = {
    "smollm2-135m": ("SmolLM2-135M-Instruct.Q4_1.gguf", 98362432, "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
    "qwen2.5-coder-0.5b": ("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491400064, "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    "qwen2.5-coder-1.5b": ("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 1117320768, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
}

ENTRY = """
[[model]]
id = "{id}"
name = "Test"
repo = "org/Test-GGUF"
files = {files}
sizes = {sizes}
{extra}
params_b = 1.0
context_length = 4096
default_context = 2048
kv_bytes_per_token = 1024
memory_mib = {memory}
licence = "MIT"
"""


def write(tmp_path: Path, *entries: str, schema: int = 1) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(f"schema = {schema}\n" + "".join(entries), encoding="utf-8")
    return path


def entry(id="t", files='["t.gguf"]', sizes="[1048576]", extra="", memory=None) -> str:
    if memory is None:  # weights + KV at the default context + 384 MiB of buffers
        total = sum(json.loads(sizes))
        memory = -(-(total + 1024 * 2048 + 384 * MIB) // MIB)
    return ENTRY.format(id=id, files=files, sizes=sizes, extra=extra, memory=memory)


def test_shipped_catalogue() -> None:
    catalog = load_catalog()
    ids = {e.id for e in catalog}
    for size in ("0.5b", "1.5b", "3b", "7b", "14b", "32b"):
        e = catalog.get(f"qwen2.5-coder-{size}")
        assert e.repo == f"Qwen/Qwen2.5-Coder-{size.upper()}-Instruct-GGUF"
        assert e.files == (f"qwen2.5-coder-{size}-instruct-q4_k_m.gguf",) and e.quantization == "Q4_K_M"
    assert {"deepseek-coder-v2-lite", "smollm2-135m"} <= ids
    for id_, (name, size, sha) in KNOWN.items():
        e = catalog.get(id_)
        assert (e.file_name, e.size, e.sha256, e.verified) == (name, size, (sha,), True)
    for e in catalog:
        assert e.verified == bool(e.sha256)
        assert e.licence and e.context_length >= e.default_context >= 2048
        assert e.memory_bytes >= e.size  # memory needed covers at least the weights
    assert "test" in catalog.get("smollm2-135m").tags


def test_find_by_id_or_file_name() -> None:
    catalog = load_catalog()
    assert catalog.find("QWEN2.5-CODER-1.5B").id == "qwen2.5-coder-1.5b"
    assert catalog.find("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").id == "qwen2.5-coder-1.5b"
    assert catalog.match_file("SmolLM2-135M-Instruct.Q4_1.gguf", 98362432).id == "smollm2-135m"
    assert catalog.match_file("SmolLM2-135M-Instruct.Q4_1.gguf", 5) is None
    with pytest.raises(CatalogError, match="No model called 'gpt-9'.*qwen2.5-coder-7b"):
        catalog.get("gpt-9")


def test_split_model_entry(tmp_path: Path) -> None:
    files = '["m-00001-of-00002.gguf", "m-00002-of-00002.gguf"]'
    catalog = load_catalog(write(tmp_path, entry(files=files, sizes="[3000000, 2000000]")))
    e = catalog.get("t")
    assert e.file_name == "m-00001-of-00002.gguf" and e.size == 5_000_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry(extra="verified = true"), "needs one 64-hex-digit sha256 per file"),
        (entry(sizes="[1, 2]"), "one size per file"),
        (entry(files='["../evil.gguf"]'), "plain .gguf names"),
        (entry(memory=1), "memory_mib should be"),
        (entry().replace('repo = "org/Test-GGUF"\n', ""), "missing field 'repo'"),
        (entry() + entry(), "ids used twice: t"),
    ],
)
def test_malformed_entries_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        load_catalog(write(tmp_path, text))


def test_missing_unreadable_or_future_catalogue(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="missing: reinstall"):
        load_catalog(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = [", encoding="utf-8")
    with pytest.raises(CatalogError, match="Cannot read"):
        load_catalog(bad)
    with pytest.raises(CatalogError, match="schema 2"):
        load_catalog(write(tmp_path, entry(), schema=2))
