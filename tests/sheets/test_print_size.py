"""Large print: every piece of text at least 16 pt, chosen from the person's communication
needs or on request; normal print keeps its 12 pt body."""

from __future__ import annotations

from collections import Counter

import pytest

from lr_desk.sheets import look, render

BODY = ("Getting out of the house, and sorting out the rent.",
        "The letters keep coming and I can't sleep for worrying about them.",
        "Go along on Tuesday with the letters")


def assert_large(pdf) -> None:
    assert pdf.runs, "no text read back"
    small = sorted({(r.text, r.size) for r in pdf.runs if r.size < 16})
    assert small == []
    for words in BODY:
        assert min(pdf.sizes(words)) >= 16, words


def test_large_print_when_the_person_needs_it(make_sheet, read_pdf):
    assert_large(read_pdf(render.render_bytes(make_sheet(large_print=True))))


def test_large_print_on_request(make_sheet, read_pdf):
    assert_large(read_pdf(render.render_bytes(make_sheet(large_print=False), large_print=True)))


def test_normal_print_on_request(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet(large_print=True), large_print=False))
    for words in BODY:
        assert pdf.sizes(words) == {12.0}, words


def test_normal_print_body_is_12_pt(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet()))
    for words in BODY:
        assert pdf.sizes(words) == {12.0}, words
    # most of the text on the page is body text
    sizes = Counter(r.size for r in pdf.runs)
    assert sizes.most_common(1)[0][0] == 12.0
    assert min(sizes) >= 10  # nothing tiny, header and footer included


@pytest.mark.parametrize("large", [False, True])
def test_large_print_has_more_room_between_lines(make_sheet, large):
    body = look.LOOKS[large].body
    assert body.leading >= 1.4 * body.fontSize
    if large:
        assert body.fontSize >= 16 and body.leading >= 22


def test_large_print_takes_more_pages(make_sheet, read_pdf):
    normal = read_pdf(render.render_bytes(make_sheet(items=5)))
    large = read_pdf(render.render_bytes(make_sheet(items=5), large_print=True))
    assert len(large.pages) > len(normal.pages)
