"""One way to draw a page the desk hands out, for the take-home sheet (``render``) and
the referral letter (``letter``): A4 portrait, the same header on every page (drawn once
into a form, then placed) over an accent rule, the body flowing in one frame below it,
and "Page N of M" at the foot (``flow.NumberedCanvas``). Also the pieces both headers
and bodies share: The Life Rooms and the hub's details, a boxed panel (the urgent
help, the reply asked for), and words with their translation beside them (``Pair``;
``Phrase``: a few fixed translated words, laid out once per process, not once a sheet).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from lr_desk.sheets.flow import NumberedCanvas
from lr_desk.sheets.look import (
    ACCENT,
    BOLD,
    INK,
    MARGIN,
    PAGE_H,
    PAGE_W,
    URGENT_BG,
    WIDTH,
    Look,
)
from lr_desk.sheets.text import BidiText, Piece, draw_line, ensure_fonts, line_width, text

BOX_STYLE = TableStyle([
    ("BOX", (0, 0), (-1, -1), 1.5, INK),
    ("BACKGROUND", (0, 0), (-1, -1), URGENT_BG),
    ("LEFTPADDING", (0, 0), (-1, -1), 10),
    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
    ("TOPPADDING", (0, 0), (-1, -1), 8),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
])


def boxed(cell: list[Flowable]) -> Table:
    """``cell`` in a box, the page's width, on the urgent-help background."""
    box = Table([[cell]], colWidths=[WIDTH])
    box.setStyle(BOX_STYLE)
    return box


# (words, label, style) -> what a Phrase draws: its runs (font, size, colour, text), or
# the line ``text`` laid out when the words hold right-to-left ones; its width and
# whether it is right-aligned; None when it is not one plain line
_PHRASES: dict[tuple[str, str, str], tuple | None] = {}
PHRASES_KEPT = 4096
_BOLD: dict[str, ParagraphStyle] = {}
_PLAIN = ("lineBreak", "cbDefn", "rise", "underline", "strike", "link", "backColor")


def _phrase(words: str, label: str, style: ParagraphStyle) -> tuple | None:
    key = (words, label, style.name)
    if key not in _PHRASES:
        if len(_PHRASES) >= PHRASES_KEPT:  # (dates make new words: kept bounded)
            _PHRASES.clear()
        made = text(words, style, label)
        if isinstance(made, BidiText):
            lines, rtl = made.layout(100_000)
            _PHRASES[key] = (lines[0], line_width(lines[0]), rtl) if len(lines) == 1 \
                else None
            return _PHRASES[key]
        para = made
        # (the parsed runs, read before wrapping: a paragraph of several runs, Ethiopic
        # words and DejaVu's colon, turns them into words as it is laid out)
        frags = list(para.frags or [])
        para.wrap(100_000, 100_000)
        runs = [(f.fontName, f.fontSize, f.textColor, f.text) for f in frags
                if isinstance(getattr(f, "text", None), str) and
                not any(getattr(f, a, None) for a in _PLAIN)]
        if not frags or len(runs) != len(frags) or len(para.blPara.lines) != 1:
            _PHRASES[key] = None
        else:
            runs[0] = (*runs[0][:3], runs[0][3].lstrip())
            runs[-1] = (*runs[-1][:3], runs[-1][3].rstrip())
            runs = [r for r in runs if r[3]]
            width = sum(stringWidth(t, font, size) for font, size, _, t in runs)
            _PHRASES[key] = (tuple(runs), width, para.style.alignment == TA_RIGHT)
    return _PHRASES[key]


class Phrase(Flowable):
    """A few fixed words (a translated heading or label) that fit on one line, drawn as
    ``text(words, style, label)`` draws them, but laid out once per process rather than
    once a sheet: the same words come on every sheet, several times. Words that do not
    fit the width they get are laid out as a paragraph."""

    def __init__(self, words: str, style: ParagraphStyle, label: str = ""):
        super().__init__()
        self.words, self.style, self.label = words, style, label
        self._drawn = _phrase(words, label, style)
        self._paragraph: Flowable | None = None

    def wrap(self, availWidth, availHeight):
        if self._drawn is None or self._drawn[1] > availWidth:
            if self._paragraph is None:
                self._paragraph = text(self.words, self.style, self.label)
            self.width, self.height = self._paragraph.wrap(availWidth, availHeight)
        else:
            self._paragraph = None
            self.width, self.height = availWidth, self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return self._paragraph.split(availWidth, availHeight) if self._paragraph else []

    def draw(self):
        if self._paragraph is not None:
            self._paragraph.drawOn(self.canv, 0, 0)
            return
        runs, width, right = self._drawn
        x, y = (self.width - width if right else 0.0), self.height - self.style.fontSize
        if runs and isinstance(runs[0], Piece):  # a line laid out by ``text``
            self.canv.setFillColor(self.style.textColor)
            draw_line(self.canv, x, y, runs, self.style.fontSize)
            return
        for font, size, colour, words in runs:
            self.canv.setFont(font, size)
            self.canv.setFillColor(colour)
            self.canv.drawString(x, y, words)
            x += stringWidth(words, font, size)

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter


