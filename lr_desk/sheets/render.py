"""The take-home prescription sheet as a PDF (reportlab platypus; no Qt).

    render_sheet(data, path, large_print=None) -> path   (written atomically)
    render_bytes(data, large_print=None) -> bytes

A4 portrait, in plain words. Every page carries the header (The Life Rooms, the hub's
name, address, phone and opening hours; the date; who it was made with and for whom) and
"Page N of M" at the foot. The body: what matters to the person, their plan (each item:
what, with whom, where and when, how to get in touch with a QR code of the web address,
why and the first step), the next catch-up, and where to get urgent help (read from
``resources/urgent_help.json``, so the service can correct it without a code change).

Large print (``large_print=None`` follows the person's communication needs; True/False
override): every piece of text is at least 16 pt, with generous leading.

Text in any script: DejaVu Sans is embedded (``resources/fonts/``). Reportlab draws
characters in the order given and does not join Arabic letters, so any text holding
right-to-left characters is shaped (arabic-reshaper) and put in display order
(python-bidi) line by line, after breaking it into lines in logical order (the order the
Unicode bidi algorithm requires); Latin text goes to reportlab untouched.

Fonts, styles, QR drawings and the urgent-help text are made once and cached, so a typical
sheet renders in a few tens of milliseconds at most.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab import rl_config
from reportlab.graphics.barcode import qr
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from lr_desk.resources import RESOURCES
from lr_desk.services.sheet import SheetData, SheetItem, long_date

log = logging.getLogger(__name__)

FONT = "LRDejaVuSans"
BOLD = "LRDejaVuSans-Bold"
FONT_DIR = RESOURCES / "fonts"
URGENT_HELP = RESOURCES / "urgent_help.json"

# Streams are written binary (zlib only), not also ASCII85-encoded: smaller files, and
# reportlab's pure-Python ASCII85 would cost several milliseconds per sheet.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN

INK = colors.black
ACCENT = colors.HexColor("#003087")  # NHS blue: contrast 11.8:1 on white
URGENT_BG = colors.HexColor("#FFF3C4")  # black on it: 18.9:1

# --- fonts and text in any script --------------------------------------------------------

_lock = threading.Lock()
_fallback: dict[int, str] | None = None  # presentation forms DejaVu lacks -> base letters

# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic extended, and the
# Hebrew and Arabic presentation forms.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# DejaVu Sans has no glyph for the "Allah" ligature (U+FDF2): spell it out.
_reshaper = arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})


def _ensure_fonts() -> dict[int, str]:
    """Register DejaVu Sans (regular and bold) once per process."""
    global _fallback
    if _fallback is not None:
        return _fallback
    with _lock:
        if _fallback is None:
            regular = TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf"))
            bold = TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            pdfmetrics.registerFont(regular)
            pdfmetrics.registerFont(bold)
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT,
                                          boldItalic=BOLD)
            have = set(regular.face.charToGlyph) & set(bold.face.charToGlyph)
            table = {}
            for code in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD)):
                base = unicodedata.normalize("NFKC", chr(code))
                if code not in have and base != chr(code) and all(ord(c) in have for c in base):
                    table[code] = base
            _fallback = table
    return _fallback


def _shape(line: str) -> str:
    """Join Arabic letters (presentation forms), keeping to the glyphs DejaVu has."""
    return _reshaper.reshape(line).translate(_ensure_fonts())


def _base_direction(text: str) -> str:
    """'R' when the first strongly directional character is right-to-left, else 'L'."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return "L"


def _has_ltr(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) == "L" for ch in text)


def _visual_line(lead: str, words: list[str], base: str) -> str:
    visual = get_display(lead + " ".join(words), base_dir=base)
    if lead and visual.startswith(lead):  # a left-to-right label stays in front
        return f"<b>{escape(lead.rstrip())}</b> {escape(visual[len(lead):])}"
    return escape(visual)


