"""A person at a glance (the summary at the top of their page), the private notes shown
only when asked for (each look in the audit log), and whether a change concerns them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lr_desk.services import audit, consent, desk, dropin, duplicates, followups
from lr_desk.services.reference import example_id
from lr_desk.store.models import (
    AuditEvent,
    ConversationNeed,
    Partner,
    PartnerService,
    ReferralEvent,
)

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


def record(store, person_id, advisor_id, raw, today=TODAY):
    with store.session() as s:
        return dropin.record_drop_in(s, person_id, advisor_id, raw, today=today)


def summary(store, person_id, today=TODAY) -> desk.Summary:
    with store.session() as s:
        return desk.person_view(s, person_id, today=today).summary


def test_a_summary_a_glance_can_take(store, make_person, advisor, agree_to_share):
    maggie = make_person(given_name="Margaret", family_name="Doyle", preferred_name="Maggie",
                         date_of_birth="07/06/1960", needs_large_print=True,
                         needs_interpreter=True, interpreter_language="Polish")
    agree_to_share(maggie.id, SERVICE)
    with store.session() as s:
        consent.record(s, maggie.id, advisor.id, {"kind": "contact", "ways": ["phone"],
                                                   "given": "withdrawn"}, today=TODAY)
    record(store, maggie.id, advisor.id, {
        "conversation": {"site_code": "walton", "mode": "drop_in"},
        "items": [{"kind": "partner_service", "service_id": SERVICE, "refer": True,
                   "referral_status": "sent"}],
        "follow_up": {"due_date": "18/06/2025", "due_time": "10:30", "way": "call"}})

    got = summary(store, maggie.id)
    assert (got.name, got.full_name, got.preferred_name) == (
        "Maggie Doyle", "Margaret Doyle", "Maggie")
    assert got.age == 65  # her birthday was on the 7th
    assert got.communication == ["Large print", "Interpreter (Polish)"]
    with store.session() as s:
        partner = s.get(Partner, s.get(PartnerService, SERVICE).partner_id).name
    assert got.consent == [(f"Share their information with {partner}", True),
                           ("Be contacted", False)]
    assert got.open_referrals == [f"{partner} (Tenancy support): Sent"]
    assert got.next_follow_up == "Wed 18 Jun at 10:30, phone call, with Alex Advisor"
    assert not got.follow_up_overdue

    # a week later it is overdue; the next year, its date carries its year
    later = summary(store, maggie.id, today=date(2025, 6, 25))
    assert later.next_follow_up.startswith("Overdue since Wed 18 Jun at 10:30")
    assert later.follow_up_overdue
    assert summary(store, maggie.id, date(2026, 1, 5)).next_follow_up.startswith(
        "Overdue since Wed 18 Jun 2025")


def test_a_plain_summary_has_nothing_made_up(store, make_person):
    jo = make_person(given_name="Jo", family_name="Bloggs")
    got = summary(store, jo.id)
    assert (got.name, got.full_name, got.preferred_name, got.age) == ("Jo Bloggs", "", "",
                                                                      None)
    assert (got.communication, got.consent, got.open_referrals, got.next_follow_up) == (
        [], [], [], "")


def test_the_next_follow_up_is_the_earliest_still_open(store, make_person, advisor):
    jo = make_person(given_name="Jo", family_name="Bloggs")
    ids = [record(store, jo.id, advisor.id, {
        "conversation": {"site_code": "walton", "mode": "drop_in"},
        "follow_up": {"due_date": due, "way": "call"}}).follow_up_id
        for due in ("20/06/2025", "13/06/2025")]
    assert summary(store, jo.id).next_follow_up.startswith("Fri 13 Jun")
    with store.session() as s:
        followups.record_outcome(s, ids[1], advisor.id, "spoke", today=TODAY)
    assert summary(store, jo.id).next_follow_up.startswith("Fri 20 Jun")


def test_each_look_at_private_notes_is_in_the_audit_log(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    record(store, ann.id, advisor.id, {"conversation": {
        "site_code": "walton", "mode": "drop_in", "private_notes": "Worried about her son"}})
    with store.session() as s:
        s.info["advisor_id"] = advisor.id
        assert list(desk.private_notes(s, ann.id).values()) == ["Worried about her son"]
    with store.session() as s:
        page = audit.read(s, audit.Filters(action="see_private_notes"))
        [row] = page.rows
        assert (row.action, row.person, row.who) == ("Looked at private notes", "Ann Lee",
                                                     "Alex Advisor")
        event = s.get(AuditEvent, row.id)
        assert "son" not in event.detail  # the look is recorded, never the notes


def test_private_notes_of_someone_merged_in_are_theirs_too(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    twin = make_person(given_name="Ann", family_name="Lee")
    record(store, twin.id, advisor.id, {"conversation": {
        "site_code": "walton", "mode": "drop_in", "private_notes": "Sleeps badly"}})
    with store.session() as s:
        duplicates.merge(s, ann.id, twin.id, advisor.id)
    with store.session() as s:
        assert list(desk.private_notes(s, ann.id).values()) == ["Sleeps badly"]
        assert list(desk.private_notes(s, twin.id).values()) == ["Sleeps badly"]


def test_whether_a_change_concerns_a_person(store, make_person, advisor, agree_to_share):
    ann = make_person(given_name="Ann", family_name="Lee")
    bob = make_person(given_name="Bob", family_name="Roe")
    agree_to_share(ann.id, SERVICE)
    made = record(store, ann.id, advisor.id, {
        "conversation": {"site_code": "walton", "mode": "drop_in", "needs": ["housing"]},
        "items": [{"kind": "partner_service", "service_id": SERVICE, "refer": True,
                   "referral_status": "sent"}],
        "follow_up": {"due_date": "18/06/2025", "way": "call"}})

    def concerns(whose, **entities) -> bool:
        with store.session() as s:
            return desk.concerns(s, whose.id, entities)

    assert concerns(ann, person={ann.id})
    assert not concerns(bob, person={ann.id})
    assert concerns(ann, conversation={made.conversation_id})
    assert not concerns(bob, conversation={made.conversation_id})
    assert concerns(ann, follow_up={"other", made.follow_up_id})
    assert concerns(ann, referral={made.referral_ids[0]})
    assert concerns(ann, prescription={made.prescription_id})
    assert not concerns(bob, referral={made.referral_ids[0]}, follow_up={made.follow_up_id})
    with store.session() as s:
        need = s.scalar(select(ConversationNeed.id).where(
            ConversationNeed.conversation_id == made.conversation_id))
        step = s.scalar(select(ReferralEvent.id).where(
            ReferralEvent.referral_id == made.referral_ids[0]))
    assert concerns(ann, conversation_need={need}) and not concerns(bob, conversation_need={need})
    assert concerns(ann, referral_event={step}) and not concerns(bob, referral_event={step})
    assert not concerns(ann, advisor={advisor.id}, course={"x"})
    assert not concerns(ann)
    many = {f"id-{i}" for i in range(1200)} | {made.conversation_id}
    assert concerns(ann, conversation=many)  # in chunks


def test_a_merge_concerns_both_people_in_it(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    twin = make_person(given_name="Ann", family_name="Lee")
    bob = make_person(given_name="Bob", family_name="Roe")
    with store.session() as s:
        merge = duplicates.merge(s, ann.id, twin.id, advisor.id)
        merge_id = merge.id
    with store.session() as s:
        assert desk.concerns(s, ann.id, {"person_merge": {merge_id}})
        assert desk.concerns(s, twin.id, {"person_merge": {merge_id}})
        assert not desk.concerns(s, bob.id, {"person_merge": {merge_id}})
        assert desk.concerns(s, ann.id, {"person": {twin.id}})  # merged into her


def test_notes_on_screen_brought_up_to_date_are_not_a_new_look(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    record(store, ann.id, advisor.id, {"conversation": {
        "site_code": "walton", "mode": "drop_in", "private_notes": "Tired"}})
    with store.session() as s:
        assert list(desk.private_notes(s, ann.id, record=False).values()) == ["Tired"]
    with store.session() as s:
        assert audit.read(s, audit.Filters(action="see_private_notes")).rows == []
