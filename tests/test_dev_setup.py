"""packaging/dev.sh's checks: what a bare machine lacks (and the command that installs it), and
the llama.cpp backend it builds for the hardware found (fake nvidia-smi / nvcc on PATH)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(script: str, *, path: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", "-c", f"PORTABLE_CMAKE_ARGS=PORTABLE; . packaging/prereqs.sh; {script}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), **env})


def tool(folder: Path, name: str, body: str = "exit 0") -> None:
    (folder / name).write_text(f"#!/bin/sh\n{body}\n")
    (folder / name).chmod(0o755)


def test_a_bare_machine_is_told_the_one_command_that_installs_what_is_missing(tmp_path):
    tool(tmp_path, "id", "echo 1000")  # not root: nothing is installed, the command is printed
    result = sh("check_prereqs test 1 0", path=str(tmp_path))
    assert result.returncode == 1
    assert "Missing: cc c++ cmake git" in result.stdout
    assert "sudo apt-get install -y build-essential cmake git" in result.stdout
    assert "sudo dnf install -y gcc gcc-c++ cmake git" in result.stdout
    for name in ("cc", "c++", "cmake", "git"):
        tool(tmp_path, name)
    assert sh("check_prereqs test 1 0", path=str(tmp_path)).returncode == 0
    # With the wheel cached, no compiler is needed.
    for name in ("cc", "c++", "cmake"):
        (tmp_path / name).unlink()
    assert sh("check_prereqs test 0 0", path=str(tmp_path)).returncode == 0


def test_the_window_needs_qt_xcb_libraries_and_says_which_packages(tmp_path):
    tool(tmp_path, "id", "echo 1000")
    tool(tmp_path, "uname", "echo Linux")
    tool(tmp_path, "ldconfig", "echo '\tlibxcb-icccm.so.4 (libc6,x86-64) => /usr/lib/libxcb-icccm.so.4'")
    result = sh("check_prereqs run 0 0", path=f"{tmp_path}:/usr/bin:/bin")
    assert result.returncode == 1
    assert "libxcb-cursor0" in result.stdout and "libxcb-icccm4" not in result.stdout
    assert "xcb-util-cursor" in result.stdout  # Fedora's name


def test_the_backend_follows_the_gpu_found(tmp_path):
    base = f"{tmp_path}:/usr/bin:/bin"
    show = 'choose_llama_flags; echo "$LLAMA_CMAKE_ARGS|$LLAMA_BACKEND"'
    assert sh(show, path=base).stdout.startswith("PORTABLE|CPU")
    tool(tmp_path, "nvidia-smi", 'echo "9.0"; echo "8.6"; echo "9.0"')
    tool(tmp_path, "nvcc")
    flags, why = sh(show, path=base).stdout.strip().split("|")
    assert "-DGGML_CUDA=ON" in flags and "-DCMAKE_CUDA_ARCHITECTURES=86;90" in flags and "CUDA" in why
    assert sh(show, path=base, PLANSMITH_CPU_ONLY="1").stdout.startswith("PORTABLE|CPU (PLANSMITH_CPU_ONLY=1)")
    assert sh(show, path=base, LLAMA_CMAKE_ARGS="-DMINE=1").stdout.startswith("-DMINE=1|")
