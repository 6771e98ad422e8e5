#!/usr/bin/env bash
# Issue #13's GPU checks on a lent GPU machine that has no network: dev.sh's choice of build
# flags, the CUDA build of llama-cpp-python, and the engine benches on the GPU.
#
# What travels lives in .gpu/ (add `/.gpu/` to .git/info/exclude; carry at most 64 MiB a call):
#   .gpu/llama_cpp_python.tar.gz  the sdist without .git and vendor/llama.cpp/{models,docs,tests,
#                                 examples,media,benches} (11 MB)
#   .gpu/wheels/                  what the machine's Python may lack: diskcache, numpy, jinja2 ...
#   .gpu/model/partN.bin          a .gguf split in pieces (`split -d -a 1 -n 4 FILE part`), one or
#                                 two per call while the machine stays warm
# One step a call (SmolLM2 in 4 pieces of 25 MB: sdist + wheels + part0 with build, part1 + part2
# alone, part3 with bench):
#   bash bench/gpu_check.sh build   # flags as dev.sh chooses them, then the wheel (~5 min on an H100)
#   bash bench/gpu_check.sh bench   # join the pieces, install into .gpu/site, run the benches
# Not run yet: no GPU machine was lent while this was written.
# Figures go to $OUT (the device tool brings them back), else .gpu/out.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=${OUT:-.gpu/out}
mkdir -p "$OUT" .gpu/wheel

case "${1:-}" in
build)
  PORTABLE_CMAKE_ARGS=$(sed -n 's/^PORTABLE_CMAKE_ARGS="\(.*\)"$/\1/p' packaging/dev.sh)  # dev.sh's own
  # shellcheck source=packaging/prereqs.sh
  . packaging/prereqs.sh
  choose_llama_flags
  { echo "dev.sh chooses: $LLAMA_BACKEND"; echo "flags: $LLAMA_CMAKE_ARGS"
    nvidia-smi --query-gpu=name,compute_cap,memory.total --format=csv || true; } | tee "$OUT/build.txt"
  rm -rf .gpu/src && mkdir -p .gpu/src
  tar -xzf .gpu/llama_cpp_python.tar.gz -C .gpu/src --strip-components=1
  start=$(date +%s)
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$PY" -m pip wheel -q --no-build-isolation --no-deps -w .gpu/wheel .gpu/src \
    > "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
  echo "built in $(( $(date +%s) - start )) s: $(ls .gpu/wheel)" | tee -a "$OUT/build.txt"
  ;;
bench)
  ls .gpu/model/part*.bin | sort -V | xargs cat > .gpu/model.gguf
  sha256sum .gpu/model.gguf | tee "$OUT/model.sha256"
  "$PY" -m pip install -q --no-index --find-links .gpu/wheel --find-links .gpu/wheels --target .gpu/site \
    llama-cpp-python > "$OUT/install.log" 2>&1 || { tail -20 "$OUT/install.log"; exit 1; }
  export PYTHONPATH="$PWD/.gpu/site"
  "$PY" -c "import llama_cpp; print('GPU offload:', llama_cpp.llama_supports_gpu_offload())" | tee "$OUT/backend.txt"
  for which in overhead kv; do
    BENCH_THREADS=$(nproc) "$PY" bench/bench_engine.py "$which" --model-path .gpu/model.gguf \
      --json "$OUT/$which.json" 2>&1 | grep -v "^llama\|^load\|^print_info\|^graph\|^sched" | tail -20
  done
  ;;
*)
  sed -n 2,15p "$0"
  exit 2
  ;;
esac
