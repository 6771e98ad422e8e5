"""`plansmith models list|download|verify|delete|export|import` and `plansmith doctor`.

Each handler is `fn(args, *, paths, settings, out) -> int` and raises PlansmithError
subclasses for input the user can fix. Only `models download` touches the network.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import TextIO

from desktop.errors import Cancelled, PlansmithError
from desktop.llm.catalog import Catalog, load_catalog
from desktop.paths import AppPaths
from desktop.settings import Settings

GIB = 1 << 30


def add_parsers(subparsers) -> None:
    """Register `models ...` and `doctor` on the top-level subparsers."""
    models = subparsers.add_parser("models", help="list, download, verify, delete, export or import models")
    sub = models.add_subparsers(dest="models_command", metavar="COMMAND", parser_class=type(models))
    sub.required = True

    p = sub.add_parser("list", help="installed models, and the catalogue with what fits this machine")
    p.add_argument("--hash", action="store_true", help="compute missing SHA-256 digests (reads every byte)")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("download", help="download a catalogue model (the only command that uses the network)")
    p.add_argument("name", help="catalogue id, e.g. qwen2.5-coder-1.5b")
    p.add_argument("--endpoint", help="hub or mirror URL (default: HF_ENDPOINT, else https://huggingface.co)")
    p.add_argument("--token", help="access token for gated models (else HF_TOKEN if set)")
    p.set_defaults(handler=cmd_download)

    p = sub.add_parser("verify", help="re-read a model's header and every byte's SHA-256")
    p.add_argument("name")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("delete", help="delete a model from Plansmith's models folder (or a partial download)")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.set_defaults(handler=cmd_delete)

    p = sub.add_parser("export", help="copy a model and its manifest to a folder, for a machine without network")
    p.add_argument("name")
    p.add_argument("--to", required=True, type=Path, metavar="DIR")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="install a model from an export folder or a .gguf file")
    p.add_argument("path", type=Path)
    p.add_argument("--move", action="store_true", help="remove the source after a verified copy")
    p.set_defaults(handler=cmd_import)

    p = subparsers.add_parser("doctor", help="what this machine and this build can do; folders; models")
    p.set_defaults(handler=cmd_doctor)


# -- helpers -----------------------------------------------------------------------------


def _store(paths: AppPaths, settings: Settings, catalog: Catalog | None = None):
    from desktop.llm.store import ModelStore

    return ModelStore(paths=paths, settings=settings, catalog=catalog or load_catalog())


def _size(n: int) -> str:
    return f"{n / GIB:.1f} GB" if n >= GIB / 10 else f"{n / (1 << 20):.0f} MB"


def _duration(s: float | None) -> str:
    if s is None:
        return "--:--"
    s = int(s)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class _ProgressLine:
    """One line rewritten in place on a terminal; a line every few seconds when piped."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self._last = 0.0
        self._width = 0

    def __call__(self, p) -> None:
        if p.stage != "downloading" and p.stage != "done":
            return
        now = time.monotonic()
        if not self.tty and now - self._last < 5 and p.stage != "done":
            return
        self._last = now
        part = f" part {p.part}/{p.parts}" if p.parts > 1 else ""
        line = (
            f"{p.model}{part}: {p.fraction * 100:5.1f}%  {_size(p.done)} of {_size(p.total)}  "
            f"{p.speed / 1e6:6.1f} MB/s  ETA {_duration(p.eta)}"
        )
        if self.tty:
            self.out.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def end(self) -> None:
        if self.tty and self._width:
            self.out.write("\n")
            self.out.flush()


# -- commands ----------------------------------------------------------------------------


