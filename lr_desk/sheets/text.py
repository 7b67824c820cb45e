"""Text in any script on the sheet: each run of text in a font that has its letters
(``fonts``: DejaVu Sans, Noto Naskh Arabic, Noto Sans Ethiopic, embedded), and
right-to-left words shaped and put in reading order.

Reportlab draws characters in the order given and does not join Arabic letters, so any
text holding right-to-left characters is shaped (arabic-reshaper) and put in display
order (python-bidi) line by line, after breaking it into lines in logical order (the
order the Unicode bidi algorithm requires); other text goes to reportlab as it is, in
runs by font. ``text()`` makes a paragraph of anyone's words, safe for any content.
``unprintable()`` says which characters no bundled font draws, for the desk to tell the
advisor before printing (they would print as empty boxes).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from lr_desk.sheets.fonts import (
    ARABIC_SCRIPT,
    DEJAVU,
    NASKH,
    cmap,
    family_for,
    invisible,
    markup,
    width,
)
from lr_desk.sheets.look import BOLD, right

_lock = threading.Lock()
_fallback: dict[int, str] | None = None  # joined forms Noto Naskh lacks -> base letters

# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic extended, and the
# Hebrew and Arabic presentation forms.
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
# Spelt out rather than drawn as the "Allah" ligature (U+FDF2), as typed.
_reshaper = arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})


def ensure_fonts() -> None:
    """Register DejaVu Sans (regular and bold) once per process: the page's own font.
    The other families are registered when a run of text first needs them."""
    cmap(DEJAVU)


def _shaping_fallback() -> dict[int, str]:
    """Joined (presentation) forms Noto Naskh Arabic, the Arabic runs' font, lacks, and
    the base letters it has to draw instead."""
    global _fallback
    if _fallback is None:
        with _lock:
            if _fallback is None:
                have = cmap(NASKH)
                table = {}
                for code in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD)):
                    base = unicodedata.normalize("NFKC", chr(code))
                    if code not in have and base != chr(code) and \
                            all(ord(c) in have for c in base):
                        table[code] = base
                _fallback = table
    return _fallback


def shape(line: str) -> str:
    """Join Arabic letters (presentation forms), keeping to the glyphs Noto Naskh Arabic
    has (a joined form it lacks is drawn as the plain letter). Other text is unchanged."""
    if not ARABIC_SCRIPT.search(line):
        return line
    return _reshaper.reshape(line).translate(_shaping_fallback())


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


def _visual_line(lead: str, words: list[str], base: str, bold: bool) -> str:
    """One line in display order, its runs in their fonts; the label ``lead`` (shaped)
    in bold at the line's start: the left in a left-to-right line, the right in a
    right-to-left one."""
    visual = get_display(lead + " ".join(words), base_dir=base)
    if lead and base == "L" and visual.startswith(lead):
        return f"<b>{markup(lead.rstrip(), True)}</b> {markup(visual[len(lead):], bold)}"
    if lead and base == "R":
        shown = get_display(lead.strip(), base_dir="R")
        if visual.endswith(shown):
            return f"{markup(visual[:-len(shown)], bold)}<b>{markup(shown, True)}</b>"
    return markup(visual, bold)


def _bidi_markup(text: str, style: ParagraphStyle, room: float,
                 label: str = "") -> tuple[str, bool]:
    """Paragraph markup for text holding right-to-left characters: broken into lines in
    logical order to fit ``room`` (measured run by run in each run's font), then each
    line shaped and reordered for display, its runs in their fonts. Returns the markup
    and whether the paragraph reads right to left. (Remembered per process: the same
    translated sentences are laid out on every sheet.)"""
    return _laid_out(text, style.fontSize, style.fontName == BOLD, room, label)


@functools.lru_cache(maxsize=2048)
def _laid_out(text: str, size: float, bold: bool, room: float,
              label: str) -> tuple[str, bool]:
    if label:
        # A left-to-right label leads left-to-right words, or right-to-left ones with no
        # left-to-right word among them; a right-to-left label (a translated one)
        # leads right-to-left words, at the right.
        label_rtl = _base_direction(label) == "R"
        inline_ltr = not RTL.search(label) and not (
            _base_direction(text) == "R" and _has_ltr(text))
        inline_rtl = label_rtl and not _has_ltr(label) and not _has_ltr(text)
        if not (inline_ltr or inline_rtl):
            # Otherwise the order would come out wrong: the label gets a line of its own
            # and the words are laid out as a whole (right to left, and right-aligned,
            # when they read so).
            words, rtl = _laid_out(text, size, bold, room, "")
            shown = get_display(shape(label), base_dir=_base_direction(label))
            return f"<b>{markup(shown, True)}</b><br/>{words}", rtl or label_rtl
        base = "L" if inline_ltr else "R"
    else:
        base = _base_direction(text)
    space = width(" ", bold, size)
    lines = []
    lead = f"{shape(label)} " if label else ""
    for n, logical in enumerate(text.split("\n")):
        # Each line typed is a paragraph of its own to the bidi algorithm, with its own
        # direction (after a label, the label's).
        line_base = base if label or n == 0 else _base_direction(logical)
        used = width(lead, True, size) if lead else 0.0
        words: list[str] = []
        for word in shape(logical).split(" "):
            w = width(word, bold, size)
            if words and used + space + w > room:
                lines.append(_visual_line(lead, words, line_base, bold))
                lead, words, used = "", [word], w
            else:
                used += (space if words else 0.0) + w
                words.append(word)
        lines.append(_visual_line(lead, words, line_base, bold))
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
            laid_out, rtl = _bidi_markup(self.text, self.style, width - 0.5, self.label)
            style = right(self.style) if rtl else self.style
            self._para, self._width = Paragraph(laid_out, style), width
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
    markup characters are escaped, line breaks kept, right-to-left text shaped, each run
    in a font that has its letters. ``label`` (bold) goes before the words."""
    words = words or ""
    if RTL.search(words) or RTL.search(label):
        return BidiText(words, style, label)
    body = markup(words, style.fontName == BOLD).replace("\n", "<br/>")
    return Paragraph(f"<b>{markup(label, True)}</b> {body}" if label else body, style)


def unprintable(strings: Iterable[str]) -> set[str]:
    """The characters in ``strings`` that no bundled font draws, for the desk to tell the
    advisor before printing: the sheet would show an empty box for each (rendering never
    refuses). An empty set when everything prints.

    The words are checked as they will be drawn: Arabic-script text shaped first (a
    joined form the font lacks is drawn as its plain letter, so that is no gap). Spaces
    and line breaks are never reported, nor invisible characters no font has (a
    zero-width joiner, a direction mark, an emoji's variation selector), which are left
    out. What comes back is what was typed (a plain letter, not a joined form).
    ``unprintable(["Zoë", "ትግርኛ", "ٹھیک ہے"]) == set()``;
    ``unprintable(["王芳 🙂"]) == {"王", "芳", "🙂"}``. Reads the fonts it needs to look
    in (milliseconds, once per process); safe on any thread."""
    missing: set[str] = set()
    for words in strings:
        if not words or words.isascii():
            continue
        for ch in set(shape(words)):
            if ch.isspace() or family_for(ch) is not None or invisible(ch):
                continue
            missing.update(unicodedata.normalize("NFKC", ch)
                           if PRESENTATION_FORMS.match(ch) else ch)
    return missing
