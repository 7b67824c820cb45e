"""'If you need help urgently' is never alone on a page: it is on the page with the end of
the plan (the last item's title and at least its last line) and the next catch-up, for
plans of every length, in normal and large print. (It used to sit alone on page 2 when
the plan's end just filled page 1: two items in normal print, most counts in large.)"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lr_desk.services.sheet import SheetItem
from lr_desk.sheets import render
from tests.sheets.conftest import item, read_back

URGENT = "If you need help urgently"
TITLE = re.compile(r"^(\d+)\. ", re.MULTILINE)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def last_line(it: SheetItem) -> str:
    """The words of an item's last piece (what must share the urgent help's page)."""
    if it.by_when:
        return "By when:"
    if it.first_step:
        return f"My first step: {it.first_step}"[:40]
    if it.why:
        return "Why this matters to me:"
    return f"{it.title}"[:40]


def check_urgent_help_page(data, large: bool) -> None:
    pdf = read_back(render.render_bytes(data, large_print=large))
    pages = [number for number, text in enumerate(pdf.pages, 1)
             if _squash(URGENT) in _squash(text)]
    assert len(pages) == 1, pages
    page = pdf.pages[pages[0] - 1]
    at = _squash(page).index(_squash(URGENT))
    before = _squash(page)[:at]
    # the next catch-up, then the urgent help, on the same page
    assert _squash("Your next catch-up with us") in before
    if not data.items:
        assert _squash("Nothing written down yet.") in before
        return
    # the last item: its title (again, marked continued, if it began on the page before)
    # and its last line
    numbers = [int(n) for n in TITLE.findall(page)]
    assert len(data.items) in numbers, (pages[0], len(pdf.pages), numbers)
    assert _squash(last_line(data.items[-1])) in before
    assert pages[0] == len(pdf.pages)  # and nothing after it


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("items", range(0, 13))
def test_urgent_help_shares_its_page_with_the_end_of_the_plan(make_sheet, items, large):
    check_urgent_help_page(make_sheet(items=items), large)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("items", [1, 2, 3, 6])
def test_without_a_catch_up_or_what_matters_too(make_sheet, items, large):
    check_urgent_help_page(make_sheet(items=items, next_follow_up=None, what_matters=""),
                           large)


def test_two_items_used_to_leave_it_alone_on_page_two(make_sheet):
    """The sheet of the issue: the plan filled page 1, the urgent help went over alone.
    Now the last item goes over with it, whole."""
    pdf = read_back(render.render_bytes(make_sheet(items=2)))
    assert len(pdf.pages) == 2
    assert pdf.has("2. Service number 02", page=2) and pdf.has(URGENT, page=2)
    assert not pdf.has("(continued)")


words = st.text(alphabet=st.sampled_from("abcdefghij klmnop "), min_size=0, max_size=400)


@st.composite
def sheets(draw):
    count = draw(st.integers(0, 9))
    items = [replace(item(n + 1),
                     why=draw(words), first_step=draw(words),
                     web=draw(st.sampled_from(["", f"example.org/{n}"])),
                     by_when=draw(st.sampled_from([None, item(1).by_when])))
             for n in range(count)]
    return items, draw(words), draw(st.booleans()), draw(st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(sheets())
def test_urgent_help_is_never_alone_whatever_the_lengths(make_sheet, drawn):
    items, what_matters, follow_up, large = drawn
    data = make_sheet(items=0, what_matters=what_matters)
    data = replace(data, items=items, next_follow_up=data.next_follow_up if follow_up else None)
    check_urgent_help_page(data, large)


def test_a_one_item_plan_in_large_print_keeps_the_urgent_help_with_its_end(make_sheet):
    """One item with a QR code and nothing after it, in large print: the item's title and
    code, the catch-up and the box were taller than a page, and with only two pieces to
    the item they flowed on apart, leaving the box alone on page 3. Now the title comes
    again (continued) with the catch-up and the box."""
    data = make_sheet(items=0, what_matters="")
    data = replace(data, items=[replace(item(1), why="", first_step="", web="example.org/0",
                                        by_when=None)])
    check_urgent_help_page(data, large=True)
