"""What is on the sheet: the header, what matters, each item of the plan, the next
catch-up and where to get urgent help, read back from the PDF."""

from __future__ import annotations

import io
import json
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from pypdf import PdfReader

from lr_desk.services import directory, dropin, sheet
from lr_desk.services.reference import example_id
from lr_desk.services.sheet import SheetItem
from lr_desk.sheets import qr, render
from lr_desk.sheets import words as sheet_words

TODAY = date(2025, 6, 11)
HUB_SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                         "Benefits and debt drop-in")
COMMUNITY_SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


@pytest.fixture
def prescription_id(store, advisor, make_person):
    """A whole drop-in at Walton: a course, a service at the hub with a referral, one in
    the community, a step of their own, and a follow-up."""
    person = make_person(given_name="Annabel", family_name="Quenington",
                         preferred_name="Annie")
    with store.session() as s:
        course_id = directory.courses(s)[0].id  # Building Confidence, at Bootle
        raw = {
            "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                             "mode": "drop_in",
                             "what_matters": "Getting out of the house and sorting the rent."},
            "items": [
                {"kind": "course", "course_id": course_id, "why": "To feel braver",
                 "first_step": "Ring the hub to book", "target_date": "01/07/2025"},
                {"kind": "partner_service", "service_id": HUB_SERVICE,
                 "title": "Help with my debts", "why": "Letters keep coming",
                 "first_step": "Bring the letters on Tuesday", "refer": True},
                {"kind": "partner_service", "service_id": COMMUNITY_SERVICE,
                 "title": "Keep my flat", "why": "Rent arrears",
                 "first_step": "Call them on Monday", "target_date": "20/06/2025"},
                {"kind": "own_step", "title": "Walk to the park twice a week",
                 "why": "Fresh air helps me think", "first_step": "Go on Saturday"},
            ],
            "follow_up": {"due_date": "18/06/2025", "due_time": "9:30", "way": "drop_in"},
        }
        return dropin.record_drop_in(s, person.id, advisor.id, raw, today=TODAY).prescription_id


def sheet_of(store, prescription_id, **kw) -> bytes:
    with store.session() as s:
        data = sheet.sheet_data(s, prescription_id, today=TODAY)
    return render.render_bytes(data, **kw)


def test_every_field_is_on_the_sheet(store, prescription_id, read_pdf):
    pdf = read_pdf(sheet_of(store, prescription_id))
    expected = [
        # the header
        "The Life Rooms", "The Life Rooms Walton", "Evered Avenue, Liverpool L9 2AF",
        "Phone 0151 478 6556", "Open Monday to Friday, 9:30am to 4:30pm",
        "Wednesday 11 June 2025", "Made with Alex", "For Annie",
        # what matters, in their words
        "What matters to me", "Getting out of the house and sorting the rent.",
        "Your plan",
        # a course: what, with whom, where and when, how to get in touch, why, first step
        "1. Building Confidence", "What it is: A free Recovery College course",
        "With: The Life Rooms Recovery College",
        "Where: The Life Rooms Bootle, St Winefride's Campus, Merton Road, Bootle L20 7AP",
        "When: Wednesdays 10:00 to 12:00, four weeks", "Phone: 0151 330 6461",
        "Why this matters to me: To feel braver", "My first step: Ring the hub to book",
        "By when: Tuesday 1 July 2025",
        # a partner's service at the hub, with its web address
        "2. Help with my debts", "What it is: Support from a local organisation",
        "With: Example Advice Centre (debt and benefits)",
        "Where: The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF",
        "When: Tuesdays 10:00 to 12:30", "Phone: 0151 000 0101",
        "Scan to open: https://example.org/advice", "Why this matters to me: Letters keep coming",
        "My first step: Bring the letters on Tuesday",
        # a service in the community
        "3. Keep my flat", "With: Example Housing Trust", "Where: Example House, Liverpool",
        "When: Monday to Friday by appointment", "Scan to open: https://example.org/housing",
        "By when: Friday 20 June 2025",
        # their own step
        "4. Walk to the park twice a week", "What it is: A step I will take myself",
        "Why this matters to me: Fresh air helps me think", "My first step: Go on Saturday",
        # the next catch-up: date, time, way, place
        "Your next catch-up with us", "When: Wednesday 18 June 2025 at 9:30am",
        "How: Come and see us",
        "Where: The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF",
        # urgent help
        "If you need help urgently", "NHS 111: Call 111 and choose the mental health option.",
        "Samaritans 116 123: Free to call, day or night.",
        "999 or A&E: If a life is at risk, call 999 or go to A&E.",
    ]
    missing = [words for words in expected if not pdf.has(words)]
    assert missing == []
    assert pdf.has(f"Page 1 of {len(pdf.pages)}")


