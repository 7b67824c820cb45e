"""The partners report: per service, referrals first sent in the period against its
capacity, what became of them, days to reply and overrides; declines by reason; service
gaps by need. Every figure of a small desk checked by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lr_desk.services import reports
from lr_desk.services.reports.core import Period, Stopped, suppressed
from lr_desk.services.reports.partners import capacity, median
from lr_desk.store.models import (
    Conversation,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    ServiceGap,
)
from tests.reports_data import counted_both_ways, table1_desk

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31), ("walton",))
GONE = datetime(2025, 5, 20)


def at(month, day, hour=10, minute=0):
    return datetime(2025, month, day, hour, minute)


class March:
    def __init__(self, session, advisor_id):
        self.s, self.advisor = session, advisor_id
        self.person = Person(given_name="Sam", family_name="March")
        session.add(self.person)
        session.flush()

    def service(self, partner, name, takes=None, per="month"):
        p = Partner(name=partner)
        self.s.add(p)
        self.s.flush()
        svc = PartnerService(partner_id=p.id, name=name, category="housing", takes=takes,
                             takes_per=per)
        self.s.add(svc)
        self.s.flush()
        return svc

    def referral(self, service, steps, site="walton", **more):
        """``steps``: (status, when) or (status, when, extras) in order; the referral's
        status and status_at are its last step's."""
        conv = Conversation(person_id=self.person.id, occurred_at=at(2, 1), site_code=site,
                            advisor_id=self.advisor)
        self.s.add(conv)
        self.s.flush()
        rx = Prescription(person_id=self.person.id, conversation_id=conv.id,
                          advisor_id=self.advisor)
        self.s.add(rx)
        self.s.flush()
        item = PrescriptionItem(prescription_id=rx.id, kind="partner_service",
                                service_id=service.id, title=service.name)
        self.s.add(item)
        self.s.flush()
        last = [s for s in steps if len(s) < 3 or (not s[2].get("deleted_at")
                and s[2].get("kind") != "chase")][-1]
        ref = Referral(person_id=self.person.id, item_id=item.id, service_id=service.id,
                       status=last[0], status_at=steps[-1][1], **more)
        self.s.add(ref)
        self.s.flush()
        for status, when, *extra in steps:
            self.s.add(ReferralEvent(referral_id=ref.id, status=status, at=when,
                                     advisor_id=self.advisor, **(extra[0] if extra else {})))
        self.s.flush()
        return ref


@pytest.fixture
def march(store, advisor, london):
    with store.session() as s:
        d = March(s, advisor.id)
        debt = d.service("Citizens Advice", "Debt help", takes=10, per="week")
        walk = d.service("Ramblers", "Walking group", takes=20, per="month")
        home = d.service("Homes", "Tenancy support")
        d.referral(debt, [("sent", at(3, 3)), ("accepted", at(3, 5))])  # 2 days
        d.referral(debt, [("sent", at(3, 4)),
                          ("accepted", at(3, 5), {"deleted_at": GONE}),
                          ("declined", at(3, 10), {"reason_code": "no_capacity"})])  # 6
        d.referral(debt, [("sent", at(3, 6)), ("accepted", at(3, 7)),
                          ("engaged", at(3, 20))],
                   override_warnings="Outside the area", override_reason="They work here")
        d.referral(debt, [("sent", at(3, 10)), ("sent", at(3, 17), {"kind": "chase"}),
                          ("accepted", at(3, 21)), ("not_taken_up", at(3, 28))])  # 11
        d.referral(walk, [("sent", at(3, 12)), ("completed", at(3, 30))])
        d.referral(walk, [("sent", at(3, 15))])
        d.referral(walk, [("sent", at(3, 20)), ("not_taken_up", at(3, 25))])
        d.referral(walk, [("sent", at(3, 25)), ("declined", at(3, 26))])  # 1, no reason
        d.referral(home, [("sent", at(3, 31, 22, 30))])  # 23:30 on 31 March, local
        # not counted: first sent before the period, corrected back and sent again,
        # another site, corrected back to agreed, deleted, sent on 1 April (local)
        d.referral(debt, [("sent", at(2, 27)), ("accepted", at(3, 2))])
        d.referral(debt, [("sent", at(2, 20)),
                          ("agreed", at(2, 21), {"kind": "correction", "from_status": "sent"}),
                          ("sent", at(3, 5))])
        d.referral(home, [("sent", at(3, 8))], site="bootle")
        d.referral(home, [("sent", at(3, 9)),
                          ("agreed", at(3, 10), {"kind": "correction", "from_status": "sent"})])
        d.referral(home, [("sent", at(3, 11))], deleted_at=GONE)
        d.referral(debt, [("sent", at(3, 31, 23, 30))])
        for category, site, when, deleted in (
                ("housing", "walton", at(3, 2), None), ("housing", "walton", at(3, 15), None),
                ("food_fuel", "walton", at(3, 20), None), ("housing", "bootle", at(3, 10), None),
                ("housing", "walton", at(4, 2), None), ("employment", "walton", at(3, 5), GONE)):
            s.add(ServiceGap(category=category, site_code=site, words="Nothing near",
                             advisor_id=advisor.id, recorded_at=when, deleted_at=deleted))
        s.commit()


