"""Render the application icon from ``resources/icons/mobile-alert-console.svg``.

    python packaging/make_icons.py [--ico]

Writes ``resources/icons/mobile-alert-console.png`` (256x256, transparent background) and,
with ``--ico``, ``mobile-alert-console.ico`` beside it (Windows executable and MSI icon).
Runs headless (Qt's offscreen platform is not needed: only QtGui and QtSvg are used).
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "mobile-alert-console.svg"
PNG = ICONS / "mobile-alert-console.png"
ICO = ICONS / "mobile-alert-console.ico"
SIZE = 256


def render_png(svg: Path = SVG, out: Path = PNG, size: int = SIZE) -> Path:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"make_icons: cannot write {out}")
    return out


def render_ico(png: Path = PNG, out: Path = ICO) -> Path:
    from PIL import Image

    Image.open(png).save(out, sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128),
                                     (256, 256)])
    return out


def main(argv: list[str]) -> int:
    print(render_png())
    if "--ico" in argv:
        print(render_ico())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