def _bidi_markup(text: str, style: ParagraphStyle, width: float,
                 label: str = "") -> tuple[str, bool]:
    """Paragraph markup for text holding right-to-left characters: broken into lines in
    logical order to fit ``width``, then each line shaped and reordered for display.
    Returns the markup and whether the paragraph reads right to left."""
    font, size = style.fontName, style.fontSize
    if label and _base_direction(text) == "R" and _has_ltr(text):
        # Their words read right to left but mix in left-to-right ones (English, say):
        # laid out after a left-to-right label, their order would come out wrong. The
        # label gets a line of its own, and the words are laid out right to left (and
        # right-aligned) as a whole.
        markup, _ = _bidi_markup(text, style, width)
        return f"<b>{escape(label)}</b><br/>{markup}", True
    base = "L" if label else _base_direction(text)
    space = pdfmetrics.stringWidth(" ", font, size)
    lines = []
    lead = f"{label} " if label else ""
    for logical in text.split("\n"):
        used = pdfmetrics.stringWidth(lead, BOLD, size) if lead else 0.0
        words: list[str] = []
        for word in _shape(logical).split(" "):
            w = pdfmetrics.stringWidth(word, font, size)
            if words and used + space + w > width:
                lines.append(_visual_line(lead, words, base))
                lead, words, used = "", [word], w
            else:
                used += (space if words else 0.0) + w
                words.append(word)
        lines.append(_visual_line(lead, words, base))
        lead = ""
    return "<br/>".join(lines), base == "R"


class _BidiText(Flowable):
    """A paragraph of right-to-left (or mixed) text, laid out for the width it gets."""

    def __init__(self, text: str, style: ParagraphStyle, label: str = ""):
        super().__init__()
        self.text, self.style, self.label = text, style, label
        self._para: Paragraph | None = None
        self._width: float | None = None

    def _paragraph(self, width: float) -> Paragraph:
        if self._para is None or self._width != width:
            markup, rtl = _bidi_markup(self.text, self.style, width - 0.5, self.label)
            style = _right(self.style) if rtl else self.style
            self._para, self._width = Paragraph(markup, style), width
        return self._para

    def wrap(self, availWidth, availHeight):
        self.width, self.height = self._paragraph(availWidth).wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return self._paragraph(availWidth).split(availWidth, availHeight)

    def draw(self):
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter


def _text(text: str, style: ParagraphStyle, label: str = "") -> Flowable:
    """A paragraph of the person's (or the directory's) words, safe for any content:
    markup characters are escaped, line breaks kept, right-to-left text shaped."""
    text = text or ""
    if _RTL.search(text):
        return _BidiText(text, style, label)
    body = escape(text).replace("\n", "<br/>")
    return Paragraph(f"<b>{escape(label)}</b> {body}" if label else body, style)


class _Together(Flowable):
    """Flowables kept on one page, like platypus's KeepTogether, but each laid out only
    once per width (that halves the time a sheet takes).

    When the block does not fit: with little room left on the page it moves whole to the
    next; with a good part of the page free (large print makes an item tall) it splits,
    the rest going on under ``continued()`` (the item's title again). A block that cannot
    fit even a whole page flows on piece by piece.
    """

    ROOM_TO_SPLIT = 0.4  # of a page: with this much free, split rather than leave it empty

    def __init__(self, flowables: list[Flowable], page_height: float,
                 continued: Callable[[], Flowable] | None = None, min_first: int = 2):
        super().__init__()
        self.flowables = flowables
        self.page_height = page_height
        self.continued = continued
        self.min_first = min_first  # pieces that must be on the page before a split
        self._layout: tuple[float, float, list[tuple[Flowable, float, float]]] | None = None

    def _laid_out(self, width: float):
        if self._layout is None or self._layout[0] != width:
            placed, y, after = [], 0.0, None
            for f in self.flowables:
                _, h = f.wrap(width, 0x7FFFFFFF)
                if after is not None:
                    y += max(after, f.getSpaceBefore())
                placed.append((f, y, h))
                y += h
                after = f.getSpaceAfter()
            self._layout = (width, y, placed)
        return self._layout

    def wrap(self, availWidth, availHeight):
        _, self.height, _ = self._laid_out(availWidth)
        self.width = availWidth
        return self.width, self.height

    def split(self, availWidth, availHeight):
        _, height, placed = self._laid_out(availWidth)
        at_top = availHeight >= self.page_height - 1
        if height <= self.page_height and availHeight < self.page_height * self.ROOM_TO_SPLIT:
            return []  # little room left: the whole block goes to the next page
        first, rest = list(self.flowables), []
        for i, (f, y, h) in enumerate(placed):
            if y + h <= availHeight:
                continue
            # the first piece that does not fit: split it too if it can be (a paragraph)
            parts = f.split(availWidth, availHeight - y) if availHeight > y else []
            if len(parts) == 2:
                first, rest = [*self.flowables[:i], parts[0]], [parts[1], *self.flowables[i + 1:]]
            else:
                first, rest = self.flowables[:i], self.flowables[i:]
            break
        if len(first) < self.min_first or not rest:
            if not at_top:
                return []  # the next page
            # even a fresh page takes too little of it: let the pieces flow on their own
            if len(self.flowables) == 1:
                return self.flowables[0].split(availWidth, availHeight)
            return list(self.flowables)
        if self.continued is not None:
            rest = [self.continued(), *rest]
        return [_Together(first, self.page_height),
                _Together(rest, self.page_height, self.continued,
                          min_first=2 if self.continued else 1)]

    def draw(self):
        _, height, placed = self._layout
        for f, y, h in placed:
            f.drawOn(self.canv, 0, height - y - h)

    def getSpaceBefore(self):
        return self.flowables[0].getSpaceBefore() if self.flowables else 0

    def getSpaceAfter(self):
        return self.flowables[-1].getSpaceAfter() if self.flowables else 0


