"""The onward referrals report reproduces the evaluation's Table 1 from records: every
row's count and its true share of the true total, a merged person once."""

from __future__ import annotations

from datetime import date

import pytest

from lr_desk.services import reports
from lr_desk.services.reports.core import Period, suppressed
from tests.reports_data import (
    PEOPLE,
    PER_VISIT_OUTSIDE,
    PERIOD,
    TABLE1,
    TOTAL,
    counted_both_ways,
    table1_desk,
)


@pytest.fixture
def desk(store, advisor):
    with store.session() as s:
        return table1_desk(s, advisor.id)


def test_table1_from_records(store, desk):
    with store.session() as s:
        report = reports.make(s, "referrals", PERIOD)
    table = report.table("referrals")
    assert [r["label"] for r in table.rows] == list(TABLE1)
    assert {r["label"]: r["count"] for r in table.rows} == TABLE1
    assert table.total["count"] == TOTAL == sum(TABLE1.values())
    learning = table.rows[0]
    assert learning["percent"] == 56.0  # 2,201 of 3,932 (the evaluation printed 57.0%)
    assert sum(r["percent"] for r in table.rows) == pytest.approx(100, abs=0.5)
    for row in table.rows:
        assert row["percent"] == round(100 * row["count"] / TOTAL, 1)
    summary = {r["label"]: r["count"] for r in report.table("summary").rows}
    assert summary == {"Onward referrals": TOTAL, "People referred onward": PEOPLE}
    assert report.site_names == ["The Life Rooms Walton", "The Life Rooms Southport"]


def test_other_sites_and_days_count_where_asked(store, desk):
    with store.session() as s:
        everywhere = reports.make(s, "referrals", Period(PERIOD.start, PERIOD.end))
        bootle = reports.make(s, "referrals", Period(PERIOD.start, PERIOD.end, ("bootle",)))
        day_before = reports.make(s, "referrals", Period(date(2019, 8, 31), date(2019, 8, 31)))
    assert everywhere.main.total["count"] == TOTAL + PER_VISIT_OUTSIDE
    assert bootle.main.total["count"] == PER_VISIT_OUTSIDE
    assert day_before.main.total["count"] == PER_VISIT_OUTSIDE
    assert bootle.site_names == ["The Life Rooms Bootle"]


def test_small_numbers_leave_the_desk_as_under_five(store, desk):
    with store.session() as s:
        report = reports.make(s, "referrals", Period(date(2019, 8, 31), date(2019, 8, 31)))
    out = suppressed(report)
    rows = {r["label"]: r for r in out.main.rows}
    assert rows["Housing"]["count"] == "<5" and rows["Housing"]["percent"] is None
    assert out.main.total["count"] == PER_VISIT_OUTSIDE  # the true total
    assert report.main.rows[5]["count"] == 1  # the report itself unchanged
    assert any("<5" in note for note in out.notes)


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        Period(date(2020, 2, 1), date(2020, 1, 1))


def test_a_long_period_is_counted_in_two_parts_alike(store, desk, monkeypatch):
    parts, whole = counted_both_ways(store, "referrals",
                                     Period(date(2019, 1, 1), date(2020, 12, 31)), monkeypatch)
    assert parts == whole
    assert whole[0][2]["count"] == TOTAL + 4 * PER_VISIT_OUTSIDE  # Bootle, both edges, June
