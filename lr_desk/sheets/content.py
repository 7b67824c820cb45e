"""What the sheet says, as blocks for the page: the header; what matters to the person;
their plan (each item: what, with whom, where and when, how to get in touch with a QR
code of the web address and the address printed under it, why and the first step); the
next catch-up; and where to get urgent help.

The urgent help goes on the page with the end of the plan: the last item (or at least
its last lines), the catch-up and the urgent-help box are one block, which may split
only before its last lines, so the box is never alone on a page.
"""

from __future__ import annotations

import functools

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from lr_desk.services.sheet import SheetData, SheetItem, long_date
from lr_desk.sheets.flow import Columns, Together
from lr_desk.sheets.look import WIDTH, Look
from lr_desk.sheets.page import boxed, hub_lines
from lr_desk.sheets.qr import QrCode, qr_label
from lr_desk.sheets.text import text
from lr_desk.sheets.words import clock_time, urgent_help

INTRO = ("This is the plan we made together. Keep it somewhere handy, and get in touch with "
         "the people on it whenever you are ready.")
URGENT_TITLE = "If you need help urgently"


def header(data: SheetData, look: Look) -> Flowable:
    right: list[Flowable] = [
        text(long_date(data.made_on), look.head_right),
        text(data.advisor_first_name or "your pathways advisor", look.head_right,
             "Made with"),
        text(data.preferred_name or "you", look.head_name, "For"),
    ]
    return Columns([(hub_lines(data.hub, look), 0.56), (right, 0.44)])


def item(number: int, it: SheetItem, look: Look, page_height: float) -> list[Flowable]:
    """An item of the plan, a piece per line or group of lines."""
    out: list[Flowable] = [text(it.title, look.item_title, f"{number}.")]
    details = [text(value, look.body, label)
               for label, value in (("What it is:", it.kind), ("With:", it.with_whom),
                                    ("Where:", it.where), ("When:", it.when),
                                    ("Phone:", it.phone))
               if value]
    if it.web:
        # The QR code beside the details, its foot level with theirs, and under it the
        # address it opens (directory fields: never a page long).
        share = (look.qr_size + 4 * mm) / WIDTH
        code = Columns([(details, 1 - share), ([QrCode(it.web, look.qr_size)], share, "bottom")])
        out.append(Together([code, qr_label(it.web, look.qr_label)], page_height))
    else:
        out.extend(details)
    if it.why:
        out.append(text(it.why, look.body, "Why this matters to me:"))
    if it.first_step:
        out.append(text(it.first_step, look.body, "My first step:"))
    if it.by_when:
        out.append(text(long_date(it.by_when), look.body, "By when:"))
    return out


def catch_up(data: SheetData, look: Look) -> list[Flowable]:
    block: list[Flowable] = [Paragraph("Your next catch-up with us", look.heading)]
    follow = data.next_follow_up
    if follow is not None:
        when = long_date(follow.date)
        if follow.time:
            when += f" at {clock_time(follow.time)}"
        block.append(text(when, look.body, "When:"))
        if follow.way:
            block.append(text(follow.way, look.body, "How:"))
        if follow.place:
            block.append(text(follow.place, look.body, "Where:"))
    else:
        call = f", or call us on {data.hub.phone}" if data.hub.phone else ""
        block.append(text(f"Nothing is booked yet. You are always welcome to drop in{call}.",
                          look.body))
    return block


def urgent_box(look: Look) -> Table:
    words = urgent_help()
    cell: list[Flowable] = [text(words.get("title", URGENT_TITLE), look.urgent_title)]
    for line in words.get("lines", []):
        lead = (line.get("lead") or "").strip()
        cell.append(text(line.get("text", ""), look.body, f"{lead}:" if lead else ""))
    return boxed(cell)


def story(data: SheetData, look: Look, page_height: float) -> list[Flowable]:
    out: list[Flowable] = [Paragraph(INTRO, look.intro)]
    if data.what_matters.strip():
        out.append(Together([Paragraph("What matters to me", look.heading),
                             text(data.what_matters, look.body)], page_height))

    # The end: the catch-up (never split) and the urgent help, a little air between.
    end: list[Flowable] = [Together(catch_up(data, look), page_height),
                           Spacer(0, look.body.fontSize), urgent_box(look)]
    heading: list[Flowable] = [Paragraph("Your plan", look.heading)]
    if not data.items:
        out.append(Together([*heading, Paragraph("Nothing written down yet.", look.body),
                             *end], page_height, min_first=2, min_rest=len(end) + 1))
        return out
    last = len(data.items)
    for number, it in enumerate(data.items, 1):
        continued = functools.partial(text, f"{it.title} (continued)", look.item_title,
                                      f"{number}.")
        # The section's heading goes with its first item (never alone at a page's foot).
        # The last item takes the end with it: whole to the next page if they fit one
        # (and an item before it is on this one), else split leaving at least its last
        # piece with the end.
        tail = end if number == last else []
        out.append(Together([*heading, *item(number, it, look, page_height), *tail],
                            page_height, continued, min_first=2 + len(heading),
                            min_rest=len(tail) + 1 if tail else 0,
                            whole=bool(tail) and number > 1))
        heading = []
    return out