def test_the_sheet_is_a4_portrait(make_sheet):
    page = PdfReader(io.BytesIO(render.render_bytes(make_sheet()))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_web_address_gets_a_qr_code():
    """The code for an address is a real QR matrix (finder squares in three corners)."""
    count, runs = qr.qr_runs("https://example.org/advice")
    assert count >= 21 and (count - 17) % 4 == 0  # a QR version's size: 21, 25, 29...
    dark = {(r, c + i) for r, c, n in runs for i in range(n)}
    for top, left in ((0, 0), (0, count - 7), (count - 7, 0)):
        ring = {(top + r, left + c) for r in range(7) for c in range(7)
                if r in (0, 6) or c in (0, 6)}
        core = {(top + r, left + c) for r in range(2, 5) for c in range(2, 5)}
        assert ring | core <= dark
    assert qr.qr_runs("example.org/advice") == (count, runs)  # https:// is implied


def test_no_web_address_no_qr_code(make_sheet, monkeypatch):
    drawn = []
    monkeypatch.setattr(qr, "qr_path", lambda value, size: drawn.append(value) or "")
    render.render_bytes(make_sheet(items=2))
    assert sorted(drawn) == ["https://example.org/advice/1", "https://example.org/advice/2"]
    drawn.clear()
    data = make_sheet(items=2)
    data.items = [SheetItem("A step I will take myself", "Walk")]
    render.render_bytes(data)
    assert drawn == []


def test_nothing_booked_yet(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet(next_follow_up=None)))
    assert pdf.has("Nothing is booked yet. You are always welcome to drop in, or call us on "
                   "0151 478 6556.")


def test_an_empty_plan_and_no_words(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet(items=0, what_matters="")))
    assert pdf.has("Your plan") and pdf.has("Nothing written down yet.")
    assert not pdf.has("What matters to me")


def test_markup_characters_are_text(make_sheet, read_pdf):
    """Names and words are escaped: '&', '<' and quotes do not break the layout."""
    data = make_sheet(preferred_name="O'Brien & <Sons>",
                      what_matters='Fish & chips <b>not bold</b> "quoted" </para>')
    data.items[0] = SheetItem("Volunteering", "Café <Tuesday> & more",
                                     with_whom="Smith & Daughters <Ltd>",
                                     why="Because <I> said & meant it")
    pdf = read_pdf(render.render_bytes(data))
    for words in ("For O'Brien & <Sons>", 'Fish & chips <b>not bold</b> "quoted" </para>',
                  "1. Café <Tuesday> & more", "With: Smith & Daughters <Ltd>",
                  "Why this matters to me: Because <I> said & meant it"):
        assert pdf.has(words), words


def test_line_breaks_in_their_words_are_kept(make_sheet, read_pdf):
    pdf = read_pdf(render.render_bytes(make_sheet(what_matters="First line\nSecond line")))
    lines = pdf.text.splitlines()
    assert "First line" in lines and "Second line" in lines


