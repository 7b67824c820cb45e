"""A long prescription flows onto more pages, each with the header and 'Page N of M'."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from lr_desk.sheets import render

HEADER = ("The Life Rooms Walton", "Evered Avenue, Liverpool L9 2AF", "Phone 0151 478 6556",
          "Open Monday to Friday, 9:30am to 4:30pm", "Wednesday 11 June 2025",
          "Made with Alex", "For Annie")


@pytest.mark.parametrize("large", [False, True])
def test_twenty_items_paginate_with_headers_and_page_numbers(make_sheet, read_pdf, large):
    pdf = read_pdf(render.render_bytes(make_sheet(items=20), large_print=large))
    total = len(pdf.pages)
    assert total > 1
    for number, text in enumerate(pdf.pages, 1):
        for words in HEADER:
            assert pdf.has(words, page=number), (number, words)
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(number), str(total))]
    # every item once and in order (an item split over a page repeats its title, marked)
    titles = re.findall(r"(\d+)\. Service number (\d\d)(?! \(continued\))", pdf.text)
    assert [(int(n), int(m)) for n, m in titles] == [(n, n) for n in range(1, 21)]
    # the plan's end and the urgent help are on the last page
    assert pdf.has("If you need help urgently", page=total)


def test_twenty_items_in_large_print_take_more_pages(make_sheet, read_pdf):
    normal = read_pdf(render.render_bytes(make_sheet(items=20)))
    large = read_pdf(render.render_bytes(make_sheet(items=20), large_print=True))
    assert len(large.pages) > len(normal.pages) > 1


@pytest.mark.parametrize("large", [False, True])
def test_an_item_split_across_pages_says_it_continues(make_sheet, read_pdf, large):
    """An item taller than the room left goes on over the page under its title again."""
    data = make_sheet(items=3, large_print=large)
    long_why = " ".join(f"Reason number {i} why this matters to me." for i in range(60))
    data.items[1] = replace(data.items[1], why=long_why)
    pdf = read_pdf(render.render_bytes(data))
    continued = [(page, n, m) for page, text in enumerate(pdf.pages, 1)
                 for n, m in re.findall(r"(\d+)\. Service number (\d\d) \(continued\)", text)]
    # (in large print the last item leaves its last lines with the urgent help, marked
    # continued too: the urgent help never sits alone on a page)
    assert ("2", "02") in {(n, m) for _, n, m in continued}
    assert {(n, m) for _, n, m in continued} <= {("2", "02"), ("3", "03")}
    first_page = continued[0][0] - 1
    assert pdf.has("2. Service number 02", page=first_page)  # where it started
    assert pdf.has("Why this matters to me: Reason number 0 why")
    # nothing lost at the page breaks (where the title comes again)
    body = re.sub(r"\d+\. Service number \d\d \(continued\)", "", pdf.body())
    assert _squash(long_why) in _squash(body)
    assert pdf.has("3. Service number 03")


def test_very_long_words_of_their_own_flow_over_pages(make_sheet, read_pdf):
    """50,000 characters of 'what matters' (the most a field takes) do not break it."""
    words = " ".join(f"word{i}" for i in range(6000))
    pdf = read_pdf(render.render_bytes(make_sheet(items=1, what_matters=words)))
    assert len(pdf.pages) > 3
    assert _squash(words) in _squash(pdf.body())


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
