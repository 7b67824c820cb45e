"""A report as a PDF (reportlab platypus; no Qt): A4, the title, period and sites, each
table (its header again on every page it runs onto, the total in bold) followed by its
charts (``report_charts``: the Reports page's charts), then the notes and the small-number
rule, "Page N of M" at the foot of each page. The house's fonts (DejaVu Sans, so any name
prints) and its blue.

Given the report as it leaves the desk (``services.reports.files.leaving``, which
``files.write`` applies): ``write_pdf`` applies it too, so a PDF never holds a count
from 1 to 4.
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from lr_desk.services.reports.core import LABEL, SUPPRESSION_RULE, Report, Table
from lr_desk.services.reports.outgoing import cell, leaving, period_words, replace_atomically
from lr_desk.sheets.flow import NumberedCanvas
from lr_desk.sheets.look import ACCENT, BOLD, FONT, INK, MARGIN, PAGE_H, PAGE_W, WIDTH, style
from lr_desk.sheets.report_charts import drawings
from lr_desk.sheets.text import ensure_fonts, text

PAGE_HEAD = "The Life Rooms: report"
RULE_GREY = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.93, 0.93, 0.93)  # every other row: black text on it, 18:1
CHART_HEIGHT = PAGE_H - 2 * MARGIN - 120  # a chart taller is drawn in parts
WIDE_WIDTH = PAGE_H - 2 * MARGIN  # a page on its side
WIDE_CHART_HEIGHT = PAGE_W - 2 * MARGIN - 120
NARROWEST = 130.0  # a label column narrower than this (points): the page goes on its side


class _Looks:
    def __init__(self):
        self.title = style("report-title", 18, 23, bold=True, color=ACCENT, after=4)
        self.intro = style("report-intro", 10.5, 14.5, after=2)
        self.heading = style("report-heading", 13, 17, bold=True, color=ACCENT, before=12,
                             after=5)  # (kept with what follows by CondPageBreak)
        self.note = style("report-note", 9, 12.5, after=4)
        self.small = style("report-small", 8.5, 11)


def _size(n_columns: int) -> float:
    return 9.0 if n_columns <= 5 else 8.0 if n_columns <= 8 else 6.5


def _cell_styles(size: float):
    left = style(f"report-cell-{size}", size, size * 1.25)
    head_left = style(f"report-head-{size}", size, size * 1.25, bold=True)
    head_right = style(f"report-head-r-{size}", size, size * 1.25, bold=True, align=TA_RIGHT)
    return left, head_left, head_right


def _widths(table: Table, size: float, width: float) -> tuple[list[float], float]:
    """Each number column as wide as its header's longest word and its values (at least
    1.5 cm); the label columns share the rest of ``width``. Also what a label column
    gets (too little, and the table wants a page on its side)."""
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    numbers = {}
    for c in table.columns:
        if c.kind != LABEL:
            words = [*c.title.split(), *(cell(r.get(c.key), c.kind) for r in rows)]
            numbers[c.key] = max(42.0, max(stringWidth(w, BOLD, size) for w in words) + 8)
    n_labels = sum(1 for c in table.columns if c.kind == LABEL) or 1
    label = (width - sum(numbers.values())) / n_labels
    return [numbers.get(c.key, max(label, 60.0)) for c in table.columns], label


def is_wide(table: Table) -> bool:
    """Whether the table is printed on a page on its side (its words would be squeezed
    into too narrow a column on an upright one)."""
    return _widths(table, _size(len(table.columns)), WIDTH)[1] < NARROWEST


def _table(table: Table, width: float) -> PdfTable:
    """The table: words in paragraphs (they wrap), numbers as plain strings aligned right
    (a paragraph per number made a partners report of 200 services take seconds)."""
    size = _size(len(table.columns))
    left, head_left, head_right = _cell_styles(size)
    header = [Paragraph(escape(c.title), head_left if c.kind == LABEL else head_right)
              for c in table.columns]
    body = []
    for r in table.rows:
        body.append([text(cell(r.get(c.key), c.kind), left) if c.kind == LABEL
                     else cell(r.get(c.key), c.kind) for c in table.columns])
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 1), (-1, -1), FONT, size, size * 1.25),
        ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("ALIGN", (k, 1), (k, -1), "RIGHT")
                 for k, c in enumerate(table.columns) if c.kind != LABEL]
    for n in range(2, len(table.rows) + 1, 2):
        commands.append(("BACKGROUND", (0, n), (-1, n), SHADE))
    if table.total is not None:  # the total row in bold, under a rule
        commands += [("LINEABOVE", (0, -1), (-1, -1), 1, INK),
                     ("FONT", (0, -1), (-1, -1), BOLD, size, size * 1.25)]
        body.append([Paragraph(f"<b>{escape(cell(table.total.get(c.key), c.kind))}</b>", left)
                     if c.kind == LABEL else cell(table.total.get(c.key), c.kind)
                     for c in table.columns])
    drawn = PdfTable([header, *body], colWidths=_widths(table, size, width)[0], repeatRows=1)
    drawn.setStyle(TableStyle(commands))
    return drawn


def _story(report: Report, looks: _Looks) -> list[Flowable]:
    story: list[Flowable] = [
        text(report.title, looks.title),
        text(period_words(report), looks.intro, "Period:"),
        text(", ".join(report.site_names), looks.intro, "Sites:"),
        text(datetime.now().strftime("%Y-%m-%d %H:%M"), looks.intro, "Made:"),
    ]
    on_side = _starts_wide(report)
    for table in report.tables:
        wide = bool(table.rows) and is_wide(table)
        if wide != on_side:  # a wide table on pages on their side; then upright again
            story += [NextPageTemplate("wide" if wide else "report"), PageBreak()]
            on_side = wide
        width, height = (WIDE_WIDTH, WIDE_CHART_HEIGHT) if wide else (WIDTH, CHART_HEIGHT)
        story += [CondPageBreak(90), text(table.title, looks.heading)]
        if table.rows:
            story.append(_table(table, width))
        else:
            story.append(Paragraph("Nothing to count in this period.", looks.note))
        if table.note:
            story += [Spacer(1, 3), text(table.note, looks.note)]
        for chart in (c for c in report.charts if c.table == table.key):
            if table.rows:
                for drawing in drawings(table, chart, width, height):
                    story += [Spacer(1, 8), KeepTogether([drawing])]
    if on_side:
        story += [NextPageTemplate("report"), PageBreak()]
    story += [CondPageBreak(60), Paragraph("Notes", looks.heading)]
    notes = [n for n in report.notes if n != SUPPRESSION_RULE]
    story += [text(note, looks.note) for note in notes]
    story.append(text(SUPPRESSION_RULE, looks.note))
    return story


def _starts_wide(report: Report) -> bool:
    """Whether the first page is on its side (the first table is wide)."""
    first = report.tables[0] if report.tables else None
    return first is not None and bool(first.rows) and is_wide(first)


class _Numbered(NumberedCanvas):
    """'Page N of M' centred on each page, upright or on its side."""

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, self._footer_size)
            self.setFillColor(INK)
            self.drawCentredString(self._pagesize[0] / 2, MARGIN - self._footer_size * 0.2,
                                   f"Page {self._pageNumber} of {total}")
            self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)


def _page_head(canvas, doc) -> None:
    width, height = canvas._pagesize
    canvas.saveState()
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(INK)
    canvas.drawString(MARGIN, height - MARGIN + 4, f"{PAGE_HEAD}: {doc.title}")
    canvas.setStrokeColor(ACCENT)
    canvas.line(MARGIN, height - MARGIN, width - MARGIN, height - MARGIN)
    canvas.restoreState()


def _frame(size: tuple[float, float]) -> Frame:
    bottom = MARGIN + 16
    return Frame(MARGIN, bottom, size[0] - 2 * MARGIN, size[1] - MARGIN - 6 - bottom,
                 id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def pdf_bytes(report: Report) -> bytes:
    """The report (as it leaves the desk) as PDF bytes, A4, 'Page N of M' on each page."""
    ensure_fonts()
    report = leaving(report)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, title=report.title, author="The Life Rooms",
                          subject=f"{report.title}, {period_words(report)}",
                          creator="lr_desk")
    upright = PageTemplate("report", frames=[_frame(A4)], onPage=_page_head, pagesize=A4)
    wide = PageTemplate("wide", frames=[_frame(landscape(A4))], onPage=_page_head,
                        pagesize=landscape(A4))
    doc.addPageTemplates([wide, upright] if _starts_wide(report) else [upright, wide])
    doc.build(_story(report, _Looks()), canvasmaker=_Numbered)
    return buffer.getvalue()


def write_pdf(report: Report, path: str | os.PathLike) -> Path:
    """Write the report's PDF to ``path`` (a temporary file beside it, then renamed: never
    half a file under the name). OSError when the folder cannot be written."""
    data = pdf_bytes(report)
    return replace_atomically(path, lambda f: f.write(data))
