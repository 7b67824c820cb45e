"""The follow-ups report: follow-ups due in the period at the sites, done on time, done
late, overdue and still to come, by site and by advisor, with the share done on time;
the day a follow-up was done is a local day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lr_desk.services import advisors, reports
from lr_desk.services.reports import files
from lr_desk.services.reports.core import Period, Stopped, suppressed
from lr_desk.store.models import FollowUp, Person

NOW = datetime(2025, 6, 11, 12, 0)  # UTC: "today" is Wednesday 11 June 2025
PERIOD = Period(date(2025, 6, 1), date(2025, 6, 30), ("walton", "southport"))


class Desk:
    def __init__(self, session, advisor_id: str):
        self.s = session
        self.alex = advisor_id
        self.bea = advisors.create(session, "Bea Adams", "bootle").id
        self.person = Person(given_name="Jo", family_name="Bloggs")
        session.add(self.person)
        session.flush()

    def due(self, day: date, site: str = "walton", done_at: datetime | None = None,
            advisor: str | None = None, deleted: bool = False) -> FollowUp:
        fu = FollowUp(person_id=self.person.id, due_date=day, site_code=site,
                      assigned_to=advisor or self.alex, done_at=done_at,
                      deleted_at=NOW if deleted else None)
        self.s.add(fu)
        self.s.flush()
        return fu


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A stored time (naive UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute)


@pytest.fixture
def desk(store, advisor, london):
    with store.session() as s:
        d = Desk(s, advisor.id)
        june = date(2025, 6, 1)
        d.due(june, done_at=at(june, 9))  # on time: the same day
        d.due(date(2025, 6, 5), done_at=at(date(2025, 6, 2), 10))  # on time: early
        # done 23:30 UTC on its day: 00:30 the next day in UK time, so late
        d.due(date(2025, 6, 9), done_at=at(date(2025, 6, 9), 23, 30))
        # done 23:30 UTC the day before: 00:30 on its day in UK time, so on time
        d.due(date(2025, 6, 10), done_at=at(date(2025, 6, 9), 23, 30))
        d.due(date(2025, 6, 3), done_at=at(date(2025, 6, 4), 15))  # late
        d.due(date(2025, 6, 4))  # overdue
        d.due(date(2025, 6, 10), site="southport", advisor=d.bea)  # overdue (yesterday)
        d.due(date(2025, 6, 11), site="southport", advisor=d.bea)  # due today: to come
        d.due(date(2025, 6, 30), site="southport", advisor=d.bea)  # to come
        d.due(date(2025, 6, 20), site="southport", advisor=d.bea,
              done_at=at(date(2025, 6, 10), 8))  # done early, though due later: on time
        # not counted: outside the period (a day either side), at Bootle, deleted
        d.due(date(2025, 5, 31))
        d.due(date(2025, 7, 1))
        d.due(date(2025, 6, 15), site="bootle")
        d.due(date(2025, 6, 15), deleted=True)
        return d


def make(store, period: Period = PERIOD):
    with store.session() as s:
        s.info["now"] = NOW
        return reports.make(s, "follow-ups", period)


def test_due_on_time_late_overdue_and_to_come_by_site_and_advisor(store, desk):
    report = make(store)
    assert report.name == "follow-ups" and report.title == "Follow-ups"
    by_site = report.table("by_site")
    assert report.main is by_site
    keys = ("label", "due", "on_time", "late", "overdue", "to_come", "percent")
    assert [tuple(r[k] for k in keys) for r in by_site.rows] == [
        ("The Life Rooms Walton", 6, 3, 2, 1, 0, 50.0),
        ("The Life Rooms Southport", 4, 1, 0, 1, 2, 50.0),
    ]
    assert tuple(by_site.total[k] for k in keys) == ("Total", 10, 4, 2, 2, 2, 50.0)
    by_advisor = report.table("by_advisor")
    assert [tuple(r[k] for k in keys) for r in by_advisor.rows] == [
        ("Alex Advisor", 6, 3, 2, 1, 0, 50.0),
        ("Bea Adams", 4, 1, 0, 1, 2, 50.0),
    ]
    assert by_advisor.total == by_site.total
    chart = report.charts[0]
    assert chart.table == "by_site" and chart.values == ("on_time", "late", "overdue")
    assert report.site_names == ["The Life Rooms Walton", "The Life Rooms Southport"]
    assert any("Done on time (%)" in note for note in report.notes)


def test_every_site_when_none_chosen_and_a_site_chosen_with_none_due(store, desk):
    everywhere = make(store, Period(PERIOD.start, PERIOD.end))
    assert [r["label"] for r in everywhere.main.rows] == [
        "The Life Rooms Bootle", "The Life Rooms Southport", "The Life Rooms Walton"]
    assert everywhere.main.total["due"] == 11
    quiet = make(store, Period(PERIOD.start, PERIOD.end, ("peripatetic",)))
    assert [(r["label"], r["due"], r["percent"]) for r in quiet.main.rows] == [
        ("Out in the community (central and south Liverpool)", 0, None)]
    assert quiet.table("by_advisor").rows == [] and quiet.main.total["due"] == 0


def test_a_period_still_to_come_has_none_overdue(store, desk):
    with store.session() as s:
        d = Desk(s, desk.alex)
        d.due(date(2025, 7, 2))
    report = make(store, Period(date(2025, 7, 1), date(2025, 7, 31)))
    assert report.main.total["overdue"] == 0
    assert report.main.total["to_come"] == report.main.total["due"] == 2
    assert report.main.total["percent"] is None  # nothing could be late yet


def test_overdue_is_counted_from_the_day_the_report_is_made(store, desk):
    later = NOW + timedelta(days=30)  # 11 July: everything open in June is overdue
    with store.session() as s:
        s.info["now"] = later
        report = reports.make(s, "follow-ups", PERIOD)
    assert report.main.total["overdue"] == 4 and report.main.total["to_come"] == 0


def test_small_numbers_leave_the_desk_as_under_five(store, desk):
    out = suppressed(make(store))
    walton = out.main.rows[0]
    assert walton["due"] == 6 and walton["on_time"] == "<5" and walton["percent"] is None
    assert out.main.total["on_time"] == 4  # totals are the true totals


def test_stopped_between_queries(store, desk):
    def stop():
        raise Stopped

    with store.session() as s, pytest.raises(Stopped):
        reports.make(s, "follow-ups", PERIOD, stop)


def test_it_leaves_the_desk_in_every_file(store, desk, tmp_path):
    """The report's shape goes through every file the Reports page and the command line
    write (services.reports.files), small numbers as "<5"."""
    report = make(store)
    out = files.as_json(report)
    assert out["report"] == "follow-ups" and out["total_of"] == "row"
    assert out["rows"][0]["label"] == "The Life Rooms Walton" and out["rows"][0]["due"] == 6
    assert out["total"]["due"] == 10 and set(out["tables"]) == {"by_site", "by_advisor"}
    for fmt in ("csv", "xlsx", "pdf"):
        files.write(report, tmp_path / f"f.{fmt}", fmt)
    assert "Done on time (%)" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    book = load_workbook(tmp_path / "f.xlsx")
    assert any(ws.title.startswith("Follow-ups by site") for ws in book.worksheets)
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "f.pdf").pages)
    assert "Follow-ups by advisor" in text and "Bea Adams" in text
