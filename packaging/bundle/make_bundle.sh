#!/usr/bin/env bash
# Make an offline install bundle of Plansmith (run on a machine WITH network access).
#
#   bash packaging/bundle/make_bundle.sh [options]
#
#   --out DIR            bundle folder (default: packaging/out/bundles/plansmith-VERSION-cpXY-ARCH)
#   --python X.Y         target CPython version (default: this python3's)
#   --glibc 2.N          the target's glibc (default: this machine's); wheels up to manylinux_2_N
#   --platform TAG       exact target platform tags instead, repeatable (as pip download takes them)
#   --llama-wheel FILE   use this llama-cpp-python wheel instead of building one from the sdist
#   --model FILE.gguf    also carry this model, with a manifest (SHA-256) for `plansmith models import`
#   --extra NAME         install an optional extra of the app too (e.g. nvidia), repeatable
#   --source DIR         the Plansmith source tree to package (default: this checkout)
#   --cache DIR          download and build cache (default: ~/.cache/plansmith-dev/bundle)
#
# The bundle holds only wheels (no sdists: nothing is compiled on the target), a hashed
# requirements.txt, bom.json / bom.txt, bundle.json, SHA256SUMS, install.sh and the desktop
# entry files. Copy the folder to the air-gapped machine and run its install.sh.
#
# llama-cpp-python ships on PyPI as source only. Without --llama-wheel it is built here as a
# portable CPU wheel (LLAMA_CMAKE_ARGS, default -DGGML_NATIVE=OFF with AVX2), cached by flags.
# For a GPU build set LLAMA_CMAKE_ARGS (see packaging/PACKAGING.md) or pass --llama-wheel.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
PY=${PYTHON:-python3}
tool="$here/bundle_tool.py"

out="" target_py="" glibc="" llama_wheel="" model="" source="$repo"
platforms=() extras=()
cache="${PLANSMITH_CACHE:-$HOME/.cache/plansmith-dev}/bundle"
LLAMA_CMAKE_ARGS=${LLAMA_CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF"}

die() { echo "make_bundle: $*" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --python) target_py="$2"; shift 2 ;;
    --platform) platforms+=("$2"); shift 2 ;;
    --glibc) glibc="$2"; shift 2 ;;
    --llama-wheel) llama_wheel="$(realpath "$2")"; shift 2 ;;
    --model) model="$(realpath "$2")"; shift 2 ;;
    --extra) extras+=("$2"); shift 2 ;;
    --source) source="$(realpath "$2")"; shift 2 ;;
    --cache) cache="$(realpath -m "$2")"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

t0=$(date +%s)
stage_start=0
stage() { stage_start=$(date +%s); echo "==> $1"; }
stage_done() { echo "    ($(( $(date +%s) - stage_start )) s)"; }

[ -f "$source/pyproject.toml" ] || die "$source has no pyproject.toml"
[ -z "$llama_wheel" ] || [ -f "$llama_wheel" ] || die "no such wheel: $llama_wheel"
[ -z "$model" ] || [ -f "$model" ] || die "no such model file: $model"

