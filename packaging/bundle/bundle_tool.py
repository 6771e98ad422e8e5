"""Helpers for make_bundle.sh: hashed requirements, bill of materials, model manifest, checksums.

    python3 bundle_tool.py requirements BUNDLE          -> BUNDLE/requirements.txt
    python3 bundle_tool.py bom BUNDLE                   -> BUNDLE/bom.json, BUNDLE/bom.txt
    python3 bundle_tool.py model BUNDLE FILE CATALOG    -> BUNDLE/model/<stem>/{FILE,manifest.json}
    python3 bundle_tool.py checksums BUNDLE             -> BUNDLE/SHA256SUMS
    python3 bundle_tool.py pinned PYPROJECT NAME        -> prints the version pinned with ==
    python3 bundle_tool.py glibc WHEEL                  -> prints the newest GLIBC_2.N its .so files need

Standard library only (it runs on the connected machine's python3, not in a venv).
"""

from __future__ import annotations

import email.parser
import hashlib
import json
import re
import shutil
import sys
import time
import tomllib
import zipfile
from pathlib import Path

MODEL_FORMAT = "plansmith-model"  # desktop/llm/transfer.py reads this manifest format
_NORMALISE = re.compile(r"[-_.]+")


def normalise(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(4 << 20):
            h.update(block)
    return h.hexdigest()


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1]
        if len(names) != 1:
            raise SystemExit(f"{wheel.name}: expected one .dist-info/METADATA, found {names}")
        text = z.read(names[0]).decode("utf-8", "replace")
    return email.parser.Parser().parsestr(text, headersonly=True)


def licence_of(meta) -> str:
    """SPDX expression when the wheel declares one, else the License field or the classifiers."""
    expr = (meta.get("License-Expression") or "").strip()
    if expr:
        return expr
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    field = (meta.get("License") or "").strip()
    # Some projects paste the whole licence text into License: keep a short field, else
    # prefer the classifiers, else the text's first line.
    if field and "\n" not in field and len(field) <= 80 and field.upper() != "UNKNOWN":
        return field
    if classifiers:
        return " / ".join(classifiers)
    if field and field.upper() != "UNKNOWN":
        return field.splitlines()[0].strip()[:80] + " (licence text in the wheel)"
    return "unknown"


def wheels(bundle: Path) -> list[Path]:
    found = sorted((bundle / "wheels").glob("*.whl"))
    others = [p.name for p in (bundle / "wheels").iterdir() if p.suffix != ".whl"]
    if others:
        raise SystemExit(f"the bundle holds files that are not wheels (an install could need a compiler): {others}")
    return found


def packages(bundle: Path) -> list[dict]:
    rows, seen = [], {}
    for wheel in wheels(bundle):
        meta = wheel_metadata(wheel)
        name = meta["Name"]
        key = normalise(name)
        if key in seen:
            raise SystemExit(f"two wheels of {name} in the bundle: {seen[key]} and {wheel.name}")
        seen[key] = wheel.name
        rows.append({
            "name": name,
            "version": meta["Version"],
            "sha256": sha256_file(wheel),
            "licence": licence_of(meta),
            "file": wheel.name,
            "size": wheel.stat().st_size,
            "summary": (meta.get("Summary") or "").strip(),
        })
    return sorted(rows, key=lambda r: normalise(r["name"]))


