"""Help › About: the app's version and what this build of the model runtime can do.

    from desktop.ui.about import AboutDialog
    AboutDialog(parent).exec()

Shows Plansmith's version, Python, Qt/PySide6, llama-cpp-python's version and llama.cpp's
build features (llama_print_system_info(): backends such as CPU/CUDA/Metal/Vulkan and CPU
features such as AVX2). llama_cpp is imported only when the dialog opens, through
desktop.llm (the only package that may import it), so the app still starts light.
"""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass, field
from typing import Callable

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from desktop import __version__
from desktop.paths import resources_dir


@dataclass(frozen=True)
class RuntimeInfo:
    """What the model runtime of this install is: None for llama_cpp_version when it is missing."""

    llama_cpp_version: str | None
    gpu_offload: bool = False
    system_info: str = ""
    error: str = ""
    features: dict[str, list[str]] = field(default_factory=dict)


def parse_system_info(text: str) -> dict[str, list[str]]:
    """'CUDA : ARCHS = 890 | USE_GRAPHS = 1 | CPU : AVX2 = 1 | F16C = 0 |' ->
    {'CUDA': ['ARCHS = 890', 'USE_GRAPHS'], 'CPU': ['AVX2']}: flags set to 1 by name, other
    values as they are, flags set to 0 left out."""
    groups: dict[str, list[str]] = {}
    backend = "llama.cpp"
    for item in text.split("|"):
        item = item.strip()
        if not item:
            continue
        m = re.match(r"^([A-Za-z][\w-]*)\s*:\s*(.*)$", item)
        if m:  # a new backend starts: "CPU : SSE3 = 1"
            backend, item = m.group(1), m.group(2).strip()
        groups.setdefault(backend, [])
        if not item:
            continue
        key, sep, value = (part.strip() for part in item.partition("="))
        if sep and value == "1":
            groups[backend].append(key)
        elif sep and value == "0":
            continue
        else:
            groups[backend].append(f"{key} = {value}" if sep else key)
    return groups


def probe_runtime() -> RuntimeInfo:
    """Load llama-cpp-python (through desktop.llm) and ask what it was built with."""
    try:
        from desktop.llm.hardware import llama_build_info
        from desktop.llm.llama_engine import system_info

        version, offload, _backends = llama_build_info()
        if version is None:
            return RuntimeInfo(None, error="llama-cpp-python is not installed: models cannot run in the app.")
        text = system_info()
    except Exception as exc:  # a broken native library: say so, the dialog still opens
        return RuntimeInfo(None, error=f"llama-cpp-python cannot be loaded: {exc}")
    return RuntimeInfo(version, gpu_offload=offload, system_info=text, features=parse_system_info(text))


def python_description() -> str:
    frozen = " (bundled with the app)" if getattr(sys, "frozen", False) else ""
    return f"{platform.python_implementation()} {platform.python_version()}{frozen}"


class AboutDialog(QDialog):
    """Versions and build features, with a button that copies them for a bug report."""

    def __init__(self, parent=None, *, probe: Callable[[], RuntimeInfo] = probe_runtime) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Plansmith")
        self.runtime = probe()

        header = QHBoxLayout()
        icon = resources_dir() / "icons" / "plansmith.svg"
        if icon.is_file():
            picture = QLabel()
            picture.setPixmap(QIcon(str(icon)).pixmap(64, 64))
            header.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
        title = QLabel(
            f"<h2 style='margin:0'>Plansmith {__version__}</h2>"
            "<p>Turns an approved feature plan into code with a local model.<br>"
            "Works offline: nothing leaves this machine except a model download you ask for.</p>"
        )
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        header.addWidget(title, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows: dict[str, str] = {}
        self._row(form, "Plansmith", __version__)
        self._row(form, "Python", python_description())
        self._row(form, "Qt", f"{qVersion()} (PySide6 {PYSIDE_VERSION})")
        self._row(form, "System", f"{platform.system()} {platform.release()} {platform.machine()}")
        rt = self.runtime
        if rt.llama_cpp_version is None:
            self._row(form, "llama-cpp-python", rt.error, name="runtimeError")
        else:
            self._row(form, "llama-cpp-python", rt.llama_cpp_version)
            self._row(form, "GPU offload", "yes" if rt.gpu_offload else "no (CPU-only build)")
            for backend, features in rt.features.items():
                self._row(form, f"llama.cpp {backend}", ", ".join(features) or "(no features reported)")

        copy = QPushButton("Copy details")
        copy.setObjectName("aboutCopy")
        copy.setToolTip("Copy these versions and build features, e.g. for a bug report")
        copy.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _row(self, form: QFormLayout, label: str, value: str, *, name: str = "") -> None:
        self.rows[label] = value
        field = QLabel(value)
        field.setWordWrap(True)
        field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if name:
            field.setObjectName(name)
        form.addRow(f"{label}:", field)

    def details(self) -> str:
        lines = [f"{label}: {value}" for label, value in self.rows.items()]
        if self.runtime.system_info:
            lines.append(f"llama_print_system_info: {self.runtime.system_info}")
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())


def show_about(parent=None) -> None:
    """For the Help menu: Help › About Plansmith."""
    AboutDialog(parent).exec()
