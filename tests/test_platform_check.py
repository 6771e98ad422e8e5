"""Before the window opens, missing Qt xcb libraries are named with the command that installs them."""

from __future__ import annotations

import subprocess
import sys

from desktop.ui.platform_check import missing_message, read_table, uses_xcb


def test_the_table_covers_the_libraries_qt_needs():
    names = [row[0] for row in read_table()]
    assert "libxcb-cursor.so.0" in names and len(names) >= 10
    assert all(apt and dnf for _, apt, dnf in read_table())


def test_missing_libraries_are_named_with_the_install_command():
    message = missing_message(found=lambda so: so != "libxcb-cursor.so.0", env={"DISPLAY": ":0"}, platform="linux")
    assert "libxcb-cursor.so.0" in message and "libxcb-icccm" not in message
    assert "sudo apt-get install -y libxcb-cursor0" in message and "sudo dnf install -y xcb-util-cursor" in message
    assert missing_message(found=lambda so: True, env={}, platform="linux") == ""


def test_only_the_xcb_platform_is_checked():
    assert uses_xcb({}, "linux") and uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb({}, "darwin")


def test_the_app_stops_with_the_message_before_qt_aborts(tmp_path):
    # A real process: the check runs in desktop.ui.app.main, before QApplication exists.
    code = ("import desktop.ui.platform_check as pc, desktop.ui.app as app; "
            "pc._found = lambda so: so != 'libxcb-cursor.so.0'; raise SystemExit(app.main())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "DISPLAY": ":99", "PLANSMITH_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "libxcb-cursor.so.0" in result.stderr and "apt-get install -y libxcb-cursor0" in result.stderr
