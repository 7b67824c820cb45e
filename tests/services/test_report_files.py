"""A report as it leaves the desk (services.reports.files): the JSON's shape, text for a
terminal, CSV and XLSX read back (csv, openpyxl), small numbers as "<5" with the rule
stated in every file, and a file written whole or not at all (a real full disk)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from lr_desk import faults
from lr_desk.services.reports import files
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
from lr_desk.services.reports.files_xlsx import sheet_titles
from tests.disks import fill, small_disk
from tests.reports_data import PEOPLE, TABLE1, TOTAL


def handmade() -> Report:
    """Three tables (several count columns, a number column, None values, counts of 1
    to 4), three kinds of chart, long titles alike."""
    rows, total = share_rows([("Drop-in", 400), ("Telephone", 3), ("Video", 0),
                              ("Outreach", 12)])
    ways = Table("ways", "Contacts by way: drop-in, telephone, video and outreach",
                 [Column("label", "Way", LABEL), Column("count", "Contacts"),
                  Column("percent", "Share (%)", PERCENT, of="count")], rows, total)
    months = Table("months", "Contacts by way: drop-in, telephone, month by month",
                   [Column("month", "Month", LABEL), Column("walton", "Walton"),
                    Column("southport", "Southport"), Column("score", "Mean score", NUMBER)],
                   [{"month": f"2019-{m:02d}", "walton": 10 * m, "southport": m,
                     "score": None if m == 2 else 20.25 + m} for m in range(1, 13)],
                   {"month": "Total", "walton": 780, "southport": 78, "score": None},
                   note="Months with no contacts are shown as 0.")
    odd = Table("odd", "Who? [what]: *this* / that", [Column("label", "Item", LABEL),
                                                       Column("count", "People")],
                [{"label": "Zoë Ó'Brien", "count": 7}], None)
    return Report("activity", "Activity", Period(date(2019, 1, 1), date(2019, 12, 31),
                                                 ("walton", "southport")),
                  ["The Life Rooms Walton", "The Life Rooms Southport"], [ways, months, odd],
                  charts=[Chart("Contacts by way", "ways", "label", ("count",)),
                          Chart("Each month", "months", "month", ("walton", "southport"),
                                "line"),
                          Chart("Who", "odd", "label", ("count",), "column")],
                  notes=["Contacts are counted once each."])


def test_json_reproduces_table1_with_true_shares(table1):
    out = files.as_json(table1)
    assert json.loads(json.dumps(out)) == out  # JSON through and through
    assert (out["report"], out["from"], out["to"]) == ("referrals", "2019-09-01",
                                                       "2020-02-29")
    assert out["sites"] == ["walton", "southport"]
    assert [r["label"] for r in out["rows"]] == list(TABLE1)
    assert {r["label"]: r["count"] for r in out["rows"]} == TABLE1
    for row in out["rows"]:
        assert set(row) == {"label", "count", "percent"}
        assert row["percent"] == round(100 * row["count"] / TOTAL, 1)
    assert out["rows"][0]["percent"] == 56.0
    assert (out["total"], out["total_of"]) == (TOTAL, "count")
    assert set(out["tables"]) == {"referrals", "summary"}
    summary = out["tables"]["summary"]
    assert {r["label"]: r["count"] for r in summary["rows"]} == {
        "Onward referrals": TOTAL, "People referred onward": PEOPLE}
    assert out["tables"]["referrals"]["columns"][2] == {
        "key": "percent", "title": "Share of total (%)", "kind": "percent"}
    assert out["notes"][-1] == SUPPRESSION_RULE
    assert out["notes"].count(SUPPRESSION_RULE) == 1


def test_small_numbers_leave_as_under_five_in_every_format(tmp_path):
    report = handmade()
    out = files.as_json(report)
    telephone = out["rows"][1]
    assert telephone == {"label": "Telephone", "count": "<5", "percent": None}
    assert out["rows"][2]["count"] == 0  # nothing counted is no one to protect
    assert out["total"] == 415  # the true total
    months = out["tables"]["months"]["rows"]
    assert months[0]["southport"] == "<5" and months[4]["southport"] == 5
    assert report.main.rows[1]["count"] == 3  # the report itself unchanged
    text = files.as_text(report)
    assert "1,2" not in text and "<5" in text and 'shown as "<5"' in text
    for fmt in ("csv", "json", "text"):
        written = files.write(report, tmp_path / f"r.{fmt}", fmt).read_text("utf-8-sig")
        assert '"<5"' in written or "\\\"<5\\\"" in written
        assert "Telephone" in written


def test_a_main_table_with_several_counts_gives_its_total_row():
    report = handmade()
    report.tables = [report.tables[1], *report.tables[:1]]
    out = files.as_json(report)
    assert out["total_of"] == "row"
    assert out["total"] == {"month": "Total", "walton": 780, "southport": 78, "score": None}
    assert out["rows"][1] == {"month": "2019-02", "walton": 20, "southport": "<5",
                              "score": None}


def test_text_is_in_aligned_columns(table1):
    lines = files.as_text(table1).splitlines()
    assert lines[:2] == ["Onward referrals by category",
                         "1 September 2019 to 29 February 2020. Sites: The Life Rooms "
                         "Walton, The Life Rooms Southport."]
    start = lines.index("Category                                         Referrals  "
                        "Share of total (%)")
    body = lines[start + 2:start + 2 + len(TABLE1) + 1]
    for line, (label, count) in zip(body, [*TABLE1.items(), ("Total", TOTAL)], strict=True):
        assert line.startswith(label) and f" {count:,} " in line
        assert len(line) == len(lines[start])  # numbers right-aligned under their heads
    assert body[0].endswith("56.0") and body[-1].endswith("100.0")


def test_csv_reads_back_with_its_period_and_rule(table1, tmp_path):
    path = files.write(table1, tmp_path / files.default_name(table1, "csv"), "csv")
    assert path.name == "lr-desk-referrals-2019-09-01-to-2020-02-29.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[:4] == [["Report", "Onward referrals by category"], ["From", "2019-09-01"],
                        ["To", "2020-02-29"],
                        ["Sites", "The Life Rooms Walton; The Life Rooms Southport"]]
    assert ["Note", SUPPRESSION_RULE] in rows
    head = rows.index(["Onward referrals by category"])
    assert rows[head + 1] == ["Category", "Referrals", "Share of total (%)"]
    body = rows[head + 2:head + 2 + len(TABLE1)]
    assert {r[0]: int(r[1]) for r in body} == TABLE1
    assert [float(r[2]) for r in body] == [round(100 * n / TOTAL, 1) for n in TABLE1.values()]
    assert rows[head + 2 + len(TABLE1)] == ["Total", str(TOTAL), "100.0"]
    summary = rows.index(["Summary"])
    assert rows[summary + 2:summary + 4] == [["Onward referrals", str(TOTAL)],
                                             ["People referred onward", str(PEOPLE)]]


def test_xlsx_reads_back_with_numbers_as_numbers(table1, tmp_path):
    path = files.write(table1, tmp_path / "t1.xlsx", "xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Onward referrals by category", "Summary", "About"]
    ws = book["Onward referrals by category"]
    assert [c.value for c in ws[1]] == ["Category", "Referrals", "Share of total (%)"]
    assert all(c.font.b for c in ws[1])
    got = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 2 + len(TABLE1))}
    assert got == TABLE1 and all(type(n) is int for n in got.values())
    assert ws.cell(2, 3).value == 56.0 and ws.cell(2, 3).number_format == "0.0"
    total = 2 + len(TABLE1)
    assert (ws.cell(total, 1).value, ws.cell(total, 2).value) == ("Total", TOTAL)
    assert ws.cell(total, 2).font.b
    assert ws.column_dimensions["A"].width > 40
    assert len(ws._charts) == 1  # Excel's own bar chart of the table
    about = [c.value for row in book["About"].iter_rows() for c in row if c.value]
    assert "2019-09-01" in about and "2020-02-29" in about and SUPPRESSION_RULE in about
    assert "The Life Rooms Walton; The Life Rooms Southport" in about


def test_xlsx_suppressed_counts_are_text_and_sheet_names_are_excels(tmp_path):
    book = load_workbook(files.write(handmade(), tmp_path / "h.xlsx", "xlsx"))
    assert book.sheetnames == ["Contacts by way drop-in, teleph",
                               "Contacts by way drop-in, te (2)", "Who what this that", "About"]
    ways = book.worksheets[0]
    assert ways.cell(3, 2).value == "<5" and ways.cell(3, 3).value is None
    months = book.worksheets[1]
    assert months.cell(2, 4).value == 21.25 and months.cell(3, 4).value is None
    assert len(months._charts) == 1 and len(book.worksheets[2]._charts) == 1
    assert sheet_titles(["About", "x" * 40, "X" * 40]) == [
        "About (2)", "x" * 31, "X" * 27 + " (2)"]


def test_written_whole_or_not_at_all(table1, tmp_path):
    with small_disk(tmp_path / "disk", "256k") as disk:
        target = disk / "report.pdf"
        target.write_bytes(b"the older report")
        fill(disk)
        with pytest.raises(OSError) as caught:
            files.write(table1, target, "pdf")
        assert target.read_bytes() == b"the older report"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "report.pdf"]
        assert "full" in faults.plain(caught.value, folder=disk)
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(OSError) as caught:
        files.write(table1, tmp_path / "a-file" / "r.csv", "csv")
    assert faults.plain(caught.value)


def test_unknown_format_is_refused(table1, tmp_path):
    with pytest.raises(ValueError, match="choose one of text, csv, json, xlsx, pdf"):
        files.write(table1, tmp_path / "r.doc", "doc")


def test_names_that_look_like_formulas_stay_words(tmp_path):
    """A partner's name comes from anyone's feed: a spreadsheet must not run it."""
    table = Table("services", "Services", [Column("label", "Service", LABEL),
                                           Column("count", "Sent"),
                                           Column("change", "Change", NUMBER)],
                  [{"label": '=HYPERLINK("http://example.org","Click")', "count": 7,
                    "change": -2.5},
                   {"label": "@SUM(A1)", "count": 9, "change": None},
                   {"label": "-1+1 Club\x01", "count": 12, "change": 3.0}])
    report = Report("partners", "Partners", Period(date(2025, 1, 1), date(2025, 1, 31)),
                    ["All sites"], [table])
    rows = list(csv.reader(io.StringIO(files.as_csv(report))))
    head = rows.index(["Service", "Sent", "Change"])
    assert rows[head + 1:head + 4] == [
        ["'=HYPERLINK(\"http://example.org\",\"Click\")", "7", "-2.5"],
        ["'@SUM(A1)", "9", ""], ["'-1+1 Club\x01", "12", "3.0"]]
    ws = load_workbook(files.write(report, tmp_path / "p.xlsx", "xlsx")).worksheets[0]
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [
        ('=HYPERLINK("http://example.org","Click")', "s"), ("@SUM(A1)", "s"),
        ("-1+1 Club", "s")]
    assert ws["C2"].value == -2.5
