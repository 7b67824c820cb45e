"""The take-home sheet in easy read (``sheets.easy_read``), read back with pypdf: nothing
under 16 pt, a sentence a line, the plan as a numbered list, the pictures in the PDF with
their words, chosen from the person's needs on a real store (and on request), and a long
plan flowing over pages with the urgent help kept whole."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace
from datetime import date

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from lr_desk.services import directory, dropin
from lr_desk.services.sheet import SHEET_KINDS, SheetItem, sheet_data
from lr_desk.sheets.easy_read_pictures import PICTURES, PICTURES_DIR
from lr_desk.sheets.render import render_bytes, render_sheet
from tests.sheets.conftest import item

URGENT = ("If you need help urgently", "NHS 111", "Call 111 and choose the mental health option.",
          "Samaritans 116 123", "Free to call, day or night.", "999 or A&E")


def easy(data, **kw) -> bytes:
    return render_bytes(replace(data, easy_read=True), **kw)


def lines_of(back) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in back.body().splitlines()]


def text_sizes(pdf: bytes) -> list[float]:
    """The size set by the Tf operator for every string of text shown (Tj, TJ, ' and ")
    in each page's content and in the forms it draws (the header is one), straight from
    the content streams (reportlab sets a font at each page's start and shows nothing
    with it: that one does not count)."""
    sizes = []
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        streams = [page.get_contents()]
        for xobject in page["/Resources"].get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Form":
                streams.append(ContentStream(xobject, reader))
        for stream in streams:
            size = None
            for operands, op in stream.operations:
                if op == b"Tf":
                    size = float(operands[1])
                elif op in (b"Tj", b"TJ", b"'", b'"'):
                    shown = operands[-1] if op != b"TJ" else [
                        p for p in operands[0] if isinstance(p, (str, bytes))]
                    if op != b"TJ":
                        shown = [shown]
                    if any(len(p.strip()) for p in shown):
                        sizes.append(size)
    return sizes


def images(pdf: bytes) -> list[dict[str, bytes]]:
    """Each page's images: name in its resources -> the stream as stored (a JPEG file)."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found = {}
        for name, xobject in page["/Resources"].get("/XObject", {}).items():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                assert xobject["/Filter"] in ("/DCTDecode", ["/DCTDecode"]), xobject["/Filter"]
                found[name] = xobject._data
        out.append(found)
    return out


def stored(file: str) -> bytes:
    return (PICTURES_DIR / f"{file}.jpg").read_bytes()


def test_nothing_on_the_easy_read_sheet_is_under_16_pt(make_sheet, read_pdf):
    for data in (make_sheet(5), make_sheet(0), make_sheet(2, next_follow_up=None),
                 make_sheet(1, what_matters="")):
        pdf = easy(data)
        back = read_pdf(pdf)
        assert back.runs and min(r.size for r in back.runs) >= 16, \
            sorted({r.size for r in back.runs})
        sizes = text_sizes(pdf)
        assert sizes and min(sizes) >= 16, sorted(set(sizes))
    # the opening bigger still
    assert back.sizes("Keep it somewhere safe.") == {18.0}
    assert back.sizes("0151 000 0101") == {16.0}


def test_short_sentences_one_idea_a_line_and_the_plan_numbered(make_sheet, read_pdf):
    back = read_pdf(easy(make_sheet(3)))
    lines = lines_of(back)
    opening = ["This is your plan.", "We made it together.", "It has 3 things for you to try.",
               "Keep it somewhere safe.", "Ask us if you want help to read it."]
    assert lines[lines.index(opening[0]):][:5] == opening
    titles = [line for line in lines if re.match(r"\d+\. ", line)]
    assert titles == ["1. Service number 01", "2. Service number 02", "3. Service number 03"]
    for each in ("Support from a local organisation", "When: Tuesdays 10:00 to 12:30",
                 "Phone: 0151 000 0101", "Website: https://example.org/advice/1",
                 "Try to do it by: Tuesday 1 July 2025", "Day: Wednesday 18 June 2025",
                 "Time: 9:30am", "How: Come and see us", "NHS 111", "Samaritans 116 123"):
        assert each in lines, each  # a line of its own
    for words in ("Who: Example Advice Centre (debt and benefits)",
                  "Where: The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF",
                  "Your first step: Go along on Tuesday with the letters", *URGENT):
        assert back.has(words), words


def test_a_course_s_times_go_a_line_each(make_sheet, read_pdf):
    data = replace(make_sheet(1), items=[item(
        1, kind=SHEET_KINDS["course"], when="Tuesdays 10am to 12pm; starts Monday 3 March 2025")])
    lines = lines_of(read_pdf(easy(data)))
    assert "When: Tuesdays 10am to 12pm" in lines
    assert "Starts Monday 3 March 2025" in lines


def test_the_pictures_for_each_kind_the_phone_and_the_calendar_are_in_the_pdf(make_sheet):
    kinds = list(SHEET_KINDS)
    data = replace(make_sheet(0),
                   items=[item(n, kind=SHEET_KINDS[k]) for n, k in enumerate(kinds, 1)])
    pdf = easy(data)
    drawn = {hashlib.sha256(p).hexdigest() for page in images(pdf) for p in page.values()}
    for key in [*kinds, "phone", "calendar", "where", "when", "web", "first_step", "urgent"]:
        assert hashlib.sha256(stored(PICTURES[key].file)).hexdigest() in drawn, key
    # each picture embedded once, however often it is drawn
    per_page = images(pdf)
    assert all(len(set(page.values())) == len(page) for page in per_page)


def test_each_picture_is_drawn_with_words_for_it(make_sheet):
    """Every image drawn on a page sits in a marked-content span whose alternate text
    says what it shows."""
    pdf = easy(make_sheet(2))
    reader = PdfReader(io.BytesIO(pdf))
    said, drawn = [], 0
    for page, found in zip(reader.pages, images(pdf), strict=True):
        alt = None
        for operands, op in page.get_contents().operations:
            if op == b"BDC":
                alt = str(operands[1].get("/Alt"))
            elif op == b"EMC":
                alt = None
            elif op == b"Do" and operands[0] in found:
                drawn += 1
                assert alt and alt.startswith("Picture: "), alt
                said.append(alt)
    assert drawn >= 12
    assert {"Picture: a telephone", "Picture: a calendar", "Picture: two hands shaking",
            "Picture: a life ring"} <= set(said)


def test_the_pictures_shipped_match_what_the_sheet_draws():
    readme = (PICTURES_DIR / "README.md").read_text(encoding="utf-8")
    for picture in PICTURES.values():
        assert (PICTURES_DIR / "svg" / f"{picture.file}.svg").is_file(), picture.file
        with Image.open(picture.path) as im:
            assert (im.format, im.size, im.mode) == ("JPEG", (192, 192), "RGB"), picture.file
        assert picture.file in readme
    assert "ISC License" in (PICTURES_DIR / "LICENSE").read_text(encoding="utf-8")


def test_a_long_plan_flows_over_pages_with_the_urgent_help_kept_whole(make_sheet, read_pdf):
    back = read_pdf(easy(make_sheet(9)))
    pages = len(back.pages)
    assert pages >= 5
    # the catch-up and the whole of the urgent help on the last page, nowhere else
    for words in (*URGENT, "Your next catch-up with us", "Day: Wednesday 18 June 2025"):
        assert back.has(words, page=pages), words
        assert not any(back.has(words, page=n) for n in range(1, pages)), words
    # right after the plan: the last item on that page or the one before it
    assert back.has("9. Service number 09", page=pages) or back.has(
        "Try to do it by: Tuesday 1 July 2025", page=pages - 1)
    # every item whole on one page (an item fits one), in order
    for n in range(1, 10):
        title = f"{n}. Service number {n:02d}"
        on = [p for p in range(1, pages + 1) if back.has(title, page=p)]
        assert len(on) == 1, (title, on)
        assert back.has(f"Website: https://example.org/advice/{n}", page=on[0])
    assert "(continued)" not in back.text
    body = back.body()
    where = [body.index(f"{n}. Service number {n:02d}") for n in range(1, 10)]
    assert where == sorted(where)
    assert back.has(f"Page {pages} of {pages}", page=pages)


def test_someone_s_long_words_go_on_over_the_page(make_sheet, read_pdf):
    why = " ".join(f"word{n}" for n in range(700))
    back = read_pdf(easy(replace(make_sheet(2), items=[item(1, why=why), item(2)])))
    assert re.findall(r"word\d+", back.body()) == why.split()
    assert len(back.pages) >= 3
    assert min(r.size for r in back.runs) >= 16


def test_chosen_from_the_person_s_needs_on_a_real_store_and_on_request(
        store, advisor, make_person, read_pdf, tmp_path):
    with store.session() as s:
        course = directory.courses(s)[0]
    needs_it = make_person(given_name="Ezra", needs_easy_read=True, needs_interpreter=True,
                           interpreter_language="Tigrinya")
    does_not = make_person(given_name="Pat")
    made = []
    for person in (needs_it, does_not):
        with store.session() as s:
            result = dropin.record_drop_in(s, person.id, advisor.id, {
                "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                                 "mode": "drop_in", "what_matters": "Getting out more."},
                "items": [{"kind": "course", "course_id": course.id, "title": "",
                           "why": "To feel braver", "first_step": "Ring to book"}],
                "follow_up": {"due_date": "18/06/2025", "due_time": "9:30",
                              "way": "drop_in"}}, today=date(2025, 6, 11))
        with store.session() as s:
            made.append(sheet_data(s, result.prescription_id, today=date(2025, 6, 11)))
    ezra, pat = made
    assert (ezra.easy_read, ezra.language) == (True, "Tigrinya")
    assert (pat.easy_read, pat.language) == (False, "")

    def is_easy(pdf: bytes) -> bool:
        back = read_pdf(pdf)
        return back.has("This is your plan.") and back.has("1. Building Confidence") \
            and min(r.size for r in back.runs) >= 16

    assert is_easy(render_bytes(ezra))  # from the needs recorded
    assert not is_easy(render_bytes(pat))
    assert is_easy(render_bytes(pat, easy_read=True))  # on request
    assert not is_easy(render_bytes(ezra, easy_read=False))
    assert is_easy(render_bytes(ezra, large_print=False))  # easy read is large whatever
    saved = render_sheet(pat, tmp_path / "sheet.pdf", easy_read=True)
    assert is_easy(saved.read_bytes())


def test_a_short_plan_starts_on_the_first_page_and_the_help_stays_whole(make_sheet, read_pdf):
    step = SheetItem(SHEET_KINDS["own_step"], "Walk to the park twice a week",
                     why="Fresh air helps me think.", first_step="Go on Saturday with Sam")
    back = read_pdf(easy(replace(make_sheet(0), items=[step])))
    assert back.has("1. Walk to the park twice a week", page=1)
    last = len(back.pages)
    assert last <= 2
    for words in (*URGENT, "Your next catch-up with us"):
        assert back.has(words, page=last), words


def test_a_five_item_plan_starts_on_page_one_and_takes_four_pages(make_sheet, read_pdf):
    """The plan starts on the first page when its first item fits there, items share a
    page two by two when they fit (each whole), and nothing goes under 16 pt: the
    5-item sheet takes 4 pages (it took 7, page 1 holding only the opening)."""
    back = read_pdf(easy(make_sheet(5)))
    assert len(back.pages) == 4
    assert back.has("This is your plan.", page=1)
    assert back.has("1. Service number 01", page=1)
    assert back.has("Try to do it by: Tuesday 1 July 2025", page=1)  # item 1 whole there
    for n in range(1, 6):
        title = f"{n}. Service number {n:02d}"
        assert len([p for p in range(1, 5) if back.has(title, page=p)]) == 1, title
    assert "(continued)" not in back.text
    for words in (*URGENT, "Your next catch-up with us"):
        assert back.has(words, page=4), words
    assert min(r.size for r in back.runs) >= 16
    assert min(text_sizes(easy(make_sheet(5)))) >= 16