def test_urgent_help_comes_from_the_data_file(make_sheet, read_pdf, tmp_path, monkeypatch):
    """The service corrects the words in lr_desk/data/urgent_help.json, no code change."""
    edited = tmp_path / "urgent_help.json"
    edited.write_text(json.dumps({"title": "Help right now", "lines": [
        {"lead": "Mersey Care crisis line", "text": "Call 0800 145 6570, any time."}]}),
        encoding="utf-8")
    monkeypatch.setattr(sheet_words, "URGENT_HELP", edited)
    pdf = read_pdf(render.render_bytes(make_sheet()))
    assert pdf.has("Help right now")
    assert pdf.has("Mersey Care crisis line: Call 0800 145 6570, any time.")
    assert not pdf.has("Samaritans")


@pytest.mark.parametrize("content", ["{not json", '{"title": "Help"}', "[]",
                                     '{"title": "Help", "lines": [{"lead": "x"}]}', None])
def test_a_broken_urgent_help_file_still_gives_urgent_help(make_sheet, read_pdf, tmp_path,
                                                           monkeypatch, caplog, content):
    edited = tmp_path / "urgent_help.json"
    if content is not None:
        edited.write_text(content, encoding="utf-8")
    monkeypatch.setattr(sheet_words, "URGENT_HELP", edited)
    pdf = read_pdf(render.render_bytes(make_sheet()))
    assert pdf.has("If you need help urgently")
    assert pdf.has("Samaritans 116 123: Free to call, day or night.")
    assert "urgent-help" in caplog.text


@pytest.mark.parametrize("words", [json.loads(sheet_words.URGENT_HELP.read_text(encoding="utf-8")),
                                   sheet_words.DEFAULT_URGENT_HELP], ids=["shipped", "fallback"])
def test_urgent_help_names_111_samaritans_and_999(words):
    """The shipped file (which the service may reword) and the words kept for a broken
    one both give the three ways to get help."""
    text = " ".join(f"{line.get('lead', '')} {line['text']}" for line in words["lines"])
    for essential in ("111", "mental health", "116 123", "999", "A&E"):
        assert essential in text


def test_dates_and_times_in_plain_english():
    assert sheet.long_date(date(2025, 6, 11)) == "Wednesday 11 June 2025"
    assert [sheet_words.clock_time(t) for t in ("09:30", "14:00", "12:05", "00:00", "soon")] == [
        "9:30am", "2pm", "12:05pm", "12am", "soon"]


def test_sheets_render_side_by_side_on_threads(make_sheet, read_pdf):
    """The preview and a print can be made at the same time on worker threads."""
    names = ["Annie", "زهرة حسن", "Bartholomew", "מריה", "Chloé", "مریم رضایی"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        pdfs = list(pool.map(lambda n: render.render_bytes(make_sheet(preferred_name=n),
                                                           large_print=len(n) % 2 == 0),
                             names))
    for name, pdf in zip(names, pdfs, strict=True):
        first_page = unicodedata.normalize("NFKC", read_pdf(pdf).pages[0])
        assert f"For {name}" in [line.strip() for line in first_page.splitlines()], name


def test_prepare_warms_up():
    render.prepare(["https://example.org/prepared", ""])  # fonts, a small sheet, QR codes
    assert qr.qr_runs.cache_info().currsize >= 1


def test_a_place_is_named_in_full(store, advisor, make_person, read_pdf):
    """'Where: The Life Rooms Walton', the hub's name in full with its address: never its
    code ('walton'), a bare 'Walton', or 'at ...'."""
    person = make_person(given_name="Wendy", family_name="Walton")
    with store.session() as s:
        course = next(c for c in directory.courses(s) if c.site_code == "walton")
        rx_id = dropin.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                             "mode": "drop_in", "what_matters": "Company"},
            "items": [{"kind": "course", "course_id": course.id},
                      {"kind": "partner_service", "service_id": HUB_SERVICE}],
            "follow_up": {"due_date": "18/06/2025", "way": "drop_in"},
        }, today=TODAY).prescription_id
    pdf = read_pdf(sheet_of(store, rx_id))
    wheres = [line.strip() for line in pdf.text.splitlines() if line.startswith("Where:")]
    assert wheres == ["Where: The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF"] * 3
