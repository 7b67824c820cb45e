"""The referral letter for a partner, as a PDF (reportlab platypus; no Qt).

    render_letter(data) -> bytes   (data: ``lr_desk.services.letter.LetterData``)

A4 portrait, in the take-home sheet's look, fonts, text handling and page (``look``,
``text``: anyone's words in any script; ``page``: the header on every page, the body's
frame, "Page N of M"). Every page carries the header (The Life Rooms, the hub's
name, address and phone; the date; "Referral letter", confidential, for whom) and "Page
N of M" at the foot. The body: to whom (the partner's key contact) and from whom (the
advisor and their hub), when a reply is expected, who the person is, what they agreed
to share, and what support is asked for and why. What it says is exactly what
``LetterData`` holds; nothing else is read here.
"""

from __future__ import annotations

import io
from dataclasses import replace

from reportlab.platypus import Flowable, Paragraph, Table

from lr_desk.services.letter import NOT_RECORDED, WITHDRAWN, LetterData
from lr_desk.services.sheet import MONTHS, long_date
from lr_desk.sheets import page
from lr_desk.sheets.flow import Columns, Together
from lr_desk.sheets.look import ACCENT, LOOKS, Look, style
from lr_desk.sheets.page import boxed, hub_lines
from lr_desk.sheets.text import text

TITLE = "Referral letter"
CONFIDENTIAL = "Confidential"
NO_KEY_CONTACT = ("No key contact is named for your organisation: please pass this to "
                  "whoever takes new referrals.")
WITHDRAWN_CONTACT = ("They have asked not to be contacted directly: please reply to the "
                     "advisor, who will pass it on.")
NOT_RECORDED_CONTACT = "Not recorded: please ask them how they prefer to be contacted."

# The sheet's normal look, a little tighter: a letter for a partner's office, on one page
# whenever it can be.
LOOK: Look = replace(
    LOOKS[False],
    body=style("letter-body", 11, 15, after=1.5),
    heading=style("letter-heading", 14, 18, bold=True, color=ACCENT, before=9, after=3,
                  keep_with_next=True),
    item_title=style("letter-title", 12, 16, bold=True, before=8, after=2,
                     keep_with_next=True),
    urgent_title=style("letter-reply", 13, 17, bold=True, after=3))


def _day(day) -> str:
    """'14 February 1985' (the year always: a letter is read later)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def header(data: LetterData, look) -> Flowable:
    right: list[Flowable] = [
        text(long_date(data.made_on), look.head_right),
        text(TITLE, look.head_name),
        text(f"{CONFIDENTIAL}: for {data.partner} only", look.head_right),
    ]
    return Columns([(hub_lines(data.hub, look, hours=False), 0.56), (right, 0.44)])


def _lines(pairs, look) -> list[Flowable]:
    """A labelled line for each (label, value) with a value."""
    return [text(value, look.body, label) for label, value in pairs if value]


def to_and_from(data: LetterData, look) -> Flowable:
    key = data.key_contact
    to: list[Flowable] = [Paragraph("To", look.item_title)]
    if key is not None:
        to += _lines((("", key.name), ("", key.role), ("", data.partner),
                      ("Phone:", key.phone), ("Email:", key.email)), look)
    else:
        to += _lines((("", data.partner), ("Phone:", data.partner_phone)), look)
        to.append(text(NO_KEY_CONTACT, look.body))
    sender: list[Flowable] = [Paragraph("From", look.item_title)]
    sender += _lines((("", data.advisor or "A pathways advisor"),
                      ("", f"Pathways advisor, {data.hub.name}"),
                      ("Phone:", data.hub.phone)), look)
    return Columns([(to, 0.48), ([], 0.04), (sender, 0.48)])  # a gutter between


def reply_box(data: LetterData, look) -> Table:
    who = data.advisor or "the advisor"
    phone = f" on {data.hub.phone}" if data.hub.phone else ""
    if data.reply_by:
        when = f"by {long_date(data.reply_by)}"
    else:
        when = f"within {data.reply_within_days} days"
    cell = [text(f"Please reply {when}", look.urgent_title),
            text(f"Please let {who} know{phone} whether you can take this referral, and "
                 f"if not, why not, so that we can find {data.name} the right support "
                 "elsewhere.", look.body)]
    return boxed(cell)


def person(data: LetterData, look, page_height: float) -> Flowable:
    if data.contact == WITHDRAWN:
        reach = WITHDRAWN_CONTACT
    elif data.contact == NOT_RECORDED:
        reach = NOT_RECORDED_CONTACT
    else:
        reach = ", ".join(data.contact_ways)
    block = [Paragraph("Who we are referring", look.heading), *_lines((
        ("Name:", data.full_name),
        ("Prefers to be called:", data.preferred_name),
        ("Date of birth:", _day(data.date_of_birth) or "Not known"),
        ("Postcode:", data.postcode),
        ("Phone:", data.phone),
        ("Email:", data.email),
        ("Happy to be contacted by:", reach),
        ("Communication needs:", "; ".join(data.communication) or "None noted"),
    ), look)]
    return Together(block, page_height)


def sharing(data: LetterData, look, page_height: float) -> Flowable:
    by = f" (recorded by {data.shared_recorded_by})" if data.shared_recorded_by else ""
    words = (f"{data.name} agreed on {_day(data.shared_on)} that The Life Rooms may "
             f"share the information in this letter with {data.partner}{by}. Please keep "
             "it confidential, and use it only for this referral.")
    return Together([Paragraph("What they agreed to share", look.heading),
                     text(words, look.body)], page_height)


def support(data: LetterData, look, page_height: float) -> Flowable:
    block = [Paragraph("What support we are asking for", look.heading), *_lines((
        ("What:", data.title),
        ("Why, in their words:", data.why),
        ("Their first step:", data.first_step),
        ("Needs they raised with us:", ", ".join(data.needs)),
    ), look)]
    return Together(block, page_height, min_first=2)


def story(data: LetterData, look, page_height: float) -> list[Flowable]:
    return [to_and_from(data, look),
            Paragraph(f"Referral to {data.partner}: {data.service}", look.item_title),
            reply_box(data, look),
            person(data, look, page_height),
            support(data, look, page_height),
            sharing(data, look, page_height)]


def render_letter(data: LetterData) -> bytes:
    """The letter as PDF bytes."""
    out = io.BytesIO()
    page.build(out, LOOK, lambda: header(data, LOOK),
               lambda height: story(data, LOOK, height), template="letter",
               title=f"Referral to {data.partner}", subject="Referral letter (confidential)")
    return out.getvalue()