def cmd_list(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.llm.hardware import best_context, detect_hardware

    catalog = load_catalog()
    store = _store(paths, settings, catalog)
    models = store.list(hashes=bool(getattr(args, "hash", False)))
    out.write("Installed models:\n")
    if not models:
        out.write("  none. `plansmith models download ID` gets one; `plansmith models import PATH` adds one you have.\n")
    for m in models:
        if m.problem:
            status = f"UNUSABLE: {m.problem}"
        elif m.verified:
            status = "verified"
        elif m.sha256 is None:
            status = "not hashed yet (`models verify`)"
        else:
            status = "not in the catalogue" if m.entry is None else "SHA-256 differs from the catalogue"
        out.write(f"  {m.name:<28} {_size(m.size):>8}  {m.location:<8} {status}\n      {m.path}\n")
    hw = detect_hardware(probe_llama=False)
    installed = {m.entry.id for m in models if m.entry and m.usable}
    out.write("\nCatalogue (fit for this machine's memory and CPU):\n")
    for e in catalog:
        fit = best_context(e, hw)
        mark = "*" if e.id in installed else " "
        out.write(f" {mark}{e.id:<24} {_size(e.size):>8}  {e.licence:<16} {fit.describe()}\n")
    out.write("\n* installed. Download with `plansmith models download ID`.\n")
    return 0


def cmd_download(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.llm.download import download_model
    from desktop.llm.hardware import detect_hardware, fit_warning

    entry = load_catalog().get(args.name)
    warning = fit_warning(entry, detect_hardware(probe_llama=False), entry.default_context)
    if warning:
        out.write(f"Note: {warning}\n")
    out.write(f"{entry.name}: {_size(entry.size)} from {entry.repo}, licence {entry.licence}"
              f"{' (' + entry.licence_url + ')' if entry.licence_url else ''}\n")
    line = _ProgressLine(out)
    token = args.token or os.environ.get("HF_TOKEN") or None
    try:
        path = download_model(entry, paths=paths, endpoint=args.endpoint, token=token, progress=line)
    except (Cancelled, KeyboardInterrupt):
        line.end()
        out.write("Stopped. Run the same command again to resume where it stopped.\n")
        return 1
    line.end()
    out.write(f"Installed and verified: {path}\n")
    return 0


def cmd_verify(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    store = _store(paths, settings)
    model = store.find(args.name)
    if model.problem:
        from desktop.errors import ModelFileError

        raise ModelFileError(model.problem)
    checked = store.verify(model)
    if checked.verified:
        verdict = "matches the catalogue"
    elif checked.entry is None:
        verdict = "not in the catalogue; digest recorded"
    else:
        verdict = "catalogue has no SHA-256 for it; digest recorded"
    out.write(f"{checked.name}: OK, GGUF header whole, SHA-256 {checked.sha256} ({verdict})\n")
    return 0


def cmd_delete(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.errors import ModelFileError
    from desktop.llm.download import discard_partial, partial_path

    store = _store(paths, settings)
    try:
        model = store.find(args.name)
    except ModelFileError:
        entry = store.catalog.find(args.name)
        if entry and any(partial_path(paths, f).exists() for f in entry.files):
            discard_partial(entry, paths=paths)
            out.write(f"Deleted the partial download of {entry.id}.\n")
            return 0
        raise
    if not args.yes:
        if not sys.stdin.isatty():
            raise PlansmithError(f"Add --yes to delete {model.name} ({_size(model.size)}) without being asked.")
        answer = input(f"Delete {model.name} ({_size(model.size)}, {model.path})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            out.write("Kept.\n")
            return 1
    store.delete(model)
    out.write(f"Deleted {model.path}\n")
    return 0


def cmd_export(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.llm.transfer import export_model

    model = _store(paths, settings).find(args.name, hashes=True)
    folder = export_model(model, to_dir=args.to)
    out.write(f"Exported {model.name} to {folder} (with manifest.json). Import it with `plansmith models import {folder}`.\n")
    return 0


def cmd_import(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.llm.transfer import import_model

    path = import_model(args.path, paths=paths, copy=not args.move, catalog=load_catalog())
    out.write(f"Imported and verified: {path}\n")
    return 0


def cmd_doctor(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop import __version__
    from desktop.llm.hardware import detect_hardware, recommend
    from desktop.llm.store import default_model

    w = out.write
    w(f"Plansmith {__version__} on Python {platform.python_version()}, {platform.system()} {platform.machine()}\n")
    hw = detect_hardware()
    w("\nModel runtime:\n")
    if hw.llama_cpp_version is None:
        w("  llama-cpp-python: NOT INSTALLED (models cannot run in the app)\n")
    else:
        w(f"  llama-cpp-python {hw.llama_cpp_version}; backends: {', '.join(hw.backends) or 'unknown'}; "
          f"GPU offload: {'yes' if hw.gpu_offload else 'no (CPU-only build)'}\n")
        w(f"  {_build_reason(Path(sys.prefix))}\n")
    w("\nHardware:\n")
    w(f"  RAM: {_size(hw.total_ram)} total, {_size(hw.available_ram)} free; CPU cores: {hw.cpu_cores}\n")
    for g in hw.gpus:
        w(f"  GPU: {g.name}, {_size(g.total_vram)} VRAM ({_size(g.free_vram)} free), ~{g.bandwidth_gbps:.0f} GB/s\n")
    if not hw.gpus:
        w("  GPU: none found (NVIDIA GPUs are listed when nvidia-ml-py is installed)\n" if not hw.unified_memory
          else "  GPU: Apple silicon, memory shared with the CPU\n")
    for note in hw.notes:
        w(f"  note: {note}\n")
    w("\nFolders:\n")
    for label, folder in (("settings", paths.config_dir), ("data", paths.data_dir), ("models", paths.models_dir),
                          ("downloads", paths.downloads_dir), ("logs", paths.log_dir)):
        w(f"  {label:<10} {folder}  {_folder_state(folder)}\n")
    catalog = load_catalog()
    store = _store(paths, settings, catalog)
    for where, folder in store.folders()[1:]:
        w(f"  {where + ' models':<10} {folder}  {_folder_state(folder)}\n")
    models = store.list(hashes=False)
    w("\nModels:\n")
    for m in models:
        w(f"  {m.name:<28} {_size(m.size):>8}  {'OK' if m.usable else 'UNUSABLE: ' + str(m.problem)}\n")
    if not models:
        w("  none installed\n")
    chosen = default_model(models, hw=hw, settings=settings)
    w(f"  used by default: {chosen.name if chosen else 'none (download or import one)'}\n")
    rec = recommend(catalog, hw)
    w(f"  recommended for this machine: {rec.reason}\n")
    w("\nNetwork: none used except by `models download`.")
    offline = os.environ.get("HF_HUB_OFFLINE")
    proxy = [k for k in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY") if os.environ.get(k)]
    w(f" HF_ENDPOINT={os.environ.get('HF_ENDPOINT', '(default)')}"
      f"{'; HF_HUB_OFFLINE=' + offline if offline else ''}{'; proxy from ' + ', '.join(proxy) if proxy else ''}\n")
    return 0


def _build_reason(venv: Path) -> str:
    """Which llama.cpp backend `packaging/dev.sh` built for this environment, and why."""
    def read(name: str) -> str:
        try:
            return (venv / name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return ""
    backend, flags = read(".llama-backend"), read(".llama-build-flags")
    if not backend:
        return ("built: not by packaging/dev.sh (no record of its flags in this environment); "
                "`bash packaging/dev.sh run` builds for the GPU it finds")
    return f"built by packaging/dev.sh for: {backend}" + (f"; CMake flags: {flags}" if flags else "")


def _folder_state(folder: Path) -> str:
    if not folder.exists():
        return "(not created yet)"
    writable = os.access(folder, os.W_OK)
    free = shutil.disk_usage(folder).free
    return f"({_size(free)} free{'' if writable else ', NOT WRITABLE'})"
