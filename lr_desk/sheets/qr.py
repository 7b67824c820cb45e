"""QR codes of web addresses on the sheet, and their label: the address the code opens,
printed under it, so a visitor without a phone camera (or whose camera is not set to
read codes) can type it.

A code is drawn as one cached PDF path (a graphics widget would make, then draw, a shape
per module on every page it is drawn on); encoding an address costs milliseconds (it
tries all eight masks), so each is encoded once per process.
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape, quoteattr

from reportlab.graphics.barcode import qr
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

LABEL = "Scan to open:"


def target(web: str) -> str:
    """The address a code for ``web`` opens: as typed, with https:// if it has no scheme."""
    web = web.strip()
    return web if "://" in web else f"https://{web}"


@functools.lru_cache(maxsize=512)
def qr_runs(value: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """A web address's QR code (reportlab's encoder, error correction M) as the module
    count and the dark runs (row, first column, length)."""
    code = qr.qrencoder.QRCode(None, qr.qrencoder.QRErrorCorrectLevel.M)
    code.addData(target(value))
    code.make()
    runs = []
    for r, row in enumerate(code.modules):
        start = None
        for c, dark in enumerate((*row, False)):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                runs.append((r, start, c - start))
                start = None
    return code.getModuleCount(), tuple(runs)


QUIET = 4  # modules of white around the code, as the standard asks


@functools.lru_cache(maxsize=512)
def qr_path(value: str, size: float) -> str:
    """The PDF drawing operators for a QR code ``size`` points square, quiet zone
    included: one filled path of the dark runs, made once per address and size."""
    count, runs = qr_runs(value)
    box = size / (count + 2 * QUIET)
    ops = [f"{(c + QUIET) * box:.3f} {size - (r + QUIET + 1) * box:.3f} "
           f"{n * box:.3f} {box * 1.02:.3f} re"  # a hair taller: no hairlines between rows
           for r, c, n in runs]
    return "q 0 g\n" + "\n".join(ops) + "\nf\nQ"


class QrCode(Flowable):
    """A QR code, drawn at the right of the width it is given."""

    def __init__(self, value: str, size: float):
        super().__init__()
        self.value, self.size = value, size
        self._room = self.width = self.height = size

    def wrap(self, availWidth, availHeight):  # takes the width it is given; drawn at the right
        self._room = availWidth
        return availWidth, self.size

    def draw(self):
        self.canv.translate(self._room - self.size, 0)
        self.canv.addLiteral(qr_path(self.value, self.size))


def qr_label(web: str, style: ParagraphStyle) -> Paragraph:
    """'Scan to open: https://...' (the address the code opens, a link in a saved PDF)."""
    url = target(web)
    return Paragraph(f"{LABEL} <a href={quoteattr(url)}>{escape(url)}</a>", style)
