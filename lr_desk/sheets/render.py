"""The take-home prescription sheet as a PDF (reportlab platypus; no Qt).

    render_sheet(data, path, large_print=None, easy_read=None) -> path   (written atomically)
    render_bytes(data, large_print=None, easy_read=None) -> bytes

A4 portrait, in plain words. Every page carries the header (The Life Rooms, the hub's
name, address, phone and opening hours; the date; who it was made with and for whom) and
"Page N of M" at the foot. The body (``content``): what matters to the person, their
plan, the next catch-up, and where to get urgent help, kept on a page with the end of
the plan.

Large print (``large_print=None`` follows the person's communication needs; True/False
override): every piece of text is at least 16 pt, with generous leading (``look``).
Easy read (``easy_read=None`` follows the person's needs, ``data.easy_read``; True/False
override): a story of its own on the same page, in short lines with pictures, nothing
under 16 pt (``easy_read``); large print then makes no further difference.
The page itself (header on every page, body frame, page numbers) is ``page``'s, as the
referral letter's is.
Text in any script, right-to-left too (``text``); QR codes labelled with the address
they open (``qr``); blocks kept together and pages numbered (``flow``).

Fonts, styles, QR drawings and the urgent-help text are made once and cached, so a typical
sheet renders in a few tens of milliseconds at most.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from lr_desk.services.sheet import SheetData, SheetHub, SheetItem
from lr_desk.sheets import catalogues, content, page
from lr_desk.sheets import easy_read as _easy_read
from lr_desk.sheets.catalogues import Catalogue
from lr_desk.sheets.look import LOOKS
from lr_desk.sheets.qr import qr_runs
from lr_desk.sheets.text import unprintable


def _build(data: SheetData, large: bool, out, lang: Catalogue | None = None) -> None:
    """Lay the sheet out and write the PDF to ``out`` (a path or a binary file), with
    ``lang``'s words beside the English (None: English only)."""
    look = LOOKS[large]
    page.build(out, look, lambda: content.header(data, look, lang),
               lambda height: content.story(data, look, height, lang), template="sheet",
               title="Your plan from The Life Rooms", subject="Social prescription")


def render_bytes(data: SheetData, large_print: bool | None = None,
                 easy_read: bool | None = None, language: str | None = None) -> bytes:
    """The sheet as PDF bytes. ``large_print`` None follows ``data.large_print``;
    ``easy_read`` None follows ``data.easy_read`` (the easy-read sheet is in large print
    whatever ``large_print`` says). ``language``: the translation printed beside the
    English (``catalogues.for_sheet``): None, the person's recorded language if its
    translation has been checked; "", English only; a code ("ar"), that translation,
    checked or not (the advisor chose it)."""
    buffer = io.BytesIO()
    if data.easy_read if easy_read is None else easy_read:
        _easy_read.build(data, buffer)
    else:
        _build(data, data.large_print if large_print is None else bool(large_print), buffer,
               catalogues.for_sheet(data.language, language))
    return buffer.getvalue()


def render_sheet(data: SheetData, path: str | os.PathLike, large_print: bool | None = None,
                 easy_read: bool | None = None) -> Path:
    """Write the sheet to ``path`` atomically: a temporary file in the same folder, synced
    to disk, then renamed over ``path``. On any failure ``path`` is as it was (an older
    sheet stays whole) and no temporary file is left behind. Returns ``path``."""
    return write_atomically(render_bytes(data, large_print, easy_read), Path(path))


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
    render_bytes(SheetData("", SheetHub("The Life Rooms"), date(2025, 1, 1), "", "",
                           items=[SheetItem("Step", "A step", web="example.org")]))
    for address in web_addresses:
        if address:
            qr_runs(address)


def _strings(value) -> Iterable[str]:
    """Every piece of text in a SheetData (its items, hub and catch-up included)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def missing_letters(data: SheetData) -> str:
    """The characters of the sheet's words that no bundled font can print (each would
    show as an empty box), in the order they first come, for the desk to say so before
    printing; "" when everything prints."""
    missing = unprintable(_strings(data))
    return "".join(dict.fromkeys(ch for ch in "".join(_strings(data)) if ch in missing))
