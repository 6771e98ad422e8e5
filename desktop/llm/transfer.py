"""Carry models to machines without a network: export to a folder (USB stick, share), import from one.

An export is a folder holding the .gguf file(s) and manifest.json (SHA-256 per file, the
catalogue entry, the licence). The manifest is written last, so a folder without one is
an unfinished export. Import checks the header and every byte's SHA-256 before the file
appears in the models folder; a single .gguf without a manifest is accepted when its
header says it is whole, and its SHA-256 is recorded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable

from desktop.errors import ModelFileError
from desktop.llm.catalog import Catalog, CatalogEntry
from desktop.llm.gguf_file import inspect_gguf
from desktop.llm.store import InstalledModel, combined_sha256, hash_index
from desktop.paths import AppPaths

MANIFEST = "manifest.json"
FORMAT = "plansmith-model"
_SPLIT = re.compile(r"^(?P<base>.+)-(?P<part>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)

Progress = Callable[[int], None]  # bytes copied or hashed since the last call


def export_model(model: InstalledModel, *, to_dir: Path, progress: Progress | None = None) -> Path:
    """Copy the model and a manifest into to_dir/<name>/; return that folder."""
    if not model.usable:
        raise ModelFileError(f"{model.name} cannot be exported: {model.problem}")
    folder = Path(to_dir) / model.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)  # an export in progress has no manifest
    _check_space(folder, model.size - sum((folder / p.name).stat().st_size for p in model.parts if (folder / p.name).exists()))
    files = []
    for part in model.parts:
        digest = _copy_hashed(part, folder / part.name, progress=progress)
        files.append({"name": part.name, "size": part.stat().st_size, "sha256": digest})
    combined = combined_sha256([f["sha256"] for f in files])
    if model.sha256 and model.sha256 != combined:
        for f in files:
            (folder / f["name"]).unlink(missing_ok=True)
        raise ModelFileError(
            f"{model.name} changed while it was copied, or the disk returned bad data "
            f"(SHA-256 {combined}, expected {model.sha256}). Verify the model, then export it again."
        )
    entry = model.entry
    manifest = {
        "format": FORMAT,
        "version": 1,
        "name": model.name,
        "files": files,
        "sha256": combined,
        "licence": entry.licence if entry else "unknown",
        "licence_url": entry.licence_url if entry else "",
        "catalog_entry": _entry_json(entry) if entry else None,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    return folder


def import_model(
    src: Path,
    *,
    paths: AppPaths,
    copy: bool = True,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
) -> Path:
    """Install a model from an export folder or a .gguf file; return the path to load.

    Raises ModelFileError when the file is not GGUF, cut short, or its SHA-256 does not match
    the manifest or a verified catalogue entry. copy=False moves the file instead (copied and
    verified first, then the source is deleted).
    """
    src = Path(src).expanduser()
    if not src.exists():
        raise ModelFileError(f"Nothing to import at {src}.")
    if src.is_dir():
        parts, expected, entry = _from_manifest(src, catalog)
    else:
        if src.suffix.lower() != ".gguf":
            raise ModelFileError(f"{src.name} is not a .gguf model file or an export folder.")
        parts, expected = _split_parts(src), {}
        entry = catalog.match_file(parts[0].name, sum(p.stat().st_size for p in parts)) if catalog else None
    for part in parts:
        inspect_gguf(part)  # refuses fakes and cut-short copies before any byte is copied
    if entry and entry.verified:
        for part, want in zip(parts, entry.sha256):
            if expected.get(part.name, want) != want:
                raise ModelFileError(
                    f"The manifest's SHA-256 for {part.name} differs from the catalogue's: "
                    "the export was made from an altered file. Not importing it."
                )
            expected[part.name] = want
    paths.models_dir.mkdir(parents=True, exist_ok=True)
    targets = [paths.models_dir / p.name for p in parts]
    if all(t.exists() for t in targets) and all(t.samefile(p) for t, p in zip(targets, parts)):
        return targets[0]  # already in place
    for t in targets:
        if t.exists():
            raise ModelFileError(
                f"A model file named {t.name} is already installed: delete it first "
                "(plansmith models delete) or rename the file you are importing."
            )
    _check_space(paths.models_dir, sum(p.stat().st_size for p in parts))
    index = hash_index(paths)
    staged: list[tuple[Path, Path, str]] = []
    try:
        for part, target in zip(parts, targets):
            tmp = target.with_name(f".{target.name}.importing")  # hidden from the store
            digest = _copy_hashed(part, tmp, progress=progress)
            want = expected.get(part.name)
            if want and digest != want:
                raise ModelFileError(
                    f"{part.name} is damaged: its SHA-256 is {digest}, expected {want}. "
                    "Copy the export again from the original."
                )
            staged.append((tmp, target, digest))
        for tmp, target, digest in reversed(staged):
            os.replace(tmp, target)
            index.put(target, digest)
    finally:
        for tmp, _, _ in staged:
            tmp.unlink(missing_ok=True)
        for target in targets:
            target.with_name(f".{target.name}.importing").unlink(missing_ok=True)
    if not copy:
        for part in parts:
            part.unlink(missing_ok=True)
    return targets[0]


def _from_manifest(folder: Path, catalog: Catalog | None) -> tuple[list[Path], dict[str, str], CatalogEntry | None]:
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        ggufs = sorted(folder.glob("*.gguf"))
        if len(ggufs) == 1 or (ggufs and _SPLIT.match(ggufs[0].name)):
            parts = _split_parts(ggufs[0])
            size = sum(p.stat().st_size for p in parts)
            return parts, {}, catalog.match_file(parts[0].name, size) if catalog else None
        raise ModelFileError(
            f"{folder} has no {MANIFEST}: it is not a finished Plansmith export. "
            "Export the model again, or import the .gguf file itself."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError("not a Plansmith model manifest")
        files = [(str(f["name"]), int(f["size"]), str(f["sha256"]).lower()) for f in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{manifest_path} cannot be read: {exc}") from None
    parts = []
    for name, size, _ in files:
        path = folder / Path(name).name  # never outside the export folder
        if not path.is_file():
            raise ModelFileError(f"{name} is missing from {folder}: copy the whole export folder.")
        have = path.stat().st_size
        if have != size:
            raise ModelFileError(
                f"{name}: the file is cut short: {have:,} bytes of {size:,} expected — copy it again."
                if have < size else f"{name} is {have:,} bytes, the manifest says {size:,}: the export is damaged."
            )
        parts.append(path)
    entry = None
    if catalog and manifest.get("catalog_entry"):
        entry = catalog.find(str(manifest["catalog_entry"].get("id", "")))
    return parts, {name: sha for name, _, sha in files}, entry


def _split_parts(first: Path) -> list[Path]:
    m = _SPLIT.match(first.name)
    if not m:
        return [first]
    count = int(m["count"])
    parts = [first.with_name(f"{m['base']}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1)]
    missing = [p.name for p in parts if not p.is_file()]
    if missing:
        raise ModelFileError(f"{first.name} is one part of a split model; missing: {', '.join(missing)}.")
    return parts


def _copy_hashed(src: Path, dest: Path, *, progress: Progress | None) -> str:
    h = hashlib.sha256()
    with src.open("rb") as fin, dest.open("wb") as fout:
        while block := fin.read(8 << 20):
            h.update(block)
            fout.write(block)
            if progress:
                progress(len(block))
        fout.flush()
        os.fsync(fout.fileno())
    shutil.copymode(src, dest)
    return h.hexdigest()


def _check_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise ModelFileError(
            f"Not enough space in {folder}: {needed / (1 << 20):,.0f} MB needed, {free / (1 << 20):,.0f} MB free."
        )


def _entry_json(entry: CatalogEntry) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(entry).items()}