host_py=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
target_py=${target_py:-$host_py}
[[ "$target_py" =~ ^3\.[0-9]+$ ]] || die "--python wants X.Y, got $target_py"
pyxy=${target_py/./}
arch=$(uname -m)
glibc=${glibc:-$("$PY" -c 'import platform; print(platform.libc_ver()[1])')}
[[ "$glibc" =~ ^2\.[0-9]+$ ]] || die "--glibc wants 2.N, got $glibc"
if ((${#platforms[@]} == 0)); then
  # pip does not widen manylinux_2_N to older glibc versions by itself: list them all,
  # with the legacy aliases (manylinux2014 = 2.17, manylinux2010 = 2.12, manylinux1 = 2.5).
  for ((minor = ${glibc#2.}; minor >= 5; minor--)); do
    platforms+=("manylinux_2_${minor}_$arch")
    case $minor in 17) platforms+=("manylinux2014_$arch") ;; 12) platforms+=("manylinux2010_$arch") ;; 5) platforms+=("manylinux1_$arch") ;; esac
  done
  platforms+=("linux_$arch")
fi
app_version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$source/pyproject.toml" | head -1)
llama_version=$("$PY" "$tool" pinned "$source/pyproject.toml" llama-cpp-python)
out="$(realpath -m "${out:-$repo/packaging/out/bundles/plansmith-$app_version-cp$pyxy-$arch}")"
work="$cache/work.$$"
mkdir -p "$cache/pip" "$work"
trap 'rm -rf "$work"' EXIT
echo "Plansmith $app_version for CPython $target_py, $arch, glibc >= $glibc -> $out"

rm -rf "$out"
mkdir -p "$out/wheels"

stage "the app's own wheel (pip wheel --no-deps $source)"
"$PY" -m pip wheel -q --no-deps --cache-dir "$cache/pip" -w "$work/app" "$source"
# models/ is force-included in the wheel: a .gguf dropped into a checkout's models/ would
# ride along (gigabytes). Models travel with --model instead.
"$PY" -c 'import sys, zipfile; sys.exit(any(n.endswith(".gguf") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' \
  "$work"/app/plansmith-*.whl || die "the app wheel contains .gguf files (from $source/models/): move them out, use --model"
cp "$work"/app/plansmith-*.whl "$out/wheels/"
stage_done

stage "llama-cpp-python $llama_version wheel"
if [ -n "$llama_wheel" ]; then
  echo "    using $llama_wheel"
  llama_source="prebuilt wheel $(basename "$llama_wheel")"
else
  # pip's wheel cache is keyed by the sdist only, not by CMAKE_ARGS: keep our own, per flags.
  key=$(printf '%s %s %s' "$llama_version" "$LLAMA_CMAKE_ARGS" "$arch" | sha256sum | cut -c1-16)
  built="$cache/llama-wheels/$key"
  if ! ls "$built"/llama_cpp_python-"$llama_version"-*.whl >/dev/null 2>&1; then
    echo "    building from the sdist with CMAKE_ARGS=\"$LLAMA_CMAKE_ARGS\" (5-9 minutes on 2 cores)"
    mkdir -p "$built.tmp"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" nice -n 10 "$PY" -m pip wheel -q --no-deps --no-cache-dir \
      --no-binary llama-cpp-python -w "$built.tmp" "llama-cpp-python==$llama_version" \
      2> >(grep -v "^WARNING: Location '" >&2)
    rm -rf "$built"; mv "$built.tmp" "$built"
    printf '%s\n' "$LLAMA_CMAKE_ARGS" > "$built/CMAKE_ARGS"
  fi
  llama_wheel=$(ls "$built"/llama_cpp_python-"$llama_version"-*.whl | head -1)
  llama_source="built from the sdist with CMAKE_ARGS=$LLAMA_CMAKE_ARGS"
  echo "    $llama_wheel"
fi
# The wheel's libraries link against the glibc of the machine that built them: a target
# with an older glibc could not load them. Build on (or in a container of) the oldest glibc.
llama_glibc=$("$PY" "$tool" glibc "$llama_wheel")
if "$PY" -c 'import sys; a, b = (tuple(map(int, v.split("."))) for v in sys.argv[1:]); sys.exit(a <= b)' "$llama_glibc" "$glibc"; then
  die "$(basename "$llama_wheel") needs glibc >= $llama_glibc, the target has $glibc: build llama-cpp-python on a machine (or container) with glibc <= $glibc, or target a newer system with --glibc"
fi
echo "    needs glibc >= $llama_glibc"
cp "$llama_wheel" "$out/wheels/"
stage_done

stage "every other wheel for CPython $target_py (pip download, cached in $cache/pip)"
app_wheel=$(ls "$out"/wheels/plansmith-*.whl)
spec="$app_wheel"
if ((${#extras[@]})); then spec="$app_wheel[$(IFS=,; echo "${extras[*]}")]"; fi
platform_args=()
for p in "${platforms[@]}"; do platform_args+=(--platform "$p"); done
# --find-links "$out/wheels" offers the local llama-cpp-python wheel; --only-binary keeps
# sdists out (the target may have no compiler). pip itself comes along to bootstrap the venv.
"$PY" -m pip download -q --dest "$out/wheels" --find-links "$out/wheels" --only-binary=:all: \
  --python-version "$target_py" --implementation cp --abi "cp$pyxy" "${platform_args[@]}" \
  --cache-dir "$cache/pip" "$spec" pip 2> >(grep -v "^WARNING: Location '" >&2)
stage_done

stage "hashed requirements, bill of materials, model, checksums"
"$PY" - "$out/bundle.json" <<PYJSON
import json, sys, time
json.dump({
    "app": "plansmith",
    "app_version": "$app_version",
    "python": "$target_py",
    "arch": "$arch",
    "glibc": "$glibc",
    "llama_cpp_needs_glibc": "$llama_glibc",
    "platforms": "${platforms[*]}".split(),
    "extras": [e for e in "${extras[*]}".split() if e],
    "llama_cpp_python": "$llama_version",
    "llama_cpp_python_source": """$llama_source""",
    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
}, open(sys.argv[1], "w"), indent=2)
PYJSON
"$PY" "$tool" requirements "$out"
if [ -n "$model" ]; then "$PY" "$tool" model "$out" "$model" "$source/models/catalog.toml"; fi
"$PY" "$tool" bom "$out"
cp "$here/install.sh" "$out/install.sh"
chmod +x "$out/install.sh"
mkdir -p "$out/linux"
cp "$repo/packaging/linux/plansmith.desktop" "$repo/packaging/linux/install-desktop.sh" "$out/linux/"
cp "$source/resources/icons/plansmith.svg" "$source/resources/icons/plansmith.png" "$out/linux/" 2>/dev/null || true
"$PY" "$tool" checksums "$out"
stage_done

n=$(ls "$out"/wheels/*.whl | wc -l)
echo "Bundle ready: $out ($n wheels, $(du -sh "$out" | cut -f1)) in $(( $(date +%s) - t0 )) s"
echo "On the air-gapped machine: bash $(basename "$out")/install.sh"