def cmd_requirements(bundle: Path) -> None:
    lines = [
        "# Every wheel in this bundle, pinned and hashed. Install offline with:",
        "#   pip install --no-index --find-links wheels --require-hashes -r requirements.txt",
    ]
    for row in packages(bundle):
        lines.append(f"{normalise(row['name'])}=={row['version']} \\\n    --hash=sha256:{row['sha256']}")
    (bundle / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def cmd_bom(bundle: Path) -> None:
    info = json.loads((bundle / "bundle.json").read_text(encoding="utf-8"))
    rows = packages(bundle)
    model = None
    for manifest in sorted((bundle / "model").glob("*/manifest.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        model = {"name": m["name"], "files": m["files"], "sha256": m["sha256"], "licence": m["licence"]}
    bom = {"bundle": info, "packages": rows, "model": model}
    (bundle / "bom.json").write_text(json.dumps(bom, indent=2) + "\n", encoding="utf-8")

    width = max(len(r["name"]) for r in rows)
    vwidth = max(len(r["version"]) for r in rows)
    out = [
        f"Plansmith {info['app_version']} offline bundle: bill of materials",
        f"target: CPython {info['python']}, Linux {info['arch']}, glibc >= {info['glibc']}; made {info['created']}",
        "",
        f"{'name':<{width}}  {'version':<{vwidth}}  {'sha256':<64}  licence",
    ]
    for r in rows:
        out.append(f"{r['name']:<{width}}  {r['version']:<{vwidth}}  {r['sha256']}  {r['licence']}")
    if model:
        out += ["", "model:"]
        for f in model["files"]:
            out.append(f"  {f['name']}  {f['size']} bytes  {f['sha256']}  {model['licence']}")
    (bundle / "bom.txt").write_text("\n".join(out) + "\n", encoding="utf-8")


def cmd_model(bundle: Path, src: Path, catalog_file: Path) -> None:
    with src.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise SystemExit(f"{src} is not a GGUF model file")
    folder = bundle / "model" / src.stem
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / src.name
    shutil.copyfile(src, dest)
    digest = sha256_file(dest)
    entry = None
    if catalog_file.is_file():
        catalog = tomllib.loads(catalog_file.read_text(encoding="utf-8"))
        for e in catalog.get("model", []):
            if e.get("verified") and list(e.get("sha256", [])) == [digest]:
                entry = e
    manifest = {
        "format": MODEL_FORMAT,
        "version": 1,
        "name": src.stem,
        "files": [{"name": src.name, "size": dest.stat().st_size, "sha256": digest}],
        "sha256": digest,
        "licence": entry["licence"] if entry else "unknown",
        "licence_url": entry.get("licence_url", "") if entry else "",
        # Only the id: import looks the entry up in the installed app's own catalogue.
        "catalog_entry": {"id": entry["id"]} if entry else None,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"model {src.name}: sha256 {digest}{' (catalogue entry ' + entry['id'] + ')' if entry else ''}")


def cmd_checksums(bundle: Path) -> None:
    """SHA-256 of every file but the model (its manifest carries its hash; import checks it)."""
    lines = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        rel = path.relative_to(bundle).as_posix()
        if rel == "SHA256SUMS" or (rel.startswith("model/") and not rel.endswith("manifest.json")):
            continue
        lines.append(f"{sha256_file(path)}  {rel}")
    (bundle / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def cmd_pinned(pyproject: Path, name: str) -> None:
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    for dep in deps:
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;,]+)", dep)
        if m and normalise(m.group(1)) == normalise(name):
            print(m.group(2))
            return
    raise SystemExit(f"{name} is not pinned with == in {pyproject}")


def cmd_glibc(wheel: Path) -> None:
    """The newest glibc symbol version the wheel's shared libraries reference (0.0: none)."""
    newest = (0, 0)
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if re.search(r"\.so(\.|$)", name):
                for major, minor in re.findall(rb"GLIBC_(\d+)\.(\d+)", z.read(name)):
                    newest = max(newest, (int(major), int(minor)))
    print(f"{newest[0]}.{newest[1]}")


def main(argv: list[str]) -> None:
    commands = {"requirements": (cmd_requirements, 1), "bom": (cmd_bom, 1), "model": (cmd_model, 3),
                "checksums": (cmd_checksums, 1), "pinned": (cmd_pinned, 2), "glibc": (cmd_glibc, 1)}
    if not argv or argv[0] not in commands or len(argv) - 1 != commands[argv[0]][1]:
        raise SystemExit(__doc__)
    func = commands[argv[0]][0]
    args = [Path(a) for a in argv[1:]]
    if argv[0] == "pinned":
        args[1] = argv[2]  # a project name, not a path
    func(*args)


if __name__ == "__main__":
    main(sys.argv[1:])
