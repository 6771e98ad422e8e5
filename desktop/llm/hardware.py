"""What this machine can run: memory, GPU offload, and an estimate of speed per model.

Nothing here touches the network. llama_cpp and pynvml (nvidia-ml-py) are imported only
when asked, and their absence is an answer ("no GPU offload"), not an error.

The speed estimate is a rule of thumb: generating a token reads every active weight once,
so tokens/s ~ memory bandwidth / bytes read per token, plus a fixed cost per token. It was
fitted to measured figures (2-core CPU: SmolLM2 ~100, Qwen2.5-Coder 0.5B ~48, 1.5B ~29 tok/s).
"""

from __future__ import annotations

import os
import platform
import re
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import Iterable

from desktop.llm.catalog import Catalog, CatalogEntry

GB = 1_000_000_000
GIB = 1 << 30

# CPU: bandwidth a core can pull, and the most a desktop memory system gives.
CPU_GBPS_PER_CORE = 18.0
CPU_GBPS_MAX = 40.0  # dual-channel DDR4/DDR5 as llama.cpp sees it
CPU_TOKEN_OVERHEAD_S = 0.006
GPU_GBPS_DEFAULT = 300.0  # when NVML cannot say
GPU_EFFICIENCY = 0.6  # share of the peak figure llama.cpp reaches
GPU_TOKEN_OVERHEAD_S = 0.004
UNIFIED_GBPS = 100.0  # Apple silicon, base chips have less, Pro/Max more

RAM_SHARE = 0.70  # of total RAM, the rest for the OS, the app and the editor
VRAM_SHARE = 0.90
UNIFIED_SHARE = 0.65  # Metal's default working-set limit is about two thirds of RAM

MIN_TOKENS_PER_S = 8.0  # below this a 2,000-token answer takes over four minutes
MIN_CONTEXT = 4096
PERMISSIVE = {"Apache-2.0", "MIT"}


@dataclass(frozen=True)
class GPUInfo:
    name: str
    total_vram: int
    free_vram: int
    bandwidth_gbps: float = GPU_GBPS_DEFAULT


@dataclass(frozen=True)
class Hardware:
    total_ram: int
    available_ram: int
    cpu_cores: int
    llama_cpp_version: str | None = None  # None: llama-cpp-python is not installed
    gpu_offload: bool = False
    backends: tuple[str, ...] = ()
    gpus: tuple[GPUInfo, ...] = ()
    unified_memory: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def gpu(self) -> GPUInfo | None:
        """The GPU llama.cpp would use (the one with most memory), if the build can offload to it."""
        if not self.gpu_offload or not self.gpus:
            return None
        return max(self.gpus, key=lambda g: g.total_vram)

    @property
    def ram_budget(self) -> int:
        return int(self.total_ram * RAM_SHARE)

    @property
    def vram_budget(self) -> int:
        if self.unified_memory and self.gpu_offload:
            return int(self.total_ram * UNIFIED_SHARE)
        gpu = self.gpu
        return int(gpu.total_vram * VRAM_SHARE) if gpu else 0

    @property
    def cpu_gbps(self) -> float:
        return min(self.cpu_cores * CPU_GBPS_PER_CORE, CPU_GBPS_MAX)


# Decode speeds from which 3 and 5 candidates (see Fit.candidates) cost little waiting: a
# 300-token answer in under 5 s, and under 2 s.
CANDIDATES_3_TPS = 60.0
CANDIDATES_5_TPS = 150.0


@dataclass(frozen=True)
class Fit:
    entry: CatalogEntry
    context: int
    memory: int  # bytes needed
    device: str  # "gpu", "cpu+gpu" or "cpu"
    gpu_share: float  # of the weights, on the GPU
    tokens_per_s: float
    fits: bool
    usable: bool

    @property
    def candidates(self) -> int:
        """Phase 2 answers worth trying while the checks fail (the `candidates` setting): each
        costs one answer, so only where answers come fast (a GPU) is more than one suggested."""
        if not self.fits or self.tokens_per_s < CANDIDATES_3_TPS:
            return 1
        return 5 if self.tokens_per_s >= CANDIDATES_5_TPS else 3

    def describe(self) -> str:
        if not self.fits:
            return f"needs {_gb(self.memory)} of memory; too big for this machine"
        where = {"gpu": "on the GPU", "cpu+gpu": "split CPU/GPU", "cpu": "on the CPU"}[self.device]
        speed = f"~{self.tokens_per_s:.0f} tokens/s {where}"
        if not self.usable:
            return f"{speed}: too slow to be practical"
        return speed + (f"; candidates {self.candidates} suit it" if self.candidates > 1 else "")


