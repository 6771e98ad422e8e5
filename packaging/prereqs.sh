# Sourced by dev.sh: what the machine needs before anything is built, and the llama.cpp
# backend to build for the hardware it has.
#   check_prereqs MODE NEED_BUILD NEED_VENV   MODE: run|test; NEED_*: 1 or 0
#   choose_llama_flags                          sets LLAMA_CMAKE_ARGS and LLAMA_BACKEND

QT_XCB_TABLE=resources/system/qt-xcb-libraries.tsv  # soname, apt package, dnf package

# Debian/Ubuntu and Fedora package names for each thing that can be missing (a function, not
# an associative array: macOS ships bash 3.2). The Qt libraries come from QT_XCB_TABLE.
_pkg_for() {  # apt|dnf, a missing thing
  case "$1:$2" in
    apt:cc|apt:c++) echo build-essential ;;  dnf:cc) echo gcc ;;  dnf:c++) echo gcc-c++ ;;
    *:cmake) echo cmake ;;  *:git) echo git ;;  apt:venv) echo python3-venv ;;  dnf:venv) echo python3 ;;
    *) local column=2; [ "$1" = dnf ] && column=3
       grep -v '^#' "$QT_XCB_TABLE" | awk -F'\t' -v lib="$2" -v c="$column" '$1 == lib { print $c }' ;;
  esac
}

_missing=()

_need_tool() {  # name, then the commands any of which will do
  local name=$1; shift
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 && return 0; done
  _missing+=("$name")
}

_need_lib() {
  ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$1 " || _missing+=("$1")
}

_packages() {  # the package list for the missing things: apt or dnf
  local seen=" " out="" p
  for m in "${_missing[@]}"; do
    p=$(_pkg_for "$1" "$m")
    if [ -n "$p" ] && [[ "$seen" != *" $p "* ]]; then seen+="$p "; out+=" $p"; fi
  done
  echo "${out# }"
}

check_prereqs() {
  local mode=$1 need_build=$2 need_venv=$3
  _missing=()
  if [ "$need_build" = 1 ]; then
    _need_tool cc cc gcc clang
    _need_tool c++ c++ g++ clang++
    _need_tool cmake cmake
  fi
  [ "$mode" = test ] && _need_tool git git
  if [ "$need_venv" = 1 ]; then "$PY" -c "import venv, ensurepip" >/dev/null 2>&1 || _missing+=(venv); fi
  if [ "$mode" = run ] && [ "$(uname -s)" = Linux ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    for lib in $(grep -v '^#' "$QT_XCB_TABLE" | cut -f1); do _need_lib "$lib"; done
  fi
  [ ${#_missing[@]} -eq 0 ] && return 0

  echo "Missing: ${_missing[*]}"
  local apt dnf
  apt=$(_packages apt) dnf=$(_packages dnf)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing them: apt-get install -y $apt"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $apt \
      && return 0
  elif [ "$(id -u)" = 0 ] && command -v dnf >/dev/null 2>&1; then
    echo "Installing them: dnf install -y $dnf"
    dnf install -y -q $dnf && return 0
  fi
  echo "Install them, then run this again:"
  echo "  Debian/Ubuntu: sudo apt-get install -y $apt"
  echo "  Fedora:        sudo dnf install -y $dnf"
  return 1
}

choose_llama_flags() {
  # An explicit LLAMA_CMAKE_ARGS always wins; else the GPU this machine has, else the portable CPU build.
  if [ -n "${LLAMA_CMAKE_ARGS:-}" ]; then LLAMA_BACKEND="as LLAMA_CMAKE_ARGS says"; return; fi
  LLAMA_CMAKE_ARGS=$PORTABLE_CMAKE_ARGS
  LLAMA_BACKEND="CPU (portable AVX2 build)"
  if [ "${PLANSMITH_CPU_ONLY:-0}" = 1 ]; then LLAMA_BACKEND="CPU (PLANSMITH_CPU_ONLY=1)"; return; fi
  if [ "$(uname -s)" = Darwin ]; then
    LLAMA_CMAKE_ARGS="-DGGML_METAL=ON -DLLAVA_BUILD=OFF"
    LLAMA_BACKEND="Metal (macOS; PLANSMITH_CPU_ONLY=1 builds for the CPU)"
    return
  fi
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  local nvcc caps
  nvcc=$(command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
  # "9.0" -> "90"; one architecture per kind of card present
  caps=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | tr -d ' .' | grep -E '^[0-9]+$' | sort -u | paste -sd';' - || true)
  if [ -n "$nvcc" ] && [ -n "$caps" ]; then
    LLAMA_CMAKE_ARGS="-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=$caps -DCMAKE_CUDA_COMPILER=$nvcc -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"
    LLAMA_BACKEND="CUDA for compute capability $caps (from nvidia-smi; PLANSMITH_CPU_ONLY=1 builds for the CPU)"
  elif [ -n "$caps" ]; then
    LLAMA_BACKEND="CPU: an NVIDIA GPU is here but not the CUDA toolkit (nvcc); install it and run this again for a GPU build"
  fi
}
