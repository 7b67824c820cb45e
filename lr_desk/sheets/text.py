"""Text in any script on the sheet: each run of text in a font that has its letters
(``fonts``: DejaVu Sans, Noto Naskh Arabic, Noto Sans Ethiopic, embedded), and
right-to-left words in reading order, Arabic-script letters shaped.

Reportlab draws characters in the order given and shapes nothing, so text holding
right-to-left characters is laid out here (``BidiText``): broken into lines in logical
order (the order the Unicode bidi algorithm requires), measured as drawn; each line put
in display order (python-bidi), cut into runs by font, and each Arabic-script run shaped
by HarfBuzz (``shaping``: joined letters, Pashto's and Urdu's included, marks placed)
and drawn glyph by glyph. Other text goes to reportlab as it is, in runs by font.
``text()`` makes a paragraph of anyone's words, safe for any content. ``unprintable()``
says which characters no bundled font draws, for the desk to tell the advisor before
printing (they would print as empty boxes).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

import bidi
from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from lr_desk.sheets import shaping
from lr_desk.sheets.fonts import (
    DEJAVU,
    cmap,
    family_for,
    invisible,
    markup,
    runs,
    width,
)
from lr_desk.sheets.look import BOLD

# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic extended, and the
# Hebrew and Arabic presentation forms.
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Brackets and the like read right to left are mirrored in display order (``_display``),
# and HarfBuzz mirrors them again: undone before shaping.
_UNMIRROR = str.maketrans({ord(a): b for a, b in MIRRORED.items()})
_LEVEL = re.compile(r"Level\(\s*(\d+)")


class Piece(NamedTuple):
    """A run of a line, in one font: ``text`` as displayed (left to right); ``glyphs``
    when shaped; ``width`` in points."""
    font: str
    text: str
    glyphs: tuple[shaping.Glyph, ...] | None
    width: float


Line = tuple[Piece, ...]


def ensure_fonts() -> None:
    """Register DejaVu Sans (regular and bold) once per process: the page's own font.
    The other families are registered when a run of text first needs them."""
    cmap(DEJAVU)


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


def _pieces(visual: str, bold: bool, size: float) -> list[Piece]:
    """Display-ordered text as runs by font, Arabic-script runs shaped: each such run is
    turned back into typed order (its brackets unmirrored) for HarfBuzz, which gives its
    glyphs left to right (digits among them kept left to right: reversed twice)."""
    out = []
    for family, part in runs(visual):
        name = family.name(bold)
        if family.shaping:
            glyphs, wide = shaping.shaped(part[::-1].translate(_UNMIRROR), name)
            out.append(Piece(name, part, glyphs, wide * size / 1000))
        else:
            out.append(Piece(name, part, None, stringWidth(part, name, size)))
    return out


def _display(line: str, base: str) -> str:
    """``line`` in display order (python-bidi), with a bracket (or any character that
    mirrors) that reads right to left mirrored, as the bidi algorithm's rule L4 asks and
    python-bidi leaves to the renderer: "(تتمة)" shows its brackets round the word."""
    visual = get_display(line, base_dir=base)
    if not any(ch in MIRRORED for ch in line):
        return visual
    levels = _levels(line, base)
    order = _order(line, levels, base) if levels else None
    if order is None or "".join(line[i] for i in order) != visual:
        return visual  # (the levels not known as python-bidi reordered: left as it is)
    return "".join(MIRRORED.get(line[i], line[i]) if levels[i] % 2 else line[i]
                   for i in order)


def _levels(line: str, base: str) -> list[int] | None:
    """Each character's embedding level, as python-bidi resolved it (its debug output
    gives them, one for each byte of UTF-8); None if they cannot be read from it."""
    said = str(bidi.get_display(line, base_dir=base, debug=True))
    per_byte = [int(n) for n in _LEVEL.findall(said.partition("levels:")[2]
                                                .partition("paragraphs:")[0])]
    out, at = [], 0
    for ch in line:
        if at >= len(per_byte):
            return None
        out.append(per_byte[at])
        at += len(ch.encode())
    return out if at == len(per_byte) else None


def _order(line: str, levels: list[int], base: str) -> list[int] | None:
    """The characters' order on display (rules L1 and L2): trailing spaces at the
    line's own level, then every run at each level from the highest down to the lowest
    odd one reversed."""
    levels = list(levels)
    for i in range(len(line) - 1, -1, -1):
        if unicodedata.bidirectional(line[i]) not in ("WS", "BN", "S", "B"):
            break
        levels[i] = 1 if base == "R" else 0
    odd = [level for level in levels if level % 2]
    order = list(range(len(line)))
    for level in range(max(levels, default=0), min(odd, default=1) - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return order


def _visual_line(lead: str, words: list[str], base: str, bold: bool, size: float) -> Line:
    """One line in display order, its runs in their fonts; the label ``lead`` in bold at
    the line's start: the left in a left-to-right line, the right in a right-to-left
    one."""
    visual = _display(lead + " ".join(words), base)
    parts = [(visual, bold)]
    if lead and base == "L" and visual.startswith(lead):
        parts = [(lead.rstrip(), True), (" " + visual[len(lead):], bold)]
    elif lead and base == "R":
        shown = _display(lead.strip(), "R")
        if visual.endswith(shown):
            parts = [(visual[:-len(shown)], bold), (shown, True)]
    return tuple(piece for part, heavy in parts if part
                 for piece in _pieces(part, heavy, size))


def _bidi_lines(text: str, style: ParagraphStyle, room: float,
                  label: str = "") -> tuple[tuple[Line, ...], bool]:
    """Text holding right-to-left characters laid out: broken into lines in logical
    order to fit ``room`` (measured run by run in each run's font, as drawn), then each
    line reordered for display, shaped, its runs in their fonts. Returns the lines and
    whether the paragraph reads right to left. (Remembered per process: the same
    translated sentences are laid out on every sheet.)"""
    return _laid_out(text, style.fontSize, style.fontName == BOLD, room, label)


@functools.lru_cache(maxsize=2048)
def _laid_out(text: str, size: float, bold: bool, room: float,
              label: str) -> tuple[tuple[Line, ...], bool]:
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
            lines, rtl = _laid_out(text, size, bold, room, "")
            base = _base_direction(label)
            shown = tuple(_pieces(_display(label, base), True, size))
            return (shown, *lines), rtl or label_rtl
        base = "L" if inline_ltr else "R"
    else:
        base = _base_direction(text)
    space = width(" ", bold, size)
    lines = []
    lead = f"{label} " if label else ""
    for n, logical in enumerate(text.split("\n")):
        # Each line typed is a paragraph of its own to the bidi algorithm, with its own
        # direction (after a label, the label's).
        line_base = base if label or n == 0 else _base_direction(logical)
        used = width(lead, True, size) if lead else 0.0
        words: list[str] = []
        for word in logical.split(" "):
            w = width(word, bold, size)
            if words and used + space + w > room:
                lines.append(_visual_line(lead, words, line_base, bold, size))
                lead, words, used = "", [word], w
            else:
                used += (space if words else 0.0) + w
                words.append(word)
        lines.append(_visual_line(lead, words, line_base, bold, size))
        lead = ""
    return tuple(lines), base == "R"


def draw_line(canvas, x: float, y: float, line: Line, size: float) -> None:
    """``line`` drawn from ``x`` on the baseline ``y`` (the fill colour as set), in one
    text object, as a paragraph draws a line."""
    out = canvas.beginText()
    for piece in line:
        out.setFont(piece.font, size)
        if piece.glyphs is not None:
            shaping.draw(out, x, y, size, piece.glyphs)
        else:
            out.setTextOrigin(x, y)
            out.textOut(piece.text)
        x += piece.width
    canvas.drawText(out)


def line_width(line: Line) -> float:
    return sum(piece.width for piece in line)


class BidiText(Flowable):
    """A paragraph of right-to-left (or mixed) text, laid out for the width it gets and
    drawn line by line as a paragraph would be (the same leading and first baseline,
    aligned right when it reads right to left, split between pages the same way)."""

    def __init__(self, text: str, style: ParagraphStyle, label: str = "",
                 lines: tuple[Line, ...] | None = None, rtl: bool = False):
        super().__init__()
        self.text, self.style, self.label = text, style, label
        self._lines, self._rtl = lines, rtl
        self._fixed = lines is not None  # a part of a split paragraph
        self._width: float | None = None

    def layout(self, width: float) -> tuple[tuple[Line, ...], bool]:
        if not self._fixed and (self._lines is None or self._width != width):
            self._lines, self._rtl = _bidi_lines(self.text, self.style, width - 0.5,
                                                   self.label)
            self._width = width
        return self._lines, self._rtl

    def wrap(self, availWidth, availHeight):
        lines, _ = self.layout(availWidth)
        self.width, self.height = availWidth, len(lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        lines, rtl = self.layout(availWidth)
        fits = int(availHeight / self.style.leading)
        if (not getattr(self.style, "allowOrphans", 0) and fits <= 1) or fits == 0:
            return []
        if len(lines) <= fits:
            return [self]
        if not getattr(self.style, "allowWidows", 1) and len(lines) == fits + 1:
            if len(lines) <= 3:
                return []
            fits -= 1
        return [BidiText(self.text, self.style, self.label, lines[:fits], rtl),
                BidiText(self.text, self.style, self.label, lines[fits:], rtl)]

    def draw(self):
        style = self.style
        size, leading = style.fontSize, style.leading
        alignment = TA_RIGHT if self._rtl else style.alignment
        room = self.width - style.leftIndent - style.rightIndent
        self.canv.setFillColor(style.textColor)
        y = self.height - size
        for line in self._lines:
            spare = room - line_width(line)
            x = style.leftIndent + (spare if alignment == TA_RIGHT else
                                    spare / 2 if alignment == TA_CENTER else 0.0)
            draw_line(self.canv, x, y, line, size)
            y -= leading

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

    Spaces and line breaks are never reported, nor invisible characters no font has (a
    zero-width joiner, a direction mark, an emoji's variation selector), which are left
    out. (Arabic-script letters are shaped from the font's own rules, so a letter it has
    prints joined: there is no joined form to look for.)
    ``unprintable(["Zoë", "ትግርኛ", "ٹھیک ہے"]) == set()``;
    ``unprintable(["王芳 🙂"]) == {"王", "芳", "🙂"}``. Reads the fonts it needs to look
    in (milliseconds, once per process); safe on any thread."""
    missing: set[str] = set()
    for words in strings:
        if not words or words.isascii():
            continue
        for ch in set(words):
            if ch.isspace() or family_for(ch) is not None or invisible(ch):
                continue
            missing.add(ch)
    return missing
