"""Hardware detection (with a fake NVML) and the fit/speed recommendations."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from desktop.llm.catalog import load_catalog
from desktop.llm.hardware import (
    GIB,
    GPUInfo,
    Hardware,
    best_context,
    detect_hardware,
    estimate,
    fit_warning,
    nvidia_gpus,
    parse_backends,
    recommend,
)

CATALOG = load_catalog()
TWO_CORE_VM = Hardware(total_ram=24 * GIB, available_ram=22 * GIB, cpu_cores=2)
LAPTOP = Hardware(total_ram=16 * GIB, available_ram=9 * GIB, cpu_cores=8)
SMALL_LAPTOP = Hardware(total_ram=8 * GIB, available_ram=5 * GIB, cpu_cores=4)
TINY = Hardware(total_ram=1 * GIB, available_ram=GIB // 2, cpu_cores=2)
RTX_4090 = Hardware(
    total_ram=64 * GIB, available_ram=50 * GIB, cpu_cores=16, llama_cpp_version="0.3.36",
    gpu_offload=True, backends=("CUDA", "CPU"), gpus=(GPUInfo("RTX 4090", 24 * GIB, 23 * GIB, 1008.0),),
)


def test_parse_backends() -> None:
    assert parse_backends("CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | ") == ("CPU",)
    cuda = "CUDA : ARCHS = 890 | USE_GRAPHS = 1 | PEER_MAX_BATCH_SIZE = 128 | CPU : SSE3 = 1 | AVX = 1 | "
    assert parse_backends(cuda) == ("CUDA", "CPU")
    assert parse_backends("Metal : EMBED_LIBRARY = 1 | CPU : NEON = 1 | ") == ("Metal", "CPU")
    assert parse_backends("") == ()


class FakeNVML:
    """What nvidia-ml-py's pynvml offers, for one RTX 3060."""

    NVML_CLOCK_MEM = 2

    def __init__(self, *, broken: bool = False) -> None:
        self.broken = broken
        self.shut = False

    def nvmlInit(self):
        if self.broken:
            raise RuntimeError("NVML Shared Library Not Found")

    def nvmlShutdown(self):
        self.shut = True

    def nvmlDeviceGetCount(self):
        return 1

    def nvmlDeviceGetHandleByIndex(self, i):
        return f"gpu{i}"

    def nvmlDeviceGetName(self, handle):
        return b"NVIDIA GeForce RTX 3060"

    def nvmlDeviceGetMemoryInfo(self, handle):
        return SimpleNamespace(total=12 * GIB, free=11 * GIB, used=GIB)

    def nvmlDeviceGetMemoryBusWidth(self, handle):
        return 192

    def nvmlDeviceGetMaxClockInfo(self, handle, kind):
        return 7501


def test_nvidia_gpus_through_nvml() -> None:
    nvml = FakeNVML()
    (gpu,) = nvidia_gpus(nvml)
    assert gpu.name == "NVIDIA GeForce RTX 3060" and gpu.total_vram == 12 * GIB and gpu.free_vram == 11 * GIB
    assert gpu.bandwidth_gbps == pytest.approx(360, rel=0.01)  # 192 bit x 7501 MHz x 2
    assert nvml.shut
    assert nvidia_gpus(FakeNVML(broken=True)) == ()


def test_detect_hardware_on_this_machine() -> None:
    hw = detect_hardware(nvml=FakeNVML())
    assert hw.total_ram > 0 and 0 < hw.available_ram <= hw.total_ram and hw.cpu_cores >= 1
    assert hw.gpus[0].name.endswith("3060")
    if importlib.util.find_spec("llama_cpp") is None:
        assert hw.llama_cpp_version is None and not hw.gpu_offload and any("not installed" in n for n in hw.notes)
    else:
        assert hw.llama_cpp_version and "CPU" in hw.backends
        if not hw.gpu_offload:  # a GPU but a CPU-only build: say so
            assert any("CPU-only" in n for n in hw.notes)
    assert detect_hardware(probe_llama=False).llama_cpp_version is None


