"""A service's load: referrals counted in the week or month they were first sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from lr_desk.services import load
from lr_desk.services.reference import example_id
from lr_desk.store.models import (
    Conversation,
    PartnerService,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")
HUB_SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                         "Benefits and debt drop-in")
TODAY = date(2025, 6, 11)  # a Wednesday: this week from Mon 9 June, this month from 1 June


def refer(s, person_id: str, advisor_id: str, service_id: str,
          steps: list[tuple[str, datetime]], kind: str = "step") -> Referral:
    """A referral with its events, each (status, at), as written by the desk."""
    conv = Conversation(person_id=person_id, advisor_id=advisor_id, site_code="walton",
                        occurred_at=steps[0][1])
    s.add(conv)
    s.flush()
    rx = Prescription(person_id=person_id, conversation_id=conv.id, advisor_id=advisor_id)
    s.add(rx)
    s.flush()
    item = PrescriptionItem(prescription_id=rx.id, kind="partner_service",
                            service_id=service_id, title="Help")
    s.add(item)
    s.flush()
    ref = Referral(person_id=person_id, item_id=item.id, service_id=service_id,
                   status=steps[-1][0], status_at=steps[-1][1])
    s.add(ref)
    s.flush()
    for status, at in steps:
        s.add(ReferralEvent(referral_id=ref.id, status=status, at=at, advisor_id=advisor_id,
                            kind=kind))
    s.flush()
    return ref


def test_period_start_is_monday_or_the_first():
    assert load.period_start("week", TODAY) == date(2025, 6, 9)
    assert load.period_start("week", date(2025, 6, 9)) == date(2025, 6, 9)
    assert load.period_start("week", date(2025, 6, 8)) == date(2025, 6, 2)  # a Sunday
    assert load.period_start("month", TODAY) == date(2025, 6, 1)
    assert load.period_start("month", date(2025, 6, 1)) == date(2025, 6, 1)


def test_counted_in_the_period_first_sent(store, advisor, make_person):
    ann = make_person(given_name="Ann")
    with store.session() as s:
        s.get(PartnerService, HUB_SERVICE).takes_per = "week"
        # this month and this week
        refer(s, ann.id, advisor.id, SERVICE, [("agreed", datetime(2025, 6, 2, 9)),
                                               ("sent", datetime(2025, 6, 10, 11))])
        # this month, last week: counts for the monthly service only
        refer(s, ann.id, advisor.id, SERVICE, [("sent", datetime(2025, 6, 3, 11))])
        refer(s, ann.id, advisor.id, HUB_SERVICE, [("sent", datetime(2025, 6, 3, 11))])
        # this week, for the weekly service
        refer(s, ann.id, advisor.id, HUB_SERVICE, [("sent", datetime(2025, 6, 9, 8))])
        # sent last month, accepted this month: last month's
        refer(s, ann.id, advisor.id, SERVICE, [("sent", datetime(2025, 5, 30, 11)),
                                               ("accepted", datetime(2025, 6, 4, 9))])
        # sent last month, corrected back to agreed, sent again this month: still May's
        refer(s, ann.id, advisor.id, SERVICE, [("sent", datetime(2025, 5, 20, 11)),
                                               ("agreed", datetime(2025, 5, 21, 11)),
                                               ("sent", datetime(2025, 6, 5, 11))])
        # never sent: not counted
        refer(s, ann.id, advisor.id, SERVICE, [("suggested", datetime(2025, 6, 5, 11))])
        # a deleted referral is not counted, nor a deleted "sent" event
        gone = refer(s, ann.id, advisor.id, SERVICE, [("sent", datetime(2025, 6, 6, 11))])
        gone.deleted_at = datetime(2025, 6, 7)
        undone = refer(s, ann.id, advisor.id, SERVICE, [("sent", datetime(2025, 6, 6, 11))])
        for e in s.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == undone.id)):
            e.deleted_at = datetime(2025, 6, 7)
        # sent by a correction: counts
        refer(s, ann.id, advisor.id, SERVICE, [("sent", datetime(2025, 6, 6, 12))],
              kind="correction")
        s.flush()
        assert load.loads(s, None, TODAY) == {SERVICE: 3, HUB_SERVICE: 1}
        assert load.loads(s, [HUB_SERVICE], TODAY) == {HUB_SERVICE: 1}
        assert load.loads(s, [SERVICE, HUB_SERVICE, "other"], TODAY) == {SERVICE: 3,
                                                                          HUB_SERVICE: 1}
        assert load.loads(s, [], TODAY) == {}
        assert load.load_of(s, SERVICE, TODAY) == 3
        # next month, nothing yet
        assert load.loads(s, None, date(2025, 7, 1)) == {}
        # sent_times: every referral ever sent, once, at its first "sent"
        rows = s.execute(load.sent_times()).all()
        assert len(rows) == 7  # (not the deleted referral, nor the one unsent)
        assert sorted(r.sent_at for r in rows if r.service_id == SERVICE)[:2] == [
            datetime(2025, 5, 20, 11), datetime(2025, 5, 30, 11)]


def test_a_week_that_began_last_month(store, advisor, make_person):
    """Wed 2 July 2025: this week from Mon 30 June, this month from 1 July."""
    today = date(2025, 7, 2)
    ann = make_person(given_name="Ann")
    with store.session() as s:
        s.get(PartnerService, HUB_SERVICE).takes_per = "week"
        for service in (SERVICE, HUB_SERVICE):
            refer(s, ann.id, advisor.id, service, [("sent", datetime(2025, 6, 30, 10))])
            refer(s, ann.id, advisor.id, service, [("sent", datetime(2025, 7, 1, 10))])
        refer(s, ann.id, advisor.id, HUB_SERVICE, [("sent", datetime(2025, 6, 27, 10))])
        s.flush()
        assert load.loads(s, None, today) == {SERVICE: 1, HUB_SERVICE: 2}
        assert load.loads(s, [SERVICE, HUB_SERVICE], today) == {SERVICE: 1, HUB_SERVICE: 2}
