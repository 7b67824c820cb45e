"""The activity report: contacts by way, site and local month, people seen (a merged
person once), new registrations with service users, carers and how they came, social
prescriptions and their items, needs and escalations: every figure of a small desk
checked by hand, and the Table 1 desk's prescriptions and people."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lr_desk.services import reports
from lr_desk.services.reports.core import Period, Stopped, suppressed
from lr_desk.store.models import (
    Conversation,
    ConversationNeed,
    Person,
    Prescription,
    PrescriptionItem,
)
from tests.reports_data import PEOPLE, PERIOD, counted_both_ways, table1_desk

SPRING = Period(date(2025, 3, 1), date(2025, 4, 30), ("walton", "southport"))
GONE = datetime(2025, 5, 20)  # when deleted things were deleted


class Spring:
    """A small desk, written row by row."""

    def __init__(self, session, advisor_id):
        self.s, self.advisor = session, advisor_id

    def person(self, created, site, source="self", su=False, carer=False, **more):
        p = Person(given_name="Pat", family_name="Spring", created_at=created,
                   registered_site=site, referral_source=source, service_user=su,
                   carer=carer, **more)
        self.s.add(p)
        self.s.flush()
        return p

    def contact(self, person, when, site, mode="drop_in", needs=(), items=None, **more):
        c = Conversation(person_id=person.id, occurred_at=when, site_code=site, mode=mode,
                         advisor_id=self.advisor, **more)
        self.s.add(c)
        self.s.flush()
        for category in needs:
            self.s.add(ConversationNeed(conversation_id=c.id, category=category))
        if items is not None:  # (items kept, items removed)
            kept, removed = items
            rx = Prescription(person_id=person.id, conversation_id=c.id,
                              advisor_id=self.advisor)
            self.s.add(rx)
            self.s.flush()
            for n in range(kept + removed):
                self.s.add(PrescriptionItem(prescription_id=rx.id, kind="own_step",
                                            title=f"Step {n}",
                                            deleted_at=GONE if n >= kept else None))
        self.s.flush()
        return c


@pytest.fixture
def spring(store, advisor, london):
    with store.session() as s:
        d = Spring(s, advisor.id)
        a = d.person(datetime(2025, 3, 5, 10), "walton", "gp", su=True)
        b = d.person(datetime(2025, 4, 10, 10), "southport", "self", su=True, carer=True)
        c = d.person(datetime(2025, 3, 20, 10), "bootle", "cpn")  # another site
        d.person(datetime(2025, 2, 27, 10), "walton")  # before the period
        e = d.person(datetime(2025, 3, 10, 10), "walton", merged_into=a.id)  # A twice
        d.person(datetime(2025, 4, 2, 10), "walton", deleted_at=GONE)
        g = d.person(datetime(2025, 4, 15, 10), "walton", "partner", erased_at=GONE)
        d.person(datetime(2025, 4, 30, 23, 30), "walton")  # 00:30 on 1 May in Liverpool
        d.contact(a, datetime(2025, 3, 3, 10), "walton", needs=("housing", "debt_benefits"),
                  items=(2, 1))
        two = d.contact(a, datetime(2025, 4, 1, 0, 30), "walton", "telephone",
                        needs=("housing",))  # (wall time: April's, a minute past March)
        s.add(Prescription(person_id=a.id, conversation_id=two.id, advisor_id=advisor.id,
                           deleted_at=GONE))  # a prescription deleted
        d.contact(e, datetime(2025, 4, 5, 11), "southport", "video", items=(3, 0))
        four = d.contact(b, datetime(2025, 4, 10, 11), "southport", needs=("social_isolation",),
                         items=(1, 0), escalated=True, escalation_reason="distress",
                         escalation_action="Called the crisis line")
        s.add(ConversationNeed(conversation_id=four.id, category="housing", deleted_at=GONE))
        d.contact(b, datetime(2025, 4, 20, 11), "southport", "outreach", items=(0, 1),
                  escalated=True)
        d.contact(g, datetime(2025, 4, 16, 11), "walton", items=(5, 0), escalated=True,
                  escalation_reason="safeguarding")
        # not counted: another site, outside the period (Liverpool's days), deleted
        d.contact(c, datetime(2025, 3, 21, 11), "bootle", needs=("housing",), items=(2, 0))
        d.contact(a, datetime(2025, 2, 28, 23, 30), "walton", needs=("housing",))
        d.contact(a, datetime(2025, 5, 1, 0, 30), "walton", items=(1, 0))
        d.contact(a, datetime(2025, 3, 12, 10), "walton", deleted_at=GONE, needs=("housing",))
        s.commit()
    return {"a": a.id}


def rows(table, *keys):
    return {r["label"]: tuple(r[k] for k in keys) for r in table.rows}


def test_every_figure_of_a_small_desk(store, spring):
    with store.session() as s:
        report = reports.make(s, "activity", SPRING)
    summary = rows(report.main, "count", "percent")
    assert summary == {
        "Contacts": (6, None), "People seen": (3, None),
        "New registrations": (3, 100.0),
        "New: Mersey Care service users": (2, 66.7), "New: carers": (1, 33.3),
        "Social prescriptions made": (5, None), "Items on them": (11, None),
        "Needs raised": (4, None), "Escalations": (3, None)}
    assert rows(report.table("ways"), "count", "percent") == {
        "Drop-in": (3, 50.0), "Telephone": (1, 16.7), "Video": (1, 16.7),
        "Outreach": (1, 16.7)}
    assert report.table("ways").total["count"] == 6
    assert rows(report.table("sites"), "count") == {
        "The Life Rooms Walton": (3,), "The Life Rooms Southport": (3,)}
    months = report.table("months")
    assert [r["label"] for r in months.rows] == ["Mar 2025", "Apr 2025"]
    # 23:30 UTC on 31 March is April in Liverpool
    assert rows(months, "drop_in", "telephone", "video", "outreach", "count") == {
        "Mar 2025": (1, 0, 0, 0, 1), "Apr 2025": (2, 1, 1, 1, 5)}
    assert months.total == {"label": "Total", "drop_in": 3, "telephone": 1, "video": 1,
                            "outreach": 1, "count": 6}
    sources = rows(report.table("sources"), "count")
    assert sources["Self-referral"] == (1,) and sources["GP"] == (1,)
    assert sources["Partner organisation"] == (1,)
    assert sum(n for (n,) in sources.values()) == 3
    items = report.table("items")
    assert rows(items, "count", "percent") == {
        "No items (all removed)": (1, 20.0), "1 item": (1, 20.0), "2 items": (1, 20.0),
        "3 items": (1, 20.0), "4 or more items": (1, 20.0)}
    assert items.total["count"] == 5 and items.total["items"] == 11
    assert items.total["mean"] == 2.2
    needs = rows(report.table("needs"), "count", "percent")
    assert needs["Housing"] == (2, 50.0) and needs["Debt and benefits"] == (1, 25.0)
    assert needs["Social isolation"] == (1, 25.0)
    assert sum(n for n, _p in needs.values()) == 4
    assert rows(report.table("escalations"), "count") == {
        "Distress": (1,), "Safeguarding": (1,), "Clinical need": (0,),
        "Reason not recorded": (1,)}
    assert {c.table for c in report.charts} == {"months", "ways", "needs"}
    assert report.charts[0].kind == "line"
    assert report.site_names == ["The Life Rooms Walton", "The Life Rooms Southport"]


def test_sites_and_days_count_where_asked(store, spring):
    with store.session() as s:
        bootle = reports.make(s, "activity", Period(date(2025, 3, 1), date(2025, 4, 30),
                                                    ("bootle",)))
        everywhere = reports.make(s, "activity", Period(date(2025, 1, 1), date(2025, 12, 31)))
        march_31 = reports.make(s, "activity", Period(date(2025, 3, 31), date(2025, 3, 31)))
    assert rows(bootle.main, "count")["Contacts"] == (1,)
    assert rows(bootle.main, "count")["New registrations"] == (1,)  # C, registered there
    assert rows(bootle.table("sites"), "count") == {"The Life Rooms Bootle": (1,)}
    assert rows(everywhere.main, "count")["Contacts"] == (9,)
    assert rows(everywhere.table("sites"), "count") == {
        "The Life Rooms Walton": (5,), "The Life Rooms Southport": (3,),
        "The Life Rooms Bootle": (1,)}
    assert rows(everywhere.main, "count")["New registrations"] == (6,)
    assert everywhere.table("months").rows[0]["label"] == "Jan 2025"
    # the contact at 23:30 UTC on 31 March was on 1 April in Liverpool
    assert rows(march_31.main, "count")["Contacts"] == (0,)


def test_small_numbers_leave_the_desk_as_under_five(store, spring):
    with store.session() as s:
        report = reports.make(s, "activity", SPRING)
    out = suppressed(report)
    summary = {r["label"]: r for r in out.main.rows}
    assert summary["Contacts"]["count"] == 6
    assert summary["People seen"]["count"] == "<5"
    assert summary["New: carers"]["count"] == "<5" and summary["New: carers"]["percent"] is None
    assert out.table("ways").total["count"] == 6


def test_table1_desk_prescriptions_and_people(store, advisor):
    with store.session() as s:
        table1_desk(s, advisor.id)
        report = reports.make(s, "activity", PERIOD)
    summary = rows(report.main, "count")
    # each of its 787 prescriptions made in a contact of its own, by 609 people (one
    # recorded twice and merged); 5 items each (the last 2), and 3 more that are not
    # onward referrals on every tenth
    assert summary["Social prescriptions made"] == (787,)
    assert summary["Contacts"] == (787,)
    assert summary["People seen"] == (PEOPLE,)
    assert summary["Items on them"] == (3932 + 79 * 3,)
    assert rows(report.table("items"), "count")["2 items"] == (1,)


def test_stop_is_heard_between_months(store, spring):
    """The Reports page's Stop: ``check`` raises Stopped, and the report stops there."""
    asked = []

    def check():
        asked.append(1)
        if len(asked) == 2:  # while counting the second month's contacts
            raise Stopped

    with store.session() as s, pytest.raises(Stopped):
        reports.make(s, "activity", SPRING, check)
    assert len(asked) == 2


def test_a_long_period_is_counted_in_two_parts_alike(store, spring, monkeypatch):
    parts, whole = counted_both_ways(
        store, "activity", Period(date(2024, 1, 1), date(2025, 12, 31), SPRING.sites),
        monkeypatch)
    assert parts == whole
    rows, total = {key: (rows, total) for key, rows, total in parts}["months"]
    assert sum(row["count"] for row in rows) == total["count"] > 0
