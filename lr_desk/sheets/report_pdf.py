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

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from lr_desk.services.reports.core import LABEL, SUPPRESSION_RULE, Report, Table
from lr_desk.services.reports.outgoing import cell, leaving, period_words, replace_atomically
from lr_desk.sheets.flow import NumberedCanvas
from lr_desk.sheets.look import ACCENT, BOLD, INK, MARGIN, PAGE_H, WIDTH, style
from lr_desk.sheets.report_charts import draw
from lr_desk.sheets.text import ensure_fonts, text

PAGE_HEAD = "The Life Rooms: report"
RULE_GREY = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.93, 0.93, 0.93)  # every other row: black text on it, 18:1


class _Looks:
    def __init__(self):
        self.title = style("report-title", 18, 23, bold=True, color=ACCENT, after=4)
        self.intro = style("report-intro", 10.5, 14.5, after=2)
        self.heading = style("report-heading", 13, 17, bold=True, color=ACCENT, before=12,
                             after=5, keep_with_next=True)
        self.note = style("report-note", 9, 12.5, after=4)
        self.small = style("report-small", 8.5, 11)


def _size(n_columns: int) -> float:
    return 9.0 if n_columns <= 5 else 8.0 if n_columns <= 8 else 6.5


def _cell_styles(size: float):
    left = style(f"report-cell-{size}", size, size * 1.25)
    right = style(f"report-cell-r-{size}", size, size * 1.25, align=TA_RIGHT)
    head_left = style(f"report-head-{size}", size, size * 1.25, bold=True)
    head_right = style(f"report-head-r-{size}", size, size * 1.25, bold=True, align=TA_RIGHT)
    return left, right, head_left, head_right


def _widths(table: Table, size: float) -> list[float]:
    """Each number column as wide as its header's longest word and its values (at least
    1.5 cm); the label columns share the rest."""
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    numbers = {}
    for c in table.columns:
        if c.kind != LABEL:
            words = [*c.title.split(), *(cell(r.get(c.key), c.kind) for r in rows)]
            numbers[c.key] = max(42.0, max(stringWidth(w, BOLD, size) for w in words) + 8)
    n_labels = sum(1 for c in table.columns if c.kind == LABEL) or 1
    label = max(60.0, (WIDTH - sum(numbers.values())) / n_labels)
    return [numbers.get(c.key, label) for c in table.columns]


def _table(table: Table) -> PdfTable:
    size = _size(len(table.columns))
    left, right, head_left, head_right = _cell_styles(size)
    header = [Paragraph(c.title, head_left if c.kind == LABEL else head_right)
              for c in table.columns]
    body = []
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    for r in rows:
        body.append([text(cell(r.get(c.key), c.kind), left) if c.kind == LABEL
                     else Paragraph(cell(r.get(c.key), c.kind), right)
                     for c in table.columns])
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for n in range(2, len(table.rows) + 1, 2):
        commands.append(("BACKGROUND", (0, n), (-1, n), SHADE))
    if table.total is not None:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, INK))
        for k, c in enumerate(table.columns):  # the total row in bold
            words = cell(table.total.get(c.key), c.kind)
            body[-1][k] = Paragraph(f"<b>{words}</b>", left if c.kind == LABEL else right)
    drawn = PdfTable([header, *body], colWidths=_widths(table, size), repeatRows=1)
    drawn.setStyle(TableStyle(commands))
    return drawn


def _story(report: Report, looks: _Looks) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(report.title, looks.title),
        text(period_words(report), looks.intro, "Period:"),
        text(", ".join(report.site_names), looks.intro, "Sites:"),
        text(datetime.now().strftime("%Y-%m-%d %H:%M"), looks.intro, "Made:"),
    ]
    for table in report.tables:
        story.append(Paragraph(table.title, looks.heading))
        if table.rows:
            story.append(_table(table))
        else:
            story.append(Paragraph("Nothing to count in this period.", looks.note))
        if table.note:
            story += [Spacer(1, 3), text(table.note, looks.note)]
        for chart in (c for c in report.charts if c.table == table.key):
            if table.rows:
                story += [Spacer(1, 8), KeepTogether([draw(table, chart, WIDTH)])]
    story.append(Paragraph("Notes", looks.heading))
    notes = [n for n in report.notes if n != SUPPRESSION_RULE]
    story += [text(note, looks.note) for note in notes]
    story.append(text(SUPPRESSION_RULE, looks.note))
    return story


def _page_head(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("LRDejaVuSans", 8.5)
    canvas.setFillColor(INK)
    canvas.drawString(MARGIN, PAGE_H - MARGIN + 4, f"{PAGE_HEAD}: {doc.title}")
    canvas.setStrokeColor(ACCENT)
    canvas.line(MARGIN, PAGE_H - MARGIN, MARGIN + WIDTH, PAGE_H - MARGIN)
    canvas.restoreState()


def pdf_bytes(report: Report) -> bytes:
    """The report (as it leaves the desk) as PDF bytes, A4, 'Page N of M' on each page."""
    ensure_fonts()
    report = leaving(report)
    buffer = io.BytesIO()
    bottom = MARGIN + 16
    frame = Frame(MARGIN, bottom, WIDTH, PAGE_H - MARGIN - 6 - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(buffer, pagesize=A4, title=report.title, author="The Life Rooms",
                          subject=f"{report.title}, {period_words(report)}",
                          creator="lr_desk")
    doc.addPageTemplates([PageTemplate("report", frames=[frame], onPage=_page_head)])
    doc.build(_story(report, _Looks()), canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def write_pdf(report: Report, path: str | os.PathLike) -> Path:
    """Write the report's PDF to ``path`` (a temporary file beside it, then renamed: never
    half a file under the name). OSError when the folder cannot be written."""
    data = pdf_bytes(report)
    return replace_atomically(path, lambda f: f.write(data))
