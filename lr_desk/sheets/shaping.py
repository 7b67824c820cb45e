"""Arabic-script text shaped by HarfBuzz (uharfbuzz), drawn glyph by glyph.

HarfBuzz reads the font's own rules (its GSUB and GPOS tables), so every Arabic-script
language comes out right: letters joined, Pashto's and Urdu's own letters included
(ټ ځ څ ډ ړ ږ ښ ګ ڼ ۍ ې have no Unicode "presentation forms" to join them with), the
lam-alef ligature, and the short vowel marks (harakat) placed over or under their
letters. ``shaped(text, font)`` gives a run's glyphs in drawing order (left to right),
each with its advance and offsets; ``draw`` puts them on a canvas.

Reportlab writes text to a PDF as characters, each mapped to one glyph. A glyph no
character maps to (a joined form, a mark with an offset of its own) is given a private
code (U+F0000 on: Supplementary Private Use Area-A) in a ``ShapedFont``, and the PDF's
ToUnicode map says which letters each code stands for, so the sheet's words can still
be copied, searched and read aloud (and read back by the tests) as typed.
"""

from __future__ import annotations

import functools
import threading
from typing import NamedTuple

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

PRIVATE = 0xF0000


class Glyph(NamedTuple):
    char: str  # what reportlab writes for it (a character of the font or a private code)
    advance: float  # thousandths of the font size
    dx: float  # offset from where the pen is (a mark over its letter)
    dy: float


class ShapedFont(TTFont):
    """A TrueType font whose glyphs can be drawn as shaping chooses them (see the
    module's notes). Registered with reportlab like any TTFont."""

    def __init__(self, name: str, path: str):
        super().__init__(name, path)
        self.hb_font = hb.Font(hb.Face(hb.Blob.from_file_path(path)))
        self.scale = 1000 / self.hb_font.face.upem
        self._codes: dict[tuple[int, float, str], int] = {}
        self._texts: dict[int, str] = {}  # private code -> the letters it stands for
        self._lock = threading.Lock()

    def code(self, gid: int, advance: float, text: str) -> str:
        """The character to write for glyph ``gid`` drawn ``advance`` wide, standing
        for ``text``: the character itself where the font maps it to that glyph at that
        width, else a private code made for the three (once per process)."""
        face = self.face
        if len(text) == 1 and face.charToGlyph.get(ord(text)) == gid and \
                face.charWidths.get(ord(text)) == advance:
            return text
        key = (gid, advance, text)
        found = self._codes.get(key)
        if found is None:
            with self._lock:
                found = self._codes.get(key)
                if found is None:
                    found = PRIVATE + len(self._codes)
                    face.charToGlyph[found] = gid
                    face.charWidths[found] = advance
                    self._texts[found] = text
                    self._codes[key] = found
        return chr(found)

    def addObjects(self, doc):
        """Reportlab's font objects, each subset's ToUnicode map saying which letters
        the private codes stand for."""
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(subsets))]
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for name, subset in zip(names, subsets, strict=True):
            if not any(code >= PRIVATE for code in subset):
                continue
            reference = fonts[name].ToUnicode
            stream = doc.idToObject[reference.name]
            stream.content = _to_unicode(fonts[name].BaseFont, subset, self._texts)


def _utf16(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode(font: str, subset: list[int], texts: dict[int, str]) -> str:
    """A ToUnicode CMap (PDF 1.7, 9.10.3) for ``subset``: code i -> its letters."""
    pairs = [f"<{i:02X}> <{_utf16(texts.get(code, chr(code)))}>"
             for i, code in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({font}) /Ordering ({font}) /Supplement 0 >> def",
        f"/CMapName /{font} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        # (at most 100 entries a block)
        *(line for start in range(0, len(pairs), 100) for line in (
            f"{len(pairs[start:start + 100])} beginbfchar", *pairs[start:start + 100],
            "endbfchar")),
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])


@functools.lru_cache(maxsize=8192)
def shaped(text: str, font_name: str) -> tuple[tuple[Glyph, ...], float]:
    """``text`` (right-to-left letters in logical order: as typed) shaped in the
    registered ``ShapedFont`` ``font_name``: its glyphs in drawing order (left to
    right) and its width, in thousandths of the size. Characters that mirror in
    right-to-left text (brackets) come out mirrored. (Remembered: the sheet's words
    come again and again.)"""
    font: ShapedFont = pdfmetrics.getFont(font_name)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction, buf.script = "rtl", "Arab"
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(font.hb_font, buf, {})
    infos, positions = buf.glyph_infos, buf.glyph_positions
    # The letters each glyph stands for: a glyph the font draws one of its cluster's
    # letters with (a mark) stands for that letter, the first other glyph for the rest
    # of the cluster (all of it, as a rule: up to the next cluster, in logical order),
    # any further one for a zero-width joiner (nothing to read, and no break in a word).
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    letters = [""] * len(infos)
    for cluster in starts:
        members = [n for n, info in enumerate(infos) if info.cluster == cluster]
        rest = text[cluster:ends[cluster]]
        if len(members) > 1:
            for n in members:
                own = next((ch for ch in font.face.glyphToChar.get(infos[n].codepoint, ())
                            if chr(ch) in rest), None) if len(rest) > 1 else None
                if own is not None:
                    letters[n] = chr(own)
                    rest = rest.replace(chr(own), "", 1)
        for n in members:
            if not letters[n]:
                letters[n], rest = rest or "\u200d", ""
    glyphs, total, scale = [], 0.0, font.scale
    for info, pos, said in zip(infos, positions, letters, strict=True):
        advance = round(pos.x_advance * scale, 3)
        glyphs.append(Glyph(font.code(info.codepoint, advance, said), advance,
                            round(pos.x_offset * scale, 3), round(pos.y_offset * scale, 3)))
        total += advance
    glyphs = tuple(glyphs)
    return glyphs, total


def draw(text, x: float, y: float, size: float, glyphs: tuple[Glyph, ...]) -> None:
    """``glyphs`` (from ``shaped``) drawn into the text object ``text`` (its font set)
    from ``x`` on the baseline ``y``: glyphs that follow on from each other in one go,
    a mark with an offset at its own place (raised by text rise: the line stays one
    line to anything reading the text back)."""
    unit = size / 1000
    pen, start, run = x, x, []
    for glyph in glyphs:
        if glyph.dx or glyph.dy:
            if run:
                text.setTextOrigin(start, y)
                text.textOut("".join(run))
            text.setTextOrigin(pen + glyph.dx * unit, y)
            text.setRise(glyph.dy * unit)
            text.textOut(glyph.char)
            text.setRise(0)
            pen += glyph.advance * unit
            start, run = pen, []
        else:
            run.append(glyph.char)
            pen += glyph.advance * unit
    if run:
        text.setTextOrigin(start, y)
        text.textOut("".join(run))
