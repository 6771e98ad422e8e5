"""Packaging: the offline bundle (make, install with the index off, run, upgrade keeping
settings), its hashed requirements and bill of materials, the desktop entry, the icon, and
the About box's build information."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUNDLE_DIR = REPO / "packaging" / "bundle"
LINUX_DIR = REPO / "packaging" / "linux"
CACHE = Path(os.environ.get("PLANSMITH_CACHE", Path.home() / ".cache" / "plansmith-dev"))
sys.path.insert(0, str(BUNDLE_DIR))

import bundle_tool  # noqa: E402


# -- hashed requirements and the bill of materials ---------------------------------------


def fake_wheel(folder: Path, name: str, version: str, **headers: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    meta = [f"Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}", "Summary: test"]
    for key, value in headers.items():
        for line in value if isinstance(value, list) else [value]:
            meta.append(f"{key.replace('_', '-')}: {line}")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", "\n".join(meta) + "\n")
        z.writestr(f"{name.lower()}/__init__.py", "")
    return path


def write_bundle_json(bundle: Path) -> None:
    (bundle / "bundle.json").write_text(json.dumps({
        "app_version": "9.9", "python": "3.11", "arch": "x86_64", "glibc": "2.36",
        "platforms": ["linux_x86_64"], "created": "now",
    }))


def test_requirements_pin_and_hash_every_wheel_and_bom_reads_licences(tmp_path):
    wheels = tmp_path / "wheels"
    a = fake_wheel(wheels, "Alpha_Pkg", "1.2.3", License_Expression="MIT")
    b = fake_wheel(wheels, "beta", "0.1", Classifier=["License :: OSI Approved :: BSD License", "Topic :: X"])
    fake_wheel(wheels, "gamma", "2.0", License="Copyright (c) someone\nPermission is hereby granted ...")
    fake_wheel(wheels, "delta", "3.0")
    write_bundle_json(tmp_path)
    bundle_tool.cmd_requirements(tmp_path)
    bundle_tool.cmd_bom(tmp_path)

    req = (tmp_path / "requirements.txt").read_text()
    assert f"alpha-pkg==1.2.3 \\\n    --hash=sha256:{hashlib.sha256(a.read_bytes()).hexdigest()}" in req
    assert f"beta==0.1 \\\n    --hash=sha256:{hashlib.sha256(b.read_bytes()).hexdigest()}" in req
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}", req)) == 4

    bom = {p["name"]: p for p in json.loads((tmp_path / "bom.json").read_text())["packages"]}
    assert bom["Alpha_Pkg"]["licence"] == "MIT"
    assert bom["beta"]["licence"] == "BSD License"
    assert bom["gamma"]["licence"].startswith("Copyright (c) someone")
    assert bom["delta"]["licence"] == "unknown"
    assert bom["beta"]["sha256"] == hashlib.sha256(b.read_bytes()).hexdigest()
    text = (tmp_path / "bom.txt").read_text()
    assert "Alpha_Pkg" in text and bom["beta"]["sha256"] in text


def test_a_bundle_with_an_sdist_or_two_versions_of_one_package_is_refused(tmp_path):
    fake_wheel(tmp_path / "wheels", "alpha", "1.0")
    (tmp_path / "wheels" / "alpha-1.0.tar.gz").write_bytes(b"sdist")
    with pytest.raises(SystemExit, match="not wheels"):
        bundle_tool.cmd_requirements(tmp_path)
    (tmp_path / "wheels" / "alpha-1.0.tar.gz").unlink()
    fake_wheel(tmp_path / "wheels", "alpha", "1.1")
    with pytest.raises(SystemExit, match="two wheels of alpha"):
        bundle_tool.cmd_requirements(tmp_path)


def test_glibc_needed_by_a_wheels_libraries(tmp_path, capsys):
    wheel = tmp_path / "native-1.0-py3-none-linux_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("native/lib/libx.so.0", b"\x7fELF...GLIBC_2.17\x00GLIBC_2.34\x00GLIBC_2.4\x00")
        z.writestr("native/data.txt", b"GLIBC_2.99")  # not a shared library
    bundle_tool.cmd_glibc(wheel)
    assert capsys.readouterr().out.strip() == "2.34"


def test_llama_cpp_python_is_pinned_exactly(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(BUNDLE_DIR / "bundle_tool.py"), "pinned", str(REPO / "pyproject.toml"), "llama-cpp-python"],
        capture_output=True, text=True, check=True,
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", proc.stdout.strip())


# -- desktop entry and icon ----------------------------------------------------------------


def test_desktop_entry_installs_into_xdg_data_home_and_uninstalls(tmp_path):
    exe = tmp_path / "my apps" / "plansmith"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    data = tmp_path / "xdg-data"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    subprocess.run(["bash", str(LINUX_DIR / "install-desktop.sh"), "--exec", str(exe)], env=env, check=True,
                   capture_output=True)
    entry = (data / "applications" / "plansmith.desktop").read_text()
    assert f'Exec="{exe}"' in entry.splitlines()
    assert "Icon=plansmith" in entry and "Type=Application" in entry and "Categories=Development;" in entry
    assert (data / "icons/hicolor/scalable/apps/plansmith.svg").read_bytes() == (REPO / "resources/icons/plansmith.svg").read_bytes()
    assert (data / "icons/hicolor/256x256/apps/plansmith.png").is_file()
    subprocess.run(["bash", str(LINUX_DIR / "install-desktop.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not (data / "applications" / "plansmith.desktop").exists()
    assert not (data / "icons/hicolor/scalable/apps/plansmith.svg").exists()


def test_icon_svg_and_its_png_render():
    import xml.etree.ElementTree as ET

    root = ET.parse(REPO / "resources/icons/plansmith.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"
    png = (REPO / "resources/icons/plansmith.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (256, 256)


# -- About box -----------------------------------------------------------------------------


def test_system_info_is_grouped_per_backend():
    from desktop.ui.about import parse_system_info

    text = "CUDA : ARCHS = 890 | USE_GRAPHS = 1 | F16 = 0 | CPU : SSE3 = 1 | AVX2 = 1 | AMX_INT8 = 0 | "
    assert parse_system_info(text) == {"CUDA": ["ARCHS = 890", "USE_GRAPHS"], "CPU": ["SSE3", "AVX2"]}
    assert parse_system_info("") == {}


def test_about_box_shows_versions_and_the_real_build_features(qtbot):
    import llama_cpp  # noqa: F401  (the test compares against it; the dialog goes through desktop.llm)
    from PySide6.QtGui import QGuiApplication

    from desktop import __version__
    from desktop.ui.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    rows = dialog.rows
    assert rows["Plansmith"] == __version__
    assert rows["Python"].startswith("CPython " + ".".join(map(str, sys.version_info[:3])))
    assert rows["llama-cpp-python"] == llama_cpp.__version__
    assert "llama.cpp CPU" in rows and rows["GPU offload"] in ("yes", "no (CPU-only build)")
    dialog.copy_details()
    copied = QGuiApplication.clipboard().text()
    assert f"llama-cpp-python: {llama_cpp.__version__}" in copied and "llama_print_system_info: CPU" in copied


def test_about_box_without_llama_cpp_says_so(qtbot):
    from desktop.ui.about import AboutDialog, RuntimeInfo

    dialog = AboutDialog(probe=lambda: RuntimeInfo(None, error="llama-cpp-python is not installed: models cannot run in the app."))
    qtbot.addWidget(dialog)
    assert dialog.rows["llama-cpp-python"].startswith("llama-cpp-python is not installed")
    assert "GPU offload" not in dialog.rows


# -- the whole offline bundle: make, install offline, run, upgrade -------------------------


def llama_wheel_args() -> list[str]:
    """The portable wheel dev.sh built into the wheelhouse; else make_bundle builds one (slow)."""
    version = bundle_tool_pinned()
    found = sorted((CACHE / "wheelhouse").glob(f"llama_cpp_python-{version}-*.whl"))
    return ["--llama-wheel", str(found[-1])] if found else []


def bundle_tool_pinned() -> str:
    import tomllib

    for dep in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]:
        m = re.match(r"llama[-_]cpp[-_]python\s*==\s*(\S+)", dep)
        if m:
            return m.group(1)
    raise AssertionError("llama-cpp-python is not pinned")


def run(cmd, *, env=None, timeout=900, offline=False) -> subprocess.CompletedProcess:
    cmd = [str(c) for c in cmd]
    if offline and shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        cmd = ["unshare", "-n", *cmd]  # no network at all, as on the air-gapped machine
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def newer_source(dest: Path) -> str:
    """A copy of this source tree with the next patch version: the 'newer' release."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.gguf", "*.part")
    for item in ("desktop", "resources", "models"):
        shutil.copytree(REPO / item, dest / item, ignore=ignore)
    for item in ("pyproject.toml", "README.md", ".gitignore"):
        shutil.copy2(REPO / item, dest / item)
    old = re.search(r'^version = "([^"]+)"', (dest / "pyproject.toml").read_text(), re.M).group(1)
    major, minor, micro = (re.match(r"(\d+)\.(\d+)\.(\d+)", old).groups())
    new = f"{major}.{minor}.{int(micro) + 1}"
    for path, pattern in ((dest / "pyproject.toml", r'^version = "[^"]+"'), (dest / "desktop/__init__.py", r'^__version__ = "[^"]+"')):
        text = path.read_text()
        path.write_text(re.sub(pattern, pattern.split(" = ")[0].lstrip("^") + f' = "{new}"', text, count=1, flags=re.M))
    return new


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~2 minutes with the cached llama wheel; a fresh llama build adds 5-9
def test_offline_bundle_installs_runs_and_upgrades_keeping_settings(tmp_path, smollm2_path):
    from desktop import __version__

    make = BUNDLE_DIR / "make_bundle.sh"
    home, prefix, bin_dir, xdg_data = (tmp_path / n for n in ("home", "apps", "bin", "xdg-data"))
    bundle1, bundle2 = tmp_path / "bundle-1", tmp_path / "bundle-2"
    try:
        # 1. On the connected machine: the bundle, with the model.
        run(["bash", make, "--out", bundle1, "--model", smollm2_path, *llama_wheel_args()])
        req = (bundle1 / "requirements.txt").read_text()
        pinned = re.findall(r"^(\S+)==(\S+) \\\n    --hash=sha256:([0-9a-f]{64})$", req, re.M)
        wheels = sorted((bundle1 / "wheels").iterdir())
        assert wheels and all(w.suffix == ".whl" for w in wheels)
        assert len(pinned) == len(wheels)  # every wheel pinned and hashed, nothing else
        names = {name for name, _, _ in pinned}
        assert {"plansmith", "llama-cpp-python", "pyside6-essentials", "huggingface-hub", "pip"} <= names
        bom = json.loads((bundle1 / "bom.json").read_text())
        assert {p["name"].lower().replace("_", "-") for p in bom["packages"]} == names
        assert all(p["licence"] and re.fullmatch(r"[0-9a-f]{64}", p["sha256"]) for p in bom["packages"])
        assert bom["model"]["sha256"] == hashlib.sha256(smollm2_path.read_bytes()).hexdigest()
        manifest = json.loads(next((bundle1 / "model").glob("*/manifest.json")).read_text())
        assert manifest["format"] == "plansmith-model" and manifest["catalog_entry"]["id"] == "smollm2-135m"

        # 2. On the air-gapped machine: install with the index switched off (and, where the
        # kernel allows it, in a network namespace with no network at all).
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLANSMITH_")}
        env.update(PLANSMITH_HOME=str(home), XDG_DATA_HOME=str(xdg_data), PIP_NO_INDEX="1", HF_HUB_OFFLINE="1",
                   https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9")
        install = ["bash", "install.sh", "--prefix", prefix, "--bin-dir", bin_dir]
        proc = run([*install[:1], bundle1 / "install.sh", *install[2:]], env=env, offline=True)
        assert "Importing model" in proc.stdout
        plansmith = bin_dir / "plansmith"
        assert (prefix / "current").resolve().parent == prefix / "versions"
        entry = (xdg_data / "applications" / "plansmith.desktop").read_text()
        assert f"Exec={plansmith}" in entry.splitlines()

        doctor = run([plansmith, "doctor"], env=env, offline=True).stdout
        assert f"Plansmith {__version__}" in doctor
        assert f"llama-cpp-python {bundle_tool_pinned()}" in doctor
        assert re.search(r"smollm2-135m\s+\d+ MB\s+OK", doctor), doctor

        # 3. A CLI job with the installed app and the model the bundle carried.
        repo = tmp_path / "repo"
        shutil.copytree(REPO / "tests" / "fixtures" / "smallrepo", repo)
        model = home / "data" / "models" / smollm2_path.name
        assert model.is_file()
        job = run([plansmith, "run", repo / "plan.md", "--repo", repo, "--model", model, "--reflection-only",
                   "--reflection-tokens", 16, "--context", 2048], env=env, offline=True, timeout=300)
        assert "Saved as run" in job.stderr and job.stdout.strip()

        # The user's settings: written by the installed app, in the config folder, never in the venv.
        py = prefix / "current" / "bin" / "python"
        run([py, "-c", "from desktop.paths import AppPaths; from desktop.settings import load_settings, save_settings;"
             "p = AppPaths.default().settings_file; s = load_settings(p); s.context_size = 4096; s.threads = 1;"
             "s.temperature = 0.3; save_settings(s, p)"], env=env)
        settings = home / "config" / "settings.json"
        before = settings.read_bytes()
        assert not settings.resolve().is_relative_to(prefix.resolve())
        # Without PLANSMITH_HOME the app uses the platformdirs (XDG) folders, also outside the venv.
        xdg_env = {k: v for k, v in env.items() if k != "PLANSMITH_HOME"}
        xdg_env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
        where = run([py, "-c", "from desktop.paths import AppPaths; print(AppPaths.default().settings_file)"], env=xdg_env)
        assert Path(where.stdout.strip()) == tmp_path / "xdg-config" / "plansmith" / "settings.json"

        # 4. A newer release, bundled the same way, installed over the old one.
        new_version = newer_source(tmp_path / "src-new")
        run(["bash", make, "--out", bundle2, "--source", tmp_path / "src-new", "--model", smollm2_path, *llama_wheel_args()])
        shutil.rmtree(bundle1)  # the old bundle is gone: nothing of it is needed any more
        proc = run([*install[:1], bundle2 / "install.sh", *install[2:]], env=env, offline=True)
        assert "Upgraded from" in proc.stdout and "already installed" in proc.stdout  # the model too
        assert run([plansmith, "--version"], env=env).stdout.strip() == f"plansmith {new_version}"
        assert len(list((prefix / "versions").iterdir())) == 2  # the previous one kept for rollback
        assert settings.read_bytes() == before
        kept = run([py, "-c", "from desktop.paths import AppPaths; from desktop.settings import load_settings;"
                    "s = load_settings(AppPaths.default().settings_file); print(s.context_size, s.threads, s.temperature)"],
                   env=env)
        assert kept.stdout.split() == ["4096", "1", "0.3"]
        runs = run([plansmith, "runs"], env=env).stdout
        assert "low-stock-report" in runs  # the run saved before the upgrade is still there
        assert "Plansmith " + new_version in run([plansmith, "doctor"], env=env, offline=True).stdout
    finally:
        for big in (bundle1, bundle2, prefix):
            shutil.rmtree(big, ignore_errors=True)
