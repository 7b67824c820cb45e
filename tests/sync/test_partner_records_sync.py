"""Issue 12's records sync between two desks like every record, through a real central
store (a real PostgreSQL server, and the SQLite file): a partner's named contacts and a
catch-up, a service's capacity and eligibility, whether a person receives benefits, a
referral made anyway (the checks' words and the reason), with the person's view and the
letter, a correction, a chase and a decline's reason, and a service gap noted at a
drop-in. Desk B ends with every row as desk A wrote it; the same service's capacity
changed on both desks at once converges, the losing value kept for review on both; an
erasure empties the person's new fields and their gaps' words on both desks (a gap B noted
before it heard too), in their files and in the central log."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from lr_desk.services import advisors, dropin, gaps, people, review
from lr_desk.store.models import (
    Partner,
    PartnerCatchup,
    PartnerContact,
    PartnerService,
    Person,
    Referral,
    ReferralEvent,
    ServiceGap,
)
from lr_desk.sync.engine import sync_once
from tests.services.erasing import found_in_files, found_in_log

from .devices import new_device, open_conflicts, records
from .test_erasure import erase_on, staff_and_person

NEW = ("partner", "partner_contact", "partner_catchup", "partner_service", "person",
       "referral", "referral_event", "service_gap")


@pytest.fixture
def two(tmp_path, central):
    """Desks A and B sharing an advisor, a person and a partner with one service."""
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    with a.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton")
        person = people.register(s, {"given_name": "Niamh", "family_name": "Keane",
                                     "postcode": "L20 7AP"}, adv.id, "bootle")
        partner = Partner(name="Bootle Food Circle", catchup_every_months=3)
        s.add(partner)
        s.flush()
        service = PartnerService(partner_id=partner.id, name="Community pantry",
                                 category="social_isolation")
        s.add(service)
        s.flush()
        ids = adv.id, person.id, partner.id, service.id
    sync_once(a, central)
    sync_once(b, central)
    yield a, b, *ids
    a.close()
    b.close()


def _write_everything(a, advisor_id: str, person_id: str, partner_id: str,
                      service_id: str) -> dict[str, str]:
    """Desk A writes one of each new record and field; returns their ids."""
    with a.session() as s:
        s.add_all([
            PartnerContact(partner_id=partner_id, name="Maureen Kelly", role="Coordinator",
                           phone="0151 330 0000", email="maureen@example.org", is_key=True),
            PartnerContact(partner_id=partner_id, name="Dev Patel", role="Volunteer lead"),
            PartnerCatchup(partner_id=partner_id, planned_on=date(2025, 9, 1),
                           held_on=date(2025, 9, 3), who="Maureen, Alex",
                           notes="Pantry full on Fridays", advisor_id=advisor_id),
        ])
        service = s.get(PartnerService, service_id)
        service.capacity, service.paused_until = "paused", date(2026, 3, 3)
        service.capacity_confirmed_on = date(2025, 9, 3)
        service.takes, service.takes_per, service.wait_weeks = 10, "week", 2
        service.reply_days, service.reply_deadline_days = 5, 10
        service.min_age, service.max_age, service.catchment = 18, 65, "Sefton, L20"
        service.benefits_rule, service.once_only, service.once_lookback_months = "on", True, 36
        service.criteria = "Lives alone"
        s.get(Partner, partner_id).catchup_every_months = 6
        people.update(s, person_id, {**people.as_form(s.get(Person, person_id)),
                                     "on_benefits": "yes"})
        done = dropin.record_drop_in(s, person_id, advisor_id, {
            "conversation": {"date": "03/09/2025", "time": "10:00", "site_code": "bootle",
                             "mode": "drop_in", "needs": ["social_isolation", "housing"]},
            "items": [{"kind": "partner_service", "service_id": service_id,
                       "title": "Pantry", "refer": True, "referral_status": "agreed"}]})
        referral = s.get(Referral, done.referral_ids[0])
        referral.status, referral.reply_due = "declined", date(2025, 9, 13)
        referral.override_warnings = "Paused until 3 March 2026"
        referral.override_reason = "They will hold a place for her"
        referral.view, referral.view_words = "not_really", "Too far to walk"
        referral.view_at = datetime(2025, 10, 1, 9, 30)
        referral.letter_at, referral.letter_how = datetime(2025, 9, 3, 10, 20), "saved"
        referral.letter_by = advisor_id
        s.add_all([
            ReferralEvent(referral_id=referral.id, kind="correction", from_status="accepted",
                          status="sent", advisor_id=advisor_id, reason="Clicked the wrong one"),
            ReferralEvent(referral_id=referral.id, kind="chase", status="sent",
                          advisor_id=advisor_id, note="Left a voicemail"),
            ReferralEvent(referral_id=referral.id, status="declined",
                          reason_code="no_capacity", advisor_id=advisor_id, reason="Full"),
        ])
        gap = gaps.record_gap(s, "housing", "bootle", "No hostel in Sefton takes dogs",
                              advisor_id, done.conversation_id)
        return {"referral": referral.id, "gap": gap.id, "conversation": done.conversation_id}


def test_every_new_record_reaches_the_other_desk_as_written(two, central):
    a, b, advisor_id, person_id, partner_id, service_id = two
    made = _write_everything(a, advisor_id, person_id, partner_id, service_id)
    sync_once(a, central)
    sync_once(b, central)
    on_a, on_b = records(a), records(b)
    for table in NEW:
        assert on_b[table] == on_a[table], table
    # (and what was written is what arrived, not only the same on both)
    gap = on_b["service_gap"][made["gap"]]
    assert (gap["category"], gap["site_code"], gap["words"], gap["conversation_id"]) == (
        "housing", "bootle", "No hostel in Sefton takes dogs", made["conversation"])
    referral = on_b["referral"][made["referral"]]
    assert (referral["override_reason"], referral["view"], referral["letter_how"],
            referral["reply_due"]) == ("They will hold a place for her", "not_really", "saved",
                                       date(2025, 9, 13))
    kinds = sorted((e["kind"], e["from_status"], e["reason_code"])
                   for e in on_b["referral_event"].values()
                   if e["referral_id"] == made["referral"])
    assert ("chase", "", "") in kinds and ("correction", "accepted", "") in kinds and \
        ("step", "", "no_capacity") in kinds
    assert [c["name"] for c in on_b["partner_contact"].values() if c["is_key"]] == [
        "Maureen Kelly"]
    service = on_b["partner_service"][service_id]
    assert (service["capacity"], service["paused_until"], service["takes"],
            service["catchment"], service["benefits_rule"], service["once_lookback_months"]) == (
        "paused", date(2026, 3, 3), 10, "Sefton, L20", "on", 36)
    assert on_b["person"][person_id]["on_benefits"] == "yes"
    with b.session() as s:
        assert [g.id for g in gaps.noted_at(s, made["conversation"])] == [made["gap"]]
        assert s.get(ServiceGap, made["gap"]).words == "No hostel in Sefton takes dogs"
    assert open_conflicts(a) == open_conflicts(b) == set()


def _capacity(store, service_id: str, **values) -> None:
    with store.session() as s:
        service = s.get(PartnerService, service_id)
        for name, value in values.items():
            setattr(service, name, value)


def test_the_same_services_capacity_changed_on_both_desks_converges(two, central):
    a, b, _advisor, _person, _partner, service_id = two
    _capacity(a, service_id, capacity="paused", paused_until=date(2026, 3, 3))
    time.sleep(0.01)  # (B's write is the later one by its clock: not in the same ms)
    _capacity(b, service_id, capacity="closed", takes=4, takes_per="week")
    for store in (a, b, a):
        sync_once(store, central)
    on_a, on_b = records(a)["partner_service"], records(b)["partner_service"]
    assert on_a == on_b
    service = on_a[service_id]
    # the later write wins the field both changed; the fields only one changed merge
    assert (service["capacity"], service["paused_until"], service["takes"],
            service["takes_per"]) == ("closed", date(2026, 3, 3), 4, "week")
    for store in (a, b):
        with store.session() as s:
            items = review.open_items(s, store.device_id)
        assert [(i.field, i.current, i.other) for i in items] == [
            ("Whether it is taking referrals", "Closed", "Paused")]
    assert open_conflicts(a) == open_conflicts(b)


SECRET_WORDS = ("They will hold a place for her", "Too far to walk",
                "No hostel in Sefton takes dogs", "Noted on B before it heard")


def test_an_erasure_empties_them_on_both_desks_and_in_the_log(tmp_path, central):
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    try:
        advisor_id, manager_id, _rich = staff_and_person(a)
        with a.session() as s:
            person = people.register(s, {"given_name": "Niamh", "family_name": "Keane"},
                                     advisor_id, "bootle")
            partner = Partner(name="Bootle Food Circle")
            s.add(partner)
            s.flush()
            service = PartnerService(partner_id=partner.id, name="Community pantry",
                                     category="social_isolation")
            s.add(service)
            s.flush()
            person_id, partner_id, service_id = person.id, partner.id, service.id
        made = _write_everything(a, advisor_id, person_id, partner_id, service_id)
        sync_once(a, central)
        sync_once(b, central)
        with b.session() as s:  # B, before it hears of the erasure, notes another gap
            gaps.record_gap(s, "employment", "bootle", "Noted on B before it heard",
                            advisor_id, made["conversation"])
        erase_on(a, person_id, manager_id, manager_id)
        for store in (a, b, a):
            sync_once(store, central)
        on_a, on_b = records(a), records(b)
        for table in NEW:
            assert on_b[table] == on_a[table], table
        for on in (on_a, on_b):
            assert on["person"][person_id]["on_benefits"] == ""
            referral = on["referral"][made["referral"]]
            assert (referral["override_reason"], referral["view_words"], referral["view"]) == (
                "", "", "not_really")
            noted = [g for g in on["service_gap"].values()
                     if g["conversation_id"] == made["conversation"]]
            assert sorted((g["category"], g["words"]) for g in noted) == [
                ("employment", ""), ("housing", "")]
        assert found_in_log(central, SECRET_WORDS) == []
        assert found_in_files(a, SECRET_WORDS) == found_in_files(b, SECRET_WORDS) == {}
    finally:
        a.close()
        b.close()
