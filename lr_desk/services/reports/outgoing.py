"""A report as it leaves the desk, alike in every file (text, CSV, JSON, XLSX, PDF): its
figures suppressed once (``leaving``), its values and period in words (counts '2,201',
shares '56.0', dates with their year), and the file written whole or not at all
(``replace_atomically``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lr_desk.services.dates import LONG_MONTHS
from lr_desk.services.reports.core import PERCENT, SUPPRESSION_RULE, Report, suppressed


def long_date(d: date) -> str:
    """'1 September 2019' (files always carry the year)."""
    return f"{d.day} {LONG_MONTHS[d.month - 1]} {d.year}"


def period_words(report: Report) -> str:
    """'1 September 2019 to 29 February 2020' (a single day: that day)."""
    p = report.period
    if p.start == p.end:
        return long_date(p.start)
    return f"{long_date(p.start)} to {long_date(p.end)}"


def cell(value, kind: str, grouped: bool = True) -> str:
    """A value in words: counts '2,201' ('2201' with ``grouped`` False, for CSV),
    shares to one decimal place ('56.0'), other numbers as given (to 2 places at most),
    nothing for None; "<5" and words as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    if isinstance(value, float):
        if kind == PERCENT:
            return f"{value:.1f}"
        value = round(value, 2)
        return f"{value:,}" if grouped else str(value)
    return str(value)


def leaving(report: Report) -> Report:
    """``report`` as it may leave the desk (suppressed once, however often asked)."""
    return report if SUPPRESSION_RULE in report.notes else suppressed(report)


def replace_atomically(path: str | os.PathLike, write: Callable[[object], None],
                       binary: bool = True) -> Path:
    """Write ``path`` through ``write(file)`` into a temporary file beside it, synced,
    then renamed over it: ``path`` is the old file or the whole new one, never half."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb" if binary else "w",
                       **({} if binary else {"encoding": "utf-8-sig", "newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