def test_every_figure_of_a_small_desk(store, march):
    with store.session() as s:
        report = reports.make(s, "partners", MARCH)
    services = report.table("services")
    keys = ("sent", "capacity", "use", "awaiting", "accepted", "declined", "median_days",
            "replies", "engaged", "completed", "not_taken_up", "overrides")
    got = {r["label"]: {k: r[k] for k in keys} for r in services.rows}
    assert list(got) == ["Debt help (Citizens Advice)", "Tenancy support (Homes)",
                         "Walking group (Ramblers)"]
    assert got["Debt help (Citizens Advice)"] == {
        "sent": 4, "capacity": 44.3, "use": 9.0, "awaiting": 0, "accepted": 3,
        "declined": 1, "median_days": 4.0, "replies": 4, "engaged": 1, "completed": 0,
        "not_taken_up": 1, "overrides": 1}
    assert got["Walking group (Ramblers)"] == {
        "sent": 4, "capacity": 20.4, "use": 19.6, "awaiting": 1, "accepted": 1,
        "declined": 1, "median_days": 1.0, "replies": 1, "engaged": 1, "completed": 1,
        "not_taken_up": 1, "overrides": 0}
    assert got["Tenancy support (Homes)"] == {
        "sent": 1, "capacity": None, "use": None, "awaiting": 1, "accepted": 0,
        "declined": 0, "median_days": None, "replies": 0, "engaged": 0, "completed": 0,
        "not_taken_up": 0, "overrides": 0}
    assert {k: services.total[k] for k in keys} == {
        "sent": 9, "capacity": 64.7, "use": 12.4, "awaiting": 2, "accepted": 4,
        "declined": 2, "median_days": 2.0, "replies": 5, "engaged": 2, "completed": 1,
        "not_taken_up": 2, "overrides": 1}
    declined = {r["label"]: (r["count"], r["percent"]) for r in report.table("declined").rows}
    assert declined["No capacity"] == (1, 50.0)
    assert declined["Reason not recorded"] == (1, 50.0)
    assert declined["Not eligible"] == (0, 0.0)
    assert report.table("declined").total["count"] == 2
    gaps = report.table("gaps")
    assert [(r["label"], r["count"], r["percent"]) for r in gaps.rows] == [
        ("Housing", 2, 66.7), ("Food or fuel", 1, 33.3)]
    assert gaps.total["count"] == 3
    assert {c.table for c in report.charts} == {"services", "declined", "gaps"}
    assert any("31 days" in note for note in report.notes)


def test_sites_and_days_count_where_asked(store, march):
    with store.session() as s:
        everywhere = reports.make(s, "partners", Period(date(2025, 3, 1), date(2025, 3, 31)))
        bootle = reports.make(s, "partners", Period(date(2025, 3, 1), date(2025, 3, 31),
                                                    ("bootle",)))
        april = reports.make(s, "partners", Period(date(2025, 4, 1), date(2025, 4, 30)))
        year = reports.make(s, "partners", Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert everywhere.main.total["sent"] == 10  # and the one from Bootle
    assert everywhere.table("gaps").total["count"] == 4
    assert bootle.main.total["sent"] == 1 and bootle.main.rows[0]["label"] == (
        "Tenancy support (Homes)")
    assert [(r["label"], r["count"]) for r in bootle.table("gaps").rows] == [("Housing", 1)]
    assert april.main.total["sent"] == 1  # sent at 00:30 on 1 April in Liverpool
    assert april.main.rows[0]["capacity"] == 42.9  # 10 a week for 30 days
    # a year: the two first sent in February too (the one sent again counts once)
    assert year.main.total["sent"] == 13


def test_small_numbers_leave_the_desk_as_under_five(store, march):
    with store.session() as s:
        out = suppressed(reports.make(s, "partners", MARCH))
    debt = out.main.rows[0]
    assert debt["sent"] == "<5" and debt["overrides"] == "<5" and debt["awaiting"] == 0
    assert debt["capacity"] == 44.3  # not a count of anyone
    assert debt["median_days"] is None  # the median of fewer than five replies: hidden
    assert debt["use"] is None  # 9.0% of 44.3 would tell how many were sent
    assert out.main.total["sent"] == 9
    assert out.table("gaps").rows[0]["percent"] is None


def test_the_table1_desk_sends_what_it_refers(store, advisor):
    """Its referrals have no steps: none was sent by a step, so none is counted (a
    referral counts when first sent), whatever its status says."""
    with store.session() as s:
        table1_desk(s, advisor.id)
        report = reports.make(s, "partners", Period(date(2019, 9, 1), date(2020, 2, 29)))
    assert report.main.total["sent"] == 0 and report.main.rows == []


def test_capacity_and_median_rules():
    assert capacity(10, "week", 7) == 10.0
    assert capacity(10, "month", 365) == pytest.approx(119.9)
    assert capacity(None, "week", 30) is None
    assert median({}) is None
    assert median({3: 1}) == 3
    assert median({1: 1, 2: 1, 6: 1, 11: 1}) == 4.0
    assert median({1: 3, 9: 1}) == 1


def test_stop_is_heard(store, march):
    def check():
        raise Stopped

    with store.session() as s, pytest.raises(Stopped):
        reports.make(s, "partners", MARCH, check)


def test_a_long_period_is_counted_in_two_parts_alike(store, march, monkeypatch):
    parts, whole = counted_both_ways(
        store, "partners", Period(date(2024, 1, 1), date(2025, 12, 31), MARCH.sites),
        monkeypatch)
    assert parts == whole
    _rows, total = {key: (rows, total) for key, rows, total in parts}["services"]
    assert total["sent"] > 0
