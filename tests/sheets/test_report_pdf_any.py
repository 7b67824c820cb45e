"""Any report the five report modules could make is written as a PDF and an XLSX
(hypothesis: tables of 0 to 150 rows and 1 to 14 columns, words of any length and
script, control characters too, counts small and large, shares, means, nothing; every
kind of chart), and the PDF holds every row's label."""

from __future__ import annotations

import io
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from lr_desk.services.reports.core import (
    COUNT,
    LABEL,
    NUMBER,
    PERCENT,
    Chart,
    Column,
    Period,
    Report,
    Table,
)
from lr_desk.services.reports.files_xlsx import xlsx_bytes
from lr_desk.sheets.report_pdf import pdf_bytes
from tests.sheets.conftest import read_back

WORDS = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "P", "S", "M", "Cc")),
                min_size=1, max_size=90).map(str.strip).filter(bool)
VALUES = {COUNT: st.one_of(st.none(), st.integers(0, 10), st.integers(0, 2_000_000)),
          PERCENT: st.one_of(st.none(), st.floats(0, 100).map(lambda v: round(v, 1))),
          NUMBER: st.one_of(st.none(), st.floats(-50, 5000).map(lambda v: round(v, 2)))}


@st.composite
def tables(draw, key: str) -> tuple[Table, list[Chart]]:
    kinds = draw(st.lists(st.sampled_from((COUNT, COUNT, PERCENT, NUMBER)), min_size=0,
                          max_size=13))
    columns = [Column("label", draw(WORDS), LABEL),
               *(Column(f"c{i}", draw(WORDS), kind, of="c0" if kind == PERCENT else "")
                 for i, kind in enumerate(kinds))]
    n = draw(st.integers(0, 150))
    labels = [f"R{k}x {draw(WORDS) if k < 5 else 'row'}" for k in range(n)]
    rows = [{"label": labels[k], **{c.key: draw(VALUES[c.kind]) for c in columns[1:]}}
            for k in range(n)]
    total = draw(st.one_of(st.none(), st.just({"label": "Total"})))
    charts = []
    if len(columns) > 1 and draw(st.booleans()):
        values = tuple(draw(st.lists(st.sampled_from([c.key for c in columns[1:]]),
                                     min_size=1, max_size=4, unique=True)))
        charts.append(Chart(draw(WORDS), key, "label", values,
                            draw(st.sampled_from(("bar", "column", "line")))))
    return Table(key, draw(WORDS), columns, rows, total), charts


@st.composite
def any_report(draw) -> Report:
    made = [draw(tables(f"t{i}")) for i in range(draw(st.integers(1, 3)))]
    return Report("activity", draw(WORDS), Period(date(2025, 1, 1), date(2025, 12, 31)),
                  ["All sites"], [t for t, _c in made], [c for _t, cs in made for c in cs],
                  notes=draw(st.lists(WORDS, max_size=3)))


@settings(max_examples=25, deadline=None)
@given(any_report())
def test_any_report_prints_and_saves(report):
    pdf = pdf_bytes(report)
    text = re.sub(r"\s+", "", "".join(read_back(pdf).pages))
    for table in report.tables:
        for row in table.rows:
            assert row["label"].split(" ")[0] in text
    book = load_workbook(io.BytesIO(xlsx_bytes(report)))
    assert len(book.sheetnames) == len(report.tables) + 1
