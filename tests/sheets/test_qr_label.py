"""Each QR code is labelled with the address it opens, printed under it: the code drawn on
the page, read back from the PDF module by module, is the code of the printed address
(there is no QR decoder here: the label is encoded again and the two compared)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel

from lr_desk.sheets import render
from tests.sheets.conftest import read_back

LABEL = re.compile(r"Scan to open: (\S+)")
QR_PATH = re.compile(rb"q 0 g\n(.*?)\nf\nQ", re.DOTALL)


def drawn_codes(pdf: bytes) -> list[set[tuple[int, int]]]:
    """Every QR code drawn on the sheet's pages, in order, as its dark modules (row,
    column), counted from the top left finder square."""
    codes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for block in QR_PATH.findall(page.get_contents().get_data()):
            rects = [tuple(float(v) for v in line.split()[:4])
                     for line in block.decode().splitlines() if line.endswith(" re")]
            box = min(h for *_, h in rects) / 1.02
            top = max(y for _, y, _, _ in rects)
            left = min(x for x, *_ in rects)
            codes.append({(round((top - y) / box), round((x - left) / box) + i)
                          for x, y, w, _ in rects for i in range(round(w / box))})
    return codes


def encoded(url: str) -> set[tuple[int, int]]:
    """The dark modules of ``url``'s QR code (error correction M, as the sheet's)."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(url)
    code.make()
    return {(r, c) for r, row in enumerate(code.modules) for c, dark in enumerate(row) if dark}


def labels(pdf: bytes) -> list[str]:
    return LABEL.findall(read_back(pdf).text)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_each_code_is_labelled_with_the_address_it_opens(make_sheet, large):
    data = make_sheet(items=3)
    data.items[1] = replace(data.items[1], web="example.org/walks")  # typed without https
    data.items[2] = replace(data.items[2], web="")  # no address, no code, no label
    pdf = render.render_bytes(data, large_print=large)
    assert labels(pdf) == ["https://example.org/advice/1", "https://example.org/walks"]
    codes = drawn_codes(pdf)
    assert len(codes) == 2
    for code, url in zip(codes, labels(pdf), strict=True):
        assert code == encoded(url), url
    # the check can fail: another address's code is not this one
    assert codes[0] != encoded("https://example.org/advice/2")


def test_the_label_is_a_link_in_a_saved_sheet(make_sheet):
    pdf = render.render_bytes(make_sheet(items=2))
    links = [annot.get_object()["/A"]["/URI"]
             for page in PdfReader(io.BytesIO(pdf)).pages
             for annot in page.get("/Annots", [])]
    assert links == ["https://example.org/advice/1", "https://example.org/advice/2"]


def test_the_label_is_under_the_code(make_sheet):
    """Read back in reading order, the label follows the item's details (the code sits
    beside them, its foot level with theirs) and comes before the item's 'why'."""
    text = read_back(render.render_bytes(make_sheet(items=1))).pages[0]
    assert text.index("Phone: 0151 000 0101") < text.index("Scan to open:") < \
        text.index("Why this matters to me:")