class _Columns(Flowable):
    """Stacks of flowables side by side, tops aligned (the header; an item's details
    beside its QR code). Laid out once per width, where a Table would lay its cells out
    again to draw them. It moves whole to the next page rather than split; only if it is
    taller than a whole page (very long words, in large print) do its pieces go one
    under another, so that they can flow over pages."""

    def __init__(self, columns: list[tuple[list[Flowable], float]]):
        super().__init__()
        self.pieces = [f for flowables, _share in columns for f in flowables]
        self.columns = [(_Together(flowables, 0x7FFFFFFF), share)
                        for flowables, share in columns]
        self._width: float | None = None
        self._most_room = 0.0  # the most height it has been offered: a page's, at the top

    def wrap(self, availWidth, availHeight):
        if availHeight < 100_000:  # a frame's offer, not a block measuring its height
            self._most_room = max(self._most_room, availHeight)
        if self._width != availWidth:
            self.height = max(stack.wrap(availWidth * share, availHeight)[1]
                              for stack, share in self.columns)
            self._width = availWidth
        self.width = availWidth
        return self.width, self.height

    def split(self, availWidth, availHeight):
        if self.height > availHeight and availHeight >= self._most_room - 1:
            return list(self.pieces)  # too tall even for a whole page: stack the pieces
        return []

    def draw(self):
        x = 0.0
        for stack, share in self.columns:
            stack.drawOn(self.canv, x, self.height - stack.height)
            x += self.width * share


# --- looks: normal and large print ----------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    body: ParagraphStyle
    intro: ParagraphStyle
    heading: ParagraphStyle
    item_title: ParagraphStyle
    urgent_title: ParagraphStyle
    head_title: ParagraphStyle
    head: ParagraphStyle
    head_right: ParagraphStyle
    head_name: ParagraphStyle
    footer_size: float
    qr_size: float
    gap: float
    rule: float


def _style(name: str, size: float, leading: float, bold: bool = False, color=INK,
           align=TA_LEFT, before: float = 0, after: float = 0,
           keep_with_next: bool = False) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BOLD if bold else FONT, fontSize=size,
                          leading=leading, textColor=color, alignment=align,
                          spaceBefore=before, spaceAfter=after,
                          keepWithNext=int(keep_with_next))


