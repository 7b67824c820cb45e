"""A report's PDF read back with pypdf: the Table 1 desk's every row label, count and
share, its chart's bar labels, the period, sites, notes and the small-number rule,
pages numbered on A4; a long table's header on every page; every kind of chart."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from lr_desk.services.reports.core import (
    LABEL,
    NUMBER,
    PERCENT,
    SUPPRESSION_RULE,
    Chart,
    Column,
    Period,
    Report,
    Table,
    share_rows,
)
from lr_desk.sheets.report_pdf import pdf_bytes, write_pdf
from tests.reports_data import TABLE1, TOTAL


def flat(back) -> str:
    """The PDF's words, one space between each (pypdf puts each cell on a line)."""
    return " ".join(back.text.split())


def test_table1_every_row_its_count_and_true_share(table1, tmp_path, read_pdf):
    path = write_pdf(table1, tmp_path / "t1.pdf")
    back = read_pdf(path.read_bytes())
    words = flat(back)
    for label, count in TABLE1.items():
        assert f"{label} {count:,} {100 * count / TOTAL:.1f}" in words, label
    assert f"Total {TOTAL:,} 100.0" in words
    assert "Life Rooms learning provision 2,201 56.0" in words  # printed 57.0% in 2020
    assert back.has("Period: 1 September 2019 to 29 February 2020")
    assert back.has("Sites: The Life Rooms Walton, The Life Rooms Southport")
    assert back.has(SUPPRESSION_RULE)
    assert back.has("Steps a person takes themselves, and referrals never sent, are not "
                    "counted.")
    n = len(back.pages)
    assert all(back.has(f"Page {k} of {n}", page=k) for k in range(1, n + 1))
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]  # A4


def test_the_chart_is_drawn_with_each_bar_labelled(table1, read_pdf):
    back = read_pdf(pdf_bytes(table1))
    # the title twice over the table and its chart, each count once more by its bar
    assert back.text.count("Onward referrals by category") >= 3
    for count in TABLE1.values():
        sizes = sorted(r.size for r in back.runs if r.text == f"{count:,}")
        assert sizes == [7.5, 9.0], count  # by its bar, and in the table
    assert any(r.text == "Social support in relation to debt" for r in back.runs)


def months_report(n: int = 120) -> Report:
    """Ten years of months: a table that runs over pages, a line chart, a column chart of
    several series with small counts and nothing counted."""
    months = [{"month": f"{2010 + m // 12}-{m % 12 + 1:02d}", "walton": 100 + m,
               "southport": m % 7, "score": None if m % 5 == 0 else 20 + m / 8}
              for m in range(n)]
    rows, total = share_rows([("Drop-in", 400), ("Telephone", 3), ("Video", 0)])
    return Report(
        "activity", "Activity", Period(date(2010, 1, 1), date(2019, 12, 31)), ["All sites"],
        [Table("months", "Contacts by month",
               [Column("month", "Month", LABEL), Column("walton", "Walton"),
                Column("southport", "Southport"), Column("score", "Mean score", NUMBER)],
               months, {"month": "Total", "walton": 1, "southport": 2, "score": None}),
         Table("ways", "Contacts by way",
               [Column("label", "Way", LABEL), Column("count", "Contacts"),
                Column("percent", "Share (%)", PERCENT, of="count")], rows, total),
         Table("empty", "Nobody yet", [Column("label", "Who", LABEL), Column("count", "N")])],
        charts=[Chart("Contacts month by month", "months", "month", ("walton", "southport"),
                      "line"),
                Chart("Ways", "ways", "label", ("count", "percent"), "column"),
                Chart("Nobody", "empty", "label", ("count",))],
        notes=["Zoë Ó'Brien, Ольга and Wojciech Łukasz are counted as anyone is."])


