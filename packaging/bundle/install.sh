#!/usr/bin/env bash
# Install (or upgrade) Plansmith from this offline bundle. No network is used.
#
#   bash install.sh [--prefix DIR] [--bin-dir DIR] [--python PY] [--no-desktop] [--no-model] [--keep N]
#
#   --prefix DIR    where the app's virtual environments live (default ~/.local/opt/plansmith;
#                   /opt/plansmith for everyone, as root)
#   --bin-dir DIR   where the `plansmith` command is linked (default ~/.local/bin)
#   --python PY     the Python to build the venv from (default python3; must match the bundle's)
#   --no-desktop    do not add the desktop menu entry and icon
#   --no-model      do not import the model the bundle carries
#   --keep N        installed versions to keep, the new one included (default 2: one to roll back to)
#
# Each bundle installs into its own venv, PREFIX/versions/VERSION-ID; PREFIX/current points at
# the newest and is switched only after the new venv installed and started, so a failed
# upgrade leaves the old one working. Roll back: ln -sfn versions/OLD PREFIX/current.
# The user's settings, runs and models are not in the venv (they live in ~/.config/plansmith
# and ~/.local/share/plansmith, or under PLANSMITH_HOME) and are never touched here.
set -euo pipefail

bundle="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$HOME/.local/opt/plansmith"
bin_dir="$HOME/.local/bin"
PY=python3
desktop=1 import_model=1 keep=2

die() { echo "install: $*" >&2; exit 1; }
while (($#)); do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --python) PY="$2"; shift 2 ;;
    --no-desktop) desktop=0; shift ;;
    --no-model) import_model=0; shift ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || die "--keep wants a number >= 1"
mkdir -p "$prefix" "$bin_dir"
prefix="$(cd "$prefix" && pwd)"
bin_dir="$(cd "$bin_dir" && pwd)"

# 1. The bundle arrived whole (wheels are checked again by pip's --require-hashes).
if command -v sha256sum >/dev/null; then
  (cd "$bundle" && sha256sum --quiet -c SHA256SUMS) || die "the bundle is damaged or incomplete: copy it again"
fi

# 2. The Python matches the one the wheels were chosen for.
command -v "$PY" >/dev/null || die "no $PY: install Python $(sed -n 's/.*"python": "\(.*\)".*/\1/p' "$bundle/bundle.json") first"
read -r want version < <("$PY" - "$bundle/bundle.json" <<'PYCHECK'
import json, sys
b = json.load(open(sys.argv[1]))
print(b["python"], b["app_version"])
PYCHECK
)
have=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$have" = "$want" ] || die "this bundle is for Python $want, $PY is $have: use --python python$want or a bundle made with --python $have"

