"""One way to draw a page the desk hands out, for the take-home sheet (``render``) and
the referral letter (``letter``): A4 portrait, the same header on every page (drawn once
into a form, then placed) over an accent rule, the body flowing in one frame below it,
and "Page N of M" at the foot (``flow.NumberedCanvas``). Also the pieces both headers
and bodies share: The Life Rooms and the hub's details, and a boxed panel (the urgent
help, the reply asked for).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from lr_desk.sheets.flow import NumberedCanvas
from lr_desk.sheets.look import ACCENT, INK, MARGIN, PAGE_H, PAGE_W, URGENT_BG, WIDTH, Look
from lr_desk.sheets.text import ensure_fonts, text

BOX_STYLE = TableStyle([
    ("BOX", (0, 0), (-1, -1), 1.5, INK),
    ("BACKGROUND", (0, 0), (-1, -1), URGENT_BG),
    ("LEFTPADDING", (0, 0), (-1, -1), 10),
    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
    ("TOPPADDING", (0, 0), (-1, -1), 8),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
])


def boxed(cell: list[Flowable]) -> Table:
    """``cell`` in a box, the page's width, on the urgent-help background."""
    box = Table([[cell]], colWidths=[WIDTH])
    box.setStyle(BOX_STYLE)
    return box


def hub_lines(hub, look: Look, hours: bool = True) -> list[Flowable]:
    """The header's left column: The Life Rooms, the hub's name, address and phone (and
    its opening hours, when ``hours``). ``hub``: a ``services.sheet.SheetHub``."""
    lines: list[Flowable] = [Paragraph("The Life Rooms", look.head_title),
                             text(hub.name, look.head)]
    address = " ".join(p for p in (hub.address, hub.postcode) if p)
    if address:
        lines.append(text(address, look.head))
    if hub.phone:
        lines.append(text(hub.phone, look.head, "Phone"))
    if hours and hub.hours:
        lines.append(text(hub.hours, look.head, "Open"))
    return lines


def build(out, look: Look, head: Callable[[], Flowable],
          story: Callable[[float], list[Flowable]], *, template: str, title: str,
          subject: str) -> None:
    """Lay the pages out and write the PDF to ``out`` (a path or a binary file): the
    header ``head()`` on every page, then ``story(page_height)`` (the body's height, for
    blocks kept together) in the frame below it."""
    ensure_fonts()
    header = head()
    _, header_h = header.wrap(WIDTH, PAGE_H)
    header_y = PAGE_H - MARGIN - header_h
    rule_y = header_y - look.gap / 2
    body_top = header_y - look.gap
    body_bottom = MARGIN + look.footer_size * 1.6
    drawn: list[bool] = []

    def on_page(canvas, doc):
        if not drawn:  # the same on every page: drawn once into a form, then placed
            canvas.beginForm("header")
            header.drawOn(canvas, MARGIN, header_y)
            canvas.setStrokeColor(ACCENT)
            canvas.setLineWidth(look.rule)
            canvas.line(MARGIN, rule_y, PAGE_W - MARGIN, rule_y)
            canvas.endForm()
            drawn.append(True)
        canvas.doForm("header")

    frame = Frame(MARGIN, body_bottom, WIDTH, body_top - body_bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=MARGIN, title=title,
                          author="The Life Rooms", subject=subject, creator="lr_desk")
    doc.addPageTemplates([PageTemplate(template, frames=[frame], onPage=on_page)])
    doc.build(story(body_top - body_bottom),
              canvasmaker=functools.partial(NumberedCanvas, footer_size=look.footer_size))
