"""Before the window opens: the libraries Qt's xcb platform plugin needs (Linux).

Without them Qt stops the process with "Could not load the Qt platform plugin xcb" and no
hint of what to install. This names the missing libraries and the command that installs them.
Qt-free (it runs before PySide6 is used); the table is resources/system/qt-xcb-libraries.tsv.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable

from desktop.paths import resources_dir

TABLE = "system/qt-xcb-libraries.tsv"


def read_table() -> list[tuple[str, str, str]]:
    """(soname, Debian/Ubuntu package, Fedora package) per line."""
    rows = []
    for line in (resources_dir() / TABLE).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            soname, apt, dnf = line.split("\t")
            rows.append((soname, apt, dnf))
    return rows


def _found(soname: str) -> bool:
    name = soname.removeprefix("lib").split(".so")[0]
    return ctypes.util.find_library(name) is not None


def uses_xcb(env: dict[str, str] | None = None, platform: str | None = None) -> bool:
    env = os.environ if env is None else env
    if (platform or sys.platform) != "linux" or getattr(sys, "frozen", False):
        return False  # the frozen app carries these libraries itself
    chosen = env.get("QT_QPA_PLATFORM", "")
    return chosen.startswith("xcb") or (not chosen and not env.get("WAYLAND_DISPLAY"))


def missing_message(found: Callable[[str], bool] | None = None, env: dict[str, str] | None = None,
                    platform: str | None = None) -> str:
    """"" when the window can start; else what is missing and the command that installs it."""
    if not uses_xcb(env, platform):
        return ""
    found = found or _found
    missing = [row for row in read_table() if not found(row[0])]
    if not missing:
        return ""
    apt = " ".join(dict.fromkeys(r[1] for r in missing))
    dnf = " ".join(dict.fromkeys(r[2] for r in missing))
    return ("The window cannot open: Qt's xcb platform needs libraries this system lacks: "
            + ", ".join(r[0] for r in missing) + ".\n"
            f"Install them, then start Plansmith again:\n"
            f"  Debian/Ubuntu: sudo apt-get install -y {apt}\n"
            f"  Fedora:        sudo dnf install -y {dnf}\n"
            "(The command line works without them: plansmith run PLAN --repo DIR.)")
