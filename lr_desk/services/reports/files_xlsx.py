"""A report as an Excel workbook (openpyxl): a sheet per table, then "About".

Each table's sheet has its header in bold on the first row (frozen, so it stays in view),
a row per row and the total in bold; counts are whole numbers, shares numbers shown to
one decimal place, "<5" (a small count, suppressed) is text. The report's charts of a
table are drawn on its sheet, beside it, as Excel's own charts. "About" says what the
report is, the period, the sites, when it was made, the notes and the small-number rule.

Given the report as it leaves the desk (``files.leaving``): ``files.write`` calls it.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lr_desk.services.reports.core import (
    COUNT,
    LABEL,
    NUMBER,
    PERCENT,
    SUPPRESSION_RULE,
    Chart,
    Report,
    Table,
)

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
FORMATS = {COUNT: "#,##0", PERCENT: "0.0", NUMBER: "#,##0.0#"}
MAX_TITLE = 31  # Excel's limit on a sheet's name
_NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\]")


def sheet_titles(titles: list[str], taken: tuple[str, ...] = ("About",)) -> list[str]:
    """Names for sheets of these titles: without the characters Excel refuses, at most
    31 characters, each different (case aside) from the others and from ``taken``."""
    used = {t.casefold() for t in taken}
    out = []
    for title in titles:
        base = " ".join(_NOT_IN_TITLES.sub(" ", _clean(title)).split()).strip("'") or "Table"
        name, n = base[:MAX_TITLE].rstrip(), 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = base[:MAX_TITLE - len(suffix)].rstrip() + suffix
        used.add(name.casefold())
        out.append(name)
    return out


def _clean(text: str) -> str:
    """``text`` without the characters a workbook cannot hold (controls)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _set(ws, row: int, col: int, value):
    """Put ``value`` in a cell: words always as words (a name starting '=' is never run as
    a formula; characters a workbook cannot hold, controls, dropped). The cell."""
    if isinstance(value, str):
        value = _clean(value)
    c = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        c.data_type = "s"
    return c


def _put(ws, row: int, col: int, value, kind: str, bold: bool = False) -> None:
    c = _set(ws, row, col, value)
    if isinstance(value, int | float) and not isinstance(value, bool) and kind in FORMATS:
        c.number_format = FORMATS[kind]
    if bold:
        c.font = BOLD


def _table_sheet(ws, table: Table) -> None:
    columns = table.columns
    for col, column in enumerate(columns, 1):
        _set(ws, 1, col, column.title).font = BOLD
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    for n, r in enumerate(rows, 2):
        is_total = table.total is not None and n == len(rows) + 1
        for col, column in enumerate(columns, 1):
            _put(ws, n, col, r.get(column.key), column.kind, bold=is_total)
    if table.note:
        _set(ws, len(rows) + 3, 1, table.note).alignment = WRAP
    for col, column in enumerate(columns, 1):
        longest = max([len(column.title)] + [len(str(r.get(column.key) or "")) for r in rows])
        cap = 60 if column.kind == LABEL else 18
        ws.column_dimensions[get_column_letter(col)].width = min(cap, max(8, longest + 2))
    ws.freeze_panes = "A2"


def _chart(ws, table: Table, chart: Chart, anchor: str) -> None:
    """Excel's own chart of ``chart`` (its table on this sheet), labelled values."""
    if not table.rows:
        return
    keys = [c.key for c in table.columns]
    last = len(table.rows) + 1
    if chart.kind == "line":
        drawn = LineChart()
    else:
        drawn = BarChart()
        drawn.type = "bar" if chart.kind == "bar" else "col"
        drawn.gapWidth = 60
        if chart.kind == "bar":  # the first row at the top, as in the table
            drawn.x_axis.scaling.orientation = "maxMin"
    drawn.title = _clean(chart.title)
    for key in chart.values:
        col = keys.index(key) + 1
        drawn.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
    drawn.set_categories(Reference(ws, min_col=keys.index(chart.label) + 1, min_row=2,
                                   max_row=last))
    drawn.dataLabels = DataLabelList()
    drawn.dataLabels.showVal = True
    if len(chart.values) == 1:
        drawn.legend = None
    drawn.height = max(7.5, min(22.0, 0.75 * len(table.rows) * len(chart.values) + 3))
    drawn.width = 18
    ws.add_chart(drawn, anchor)


def _about(ws, report: Report) -> None:
    lines = [("Report", report.title), ("From", report.period.start.isoformat()),
             ("To", report.period.end.isoformat()), ("Sites", "; ".join(report.site_names)),
             ("Made", datetime.now().strftime("%Y-%m-%d %H:%M"))]
    _set(ws, 1, 1, report.title).font = TITLE
    row = 3
    for label, value in lines:
        _set(ws, row, 1, label).font = BOLD
        _set(ws, row, 2, value)
        row += 1
    row += 1
    _set(ws, row, 1, "Notes").font = BOLD
    notes = [n for n in report.notes if n != SUPPRESSION_RULE]
    for note in [*notes, SUPPRESSION_RULE]:
        _set(ws, row, 2, note).alignment = WRAP
        ws.row_dimensions[row].height = 15 * (1 + len(note) // 90)
        row += 1
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 100


def xlsx_bytes(report: Report) -> bytes:
    """The workbook of ``report`` (as it leaves the desk), as bytes."""
    book = Workbook()
    first = book.active
    names = sheet_titles([t.title for t in report.tables])
    for n, (table, name) in enumerate(zip(report.tables, names, strict=True)):
        ws = first if n == 0 else book.create_sheet()
        ws.title = name
        _table_sheet(ws, table)
        place = len(table.columns) + 2
        for k, chart in enumerate(c for c in report.charts if c.table == table.key):
            _chart(ws, table, chart, f"{get_column_letter(place)}{1 + 24 * k}")
    _about(book.create_sheet("About"), report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
