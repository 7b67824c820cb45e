"""The sheet's fonts, and which of them draws each character.

Three families are embedded from ``lr_desk/data/fonts/``: DejaVu Sans for most scripts
(Latin, Greek, Cyrillic, Hebrew...), Noto Naskh Arabic for the Arabic script (Arabic,
Farsi, Urdu, Pashto, Kurdish Sorani) and Noto Sans Ethiopic for Ge'ez (Tigrinya,
Amharic). A family is registered with reportlab the first time a run of text needs it:
reading a font costs milliseconds, and an English sheet never reads Noto.

``runs(text)`` cuts text into runs, each drawn in one family: Arabic-script letters in
Noto Naskh, Ethiopic in Noto Sans Ethiopic, anything else in DejaVu Sans; spaces, digits
and punctuation stay in the run they are in (when its font has them); a character the
preferred font lacks goes to any bundled font that has it. ``markup`` turns text into
reportlab paragraph markup with ``<font name=...>`` around the runs not in DejaVu (text
DejaVu draws alone comes out exactly as ``escape`` would make it), and ``width`` measures
it run by run. Noto Naskh Arabic is registered as a ``shaping.ShapedFont``: its runs are
shaped by HarfBuzz (``text`` draws them), and measured as shaped.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from lr_desk.resources import RESOURCES
from lr_desk.sheets.look import ARABIC_BOLD, ARABIC_FONT, BOLD, ETHIOPIC_BOLD, ETHIOPIC_FONT, FONT
from lr_desk.sheets.shaping import ShapedFont, shaped

FONT_DIR = RESOURCES / "fonts"

# The Arabic script: Arabic, its supplement and extended blocks, and its presentation
# forms (what shaping makes: the joined forms of the letters).
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff"
                           "\ufe70-\ufefc]")
ETHIOPIC_SCRIPT = re.compile("[\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f"
                             "\U0001e7e0-\U0001e7ff]")


@dataclass(frozen=True, eq=False)
class Family:
    regular: str  # reportlab's names
    bold: str
    files: tuple[str, str]  # in FONT_DIR: regular, bold
    script: re.Pattern | None  # the characters it draws first (None: the rest)
    shaping: bool = False  # its runs are shaped by HarfBuzz (``shaping``)

    def name(self, bold: bool) -> str:
        return self.bold if bold else self.regular


DEJAVU = Family(FONT, BOLD, ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), None)
NASKH = Family(ARABIC_FONT, ARABIC_BOLD,
               ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"), ARABIC_SCRIPT,
               shaping=True)
ETHIOPIC = Family(ETHIOPIC_FONT, ETHIOPIC_BOLD,
                  ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
                  ETHIOPIC_SCRIPT)
FAMILIES = (DEJAVU, NASKH, ETHIOPIC)
_SCRIPTS = (NASKH, ETHIOPIC)

_lock = threading.Lock()
_cmaps: dict[str, frozenset[int]] = {}  # family -> code points both its faces draw


def cmap(family: Family) -> frozenset[int]:
    """The characters (code points) ``family`` draws in both regular and bold,
    registering it with reportlab (once per process) if it is not yet."""
    found = _cmaps.get(family.regular)
    if found is None:
        with _lock:
            found = _cmaps.get(family.regular)
            if found is None:
                kind = ShapedFont if family.shaping else TTFont
                regular = kind(family.regular, str(FONT_DIR / family.files[0]))
                bold = kind(family.bold, str(FONT_DIR / family.files[1]))
                pdfmetrics.registerFont(regular)
                pdfmetrics.registerFont(bold)
                pdfmetrics.registerFontFamily(family.regular, normal=family.regular,
                                              bold=family.bold, italic=family.regular,
                                              boldItalic=family.bold)
                found = frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)
                _cmaps[family.regular] = found
    return found


def registered(family: Family) -> bool:
    """Whether ``family`` has been registered in this process (for tests of laziness)."""
    return family.regular in _cmaps


@functools.lru_cache(maxsize=8192)
def family_for(ch: str, current: Family | None = None) -> Family | None:
    """The family that draws ``ch`` in a run now in ``current``; None when no bundled
    font has it. (Remembered: a sheet asks about the same few letters over and over.)"""
    code = ord(ch)
    for family in _SCRIPTS:
        if family.script.match(ch):
            if code in cmap(family):
                return family
            break
    else:
        if current is not None and not ch.isalpha() and code in cmap(current):
            return current
    if code in cmap(DEJAVU):
        return DEJAVU
    for family in FAMILIES:  # rare: a character outside the scripts' blocks
        if code in cmap(family):
            return family
    return None


def invisible(ch: str) -> bool:
    """A formatting character (zero-width joiner, direction mark) or a variation
    selector: nothing to see, so left out where no font has it, never reported."""
    return unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f" or \
        "\U000e0100" <= ch <= "\U000e01ef"


def runs(text: str) -> list[tuple[Family, str]]:
    """``text`` cut into runs, each drawn in one family (see the module's notes).
    Spaces and punctuation before the first letter go with the first letter's run when
    its font has them. A character no font has stays in the run it is in (``unprintable``
    reports it); an invisible one no font has is left out."""
    out: list[tuple[Family, str]] = []
    current: Family | None = None
    chars: list[str] = []
    for ch in text:
        if current is None and (ch.isspace() or not (ch.isalpha() or _scripted(ch))):
            chars.append(ch)  # leading: wait for the first letter
            continue
        if ch.isspace():
            family = current
        else:
            family = family_for(ch, current)
            if family is None:
                if invisible(ch):
                    continue
                family = current or DEJAVU
        if current is None:
            if not all(c.isspace() or ord(c) in cmap(family) for c in chars):
                out.append((DEJAVU, "".join(chars)))
                chars = []
        elif family is not current:
            out.append((current, "".join(chars)))
            chars = []
        current = family
        chars.append(ch)
    if chars:
        out.append((current or DEJAVU, "".join(chars)))
    return [(family, part) for family, part in out if part]


def _scripted(ch: str) -> bool:
    return any(family.script.match(ch) for family in _SCRIPTS)


def markup(text: str, bold: bool = False) -> str:
    """``text`` as paragraph markup, escaped, the runs not in DejaVu Sans in their own
    font (bold ones in bold: ``<font name=...>`` sets the face outright). Text that is
    all ASCII is only escaped."""
    if text.isascii():
        return escape(text)
    return "".join(escape(part) if family is DEJAVU
                   else f'<font name="{family.name(bold)}">{escape(part)}</font>'
                   for family, part in runs(text))


@functools.lru_cache(maxsize=16384)
def width(text: str, bold: bool, size: float) -> float:
    """How wide ``text`` (as typed) is drawn at ``size``, run by run in each run's
    font, Arabic-script runs as shaped. (Remembered: a paragraph is measured word by
    word, each time it is laid out.)"""
    if text.isascii():
        cmap(DEJAVU)  # registered (once)
        return pdfmetrics.stringWidth(text, DEJAVU.name(bold), size)
    return sum(shaped(part, family.name(bold))[1] * size / 1000 if family.shaping
               else pdfmetrics.stringWidth(part, family.name(bold), size)
               for family, part in runs(text))