def test_a_long_table_has_its_header_on_every_page_and_small_counts_hidden(read_pdf):
    back = read_pdf(pdf_bytes(months_report()))
    pages_with_months = [p for p in back.pages if "2015-06" in p or "2010-02" in p
                         or "2019-11" in p]
    assert len(back.pages) >= 4
    table_pages = [p for p in back.pages if re.search(r"20\d\d-\d\d \d{3} ", " ".join(p.split()))]
    assert len(table_pages) >= 3 and pages_with_months
    for page in table_pages:
        assert "Month Walton Southport Mean score" in " ".join(page.split())
    words = flat(back)
    assert "2010-02 101 <5 20.12" in words  # 1 at Southport leaves as "<5"
    assert "2010-01 100 0 2010-02" in words  # none counted, and no score: blank
    assert "Telephone <5 Video 0" in words and "Drop-in 400 99.3" in words
    assert back.has("Nothing to count in this period.")
    assert back.has("Zoë Ó'Brien, Ольга and Wojciech Łukasz")
    assert back.text.count("Contacts month by month") == 1  # the line chart's title
    assert any(r.text == "Walton" and r.size == 7.5 for r in back.runs)  # its legend


def services_report(n: int = 80) -> Report:
    """A partners-like table: thirteen columns, long names, a bar chart of two series."""
    counts = ["sent", "accepted", "declined", "engaged", "completed", "not_taken_up",
              "overrides", "replies", "awaiting", "capacity", "gaps", "waiting"]
    rows = [{"label": f"Service number {k} (Partner organisation number {k})",
             **{c: 10 * k + i for i, c in enumerate(counts)}} for k in range(1, n + 1)]
    table = Table("services", "Referrals sent to each service",
                  [Column("label", "Service (partner)", LABEL),
                   *(Column(c, c.replace("_", " ").capitalize()) for c in counts)], rows)
    return Report("partners", "Partners", Period(date(2025, 1, 1), date(2025, 6, 30)),
                  ["All sites"], [table],
                  charts=[Chart("Sent and accepted", "services", "label",
                                ("sent", "accepted"))],
                  notes=["Capacity is what each service said it can take."])


def test_a_wide_table_goes_on_its_side_and_a_long_chart_in_parts(read_pdf):
    pdf = pdf_bytes(services_report())
    reader = PdfReader(io.BytesIO(pdf))
    sides = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in reader.pages]
    back = read_pdf(pdf)
    words = flat(back)
    for k in (1, 40, 80):  # every row whole, on pages on their side
        assert (f"Service number {k} (Partner organisation number {k}) {10 * k:,} "
                f"{10 * k + 1:,}") in words
    assert sides[0] == (842, 595) and sides[-1] == (595, 842)  # the notes upright again
    assert back.has("Capacity is what each service said it can take.", page=len(sides))
    parts = back.text.count("Sent and accepted (continued)")
    assert parts >= 2 and back.text.count("Sent and accepted") == parts + 1
    n = len(sides)
    assert all(back.has(f"Page {k} of {n}", page=k) for k in range(1, n + 1))


def test_a_line_has_gaps_for_small_counts_and_says_when_there_is_nothing(read_pdf):
    rows = [{"month": f"2025-{m:02d}", "walton": None if m in (3, 4, 7) else 10 + m,
             "southport": 2} for m in range(1, 11)]
    table = Table("months", "By month", [Column("month", "Month", LABEL),
                                         Column("walton", "Walton"),
                                         Column("southport", "Southport")], rows)
    report = Report("activity", "Activity", Period(date(2025, 1, 1), date(2025, 10, 31)),
                    ["All sites"], [table],
                    charts=[Chart("Walton", "months", "month", ("walton",), "line"),
                            Chart("Southport", "months", "month", ("southport",), "line")])
    back = read_pdf(pdf_bytes(report))
    words = flat(back)
    assert "2025-03 <5" in words and "2025-02 12 <5" in words
    # Walton's line in three pieces, each point labelled; Southport all small: no line
    labels = {r.text for r in back.runs if r.size == 7.5}
    assert {"11", "12", "16", "18", "19"} <= labels  # (not the axis' 5, 10, 15, 20)
    assert sum(r.text == "11" and r.size == 7.5 for r in back.runs) == 1  # its own point
    assert back.has("Nothing to draw: every figure is small (under 5) or none.")
