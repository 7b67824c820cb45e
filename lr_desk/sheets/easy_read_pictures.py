"""The easy-read sheet's pictures, and a line of words with its picture beside it.

The pictures are Lucide line icons (ISC licence; ``lr_desk/data/pictures/README.md``)
drawn on a tile and saved as JPEG by ``scripts/make_pictures.py`` (reportlab draws no SVG;
a JPEG file goes into the PDF as it is, once per sheet, where any other picture would be
compressed again for every sheet).
A picture never carries meaning alone: it always stands beside its words, and its content
in the PDF carries an alternate text (a marked-content ``/Span`` with ``/Alt``, which PDF
allows on an untagged page).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.platypus import Flowable

from lr_desk.resources import RESOURCES
from lr_desk.services.sheet import SHEET_KINDS
from lr_desk.sheets.flow import Together

PICTURES_DIR = RESOURCES / "pictures"


@dataclass(frozen=True)
class Picture:
    file: str  # the picture's name in lr_desk/data/pictures, without ".jpg"
    alt: str  # what it shows, in a few words

    @functools.cached_property
    def path(self) -> str:
        return str(PICTURES_DIR / f"{self.file}.jpg")


PICTURES = {
    # the kinds of item (the keys of services.sheet.SHEET_KINDS)
    "course": Picture("book-open", "Picture: an open book"),
    "partner_service": Picture("handshake", "Picture: two hands shaking"),
    "volunteering": Picture("hand-heart", "Picture: a hand holding a heart"),
    "peer_support": Picture("users", "Picture: a group of people"),
    "own_step": Picture("person-standing", "Picture: a person standing"),
    # the lines of an item, the catch-up and the urgent help
    "phone": Picture("phone", "Picture: a telephone"),
    "calendar": Picture("calendar-check", "Picture: a calendar"),
    "where": Picture("map-pin", "Picture: a pin on a map"),
    "when": Picture("clock", "Picture: a clock"),
    "web": Picture("globe", "Picture: a globe, for the internet"),
    "first_step": Picture("footprints", "Picture: footprints"),
    "urgent": Picture("life-buoy", "Picture: a life ring"),
}
# An item's kind, in the visitor's words (what SheetItem.kind holds) -> its picture.
KIND_PICTURE = {words: PICTURES[key] for key, words in SHEET_KINDS.items()}

def _pdf_text(words: str) -> str:
    """``words`` as a PDF literal string (ASCII; anything else is left out)."""
    plain = words.encode("ascii", "ignore").decode()
    return "(" + plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


class Pictured(Flowable):
    """Lines of words (flowables, one under another) with a picture to their left, its
    top level with the top of the first line. Without a picture the words keep the same
    indent, so every line of the sheet starts at the same place.

    It splits between its lines, or inside a line taller than the room left (someone's
    own words can run long); the picture stays with the first part."""

    def __init__(self, picture: Picture | None, lines: list[Flowable], size: float,
                 gutter: float):
        super().__init__()
        self.picture, self.lines, self.size, self.gutter = picture, lines, size, gutter
        self._stack = Together(lines, 0x7FFFFFFF)

    def wrap(self, availWidth, availHeight):
        _, text_h = self._stack.wrap(availWidth - self.gutter, availHeight)
        self.width = availWidth
        self.height = max(text_h, self.size if self.picture else 0)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        width = availWidth - self.gutter
        _, _, placed = self._stack._laid_out(width)
        for i, (f, y, h) in enumerate(placed):
            if y + h <= availHeight:
                continue
            if i > 0:
                return [Pictured(self.picture, self.lines[:i], self.size, self.gutter),
                        Pictured(None, self.lines[i:], self.size, self.gutter)]
            parts = f.split(width, availHeight)
            if len(parts) != 2:
                f.wrap(width, 0x7FFFFFFF)  # a paragraph that cannot split forgets its lines
                return []
            return [Pictured(self.picture, [parts[0]], self.size, self.gutter),
                    Pictured(None, [parts[1], *self.lines[1:]], self.size, self.gutter)]
        return []

    def draw(self):
        canvas = self.canv
        self._stack.drawOn(canvas, self.gutter, self.height - self._stack.height)
        if self.picture is not None:
            x = (self.gutter * 0.8 - self.size) / 2  # centred in the gutter's picture column
            canvas.addLiteral(f"/Span <</Alt {_pdf_text(self.picture.alt)}>> BDC")
            canvas.drawImage(self.picture.path, x, self.height - self.size, self.size,
                             self.size)
            canvas.addLiteral("EMC")

    def getSpaceBefore(self):
        return self._stack.getSpaceBefore()

    def getSpaceAfter(self):
        return self._stack.getSpaceAfter()
