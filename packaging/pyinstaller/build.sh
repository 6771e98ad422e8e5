#!/usr/bin/env bash
# Build Plansmith as a one-folder desktop app with PyInstaller (Linux), then check it runs.
#
#   bash packaging/pyinstaller/build.sh [--llama-wheel FILE] [--model FILE.gguf] [--no-checks] [--archive]
#
#   --llama-wheel FILE  the llama-cpp-python wheel to freeze (default: the dev wheelhouse's,
#                       ~/.cache/plansmith-dev/wheelhouse; built there when missing, portable CPU flags)
#   --model FILE.gguf   model for the frozen CLI job check (default: SmolLM2 from the test-model
#                       cache when present; the job is skipped when there is none)
#   --no-checks         build only: no doctor, CLI job or screenshot
#   --archive           also pack dist/plansmith into packaging/out/plansmith-VERSION-linux-ARCH.tar.gz
#
# Everything goes under packaging/out/ (git-ignored): pyinstaller-venv/ (PyInstaller from PyPI,
# never the dev .venv), build/, dist/plansmith/, and the checks' output: doctor.txt, job.txt,
# screenshot.png (the app's window under Xvfb; xvfb, xdotool and imagemagick are installed
# with apt-get when missing).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/packaging/out"
venv="$out/pyinstaller-venv"
dist="$out/dist"
PY=${PYTHON:-python3}
CACHE=${PLANSMITH_CACHE:-$HOME/.cache/plansmith-dev}
LLAMA_CMAKE_ARGS=${LLAMA_CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF"}
llama_wheel="" model="" checks=1 archive=0

while (($#)); do
  case "$1" in
    --llama-wheel) llama_wheel="$(realpath "$2")"; shift 2 ;;
    --model) model="$(realpath "$2")"; shift 2 ;;
    --no-checks) checks=0; shift ;;
    --archive) archive=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

t0=$(date +%s)
stage_start=0
stage() { stage_start=$(date +%s); echo "==> $1"; }
stage_done() { echo "    ($(( $(date +%s) - stage_start )) s)"; }
quiet_pip() { "$@" 2>&1 | { grep -v "^WARNING: Location '" || true; }; return "${PIPESTATUS[0]}"; }

stage "build venv $venv (PyInstaller from PyPI)"
[ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
quiet_pip "$venv/bin/python" -m pip install -q --upgrade pip pyinstaller
stage_done

llama_version=$("$PY" "$repo/packaging/bundle/bundle_tool.py" pinned "$repo/pyproject.toml" llama-cpp-python)
stage "llama-cpp-python $llama_version wheel"
if [ -z "$llama_wheel" ]; then
  llama_wheel=$(ls "$CACHE"/wheelhouse/llama_cpp_python-"$llama_version"-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$llama_wheel" ]; then
    echo "    building it from the sdist (portable CPU flags: $LLAMA_CMAKE_ARGS), 5-9 minutes on 2 cores"
    mkdir -p "$CACHE/wheelhouse"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" nice -n 10 "$venv/bin/python" -m pip wheel -q --no-deps --no-cache-dir \
      --no-binary llama-cpp-python -w "$CACHE/wheelhouse" "llama-cpp-python==$llama_version"
    llama_wheel=$(ls "$CACHE"/wheelhouse/llama_cpp_python-"$llama_version"-*.whl | head -1)
  fi
fi
echo "    $llama_wheel"
stage_done

stage "install Plansmith and its dependencies into the build venv"
quiet_pip "$venv/bin/python" -m pip install -q "$llama_wheel" "$repo"
# The same version number again would be skipped: always freeze the working tree as it is.
quiet_pip "$venv/bin/python" -m pip install -q --no-deps --force-reinstall "$repo"
stage_done

stage "pyinstaller plansmith.spec"
(cd "$here" && nice -n 10 "$venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$dist" --workpath "$out/build" plansmith.spec)
app="$dist/plansmith/plansmith"
echo "    $app ($(du -sh "$dist/plansmith" | cut -f1))"
# Every shared library in the app resolves its own dependencies (from the app, or from the
# system libraries PyInstaller leaves out on purpose: libc, libGL, ...).
unresolved=$(find "$dist/plansmith" -name '*.so*' -type f -print0 | \
  LD_LIBRARY_PATH="$dist/plansmith/_internal" xargs -0 ldd 2>/dev/null | grep -B30 "not found" | grep -E "^/|not found" || true)
[ -z "$unresolved" ] || { echo "$unresolved"; echo "unresolved libraries in the frozen app"; exit 1; }
stage_done

if ((archive)); then
  stage "archive"
  version=$("$app" --version | awk '{print $2}')
  tarball="$out/plansmith-$version-linux-$(uname -m).tar.gz"
  tar -C "$dist" -czf "$tarball" plansmith
  echo "    $tarball ($(du -h "$tarball" | cut -f1))"
  stage_done
fi

if ((checks)); then
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
  export PLANSMITH_HOME="$home/plansmith-home" HF_HUB_OFFLINE=1

  stage "frozen app: --version and doctor"
  "$app" --version
  "$app" doctor | tee "$out/doctor.txt"
  grep -q "llama-cpp-python $llama_version" "$out/doctor.txt" || { echo "doctor does not see llama-cpp-python"; exit 1; }
  stage_done

  model=${model:-$CACHE/../plansmith-test-models/SmolLM2-135M-Instruct.Q4_1.gguf}
  if [ -f "$model" ]; then
    stage "frozen app: models import and a CLI job (Phase 1, 16 tokens)"
    "$app" models import "$model"
    cp -r "$repo/tests/fixtures/smallrepo" "$home/repo"
    "$app" run "$home/repo/plan.md" --repo "$home/repo" --reflection-only --reflection-tokens 16 --context 2048 \
      > "$out/job.txt" 2>&1 || { cat "$out/job.txt"; echo "the frozen CLI job failed"; exit 1; }
    tail -3 "$out/job.txt"
    stage_done
  else
    echo "==> no model at $model: CLI job not run (pass --model FILE.gguf)"
  fi

  stage "frozen app: window under Xvfb, screenshot"
  missing=()
  for tool in Xvfb:xvfb xdotool:xdotool import:imagemagick; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  if ((${#missing[@]})); then
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "    installing ${missing[*]}"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  display=99
  while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
  Xvfb ":$display" -screen 0 1280x720x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  app_pid=""
  cleanup() {
    [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
    kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$home"
  }
  trap cleanup EXIT
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
  export DISPLAY=":$display"
  started=$(date +%s.%N)
  QT_QPA_PLATFORM=xcb "$app" > "$out/gui.log" 2>&1 &
  app_pid=$!
  window=$(timeout 60 xdotool search --sync --onlyvisible --name Plansmith | head -1) \
    || { cat "$out/gui.log"; echo "no Plansmith window within 60 s"; exit 1; }
  shown=$(date +%s.%N)
  sleep 3  # let the first paint and the model list settle
  import -window root "$out/screenshot.png"
  # The desktop entry's StartupWMClass=plansmith groups the window under its menu entry.
  xdotool search --class '^plansmith$' | grep -qx "$window" || echo "    warning: the window's WM_CLASS is not plansmith"
  echo "    window $window: \"$(xdotool getwindowname "$window")\", shown $(awk "BEGIN { printf \"%.1f\", $shown - $started }") s after start"
  kill -0 "$app_pid" 2>/dev/null || { cat "$out/gui.log"; echo "the app exited"; exit 1; }
  echo "    $out/screenshot.png"
  stage_done
fi

echo "Built $dist/plansmith in $(( $(date +%s) - t0 )) s"