def _make_look(large: bool) -> _Look:
    k = "large" if large else "normal"
    if large:  # body 16 pt on 24 pt lines; nothing on the page smaller than 16 pt
        body, lead, head, head_lead = 16, 24, 16, 21
    else:
        body, lead, head, head_lead = 12, 17, 11, 14.5
    return _Look(
        body=_style(f"{k}-body", body, lead, after=body * 0.15),
        intro=_style(f"{k}-intro", body, lead, after=body * 0.5),
        heading=_style(f"{k}-heading", body * 1.4, body * 1.8, bold=True, color=ACCENT,
                       before=body * 0.9, after=body * 0.35, keep_with_next=True),
        item_title=_style(f"{k}-item", body * 1.15, lead * 1.1, bold=True,
                          before=body * 0.9, after=body * 0.2, keep_with_next=True),
        urgent_title=_style(f"{k}-urgent", body * 1.25, body * 1.65, bold=True,
                            after=body * 0.3),
        head_title=_style(f"{k}-head-title", head * 1.6, head * 2.0, bold=True, color=ACCENT),
        head=_style(f"{k}-head", head, head_lead),
        head_right=_style(f"{k}-head-right", head, head_lead, align=TA_RIGHT),
        head_name=_style(f"{k}-head-name", head * 1.25, head_lead * 1.3, bold=True,
                         align=TA_RIGHT),
        footer_size=16 if large else 10,
        qr_size=(30 if large else 24) * mm,
        gap=(7 if large else 5) * mm,
        rule=2 if large else 1.2,
    )


_LOOKS = {False: _make_look(False), True: _make_look(True)}
_RIGHT: dict[str, ParagraphStyle] = {}


def _right(style: ParagraphStyle) -> ParagraphStyle:
    """The same style aligned right (for a paragraph that reads right to left)."""
    found = _RIGHT.get(style.name)
    if found is None:
        found = _RIGHT[style.name] = ParagraphStyle(f"{style.name}-rtl", parent=style,
                                                    alignment=TA_RIGHT)
    return found


# --- words -----------------------------------------------------------------------------------


def clock_time(hhmm: str) -> str:
    """'09:30' -> '9:30am', '14:00' -> '2pm'; anything else as it is."""
    try:
        hours, minutes = (int(p) for p in hhmm.split(":"))
    except ValueError:
        return hhmm
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return hhmm
    suffix = "am" if hours < 12 else "pm"
    twelve = hours % 12 or 12
    return f"{twelve}{suffix}" if minutes == 0 else f"{twelve}:{minutes:02d}{suffix}"


# Used only when resources/urgent_help.json cannot be read: a sheet always says where to
# get urgent help, even after a bad edit of that file.
DEFAULT_URGENT_HELP = {
    "title": "If you need help urgently",
    "lines": [
        {"lead": "NHS 111", "text": "Call 111 and choose the mental health option."},
        {"lead": "Samaritans 116 123", "text": "Free to call, day or night."},
        {"lead": "999 or A&E", "text": "If a life is at risk, call 999 or go to A&E."},
    ],
}
_urgent_cache: tuple[tuple[str, int], dict] | None = None


def urgent_help() -> dict:
    """The 'If you need help urgently' words from ``resources/urgent_help.json``, read
    again whenever the file changes; the shipped words if it is missing or broken."""
    global _urgent_cache
    try:
        stamp = (str(URGENT_HELP), URGENT_HELP.stat().st_mtime_ns)
    except OSError:
        stamp = (str(URGENT_HELP), -1)
    cached = _urgent_cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(URGENT_HELP, encoding="utf-8") as fh:
            words = json.load(fh)
        if not (isinstance(words.get("title"), str) and isinstance(words.get("lines"), list)
                and all(isinstance(line, dict) and isinstance(line.get("text"), str)
                        and isinstance(line.get("lead", ""), str) for line in words["lines"])
                and words["lines"]):
            raise ValueError("expected a title and a list of lines, each with a text")
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("Cannot use %s (%s); the sheet shows the shipped urgent-help words",
                    URGENT_HELP, exc)
        words = DEFAULT_URGENT_HELP
    _urgent_cache = (stamp, words)
    return words


