#!/usr/bin/env bash
# Screenshots of the real app window under a virtual X server (Xvfb).
#   packaging/screenshots.sh [OUT_DIR [--only window|pane|recovery|settings] [--delay S]]
#   OUT_DIR defaults to screenshots/ at the repo root (git-ignored).
# Installs what is missing with apt-get (as root, or through sudo): Xvfb, ImageMagick
# (`import`, for shots that include a dialog) and the xcb libraries Qt's X11 plugin needs.
# PYTHON picks the interpreter (default: the repo's .venv).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$repo/screenshots}")"
python="${PYTHON:-$repo/.venv/bin/python}"

# Qt's xcb plugin loads these at start; a machine with the GL/EGL libraries may still lack
# some (icccm and keysyms were missing on a fresh one).
qt_xcb_libs=(libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0
             libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0)
missing=()
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
command -v xauth >/dev/null || missing+=(xauth)
command -v import >/dev/null || missing+=(imagemagick)
for pkg in "${qt_xcb_libs[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "Installing: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
        $(printf '%s\n' "${missing[@]}" | sort -u)
fi

mkdir -p "$out"
cd "$repo"
# 1280x720: the smallest screen the app must work on. -a picks a free display number.
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x720x24 -nolisten tcp" \
    "$python" packaging/screenshots.py "$out" "${@:2}"
echo "Screenshots in $out"
