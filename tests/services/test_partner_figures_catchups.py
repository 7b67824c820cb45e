"""Catch-ups with partners: planned every few months from the last held (or from the day
the partner was added), recorded when held, overdue when not; on a real SQLite profile."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from lr_desk.services import catchups
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Partner, PartnerCatchup


def partner(store, name="Walton Advice", created=date(2024, 1, 10), every=3) -> str:
    with store.session() as s:
        p = Partner(name=name, created_at=datetime.combine(created, datetime.min.time())
                    .replace(hour=12), catchup_every_months=every)
        s.add(p)
        s.flush()
        return p.id


def waiting(store, partner_id) -> list[PartnerCatchup]:
    with store.session() as s:
        return list(s.scalars(select(PartnerCatchup).where(
            PartnerCatchup.partner_id == partner_id, PartnerCatchup.held_on.is_(None),
            PartnerCatchup.deleted_at.is_(None))))


def test_months_are_added_whole():
    assert catchups.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert catchups.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert catchups.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert catchups.add_months(date(2025, 3, 15), -3) == date(2024, 12, 15)


def test_a_partner_never_met_is_due_from_the_day_it_was_added(store, today):
    p = partner(store)
    never = partner(store, "No Catch-ups", every=0)
    fresh = partner(store, "Added Last Week", created=date(2025, 6, 4))
    with store.session() as s:
        assert catchups.next_due(s, p) == date(2024, 4, 10)
        assert catchups.next_due(s, never) is None
        assert catchups.next_due(s, fresh) == date(2025, 9, 4)  # not late yet
        late = catchups.overdue(s, today)
    assert [(o.partner_name, o.planned_on, o.days) for o in late] == [
        ("Walton Advice", date(2024, 4, 10), 427)]
    assert late[0].words == "catch-up overdue, 427 days"
    assert waiting(store, p) == []  # reading wrote nothing


def test_recording_one_held_plans_the_next(store, advisor, today):
    p = partner(store)
    with store.session() as s:
        held = catchups.record_held(s, None, p, "02/06/2025", "Sam (their manager), Alex",
                                    "Referrals are welcome again.", advisor.id, today=today)
        assert (held.planned_on, held.held_on) == (date(2025, 6, 2), date(2025, 6, 2))
    [planned] = waiting(store, p)
    assert planned.planned_on == date(2025, 9, 2)
    with store.session() as s:
        assert catchups.overdue(s, today) == []
        listed = catchups.catchups(s, p)
    assert [(c.planned_on, c.held_on, c.who, c.recorded_by) for c in listed] == [
        (date(2025, 9, 2), None, "", ""),
        (date(2025, 6, 2), date(2025, 6, 2), "Sam (their manager), Alex", "Alex Advisor")]
    # the planned one, held a little late: it keeps the day it was planned for
    later = date(2025, 9, 20)
    with store.session() as s:
        assert [o.days for o in catchups.overdue(s, later)] == [18]
        catchups.record_held(s, planned.id, p, date(2025, 9, 15), "Sam", "", advisor.id,
                             today=later)
    with store.session() as s:
        listed = catchups.catchups(s, p)
        assert catchups.overdue(s, later) == []
    assert [(c.planned_on, c.held_on) for c in listed] == [
        (date(2025, 12, 15), None), (date(2025, 9, 2), date(2025, 9, 15)),
        (date(2025, 6, 2), date(2025, 6, 2))]
    assert listed[0].overdue_days(date(2025, 12, 20)) == 5


def test_catch_ups_sync_like_every_record(store, advisor, outbox, today):
    p = partner(store)
    before = outbox.count()
    with store.session() as s:
        catchups.record_held(s, None, p, today, "Sam", "", advisor.id, today=today)
    written = [(e.entity, e.op) for e in outbox.entries()[before:]]
    assert written == [("partner_catchup", "insert"), ("partner_catchup", "insert")]


def test_what_a_catch_up_needs(store, advisor, today):
    p = partner(store)
    for raw, field, words in (({"held_on": "12/06/2025", "who": "Sam"}, "held_on",
                               "still to come"),
                              ({"held_on": "", "who": "Sam"}, "held_on", "enter the day"),
                              ({"held_on": "31/02/2025", "who": "Sam"}, "held_on", ""),
                              ({"held_on": "01/06/2001", "who": "Sam"}, "held_on",
                               "ten years"),
                              ({"held_on": "10/06/2025", "who": "  "}, "who", "who was there")):
        with pytest.raises(ValidationError) as info:
            catchups.validate_held(raw, today)
        assert field in info.value.errors
        assert words in info.value.errors[field]
    with store.session() as s, pytest.raises(ValidationError):
        catchups.record_held(s, None, p, "10/06/2025", "", "", advisor.id, today=today)
    with store.session() as s, pytest.raises(ValidationError) as info:
        catchups.record_held(s, "not-one", p, "10/06/2025", "Sam", "", advisor.id,
                             today=today)
    assert "no longer here" in info.value.errors["held_on"]


def test_one_planned_at_a_time(store, advisor, today):
    """Two desks offline each planned the next: planning again keeps one; a partner whose
    catch-ups are stopped has none waiting."""
    p = partner(store)
    with store.session() as s:
        s.add_all([PartnerCatchup(partner_id=p, planned_on=date(2024, 4, 10)),
                   PartnerCatchup(partner_id=p, planned_on=date(2024, 4, 10))])
    with store.session() as s:
        assert len(catchups.catchups(s, p)) == 1
        kept = catchups.plan(s, p)
    assert [w.id for w in waiting(store, p)] == [kept.id]
    with store.session() as s:
        s.get(Partner, p).catchup_every_months = 6
        assert catchups.plan(s, p).planned_on == date(2024, 7, 10)
        s.get(Partner, p).catchup_every_months = 0
        assert catchups.plan(s, p) is None
        assert catchups.overdue(s, today) == []
    assert waiting(store, p) == []


def test_a_change_of_cadence_moves_the_next_catch_up_at_once(store, advisor, today):
    p = partner(store)
    with store.session() as s:
        catchups.record_held(s, None, p, "02/04/2025", "Sam", "", advisor.id, today=today)
    with store.session() as s:
        assert catchups.overdue(s, today) == []  # due 2 Jul
        s.get(Partner, p).catchup_every_months = 1  # (the partner's editor, or a sync)
    with store.session() as s:
        assert catchups.next_due(s, p) == date(2025, 5, 2)
        assert [(o.planned_on, o.days) for o in catchups.overdue(s, today)] == [
            (date(2025, 5, 2), 40)]
        coming = catchups.catchups(s, p)[0]
        assert (coming.planned_on, coming.held_on) == (date(2025, 5, 2), None)
        assert coming.id == waiting(store, p)[0].id  # the record that will be held
        catchups.record_held(s, coming.id, p, today, "Sam", "", advisor.id, today=today)
    with store.session() as s:
        held = s.get(PartnerCatchup, coming.id)
        assert (held.planned_on, held.held_on) == (date(2025, 5, 2), today)
        assert catchups.next_due(s, p) == date(2025, 7, 11)