@dataclass(frozen=True)
class Recommendation:
    entry: CatalogEntry | None
    context: int
    fit: Fit | None
    reason: str
    ranked: tuple[Fit, ...] = ()  # every candidate, best first


# --- detection ---------------------------------------------------------------------------


def detect_hardware(*, probe_llama: bool = True, nvml: ModuleType | None = None) -> Hardware:
    """Read RAM, cores, the llama.cpp build's GPU support and NVIDIA VRAM. Never raises."""
    import psutil

    vm = psutil.virtual_memory()
    cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    notes: list[str] = []
    version, offload, backends = llama_build_info() if probe_llama else (None, False, ())
    if probe_llama and version is None:
        notes.append("llama-cpp-python is not installed: models cannot run in this app until it is")
    gpus = nvidia_gpus(nvml)
    unified = sys.platform == "darwin" and platform.machine() == "arm64"
    if gpus and not offload and version is not None:
        notes.append("an NVIDIA GPU is present but this llama-cpp-python build is CPU-only")
    return Hardware(
        total_ram=vm.total,
        available_ram=vm.available,
        cpu_cores=cores,
        llama_cpp_version=version,
        gpu_offload=offload,
        backends=backends,
        gpus=gpus,
        unified_memory=unified,
        notes=tuple(notes),
    )


def llama_build_info() -> tuple[str | None, bool, tuple[str, ...]]:
    """(version, can offload to a GPU, backend names) of the installed llama-cpp-python."""
    try:
        import llama_cpp  # loads the shared library: only when asked
    except Exception:  # ImportError, or OSError from a broken native library
        return None, False, ()
    version = getattr(llama_cpp, "__version__", "unknown")
    try:
        offload = bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:
        offload = False
    try:
        info = llama_cpp.llama_print_system_info()
        text = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    except Exception:
        text = ""
    return version, offload, parse_backends(text)


def parse_backends(system_info: str) -> tuple[str, ...]:
    """Backend names from llama_print_system_info(): 'CUDA : ARCHS = 890 | CPU : AVX = 1 |' -> ('CUDA', 'CPU')."""
    names: list[str] = []
    for name in re.findall(r"(?:^|\|)\s*([A-Za-z][\w-]*)\s*:", system_info):
        if name not in names:
            names.append(name)
    return tuple(names)


def nvidia_gpus(nvml: ModuleType | None = None) -> tuple[GPUInfo, ...]:
    """NVIDIA GPUs through NVML (package nvidia-ml-py), or () when it is missing or fails."""
    if nvml is None:
        try:
            import pynvml as nvml  # type: ignore[no-redef]
        except Exception:
            return ()
    try:
        nvml.nvmlInit()
    except Exception:
        return ()
    gpus: list[GPUInfo] = []
    try:
        for i in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(i)
            name = nvml.nvmlDeviceGetName(handle)
            mem = nvml.nvmlDeviceGetMemoryInfo(handle)
            gpus.append(
                GPUInfo(
                    name=name.decode() if isinstance(name, bytes) else str(name),
                    total_vram=int(mem.total),
                    free_vram=int(mem.free),
                    bandwidth_gbps=_nvml_bandwidth(nvml, handle),
                )
            )
    except Exception:
        pass
    finally:
        try:
            nvml.nvmlShutdown()
        except Exception:
            pass
    return tuple(gpus)


def _nvml_bandwidth(nvml: ModuleType, handle) -> float:
    # Peak = bus width in bytes x memory clock x 2 (double data rate); e.g. RTX 4090: 384 bit, 10501 MHz.
    try:
        bus_bits = nvml.nvmlDeviceGetMemoryBusWidth(handle)
        mem_mhz = nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_MEM)
        gbps = bus_bits / 8 * mem_mhz * 2 / 1000
        return gbps if gbps > 0 else GPU_GBPS_DEFAULT
    except Exception:
        return GPU_GBPS_DEFAULT


# --- estimates ---------------------------------------------------------------------------


