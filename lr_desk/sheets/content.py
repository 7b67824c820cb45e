"""What the sheet says, as blocks for the page: the header; what matters to the person;
their plan (each item: what, with whom, where and when, how to get in touch with a QR
code of the web address and the address printed under it, why and the first step); the
next catch-up; and where to get urgent help.

The urgent help goes on the page with the end of the plan: the last item (or at least
its last lines), the catch-up and the urgent-help box are one block, which may split
only before its last lines, so the box is never alone on a page.

In two languages (``lang``, a ``catalogues.Catalogue``; None: English only): every fixed
heading, label, the introduction and the urgent help have their translation beside the
English (``Pair``: the English at the left, the translation at the right, right-aligned
and in reading order when it reads right to left); the kinds of item and the ways of a
catch-up are translated with their labels; each date has the same date beside it in
the language's own words (its weekday and month, from Babel's CLDR data), and an item
going on over a page says "(continued)" in both. The person's and the directory's words
stay as they were typed. A catalogue not yet checked by a fluent speaker says so under the
introduction, in both languages.
"""

from __future__ import annotations

import functools

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from lr_desk.services.sheet import SheetData, SheetItem, long_date
from lr_desk.sheets.catalogues import Catalogue
from lr_desk.sheets.flow import Columns, Together
from lr_desk.sheets.fonts import width
from lr_desk.sheets.look import WIDTH, Look
from lr_desk.sheets.page import GUTTER, Pair, Phrase, bold, boxed, hub_lines
from lr_desk.sheets.qr import QrCode, qr_label
from lr_desk.sheets.text import text
from lr_desk.sheets.words import (
    CATCH_UP,
    CONTINUED,
    INTRO,
    NOT_BOOKED,
    NOT_BOOKED_CALL,
    NOTHING_YET,
    UNCHECKED,
    URGENT_TITLE,
    WHAT_MATTERS,
    YOUR_PLAN,
    clock_time,
    local_date,
    urgent_help,
)

__all__ = ["INTRO", "URGENT_TITLE", "catch_up", "header", "item", "story", "urgent_box"]

LABEL_SHARE = 0.25  # of a line: a translated label (and a kind or way, translated)
HEAD_SHARE = 0.4  # of the header's right column
HALF = 0.5  # headings, the introduction, sentences: side by side
DATE_SHARE = 0.6  # the most a translated date takes of its line
def fixed(words: str, style: ParagraphStyle, lang: Catalogue | None,
          share: float = HALF) -> Flowable:
    """Fixed words (a heading, a sentence) with their translation beside them."""
    english = Paragraph(words, style)
    said = lang(words) if lang is not None else ""
    return Pair(english, Phrase(said, style), share) if said else english


def line(value: str, style: ParagraphStyle, label: str, lang: Catalogue | None,
         share: float = LABEL_SHARE) -> Flowable:
    """'When: Tuesdays' with the label translated beside it, and the value too when it is
    one of the sheet's own words (a kind of item, a way of catching up)."""
    english = text(value, style, label)
    said = lang(label) if lang is not None and label else ""
    if not said:
        return english
    value_said = lang(value)
    beside = Phrase(f"{said} {value_said}", style) if value_said else Phrase(said, bold(style))
    return Pair(english, beside, share)


def said_date(day, lang: Catalogue | None, hhmm: str = "") -> str:
    """A date (and time) as the sheet's language says it; "" for English only."""
    return local_date(day, lang.code, hhmm) if lang is not None else ""


def dated(value: str, style: ParagraphStyle, label: str, lang: Catalogue | None,
          said: str) -> Flowable:
    """'When: Wednesday 18 June 2025' with the same in the sheet's language beside it
    ('Quando: quarta-feira, 18 de junho de 2025'): the translation takes what the
    English leaves of the line, half of it at least and 60% at most (in a quarter of the
    line, a date would wrap line after line)."""
    label_said = lang(label) if lang is not None else ""
    if not (said and label_said):
        return line(value, style, label, lang)
    english = width(f"{label} ", True, style.fontSize) + width(value, False, style.fontSize)
    share = min(DATE_SHARE, max(HALF, 1 - (english + GUTTER + 1) / WIDTH))
    return Pair(text(value, style, label), Phrase(f"{label_said} {said}", style), share)


def date_lines(day, style: ParagraphStyle, lang: Catalogue | None) -> list[Flowable]:
    """A date, and under it the same date in the sheet's language (the header's right
    column is too narrow to hold them side by side)."""
    said = said_date(day, lang)
    return [text(long_date(day), style), *([text(said, style)] if said else [])]


def continued(number: int, title: str, look: Look, lang: Catalogue | None) -> Flowable:
    """An item's title again over its continuation on the next page, "(continued)"
    after it and then in the sheet's language (on the title's line: beside it, in a
    quarter of the line, the title would take two lines)."""
    said = lang(CONTINUED) if lang is not None else ""
    return text(f"{title} {CONTINUED}{f' {said}' if said else ''}", look.item_title,
                f"{number}.")


