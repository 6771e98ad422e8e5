"""Render resources/icons/plansmith.svg to plansmith.png (256x256) with Qt's SVG renderer.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/linux/render_icon.py [SIZE]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


def render(size: int = 256) -> Path:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage needs one)
    renderer = QSvgRenderer(str(ICONS / "plansmith.svg"))
    if not renderer.isValid():
        raise SystemExit("plansmith.svg is not valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out = ICONS / "plansmith.png"
    if not image.save(str(out)):
        raise SystemExit(f"could not write {out}")
    return out


if __name__ == "__main__":
    print(render(int(sys.argv[1]) if len(sys.argv) > 1 else 256))