GUTTER = 8.0  # points between the English and its translation


def bold(of: ParagraphStyle) -> ParagraphStyle:
    """The same style in bold (a translated label, as the English one is)."""
    found = _BOLD.get(of.name)
    if found is None:
        found = _BOLD[of.name] = ParagraphStyle(f"{of.name}-bold", parent=of, fontName=BOLD)
    return found


class Pair(Flowable):
    """Words in English with their translation beside them: the English at the left
    (``1 - share`` of the width), the translation at the right (right-aligned when it
    reads right to left), tops level; spaced as the English is. It splits where the
    English does (a long paragraph over a page), the translation going with the first
    part; else it moves whole."""

    def __init__(self, english: Flowable, translated: Flowable, share: float,
                 widest: float | None = None):
        super().__init__()
        self.english, self.translated, self.share = english, translated, share
        self.widest = widest  # the share a one-word translation may take to stay whole

    def _english_width(self, availWidth: float) -> float:
        left = availWidth * (1 - self.share)
        drawn = getattr(self.translated, "_drawn", None)
        if self.widest and drawn is not None and drawn[1] > availWidth - left and \
                " " not in self.translated.words.strip():  # one word: it cannot wrap
            left = max(availWidth * (1 - self.widest), availWidth - drawn[1])
        return left

    def wrap(self, availWidth, availHeight):
        left = self._english_width(availWidth)
        _, self._left_h = self.english.wrap(left - GUTTER, availHeight)
        _, self._right_h = self.translated.wrap(availWidth - left, availHeight)
        self.width, self.height = availWidth, max(self._left_h, self._right_h)
        self._left = left
        return self.width, self.height

    def split(self, availWidth, availHeight):
        left = self._english_width(availWidth)
        _, right_h = self.translated.wrap(availWidth - left, availHeight)
        parts = self.english.split(left - GUTTER, availHeight)
        if len(parts) != 2 or right_h > availHeight:
            self.english.wrap(left - GUTTER, 0x7FFFFFFF)  # (a failed split forgets lines)
            return []
        return [Pair(parts[0], self.translated, self.share, self.widest), parts[1]]

    def draw(self):
        self.english.drawOn(self.canv, 0, self.height - self._left_h)
        self.translated.drawOn(self.canv, self._left, self.height - self._right_h)

    def getSpaceBefore(self):
        return self.english.getSpaceBefore()

    def getSpaceAfter(self):
        return self.english.getSpaceAfter()


def hub_lines(hub, look: Look, hours: bool = True, lang=None) -> list[Flowable]:
    """The header's left column: The Life Rooms, the hub's name, address and phone (and
    its opening hours, when ``hours``). ``hub``: a ``services.sheet.SheetHub``; ``lang``
    (a ``catalogues.Catalogue``, or None): the labels' translation beside them."""
    lines: list[Flowable] = [Paragraph("The Life Rooms", look.head_title),
                             text(hub.name, look.head)]
    address = " ".join(p for p in (hub.address, hub.postcode) if p)
    if address:
        lines.append(text(address, look.head))
    for label, value in (("Phone", hub.phone), ("Open", hub.hours if hours else "")):
        if value:
            said = lang(label) if lang is not None else ""
            line = text(value, look.head, label)
            # (a one-word label wider than a quarter, "Telefone" in large print, takes
            # up to a third rather than break in the middle of the word)
            lines.append(Pair(line, Phrase(said, bold(look.head)), 0.25, widest=1 / 3)
                         if said else line)
    return lines


def build(out, look: Look, head: Callable[[], Flowable],
          story: Callable[[float], list[Flowable]], *, template: str, title: str,
          subject: str) -> None:
    """Lay the pages out and write the PDF to ``out`` (a path or a binary file): the
    header ``head()`` on every page, then ``story(page_height)`` (the body's height, for
    blocks kept together) in the frame below it."""
    ensure_fonts()
    header = head()
    _, header_h = header.wrap(WIDTH, PAGE_H)
    header_y = PAGE_H - MARGIN - header_h
    rule_y = header_y - look.gap / 2
    body_top = header_y - look.gap
    body_bottom = MARGIN + look.footer_size * 1.6
    drawn: list[bool] = []

    def on_page(canvas, doc):
        if not drawn:  # the same on every page: drawn once into a form, then placed
            canvas.beginForm("header")
            header.drawOn(canvas, MARGIN, header_y)
            canvas.setStrokeColor(ACCENT)
            canvas.setLineWidth(look.rule)
            canvas.line(MARGIN, rule_y, PAGE_W - MARGIN, rule_y)
            canvas.endForm()
            drawn.append(True)
        canvas.doForm("header")

    frame = Frame(MARGIN, body_bottom, WIDTH, body_top - body_bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=MARGIN, title=title,
                          author="The Life Rooms", subject=subject, creator="lr_desk")
    doc.addPageTemplates([PageTemplate(template, frames=[frame], onPage=on_page)])
    doc.build(story(body_top - body_bottom),
              canvasmaker=functools.partial(NumberedCanvas, footer_size=look.footer_size))