# 3. Native libraries the llama.cpp wheel links against: pip does not check them.
read -r need_glibc < <("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("llama_cpp_needs_glibc", "0.0"))' "$bundle/bundle.json")
have_glibc=$("$PY" -c 'import platform; print(platform.libc_ver()[1] or "0.0")')
if "$PY" -c 'import sys; a, b = (tuple(map(int, v.split("."))) for v in sys.argv[1:]); sys.exit(a <= b)' "$need_glibc" "$have_glibc"; then
  die "this bundle's llama.cpp needs glibc >= $need_glibc, this system has $have_glibc: make the bundle with --glibc $have_glibc (and a llama-cpp-python wheel built on such a system)"
fi
if command -v ldconfig >/dev/null && ! ldconfig -p 2>/dev/null | grep -q 'libgomp\.so\.1'; then
  echo "install: warning: libgomp.so.1 (OpenMP) not found; llama.cpp needs it (Debian/Ubuntu: libgomp1, Fedora: libgomp)" >&2
fi

# 4. A fresh venv for this bundle, installed from the bundle alone.
id=$(sha256sum "$bundle/requirements.txt" | cut -c1-12)
name="$version-$id"
venv="$prefix/versions/$name"
if [ -f "$venv/.installed" ]; then
  echo "==> Plansmith $version from this bundle is already installed in $venv"
else
  echo "==> Installing Plansmith $version into $venv"
  rm -rf "$venv"
  # --without-pip: works where ensurepip is missing (Debian without python3-venv); the
  # bundle's own pip wheel does the install and puts pip into the venv.
  "$PY" -m venv --without-pip "$venv"
  pip_wheel=$(ls "$bundle"/wheels/pip-*.whl | head -1)
  # PIP_CONFIG_FILE=/dev/null and --isolated: no pip.conf or PIP_* variable on this machine
  # can add an index, a find-links folder or constraints. Only the bundle's wheels are used.
  PIP_CONFIG_FILE=/dev/null "$venv/bin/python" "$pip_wheel/pip" --isolated install \
    --no-index --find-links "$bundle/wheels" --require-hashes --no-cache-dir \
    --disable-pip-version-check --no-warn-script-location -q -r "$bundle/requirements.txt" \
    || { rm -rf "$venv"; die "pip could not install the bundle (nothing changed; the previous version still runs)"; }
  got=$("$venv/bin/plansmith" --version 2>&1) || { rm -rf "$venv"; die "the new install does not start: $got"; }
  cp "$bundle/bundle.json" "$venv/bundle.json"
  cp "$bundle/bom.json" "$venv/bom.json"
  touch "$venv/.installed"
  echo "    $got"
fi

# 5. Switch PREFIX/current to it (atomic rename), link the command.
previous=$(readlink "$prefix/current" 2>/dev/null || true)
ln -sfn "versions/$name" "$prefix/current.new"
mv -T "$prefix/current.new" "$prefix/current"
ln -sfn "$prefix/current/bin/plansmith" "$bin_dir/plansmith"
touch "$venv"  # the newest by time, whatever the order bundles were installed in
if [ -n "$previous" ] && [ "$previous" != "versions/$name" ]; then
  echo "==> Upgraded from ${previous#versions/} (kept for rollback: ln -sfn $previous $prefix/current)"
fi
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "    note: $bin_dir is not on PATH; add it, or run $bin_dir/plansmith" ;; esac

# 6. Drop versions beyond the newest $keep (by install time), never the current one.
ls -1dt "$prefix"/versions/*/ 2>/dev/null | tail -n +"$((keep + 1))" | while read -r old; do
  old="${old%/}"
  [ "$old" = "$venv" ] || { echo "    removing old version $(basename "$old")"; rm -rf "$old"; }
done

# 7. The model the bundle carries, unless the same file is installed already.
if ((import_model)); then
  for manifest in "$bundle"/model/*/manifest.json; do
    [ -f "$manifest" ] || continue
    folder=$(dirname "$manifest")
    state=$("$venv/bin/python" - "$manifest" <<'PYMODEL'
import json, sys
from desktop.paths import AppPaths
m = json.load(open(sys.argv[1]))
models = AppPaths.default().models_dir
states = []
for f in m["files"]:
    target = models / f["name"]
    if not target.exists():
        states.append("missing")
    elif target.stat().st_size == f["size"]:
        states.append("present")
    else:
        states.append("different")
print("different" if "different" in states else "missing" if "missing" in states else "present")
PYMODEL
)
    case "$state" in
      present) echo "==> Model $(basename "$folder") is already installed" ;;
      different) echo "install: warning: a different model file named like $(basename "$folder") is installed; left as it is" >&2 ;;
      *) echo "==> Importing model $(basename "$folder") (SHA-256 checked)"
         "$venv/bin/plansmith" models import "$folder" ;;
    esac
  done
fi

# 8. Menu entry and icon (XDG), pointing at the linked command.
if ((desktop)) && [ -f "$bundle/linux/install-desktop.sh" ]; then
  bash "$bundle/linux/install-desktop.sh" --exec "$bin_dir/plansmith" --icons "$bundle/linux" || \
    echo "install: warning: the desktop entry could not be installed (the app works without it)" >&2
fi

echo "Done. Run: plansmith (window), plansmith doctor (check), plansmith --help (command line)"
