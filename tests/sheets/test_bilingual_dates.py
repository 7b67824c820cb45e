"""Dates and "(continued)" on a bilingual sheet, in the sheet's language beside the
English, read back with pypdf: the weekday and month names as the language names them
(Babel's CLDR data), and the item's "(continued)" from its catalogue."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from babel.dates import get_day_names, get_month_names

from lr_desk.sheets import catalogues, render, words
from tests.sheets.test_bilingual import RIGHT_TO_LEFT, SHIPPED, every_word, plain, squash

MADE_ON = date(2025, 6, 11)  # a Wednesday in June
CATCH_UP_ON = date(2025, 6, 18)  # a Wednesday in June
BY_WHEN = date(2025, 7, 1)  # a Tuesday in July


def names(code: str, day: date) -> tuple[str, str]:
    """The weekday and the month of ``day`` as the language ``code`` writes them in a
    date (the format's own forms: Polish puts the month in the genitive)."""
    said = plain(words.local_date(day, code))
    weekday = plain(get_day_names("wide", locale=code)[day.weekday()])
    months = [plain(get_month_names(width, context, locale=code)[day.month])
              for width in ("wide", "abbreviated") for context in ("format", "stand-alone")]
    month = next(m for m in months if m in said)
    return weekday, month


@pytest.mark.parametrize("code", SHIPPED)
def test_dates_print_in_the_language_beside_the_english(make_sheet, read_pdf, code):
    pdf = read_pdf(render.render_bytes(make_sheet(items=1), language=code))
    found = squash(pdf.text)
    # the English dates as before
    for english in ("Wednesday 11 June 2025", "Wednesday 18 June 2025 at 9:30am",
                    "Tuesday 1 July 2025"):
        assert pdf.has(english), english
    # the made-on date (header), the catch-up's and the item's "by when", in the language
    for day in (MADE_ON, CATCH_UP_ON, BY_WHEN):
        weekday, month = names(code, day)
        assert squash(weekday) in found, (code, day, weekday)
        assert squash(month) in found, (code, day, month)
        # the whole date: every word of it; in order where it reads left to right
        # (pypdf reads the digits in a right-to-left line back out of place)
        said = words.local_date(day, code)
        assert every_word(said, pdf.text), (code, day, said)
        if code not in RIGHT_TO_LEFT:
            assert squash(said) in found, (code, day, said)


def test_the_header_date_is_on_every_page(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet(items=5), language="pl"))
    assert len(pdf.pages) > 1
    for number in range(1, len(pdf.pages) + 1):
        assert pdf.has("Wednesday 11 June 2025", page=number)
        assert pdf.has("środa, 11 czerwca 2025", page=number)


def test_an_english_sheet_has_english_dates_only(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet(items=1), language=""))
    assert "Wednesday 11 June 2025" in pdf.text
    assert "środa" not in pdf.text and "czerwca" not in pdf.text


def test_a_date_in_a_language_babel_does_not_know_is_left_out():
    assert words.local_date(MADE_ON, "xx") == ""
    assert words.local_date(MADE_ON, "pl", "not a time") == "środa, 11 czerwca 2025"
    assert words.local_date(CATCH_UP_ON, "pl", "09:30") == "środa, 18 czerwca 2025 09:30"


@pytest.mark.parametrize("code", SHIPPED)
def test_continued_is_in_the_language_beside_the_english(make_sheet, read_pdf, code):
    """An item going on over a page carries "(continued)" in both languages."""
    lang = catalogues.find(code)
    said = lang(words.CONTINUED)
    assert said and said != words.CONTINUED
    data = make_sheet(items=3)
    long_why = " ".join(f"Reason number {i} why this matters to me." for i in range(60))
    data.items[1] = replace(data.items[1], why=long_why)
    pdf = read_pdf(render.render_bytes(data, language=code))
    pages = [n for n, text in enumerate(pdf.pages) if
             re.search(r"2\. Service number 02 \(continued\)", text)]
    assert pages, code
    assert squash(said) in squash(pdf.pages[pages[0]]), (code, said)
    # and only there: the first part of the item has no "(continued)" in either language
    assert squash(said) not in squash(pdf.pages[pages[0] - 1]), code
