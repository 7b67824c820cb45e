"""Text in any script on the sheet: DejaVu Sans embedded (``lr_desk/data/fonts/``), and
right-to-left words shaped and put in reading order.

Reportlab draws characters in the order given and does not join Arabic letters, so any
text holding right-to-left characters is shaped (arabic-reshaper) and put in display
order (python-bidi) line by line, after breaking it into lines in logical order (the
order the Unicode bidi algorithm requires); Latin text goes to reportlab untouched.
``text()`` makes a paragraph of anyone's words, safe for any content.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph

from lr_desk.resources import RESOURCES
from lr_desk.sheets.look import BOLD, FONT, right

FONT_DIR = RESOURCES / "fonts"

_lock = threading.Lock()
_fallback: dict[int, str] | None = None  # presentation forms DejaVu lacks -> base letters

# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic extended, and the
# Hebrew and Arabic presentation forms.
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# DejaVu Sans has no glyph for the "Allah" ligature (U+FDF2): spell it out.
_reshaper = arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})


def ensure_fonts() -> dict[int, str]:
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


def shape(line: str) -> str:
    """Join Arabic letters (presentation forms), keeping to the glyphs DejaVu has."""
    return _reshaper.reshape(line).translate(ensure_fonts())


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
        for word in shape(logical).split(" "):
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


class BidiText(Flowable):
    """A paragraph of right-to-left (or mixed) text, laid out for the width it gets."""

    def __init__(self, text: str, style: ParagraphStyle, label: str = ""):
        super().__init__()
        self.text, self.style, self.label = text, style, label
        self._para: Paragraph | None = None
        self._width: float | None = None

    def _paragraph(self, width: float) -> Paragraph:
        if self._para is None or self._width != width:
            markup, rtl = _bidi_markup(self.text, self.style, width - 0.5, self.label)
            style = right(self.style) if rtl else self.style
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


def text(words: str, style: ParagraphStyle, label: str = "") -> Flowable:
    """A paragraph of the person's (or the directory's) words, safe for any content:
    markup characters are escaped, line breaks kept, right-to-left text shaped."""
    words = words or ""
    if RTL.search(words):
        return BidiText(words, style, label)
    body = escape(words).replace("\n", "<br/>")
    return Paragraph(f"<b>{escape(label)}</b> {body}" if label else body, style)