@functools.lru_cache(maxsize=512)
def _qr_runs(value: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """A web address's QR code (reportlab's encoder, error correction M) as the module
    count and the dark runs (row, first column, length). Encoding costs milliseconds
    (it tries all eight masks), so each address is encoded once per process."""
    target = value if "://" in value else f"https://{value}"
    code = qr.qrencoder.QRCode(None, qr.qrencoder.QRErrorCorrectLevel.M)
    code.addData(target)
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


@functools.lru_cache(maxsize=512)
def _qr_path(value: str, size: float) -> str:
    """The PDF drawing operators for a QR code ``size`` points square, quiet zone of four
    modules included: one filled path of the dark runs, made once per address and size."""
    count, runs = _qr_runs(value)
    quiet = 4
    box = size / (count + 2 * quiet)
    ops = [f"{(c + quiet) * box:.3f} {size - (r + quiet + 1) * box:.3f} "
           f"{n * box:.3f} {box * 1.02:.3f} re"  # a hair taller: no hairlines between rows
           for r, c, n in runs]
    return "q 0 g\n" + "\n".join(ops) + "\nf\nQ"


class _QrCode(Flowable):
    """A QR code as one cached path; a graphics widget would make, then draw, a shape
    per module on every page it is drawn on."""

    def __init__(self, value: str, size: float):
        super().__init__()
        self.value, self.size = value, size
        self._room = self.width = self.height = size

    def wrap(self, availWidth, availHeight):  # takes the width it is given; drawn at the right
        self._room = availWidth
        return availWidth, self.size

    def draw(self):
        self.canv.translate(self._room - self.size, 0)
        self.canv.addLiteral(_qr_path(self.value, self.size))


# --- the page ----------------------------------------------------------------------------------


def _header(data: SheetData, look: _Look) -> Flowable:
    hub = data.hub
    left: list[Flowable] = [Paragraph("The Life Rooms", look.head_title),
                            _text(hub.name, look.head)]
    address = " ".join(p for p in (hub.address, hub.postcode) if p)
    if address:
        left.append(_text(address, look.head))
    if hub.phone:
        left.append(_text(hub.phone, look.head, "Phone"))
    if hub.hours:
        left.append(_text(hub.hours, look.head, "Open"))
    right: list[Flowable] = [
        _text(long_date(data.made_on), look.head_right),
        _text(data.advisor_first_name or "your pathways advisor", look.head_right,
              "Made with"),
        _text(data.preferred_name or "you", look.head_name, "For"),
    ]
    return _Columns([(left, 0.56), (right, 0.44)])


_URGENT_STYLE = TableStyle([
    ("BOX", (0, 0), (-1, -1), 1.5, INK),
    ("BACKGROUND", (0, 0), (-1, -1), URGENT_BG),
    ("LEFTPADDING", (0, 0), (-1, -1), 10),
    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
    ("TOPPADDING", (0, 0), (-1, -1), 8),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
])


def _item(number: int, item: SheetItem, look: _Look) -> list[Flowable]:
    out: list[Flowable] = [_text(item.title, look.item_title, f"{number}.")]
    details = [_text(value, look.body, label)
               for label, value in (("What it is:", item.kind), ("With:", item.with_whom),
                                    ("Where:", item.where), ("When:", item.when),
                                    ("Phone:", item.phone), ("Website:", item.web))
               if value]
    if item.web:  # the QR code beside the details (directory fields: never a page long)
        share = (look.qr_size + 4 * mm) / WIDTH
        out.append(_Columns([(details, 1 - share), ([_QrCode(item.web, look.qr_size)], share)]))
    else:
        out.extend(details)
    if item.why:
        out.append(_text(item.why, look.body, "Why this matters to me:"))
    if item.first_step:
        out.append(_text(item.first_step, look.body, "My first step:"))
    if item.by_when:
        out.append(_text(long_date(item.by_when), look.body, "By when:"))
    return out


def _story(data: SheetData, look: _Look, page_height: float) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(
        "This is the plan we made together. Keep it somewhere handy, and get in touch with "
        "the people on it whenever you are ready.", look.intro)]
    if data.what_matters.strip():
        story.append(_Together([Paragraph("What matters to me", look.heading),
                                _text(data.what_matters, look.body)], page_height))

    heading: list[Flowable] = [Paragraph("Your plan", look.heading)]
    if not data.items:
        story.append(_Together([*heading, Paragraph("Nothing written down yet.", look.body)],
                               page_height))
    for number, item in enumerate(data.items, 1):
        continued = functools.partial(_text, f"{item.title} (continued)", look.item_title,
                                      f"{number}.")
        # the section's heading goes with its first item (never alone at a page's foot)
        story.append(_Together([*heading, *_item(number, item, look)], page_height,
                               continued, min_first=2 + len(heading)))
        heading = []

    block: list[Flowable] = [Paragraph("Your next catch-up with us", look.heading)]
    follow = data.next_follow_up
    if follow is not None:
        when = long_date(follow.date)
        if follow.time:
            when += f" at {clock_time(follow.time)}"
        block.append(_text(when, look.body, "When:"))
        if follow.way:
            block.append(_text(follow.way, look.body, "How:"))
        if follow.place:
            block.append(_text(follow.place, look.body, "Where:"))
    else:
        call = f", or call us on {data.hub.phone}" if data.hub.phone else ""
        block.append(_text(f"Nothing is booked yet. You are always welcome to drop in{call}.",
                           look.body))
    story.append(_Together(block, page_height))

    help_words = urgent_help()
    cell: list[Flowable] = [_text(help_words.get("title", "If you need help urgently"),
                                  look.urgent_title)]
    for line in help_words.get("lines", []):
        lead = (line.get("lead") or "").strip()
        cell.append(_text(line.get("text", ""), look.body, f"{lead}:" if lead else ""))
    box = Table([[cell]], colWidths=[WIDTH])
    box.setStyle(_URGENT_STYLE)
    story.append(Paragraph("", look.intro))  # a little air before the box
    story.append(box)
    return story


