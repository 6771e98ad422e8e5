"""Export to a folder and import from it (or from a bare .gguf), refusing fakes and damaged copies."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import pytest
from fakehub import make_gguf, sha256_of
from fetch_models import fetch

from desktop import cli_models
from desktop.errors import ModelFileError
from desktop.llm.catalog import load_catalog
from desktop.llm.store import HashIndex, ModelStore
from desktop.llm.transfer import MANIFEST, export_model, import_model
from desktop.paths import AppPaths
from desktop.settings import Settings

SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOL_SIZE = 98_362_432
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def smol() -> Path:
    return fetch("smollm2")


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


def models_in(paths: AppPaths) -> list[str]:
    return sorted(p.name for p in paths.models_dir.iterdir()) if paths.models_dir.exists() else []


def test_import_a_real_gguf_records_its_sha256(smol: Path, paths: AppPaths) -> None:
    path = import_model(smol, paths=paths, catalog=CATALOG)
    assert path == paths.models_dir / SMOL and smol.exists()
    assert HashIndex(paths.data_dir / "models-index.json").get(path) == sha256_of(smol)
    model = ModelStore(paths=paths, catalog=CATALOG).find("smollm2-135m")
    assert model.verified  # from the recorded digest, without hashing again
    assert import_model(path, paths=paths, catalog=CATALOG) == path  # importing the installed file: a no-op


def test_cut_copies_and_fakes_are_refused(smol: Path, paths: AppPaths, tmp_path: Path) -> None:
    half = tmp_path / SMOL
    half.write_bytes(smol.read_bytes()[: SMOL_SIZE // 2])
    with pytest.raises(ModelFileError, match=rf"cut short: {SMOL_SIZE // 2:,} bytes of {SMOL_SIZE:,} expected"):
        import_model(half, paths=paths, catalog=CATALOG)
    fake = tmp_path / "model.gguf"
    fake.write_text("# my notes, renamed by mistake\n")
    with pytest.raises(ModelFileError, match="not a GGUF model file"):
        import_model(fake, paths=paths, catalog=CATALOG)
    text = tmp_path / "readme.txt"
    text.write_text("x")
    with pytest.raises(ModelFileError, match="not a .gguf model file or an export folder"):
        import_model(text, paths=paths)
    assert models_in(paths) == []


def test_altered_catalogue_model_is_refused(smol: Path, paths: AppPaths, tmp_path: Path) -> None:
    bad = tmp_path / SMOL
    data = bytearray(smol.read_bytes())
    data[-100] ^= 0xFF  # same size, one weight byte changed: the header still looks whole
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="is damaged: its SHA-256"):
        import_model(bad, paths=paths, catalog=CATALOG)
    assert models_in(paths) == []  # no half-copied file either


def test_export_then_import_through_a_folder(smol: Path, paths: AppPaths, tmp_path: Path) -> None:
    import_model(smol, paths=paths, catalog=CATALOG)
    model = ModelStore(paths=paths, catalog=CATALOG).find("smollm2-135m", hashes=True)
    stick = tmp_path / "usb"
    folder = export_model(model, to_dir=stick)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert folder == stick / "smollm2-135m"
    assert manifest["files"] == [{"name": SMOL, "size": SMOL_SIZE, "sha256": sha256_of(smol)}]
    assert manifest["licence"] == "Apache-2.0" and manifest["catalog_entry"]["id"] == "smollm2-135m"
    other = AppPaths.under(tmp_path / "air-gapped")
    path = import_model(folder, paths=other, catalog=CATALOG)
    assert sha256_of(path) == sha256_of(smol) and models_in(other) == [SMOL]


def test_damaged_export_is_refused(smol: Path, paths: AppPaths, tmp_path: Path) -> None:
    import_model(smol, paths=paths, catalog=CATALOG)
    folder = export_model(ModelStore(paths=paths, catalog=CATALOG).find("smollm2-135m"), to_dir=tmp_path / "usb")
    copy = folder / SMOL
    other = AppPaths.under(tmp_path / "other")
    data = bytearray(copy.read_bytes())
    data[SMOL_SIZE // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="damaged"):
        import_model(folder, paths=other, catalog=CATALOG)
    with copy.open("r+b") as f:
        f.truncate(SMOL_SIZE // 2)
    with pytest.raises(ModelFileError, match="cut short"):
        import_model(folder, paths=other, catalog=CATALOG)
    (folder / MANIFEST).unlink()
    (folder / "second.gguf").write_bytes(b"")
    with pytest.raises(ModelFileError, match="no manifest.json"):
        import_model(folder, paths=other, catalog=CATALOG)
    assert models_in(other) == []


def test_move_and_name_clash(paths: AppPaths, tmp_path: Path) -> None:
    src = make_gguf(tmp_path / "mine.gguf", n_bytes=100_000, seed=1)
    digest = sha256_of(src)
    path = import_model(src, paths=paths, copy=False)
    assert not src.exists() and sha256_of(path) == digest
    clash = make_gguf(tmp_path / "mine.gguf", n_bytes=100_000, seed=2)
    with pytest.raises(ModelFileError, match="already installed"):
        import_model(clash, paths=paths)


def test_split_model_export_import(paths: AppPaths, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i in (1, 2):
        make_gguf(src / f"big-0000{i}-of-00002.gguf", n_bytes=50_000, seed=i)
    import_model(src / "big-00001-of-00002.gguf", paths=paths)
    model = ModelStore(paths=paths, catalog=CATALOG).find("big", hashes=True)
    assert len(model.parts) == 2 and model.usable
    folder = export_model(model, to_dir=tmp_path / "usb")
    other = AppPaths.under(tmp_path / "other")
    import_model(folder, paths=other)
    assert models_in(other) == ["big-00001-of-00002.gguf", "big-00002-of-00002.gguf"]
    (src / "big-00002-of-00002.gguf").unlink()
    with pytest.raises(ModelFileError, match="missing: big-00002-of-00002.gguf"):
        import_model(src / "big-00001-of-00002.gguf", paths=AppPaths.under(tmp_path / "third"))


def test_cli_export_and_import(smol: Path, paths: AppPaths, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    cli_models.add_parsers(parser.add_subparsers(dest="command"))

    def run(argv: list[str], p: AppPaths) -> str:
        args = parser.parse_args(argv)
        out = io.StringIO()
        assert args.handler(args, paths=p, settings=Settings(), out=out) == 0
        return out.getvalue()

    assert "Imported and verified" in run(["models", "import", str(smol)], paths)
    assert "Exported smollm2-135m" in run(["models", "export", "smollm2-135m", "--to", str(tmp_path / "usb")], paths)
    other = AppPaths.under(tmp_path / "other")
    assert "Imported and verified" in run(["models", "import", str(tmp_path / "usb" / "smollm2-135m")], other)
    shutil.rmtree(tmp_path / "usb")
    assert models_in(other) == [SMOL]