def test_speed_estimate_matches_measured_figures() -> None:
    # Measured on a 2-core VM (NOTES): SmolLM2 ~100, 0.5B ~48, 1.5B ~29 tokens/s.
    for id_, measured in (("smollm2-135m", 100), ("qwen2.5-coder-0.5b", 48), ("qwen2.5-coder-1.5b", 29)):
        assert estimate(CATALOG.get(id_), TWO_CORE_VM).tokens_per_s == pytest.approx(measured, rel=0.35)


def test_recommendations() -> None:
    rec = recommend(CATALOG, TWO_CORE_VM)
    assert rec.entry.id == "qwen2.5-coder-1.5b" and rec.context == 8192 and rec.fit.usable
    assert recommend(CATALOG, LAPTOP).entry.id in ("qwen2.5-coder-7b", "qwen2.5-coder-3b", "qwen2.5-coder-1.5b")
    small = recommend(CATALOG, SMALL_LAPTOP)
    assert small.entry.params_b < 8 and small.fit.memory <= SMALL_LAPTOP.ram_budget
    big = recommend(CATALOG, RTX_4090)
    assert big.entry.id == "qwen2.5-coder-32b" and big.fit.device == "gpu"
    none = recommend(CATALOG, TINY)
    assert none.entry is None and "No catalogue model fits" in none.reason
    for hw in (TWO_CORE_VM, LAPTOP, SMALL_LAPTOP):  # a 32B on a laptop CPU is not a recommendation
        assert recommend(CATALOG, hw).entry.id != "qwen2.5-coder-32b"
    # The test model and restrictive licences are never the pick when an open one runs well.
    for hw in (TWO_CORE_VM, LAPTOP, SMALL_LAPTOP, RTX_4090):
        assert recommend(CATALOG, hw).entry.licence == "Apache-2.0"


def test_context_shrinks_to_fit() -> None:
    tight = Hardware(total_ram=int(7.2 * GIB), available_ram=6 * GIB, cpu_cores=8)
    fit = best_context(CATALOG.get("qwen2.5-coder-7b"), tight)
    assert fit.fits and fit.context == 4096


def test_fit_warnings() -> None:
    assert fit_warning(CATALOG.get("qwen2.5-coder-1.5b"), LAPTOP, 8192) is None
    too_big = fit_warning(CATALOG.get("qwen2.5-coder-32b"), LAPTOP, 8192)
    assert "needs about" in too_big and "smaller model" in too_big
    slow = fit_warning(CATALOG.get("qwen2.5-coder-14b"), Hardware(16 * GIB, 14 * GIB, 8), 8192)
    assert "slow" in slow
    busy = Hardware(total_ram=32 * GIB, available_ram=2 * GIB, cpu_cores=8)
    assert "free now" in fit_warning(CATALOG.get("qwen2.5-coder-7b"), busy, 8192)
    smaller_ctx = fit_warning(CATALOG.get("qwen2.5-coder-7b"), Hardware(int(7.6 * GIB), 7 * GIB, 8), 32768)
    assert "4,096 tokens would fit" in smaller_ctx or "8,192 tokens would fit" in smaller_ctx


def test_partial_offload_is_between_cpu_and_gpu() -> None:
    small_gpu = Hardware(
        total_ram=64 * GIB, available_ram=60 * GIB, cpu_cores=8, gpu_offload=True,
        gpus=(GPUInfo("8 GB card", 8 * GIB, 8 * GIB, 400.0),),
    )
    e = CATALOG.get("qwen2.5-coder-14b")
    split = estimate(e, small_gpu)
    cpu = estimate(e, Hardware(64 * GIB, 60 * GIB, 8))
    assert split.device == "cpu+gpu" and 0 < split.gpu_share < 1
    assert cpu.tokens_per_s < split.tokens_per_s


def test_fit_hints_suggest_candidates_only_where_answers_come_fast() -> None:
    slow = estimate(CATALOG.get("qwen2.5-coder-1.5b"), TWO_CORE_VM)
    assert slow.candidates == 1 and "candidates" not in slow.describe()
    fast = estimate(CATALOG.get("qwen2.5-coder-1.5b"), RTX_4090)
    assert fast.device == "gpu" and fast.candidates in (3, 5)
    assert f"candidates {fast.candidates} suit it" in fast.describe()
    too_big = estimate(CATALOG.get("qwen2.5-coder-32b"), TINY)
    assert not too_big.fits and too_big.candidates == 1
