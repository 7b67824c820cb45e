"""The take-home sheet in easy read: the same page as the ordinary sheet (``page.build``:
the header on every page, "Page N of M"), in large print, with a story of its own.

Short sentences, one idea per line, nothing smaller than 16 pt (the body is 18 pt), the
plan as a numbered list, and a picture beside the lines that have one: each item's kind,
where, when, the phone, the website, the first step; a calendar beside the next catch-up;
a life ring beside the urgent help (``easy_read_pictures``). The person's and the
directory's words stay as they were written. The plan's lines are 16 pt on 20 pt with a
little air between ideas: the plan starts on the first page when its first item fits
there, and two items share a page when they fit (each whole), so a 5-item sheet takes 4
pages rather than 6 or 7.

The urgent help goes on the page with the end of the plan, as on the ordinary sheet: the
last item, the catch-up and the urgent-help box are one block that moves whole to the next
page when an item before it is on this one, and the box is never alone on a page.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable, Paragraph, Spacer

from lr_desk.services.sheet import SHEET_WAYS, SheetData, SheetItem, long_date
from lr_desk.sheets import content, page
from lr_desk.sheets.easy_read_pictures import KIND_PICTURE, PICTURES, Picture, Pictured
from lr_desk.sheets.flow import Together
from lr_desk.sheets.look import ACCENT, LOOKS, style
from lr_desk.sheets.text import text
from lr_desk.sheets.words import clock_time, urgent_help

BIG = 40.0  # an item's kind, the urgent help: points square
SMALL = 20.0  # beside a line (a line of 16 pt words is 20 pt high)
GUTTER = 56.0  # the pictures' column; every line of the plan starts after it

BODY = style("easy-body", 16, 20, after=2)
OPENING = style("easy-opening", 18, 23, after=2)
HEADING = style("easy-heading", 21, 27, bold=True, color=ACCENT, before=12, after=8,
                keep_with_next=True)
ITEM_TITLE = style("easy-item", 19, 25, bold=True, before=16, after=2, keep_with_next=True)
URGENT_TITLE = style("easy-urgent", 19, 25, bold=True, after=6)
URGENT_LEAD = style("easy-urgent-lead", 16, 22, bold=True)
URGENT_TEXT = style("easy-urgent-text", 16, 22, after=6)

TITLE = "Your plan from The Life Rooms (easy read)"
_PHONED = {SHEET_WAYS["call"], SHEET_WAYS["text"]}


def opening(data: SheetData) -> list[Flowable]:
    """'This is your plan.' and the like: a sentence a line."""
    lines = ["This is your plan.", "We made it together."]
    count = len(data.items)
    if count:
        lines.append(f"It has {count} thing{'s' if count > 1 else ''} for you to try.")
    lines += ["Keep it somewhere safe.", "Ask us if you want help to read it."]
    return [Paragraph(line, OPENING) for line in lines]


def line(words: str, label: str = "", picture: Picture | None = None,
         size: float = SMALL) -> Pictured:
    """One idea on a line, its label in bold, its picture (if any) to the left."""
    return Pictured(picture, [text(words, BODY, label)], size, GUTTER)


def item(number: int, it: SheetItem) -> list[Flowable]:
    """An item of the plan: its number and title beside the picture of its kind, then a
    line for each thing to know."""
    out: list[Flowable] = [Pictured(KIND_PICTURE.get(it.kind), [
        text(it.title, ITEM_TITLE, f"{number}."), text(it.kind, BODY)], BIG, GUTTER)]
    if it.with_whom:
        out.append(line(it.with_whom, "Who:"))
    if it.where:
        out.append(line(it.where, "Where:", PICTURES["where"]))
    if it.when:
        # "Tuesdays 10am to 12pm; starts Monday 3 March 2025": one idea a line
        parts = [p.strip() for p in it.when.split(";") if p.strip()]
        out.append(line(parts[0], "When:", PICTURES["when"]))
        out.extend(line(p[:1].upper() + p[1:]) for p in parts[1:])
    if it.phone:
        out.append(line(it.phone, "Phone:", PICTURES["phone"]))
    if it.web:
        out.append(line(it.web, "Website:", PICTURES["web"]))
    if it.why:
        out.append(line(it.why, "Why it matters:"))
    if it.first_step:
        out.append(line(it.first_step, "Your first step:", PICTURES["first_step"]))
    if it.by_when:
        out.append(line(long_date(it.by_when), "Try to do it by:"))
    return out


def catch_up(data: SheetData) -> list[Flowable]:
    block: list[Flowable] = [Paragraph("Your next catch-up with us", HEADING)]
    follow = data.next_follow_up
    if follow is None:
        block += [line("We have not booked a catch-up yet.", picture=PICTURES["calendar"]),
                  line("You can drop in when we are open.")]
        if data.hub.phone:
            block.append(line(data.hub.phone, "Or phone us:", PICTURES["phone"]))
        return block
    block.append(line(long_date(follow.date), "Day:", PICTURES["calendar"]))
    if follow.time:
        block.append(line(clock_time(follow.time), "Time:", PICTURES["when"]))
    if follow.way:
        block.append(line(follow.way, "How:",
                          PICTURES["phone"] if follow.way in _PHONED else None))
    if follow.place:
        block.append(line(follow.place, "Where:", PICTURES["where"]))
    return block


def urgent_box() -> Flowable:
    """The urgent help in short lines: each number or place on a line of its own, then
    what to do; a phone beside each line that has a number to call."""
    words = urgent_help()
    cell: list[Flowable] = [Pictured(PICTURES["urgent"], [
        text(words.get("title", content.URGENT_TITLE), URGENT_TITLE)], BIG, GUTTER)]
    for entry in words.get("lines", []):
        lead = (entry.get("lead") or "").strip()
        lines = [text(lead, URGENT_LEAD)] if lead else []
        lines.append(text(entry.get("text", ""), URGENT_TEXT))
        phone = PICTURES["phone"] if any(c.isdigit() for c in lead) else None
        cell.append(Pictured(phone, lines, SMALL, GUTTER))
    return page.boxed(cell)


def _continued(number: int, it: SheetItem) -> Callable[[], Flowable]:
    return lambda: Pictured(None, [text(f"{it.title} (continued)", ITEM_TITLE, f"{number}.")],
                            BIG, GUTTER)


def story(data: SheetData, page_height: float) -> list[Flowable]:
    out: list[Flowable] = opening(data)
    if data.what_matters.strip():
        out.append(Together([Paragraph("What matters to you", HEADING),
                             text(data.what_matters, BODY)], page_height))
    end: list[Flowable] = [Together(catch_up(data), page_height),
                           Spacer(0, BODY.fontSize), urgent_box()]
    heading: list[Flowable] = [Paragraph("Your plan", HEADING)]
    if not data.items:
        out.append(Together([*heading, line("Nothing is written down yet."), *end],
                            page_height, min_first=2, min_rest=len(end) + 1))
        return out
    last = len(data.items)
    for number, it in enumerate(data.items, 1):
        # The heading goes with the first item. An item is never parted over pages when
        # it fits one (an easy-read item reads as one piece), and the last one keeps the
        # catch-up and the urgent help with it when they fit a page together.
        block = Together([*heading, *item(number, it)], page_height, _continued(number, it),
                         min_first=2 + len(heading), whole=True)
        out.append(Ending(block, Together(end, page_height, whole=True), page_height)
                   if number == last else block)
        heading = []
    return out


class Ending(Flowable):
    """The last item with the catch-up and the urgent help: one block on one page when
    they fit a page together, moved whole to the next page when this one has little room
    left; otherwise (or when the item alone fits the good part of a page left here) the
    item, then the catch-up and the urgent help whole on the next page. The urgent help
    is never parted from the catch-up, nor split."""

    def __init__(self, last: Together, end: Together, page_height: float):
        super().__init__()
        self.last, self.end, self.page_height = last, end, page_height
        self._both = Together([last, end], page_height)

    def wrap(self, availWidth, availHeight):
        self.width, self.height = self._both.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        at_top = availHeight >= self.page_height - 1
        _, last_h = self.last.wrap(availWidth, availHeight)
        roomy = availHeight >= self.page_height * Together.ROOM_TO_SPLIT
        if self.height <= self.page_height and not at_top and not (roomy and last_h <= availHeight):
            return []  # the whole block on the next page (rather than the end alone there)
        if last_h <= availHeight:
            return [self.last, self.end]  # the item here, the end on the next page
        if not at_top:
            return []  # the item whole on the next page
        return [*self.last.split(availWidth, availHeight), self.end]  # taller than a page

    def draw(self):
        self._both.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self):
        return self._both.getSpaceBefore()

    def getSpaceAfter(self):
        return self._both.getSpaceAfter()


def build(data: SheetData, out) -> None:
    """Lay the easy-read sheet out and write the PDF to ``out`` (a path or a binary file).
    The header is the ordinary sheet's, in large print."""
    look = LOOKS[True]
    page.build(out, look, lambda: content.header(data, look),
               lambda height: story(data, height), template="easy-read", title=TITLE,
               subject="Social prescription, easy read")