class _NumberedCanvas(Canvas):
    """Holds every page until the end, then stamps 'Page N of M' on each (two passes in
    one: the total is known only once the story has been laid out)."""

    def __init__(self, *args, footer_size: float = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer_size = footer_size

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, self._footer_size)
            self.setFillColor(INK)
            self.drawCentredString(PAGE_W / 2, MARGIN - self._footer_size * 0.2,
                                   f"Page {self._pageNumber} of {total}")
            self.restoreState()
            super().showPage()
        super().save()


def _build(data: SheetData, large: bool, out) -> None:
    """Lay the sheet out and write the PDF to ``out`` (a path or a binary file)."""
    _ensure_fonts()
    look = _LOOKS[large]
    header = _header(data, look)
    _, header_h = header.wrap(WIDTH, PAGE_H)
    header_y = PAGE_H - MARGIN - header_h
    rule_y = header_y - look.gap / 2
    body_top = header_y - look.gap
    body_bottom = MARGIN + look.footer_size * 1.6

    drawn = []

    def on_page(canvas, doc):
        # The header is the same on every page: drawn once into a form, then placed.
        if not drawn:
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
                          topMargin=MARGIN, bottomMargin=MARGIN,
                          title="Your plan from The Life Rooms", author="The Life Rooms",
                          subject="Social prescription", creator="lr_desk")
    doc.addPageTemplates([PageTemplate("sheet", frames=[frame], onPage=on_page)])
    doc.build(_story(data, look, body_top - body_bottom),
              canvasmaker=functools.partial(_NumberedCanvas, footer_size=look.footer_size))


# --- the public calls -----------------------------------------------------------------------


def render_bytes(data: SheetData, large_print: bool | None = None) -> bytes:
    """The sheet as PDF bytes. ``large_print`` None follows ``data.large_print``."""
    large = data.large_print if large_print is None else bool(large_print)
    buffer = io.BytesIO()
    _build(data, large, buffer)
    return buffer.getvalue()


def render_sheet(data: SheetData, path: str | os.PathLike, large_print: bool | None = None
                 ) -> Path:
    """Write the sheet to ``path`` atomically: a temporary file in the same folder, synced
    to disk, then renamed over ``path``. On any failure ``path`` is as it was (an older
    sheet stays whole) and no temporary file is left behind. Returns ``path``."""
    return write_atomically(render_bytes(data, large_print), Path(path))


def write_atomically(pdf: bytes, path: Path) -> Path:
    """Write ``pdf`` to ``path`` so that it is either the old file or the whole new one:
    a temporary file in the same folder, synced to disk, then renamed over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def prepare(web_addresses: Iterable[str] = ()) -> None:
    """Register the fonts and draw a small sheet once, so that the first real sheet is
    quick; also make the QR codes of ``web_addresses`` (say, the directory's) ahead of
    time. Optional; safe to call on a worker thread at start."""
    from lr_desk.services.sheet import SheetHub

    render_bytes(SheetData("", SheetHub("The Life Rooms"), date(2025, 1, 1), "", "",
                           items=[SheetItem("Step", "A step", web="example.org")]))
    for address in web_addresses:
        if address:
            _qr_runs(address)