def header(data: SheetData, look: Look, lang: Catalogue | None = None) -> Flowable:
    right: list[Flowable] = [
        *date_lines(data.made_on, look.head_right, lang),
        line(data.advisor_first_name or "your pathways advisor", look.head_right,
             "Made with", lang, HEAD_SHARE),
        line(data.preferred_name or "you", look.head_name, "For", lang, HEAD_SHARE),
    ]
    return Columns([(hub_lines(data.hub, look, lang=lang), 0.56), (right, 0.44)])


def item(number: int, it: SheetItem, look: Look, page_height: float,
         lang: Catalogue | None = None) -> list[Flowable]:
    """An item of the plan, a piece per line or group of lines."""
    out: list[Flowable] = [text(it.title, look.item_title, f"{number}.")]
    details = [line(value, look.body, label, lang)
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
        out.append(line(it.why, look.body, "Why this matters to me:", lang))
    if it.first_step:
        out.append(line(it.first_step, look.body, "My first step:", lang))
    if it.by_when:
        out.append(dated(long_date(it.by_when), look.body, "By when:", lang,
                         said_date(it.by_when, lang)))
    return out


def catch_up(data: SheetData, look: Look, lang: Catalogue | None = None) -> list[Flowable]:
    block: list[Flowable] = [fixed(CATCH_UP, look.heading, lang)]
    follow = data.next_follow_up
    if follow is not None:
        when = long_date(follow.date)
        if follow.time:
            when += f" at {clock_time(follow.time)}"
        block.append(dated(when, look.body, "When:", lang,
                           said_date(follow.date, lang, follow.time)))
        if follow.way:
            # (half the line each, as the date above: in large print the end must fit a page)
            block.append(line(follow.way, look.body, "How:", lang, HALF))
        if follow.place:
            block.append(line(follow.place, look.body, "Where:", lang))
    else:
        phone = data.hub.phone
        english = NOT_BOOKED_CALL if phone else NOT_BOOKED
        block.append(text(english.format(phone=phone), look.body))
        said = lang(english) if lang is not None else ""
        if said:  # under it: the phone number may make it long
            block.append(text(said.format(phone=phone), look.body))
    return block


def urgent_box(look: Look, lang: Catalogue | None = None) -> Table:
    words = urgent_help()
    title = words.get("title", URGENT_TITLE)
    title_said = lang(title) if lang is not None else ""
    cell: list[Flowable] = [Pair(text(title, look.urgent_title),
                                 Phrase(title_said, look.urgent_title), HALF)
                            if title_said else text(title, look.urgent_title)]
    for entry in words.get("lines", []):
        lead = (entry.get("lead") or "").strip()
        english = text(entry.get("text", ""), look.body, f"{lead}:" if lead else "")
        said = lang(entry.get("text", "")) if lang is not None else ""
        cell.append(english)
        if said:  # under it, the box's width (beside, the lines would wrap and wrap)
            cell.append(text(said, look.body))
    return boxed(cell)


def unchecked(look: Look, lang: Catalogue | None) -> list[Flowable]:
    """A line saying the translation has not been checked, when it has not."""
    if lang is None or lang.reviewed:
        return []
    return [fixed(UNCHECKED, bold(look.intro), lang)]


def story(data: SheetData, look: Look, page_height: float,
          lang: Catalogue | None = None) -> list[Flowable]:
    out: list[Flowable] = [fixed(INTRO, look.intro, lang), *unchecked(look, lang)]
    if data.what_matters.strip():
        out.append(Together([fixed(WHAT_MATTERS, look.heading, lang),
                             text(data.what_matters, look.body)], page_height))

    # The end: the catch-up (never split) and the urgent help, a little air between.
    # (in two languages, less air: in large print the end must still fit one page)
    air = look.body.fontSize if lang is None else look.body.fontSize / 3
    end: list[Flowable] = [Together(catch_up(data, look, lang), page_height),
                           Spacer(0, air), urgent_box(look, lang)]
    heading: list[Flowable] = [fixed(YOUR_PLAN, look.heading, lang)]
    if not data.items:
        out.append(Together([*heading, fixed(NOTHING_YET, look.body, lang), *end],
                            page_height, min_first=2, min_rest=len(end) + 1))
        return out
    last = len(data.items)
    for number, it in enumerate(data.items, 1):
        again = functools.partial(continued, number, it.title, look, lang)
        # The section's heading goes with its first item (never alone at a page's foot).
        # The last item takes the end with it: whole to the next page if they fit one
        # (and an item before it is on this one), else split leaving at least its last
        # piece with the end.
        tail = end if number == last else []
        out.append(Together([*heading, *item(number, it, look, page_height, lang), *tail],
                            page_height, again, min_first=2 + len(heading),
                            min_rest=len(tail) + 1 if tail else 0,
                            whole=bool(tail) and number > 1))
        heading = []
    return out
