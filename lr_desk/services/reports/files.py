"""A report as it leaves the desk: text for a terminal, CSV, JSON, XLSX and PDF.

Everything here writes the report after ``core.suppressed`` (a count from 1 to 4 as
"<5", the rule stated in the output): whoever calls ``as_json``, ``as_text`` or
``write`` gets the suppressed figures, so no path out of the desk forgets it. (The
Reports page shows managers the real numbers on screen.)

``write(report, path, fmt)`` writes a temporary file beside ``path`` and renames it over
``path``: a half-written file is never left under the name. A folder that cannot be
written, or a full disk, raises OSError (``lr_desk.faults`` says it in plain words).

The JSON's shape (every report): ``{"report": NAME, "title", "from": "YYYY-MM-DD",
"to", "sites": [codes] (empty: every site), "site_names", "rows": [the main table's
rows], "total", "tables": {key: {"title", "columns": [{"key", "title", "kind"}],
"rows", "total"}}, "notes": [...]}``. ``total`` is the main table's total count when
that table has one count column (referrals: 3,932), else its whole total row (a dict
of the columns' keys); ``total_of`` names the count column, or is "row".
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import textwrap
from datetime import date
from pathlib import Path

from lr_desk.services.reports.core import (
    COUNT,
    LABEL,
    Column,
    Report,
    Table,
)
from lr_desk.services.reports.outgoing import cell, leaving, period_words, replace_atomically

FORMATS = ("text", "csv", "json", "xlsx", "pdf")
EXTENSIONS = {"text": "txt", "csv": "csv", "json": "json", "xlsx": "xlsx", "pdf": "pdf"}
TEXT_WIDTH = 88  # a terminal's notes are wrapped at this


def default_name(report: Report, fmt: str) -> str:
    """'lr-desk-referrals-2019-09-01-to-2020-02-29.xlsx'."""
    p = report.period
    return f"lr-desk-{report.name}-{p.start.isoformat()}-to-{p.end.isoformat()}.{EXTENSIONS[fmt]}"


def _plain(value):
    """A value JSON can hold (dates as ISO text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row(row: dict, columns: list[Column]) -> dict:
    return {c.key: _plain(row.get(c.key)) for c in columns}


def _total(table: Table) -> tuple[object, str]:
    """The total as ``as_json`` gives it, and what it is (the count column's key, or
    "row")."""
    if table.total is None:
        return None, "row"
    counts = [c for c in table.columns if c.kind == COUNT]
    if len(counts) == 1:
        return _plain(table.total.get(counts[0].key)), counts[0].key
    return _row(table.total, table.columns), "row"


def as_json(report: Report) -> dict:
    """The report (suppressed) in the shape the module's docstring gives."""
    out = leaving(report)
    main = out.main
    total, total_of = _total(main)
    return {
        "report": out.name,
        "title": out.title,
        "from": out.period.start.isoformat(),
        "to": out.period.end.isoformat(),
        "sites": list(out.period.sites),
        "site_names": list(out.site_names),
        "rows": [_row(r, main.columns) for r in main.rows],
        "total": total,
        "total_of": total_of,
        "tables": {t.key: {"title": t.title,
                           "columns": [{"key": c.key, "title": c.title, "kind": c.kind}
                                       for c in t.columns],
                           "rows": [_row(r, t.columns) for r in t.rows],
                           "total": None if t.total is None else _row(t.total, t.columns),
                           **({"note": t.note} if t.note else {})}
                   for t in out.tables},
        "notes": list(out.notes),
    }


def json_text(report: Report) -> str:
    return json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"


def _grid(table: Table, grouped: bool = True) -> list[list[str]]:
    """The table's header, rows and total, each a list of cells in words."""
    lines = [[c.title for c in table.columns]]
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    lines += [[cell(r.get(c.key), c.kind, grouped) for c in table.columns] for r in rows]
    return lines


def as_text(report: Report) -> str:
    """The report (suppressed) for a terminal: each table in aligned columns (words to
    the left, numbers to the right), then the notes."""
    out = leaving(report)
    lines = [out.title, f"{period_words(out)}. Sites: {', '.join(out.site_names)}.", ""]
    for table in out.tables:
        grid = _grid(table)
        widths = [max(len(row[i]) for row in grid) for i in range(len(table.columns))]
        lines += [table.title, "-" * len(table.title)]
        for n, row in enumerate(grid):
            cells = [text.ljust(w) if c.kind == LABEL else text.rjust(w)
                     for text, w, c in zip(row, widths, table.columns, strict=True)]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        if table.note:
            lines += textwrap.wrap(table.note, TEXT_WIDTH)
        lines.append("")
    lines.append("Notes")
    for note in out.notes:
        lines += textwrap.wrap(note, TEXT_WIDTH, initial_indent="- ", subsequent_indent="  ")
    return "\n".join(lines) + "\n"


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def defused(text: str) -> str:
    """A cell's words as a spreadsheet opening the CSV will not run them: words starting
    =, +, -, @ (a partner's name from a feed, say) get a ' in front, as OWASP advises;
    numbers are left alone."""
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and
                                                    not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def as_csv(report: Report) -> str:
    """The report (suppressed) as CSV text: the report, period, sites and notes at the
    top, then a block per table (its title, header, rows and total), a blank line
    between. Counts without thousands separators, so they read back as numbers."""
    out = leaving(report)
    lines = [["Report", out.title], ["From", out.period.start.isoformat()],
             ["To", out.period.end.isoformat()], ["Sites", "; ".join(out.site_names)],
             *(["Note", note] for note in out.notes)]
    for table in out.tables:
        lines += [[], [table.title], *_grid(table, grouped=False)]
        if table.note:
            lines.append(["Note", table.note])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [defused(text) for text in line] for line in lines)
    return buffer.getvalue()


def write(report: Report, path: str | os.PathLike, fmt: str) -> Path:
    """Write the report (suppressed) to ``path`` as ``fmt`` (one of FORMATS); CSV is
    UTF-8 with a byte order mark (so Excel reads it as UTF-8). Returns the path."""
    if fmt not in FORMATS:
        raise ValueError(f"There is no file format {fmt!r}: choose one of "
                         f"{', '.join(FORMATS)}.")
    out = leaving(report)
    if fmt == "xlsx":
        # openpyxl and reportlab are imported only when a file is written: the Reports
        # page imports this module, and the desk's start should not pay for them
        from lr_desk.services.reports.files_xlsx import xlsx_bytes

        data = xlsx_bytes(out)
        return replace_atomically(path, lambda f: f.write(data))
    if fmt == "pdf":
        from lr_desk.sheets.report_pdf import pdf_bytes

        data = pdf_bytes(out)
        return replace_atomically(path, lambda f: f.write(data))
    text = {"text": as_text, "csv": as_csv, "json": json_text}[fmt](out)
    if fmt == "csv":
        return replace_atomically(path, lambda f: f.write(text), binary=False)
    return replace_atomically(path, lambda f: f.write(text.encode("utf-8")))
