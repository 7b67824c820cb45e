"""Whether a PDF's embedded fonts draw every character it shows, read back with pypdf.

Reportlab embeds each TrueType font as subsets of up to 256 characters: codes 0-255,
a ToUnicode map from each code to the character it stands for, and the subset font
itself (FontFile2), whose cmap gives each code's glyph. A character the font lacks is
drawn as code 0, which stands for U+0000 and is glyph 0 (.notdef: the empty box), so
the PDF no longer says which character it was: ``missing`` then holds ``NOTDEF``.

So: walk every page's content (and the forms it places, such as the page header), note
each code shown in each font, and look each up in that font's own cmap: glyph 0, or no
glyph, or a font not embedded at all, means the character prints as a box.

Shaped text (``lr_desk.sheets.shaping``) draws glyphs no character maps to (a letter's
joined forms) under codes whose ToUnicode entry names the letters they stand for.
``Coverage.outlines`` keeps, for each letter drawn, the extents of each glyph drawn for
it (read from the embedded subset with HarfBuzz), to compare with the font's own glyph
for the letter standing alone (``isolated``): a joined letter is drawn with another.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field

import uharfbuzz as hb
from pypdf import PdfReader
from pypdf.generic import ContentStream

NOTDEF = "<.notdef>"  # what a character the font lacks is, read back


@dataclass
class Coverage:
    drawn: set[str] = field(default_factory=set)  # every character shown
    missing: set[str] = field(default_factory=set)  # shown with no glyph (a box)
    fonts: set[str] = field(default_factory=set)  # the fonts used, by name ("DejaVuSans")
    # each font subset as embedded (its name with the subset's tag, e.g. "AAAAAA+
    # DejaVuSans"): the font file, its widths and its ToUnicode map, byte for byte
    embedded: dict[str, bytes] = field(default_factory=dict)
    # (font, letters) -> the extents of every glyph drawn for them in that font (its
    # name, "NotoNaskhArabic-Bold": see the module's notes)
    outlines: dict[tuple[str, str], set[tuple[int, int, int, int]]] = field(
        default_factory=dict)


def _cmap(font_file: bytes) -> dict[int, int]:
    """Code -> glyph id from a TrueType font's cmap table (the formats reportlab's
    subsets use: 6, and 0)."""
    count = struct.unpack(">H", font_file[4:6])[0]
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", font_file[12 + 16 * i:28 + 16 * i])
        if tag == b"cmap":
            table = font_file[offset:offset + length]
            break
    else:
        raise ValueError("the font has no cmap table")
    for j in range(struct.unpack(">H", table[2:4])[0]):
        _, _, sub = struct.unpack(">HHI", table[4 + 8 * j:12 + 8 * j])
        kind = struct.unpack(">H", table[sub:sub + 2])[0]
        if kind == 6:
            first, n = struct.unpack(">HH", table[sub + 6:sub + 10])
            glyphs = struct.unpack(f">{n}H", table[sub + 10:sub + 10 + 2 * n])
            return {first + k: g for k, g in enumerate(glyphs)}
        if kind == 0:
            return dict(enumerate(table[sub + 6:sub + 6 + 256]))
    raise ValueError(f"cmap format {kind} is not one this check reads")


def _to_unicode(data: bytes) -> dict[int, str]:
    out = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            value = int(dst, 16)
            out[int(src, 16)] = (bytes.fromhex(dst.decode()).decode("utf-16-be")
                                 if len(dst) % 4 == 0 else chr(value))
    if re.search(rb"beginbfrange", data):
        raise ValueError("bfrange in a ToUnicode map: not one this check reads")
    return out


@dataclass
class _Font:
    name: str
    glyphs: dict[int, int] | None  # None: not embedded
    chars: dict[int, str]
    data: bytes  # as embedded (``_bytes``)
    outline: hb.Font | None = None  # the embedded subset, read by HarfBuzz


def _font(obj) -> _Font:
    descriptor = obj.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    embedded = descriptor.get("/FontFile2")
    glyphs = _cmap(embedded.get_object().get_data()) if embedded is not None else None
    unicode = obj.get("/ToUnicode")
    chars = _to_unicode(unicode.get_object().get_data()) if unicode is not None else {}
    outline = hb.Font(hb.Face(hb.Blob(embedded.get_object().get_data()))) \
        if embedded is not None else None
    return _Font(str(obj.get("/BaseFont", "")).lstrip("/"), glyphs, chars, _bytes(obj),
                 outline)


def _extents(font: hb.Font, gid: int) -> tuple[int, int, int, int]:
    found = font.get_glyph_extents(gid)
    return (found.x_bearing, found.y_bearing, found.width, found.height)


def isolated(path, char: str) -> tuple[int, int, int, int]:
    """The extents of the glyph the font file at ``path`` draws ``char`` with standing
    alone (shaped by itself: its isolated form)."""
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
    buf = hb.Buffer()
    buf.add_str(char)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    [glyph] = buf.glyph_infos
    return _extents(font, glyph.codepoint)


def _bytes(obj) -> bytes:
    """The font's file, widths and ToUnicode map, as embedded."""
    descriptor = obj.get("/FontDescriptor")
    parts = [repr(list(obj.get("/Widths", []))).encode()]
    if descriptor is not None and descriptor.get_object().get("/FontFile2") is not None:
        parts.append(descriptor.get_object()["/FontFile2"].get_object().get_data())
    if obj.get("/ToUnicode") is not None:
        parts.append(obj["/ToUnicode"].get_object().get_data())
    return b"\0".join(parts)


def _raw(string) -> bytes:
    return string.get_original_bytes() if hasattr(string, "get_original_bytes") \
        else bytes(string)


def coverage(pdf: bytes) -> Coverage:
    """Every character ``pdf`` shows, and those its font has no glyph for."""
    reader = PdfReader(io.BytesIO(pdf))
    found = Coverage()
    fonts: dict[int, _Font] = {}

    def show(font: _Font | None, string) -> None:
        if font is not None and string and font.name not in found.embedded:
            found.embedded[font.name] = font.data
            found.fonts.add(font.name.partition("+")[2] or font.name)
        for code in _raw(string):
            char = font.chars.get(code, f"<code {code}>") if font else f"<code {code}>"
            char = NOTDEF if char == "\0" else char
            found.drawn.add(char)
            if font is None or font.glyphs is None or not font.glyphs.get(code):
                found.missing.add(char)
            elif font.outline is not None:
                key = (font.name.partition("+")[2] or font.name, char)
                found.outlines.setdefault(key, set()).add(
                    _extents(font.outline, font.glyphs[code]))

    def walk(content, resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        font_dict = resources.get("/Font")
        font_dict = font_dict.get_object() if font_dict is not None else {}
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        current = None
        for operands, op in ContentStream(content, reader).operations:
            if op == b"Tf":
                ref = font_dict[operands[0]]
                key = id(ref.get_object())
                if key not in fonts:
                    fonts[key] = _font(ref.get_object())
                current = fonts[key]
            elif op in (b"Tj", b"'"):
                show(current, operands[-1])
            elif op == b'"':
                show(current, operands[2])
            elif op == b"TJ":
                for part in operands[0]:
                    if not isinstance(part, int | float) and hasattr(part, "__len__"):
                        show(current, part)
            elif op == b"Do":
                placed = xobjects[operands[0]].get_object()
                if placed.get("/Subtype") == "/Form":
                    walk(placed, placed.get("/Resources", resources))

    for page in reader.pages:
        walk(page.get_contents(), page.get("/Resources"))
    return found
