"""Draw the easy-read sheet's pictures: each Lucide icon in lr_desk/data/pictures/svg/ in
the sheet's blue on a pale tile, saved as lr_desk/data/pictures/NAME.jpg (reportlab, which
draws the sheet, cannot read SVG). Run it again after changing an SVG or the colours, and
commit the pictures with it:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_pictures.py [--size 192]

JPEG, at high quality and without colour subsampling, because reportlab puts a JPEG file
into the PDF as it is, where any other picture is decompressed and compressed again for
every sheet (about 2 ms a picture, a dozen on a sheet). No transparency either (a soft
mask would be a second image): each is drawn on the colour of the paper it goes on
(white; the urgent-help box's yellow for the life ring). 192 pixels makes a 40 pt
picture about 350 dots per inch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QByteArray, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from lr_desk.sheets.easy_read_pictures import PICTURES, PICTURES_DIR  # noqa: E402
from lr_desk.sheets.look import ACCENT, URGENT_BG  # noqa: E402

TILE = "#E6ECF5"  # a pale tint of the sheet's blue; the blue on it: 10:1
PAPER = {"life-buoy": URGENT_BG.hexval()}  # the rest go on white


def _hex(value: str) -> str:
    return "#" + value.removeprefix("0x").removeprefix("#").upper()


def draw(svg: Path, size: int, paper: str) -> QImage:
    source = svg.read_text(encoding="utf-8").replace("currentColor", _hex(ACCENT.hexval()))
    renderer = QSvgRenderer(QByteArray(source.encode()))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(paper))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(TILE))
    painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.18, size * 0.18)
    pad = size * 0.16
    renderer.render(painter, QRectF(pad, pad, size - 2 * pad, size - 2 * pad))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_RGB888)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=192, help="pixels square")
    args = parser.parse_args()
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (Qt needs one)
    for name in sorted({p.file for p in PICTURES.values()}):
        paper = _hex(PAPER.get(name, "#FFFFFF"))
        image = draw(PICTURES_DIR / "svg" / f"{name}.svg", args.size, paper)
        out = PICTURES_DIR / f"{name}.jpg"
        pixels = Image.frombytes("RGB", (image.width(), image.height()),
                                 bytes(image.constBits()[:image.sizeInBytes()]), "raw", "RGB",
                                 image.bytesPerLine())
        pixels.save(out, "JPEG", quality=95, subsampling=0, optimize=True)
        print(f"{out.relative_to(ROOT)}  {args.size}x{args.size}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