def estimate(entry: CatalogEntry, hw: Hardware, *, context: int | None = None) -> Fit:
    """Where the model would run on this machine with this context, and how fast."""
    ctx = context or entry.default_context
    memory = entry.memory_at(ctx)
    bytes_per_token = entry.size * (entry.active_b / entry.params_b) / GB
    vram = hw.vram_budget
    if hw.unified_memory and hw.gpu_offload:
        fits = memory <= vram
        t = bytes_per_token / (UNIFIED_GBPS * GPU_EFFICIENCY) + GPU_TOKEN_OVERHEAD_S
        return _fit(entry, ctx, memory, "gpu", 1.0 if fits else 0.0, t, fits)
    gpu = hw.gpu
    if gpu and memory <= vram:
        t = bytes_per_token / (gpu.bandwidth_gbps * GPU_EFFICIENCY) + GPU_TOKEN_OVERHEAD_S
        return _fit(entry, ctx, memory, "gpu", 1.0, t, True)
    cpu_t = bytes_per_token / hw.cpu_gbps
    if gpu and vram > 0:
        # Partial offload: the layers in VRAM go at GPU speed, the rest at CPU speed.
        share = max(0.0, min(1.0, (vram - (memory - entry.size)) / entry.size))
        need_ram = memory - int(entry.size * share)
        fits = need_ram <= hw.ram_budget
        gpu_t = bytes_per_token / (gpu.bandwidth_gbps * GPU_EFFICIENCY)
        t = (1 - share) * cpu_t + share * gpu_t + CPU_TOKEN_OVERHEAD_S
        return _fit(entry, ctx, memory, "cpu+gpu" if share > 0 else "cpu", share, t, fits)
    return _fit(entry, ctx, memory, "cpu", 0.0, cpu_t + CPU_TOKEN_OVERHEAD_S, memory <= hw.ram_budget)


def _fit(entry: CatalogEntry, ctx: int, memory: int, device: str, share: float, t: float, fits: bool) -> Fit:
    tps = 1.0 / t
    return Fit(entry, ctx, memory, device, share, tps, fits, fits and tps >= MIN_TOKENS_PER_S)


def quality(entry: CatalogEntry) -> float:
    """A rough rank of answer quality: dense size, or the geometric mean of total and active for MoE."""
    return (entry.params_b * entry.active_b) ** 0.5


def best_context(entry: CatalogEntry, hw: Hardware) -> Fit:
    """The default context if it fits, else the largest smaller one (down to MIN_CONTEXT) that does."""
    ctx = entry.default_context
    fit = estimate(entry, hw, context=ctx)
    while not fit.fits and ctx // 2 >= MIN_CONTEXT:
        ctx //= 2
        fit = estimate(entry, hw, context=ctx)
    return fit


def recommend(catalog: Catalog | Iterable[CatalogEntry], hw: Hardware, *, min_tokens_per_s: float = MIN_TOKENS_PER_S) -> Recommendation:
    """The best code model this machine runs at a usable speed, with a context that fits."""
    entries = [e for e in catalog if "test" not in e.tags]
    fits = sorted((best_context(e, hw) for e in entries), key=lambda f: (-quality(f.entry), f.memory))
    usable = [f for f in fits if f.fits and f.tokens_per_s >= min_tokens_per_s]
    open_licence = [f for f in usable if f.entry.licence in PERMISSIVE]
    choice = (open_licence or usable or [None])[0]
    if choice is not None:
        reason = f"{choice.entry.name}: {choice.describe()}, {_gb(choice.memory)} at {choice.context:,} tokens of context"
        return Recommendation(choice.entry, choice.context, choice, reason, tuple(fits))
    fitting = sorted((f for f in fits if f.fits), key=lambda f: -f.tokens_per_s)
    if fitting:
        f = fitting[0]
        reason = f"Nothing runs fast here; {f.entry.name} is the quickest that fits ({f.describe()})"
        return Recommendation(f.entry, f.context, f, reason, tuple(fits))
    reason = f"No catalogue model fits in {_gb(hw.ram_budget)} of usable memory"
    return Recommendation(None, 0, None, reason, tuple(fits))


def fit_warning(entry: CatalogEntry, hw: Hardware, context: int) -> str | None:
    """A sentence for the user when this model and context will not fit or will be slow; None if fine."""
    fit = estimate(entry, hw, context=context)
    if not fit.fits:
        budget = hw.vram_budget if fit.device == "gpu" else hw.ram_budget
        smaller = best_context(entry, hw)
        hint = (
            f" A context of {smaller.context:,} tokens would fit."
            if smaller.fits and smaller.context < context
            else " Choose a smaller model."
        )
        return f"{entry.name} needs about {_gb(fit.memory)} with {context:,} tokens of context; this machine has about {_gb(budget)} to spare.{hint}"
    if fit.memory > hw.available_ram and fit.device == "cpu":
        return f"{entry.name} needs about {_gb(fit.memory)}; only {_gb(hw.available_ram)} is free now. Close other programs first."
    if not fit.usable:
        return f"{entry.name} will be slow here (~{fit.tokens_per_s:.1f} tokens/s): a long answer may take many minutes."
    return None


def _gb(n: int) -> str:
    return f"{n / GIB:.1f} GB"
