"""A referral's life (services.referrals): steps forward only, corrections recorded as
such, decline reasons from the list, the reply deadline, chases, and referring elsewhere;
on a real store, through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lr_desk.services import consent, desk, dropin, referrals
from lr_desk.services.consent import ConsentNeeded
from lr_desk.services.reference import example_id
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import (
    PartnerService,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

TODAY = date(2025, 6, 11)
PARTNER = "Example Housing Trust"
SERVICE = example_id("service", PARTNER, "Tenancy support")
OTHER_PARTNER = "Example Advice Centre (debt and benefits)"
OTHER_SERVICE = example_id("service", OTHER_PARTNER, "Benefits and debt drop-in")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def run(store, fn, day: date = TODAY):
    """``fn(session)`` in one transaction, the session's clock at ``day`` 10:00."""
    with store.session() as s:
        s.info["now"] = at(day)
        return fn(s)


def open_one(store, person_id, advisor_id, status="suggested", service=SERVICE,
             day=TODAY, site="walton") -> str:
    raw = {"conversation": {"site_code": site, "mode": "drop_in",
                            "date": day.strftime("%d/%m/%Y"), "time": "09:30"},
           "items": [{"kind": "partner_service", "service_id": service, "refer": True,
                      "referral_status": status, "why": "Rent arrears"}]}
    return run(store, lambda s: dropin.record_drop_in(s, person_id, advisor_id, raw,
                                                      today=day).referral_ids[0], day)


def step(store, rid, status, advisor_id, day=TODAY, **kw):
    return run(store, lambda s: referrals.set_status(s, rid, status, advisor_id, **kw), day)


def refused(store, fn, day=TODAY) -> dict[str, str]:
    """The errors ``fn`` is refused with; and nothing it tried was written."""
    with store.session() as s:
        before = s.scalar(select(func.count()).select_from(ReferralEvent))
    with pytest.raises(ValidationError) as info:
        run(store, fn, day)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ReferralEvent)) == before
    return info.value.errors


def events(store, rid) -> list[ReferralEvent]:
    with store.session() as s:
        return list(s.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == rid)
                              .order_by(ReferralEvent.at, ReferralEvent.id)))


def referral(store, rid) -> Referral:
    with store.session() as s:
        return s.get(Referral, rid)


@pytest.fixture
def person(make_person, agree_to_share):
    p = make_person(given_name="Ann", family_name="Lee")
    agree_to_share(p.id, SERVICE)
    return p


# --- forward only -------------------------------------------------------------------------


def test_next_steps_are_the_later_statuses_and_none_after_a_final_one():
    assert referrals.next_steps("suggested") == [
        "agreed", "sent", "accepted", "declined", "engaged", "completed", "not_taken_up"]
    assert referrals.next_steps("sent") == [
        "accepted", "declined", "engaged", "completed", "not_taken_up"]
    assert referrals.next_steps("accepted") == ["engaged", "completed", "not_taken_up"]
    assert referrals.next_steps("engaged") == ["completed", "not_taken_up"]
    for final in ("declined", "completed", "not_taken_up"):
        assert referrals.next_steps(final) == []


def test_steps_move_forward_and_back_or_sideways_is_refused(store, person, advisor):
    rid = open_one(store, person.id, advisor.id)
    for status in ("agreed", "sent", "accepted"):
        step(store, rid, status, advisor.id)
    errors = refused(store, lambda s: referrals.set_status(s, rid, "sent", advisor.id))
    assert errors == {"status": "This referral is Accepted: a step only moves forward, not "
                                "back to Sent. To put right a mistake, record a correction."}
    errors = refused(store, lambda s: referrals.set_status(
        s, rid, "declined", advisor.id, reason_code="no_capacity"))  # sideways
    assert "record a correction" in errors["status"]
    step(store, rid, "not_taken_up", advisor.id)
    errors = refused(store, lambda s: referrals.set_status(s, rid, "engaged", advisor.id))
    assert errors["status"] == ("This referral is Not taken up, which is final. To put right "
                                "a mistake, record a correction.")
    assert referral(store, rid).status == "not_taken_up"
    assert [(e.kind, e.status) for e in events(store, rid)] == [
        ("step", "suggested"), ("step", "agreed"), ("step", "sent"), ("step", "accepted"),
        ("step", "not_taken_up")]


def test_not_taken_up_may_follow_any_status_that_is_not_final(store, person, advisor):
    for status in ("suggested", "agreed", "sent"):
        rid = open_one(store, person.id, advisor.id, status)
        step(store, rid, "not_taken_up", advisor.id)
        assert referral(store, rid).status == "not_taken_up"
    declined = open_one(store, person.id, advisor.id, "sent")
    step(store, declined, "declined", advisor.id, reason_code="not_eligible")
    assert "final" in refused(store, lambda s: referrals.set_status(
        s, declined, "not_taken_up", advisor.id))["status"]


def test_a_note_at_the_same_status_is_kept_and_the_status_stays(store, person, advisor):
    rid = open_one(store, person.id, advisor.id, "sent")
    before = referral(store, rid)
    assert refused(store, lambda s: referrals.set_status(s, rid, "sent", advisor.id)) == {
        "note": "It is Sent now: choose its next step, or note what you heard."}
    step(store, rid, "sent", advisor.id, day=TODAY + timedelta(days=3),
         note="They will ring her this week")
    after = referral(store, rid)
    assert (after.status, after.status_at, after.reply_due) == (
        "sent", before.status_at, before.reply_due)
    assert events(store, rid)[-1].note == "They will ring her this week"


# --- corrections ------------------------------------------------------------------------


def test_a_correction_sets_any_status_with_words_and_reads_as_one(store, person, advisor,
                                                                  other_advisor):
    rid = open_one(store, person.id, advisor.id, "sent")
    step(store, rid, "completed", advisor.id)
    assert refused(store, lambda s: referrals.correct(s, rid, "accepted", advisor.id, "")) == {
        "reason": "Please say what the mistake was."}
    assert "now" in refused(store, lambda s: referrals.correct(
        s, rid, "completed", advisor.id, "Pressed the wrong one"))["status"]
    run(store, lambda s: referrals.correct(s, rid, "accepted", other_advisor.id,
                                           "Chose Completed by mistake: she is still going"))
    got = referral(store, rid)
    assert got.status == "accepted"
    last = events(store, rid)[-1]
    assert (last.kind, last.from_status, last.status, last.advisor_id, last.reason) == (
        "correction", "completed", "accepted", other_advisor.id,
        "Chose Completed by mistake: she is still going")
    # and forward again from the corrected status
    step(store, rid, "engaged", advisor.id)
    with store.session() as s:
        entry = next(e for e in desk.person_view(s, person.id, TODAY).timeline
                     if e.kind == "referral")
    lines = entry.detail.splitlines()
    assert lines[2].endswith("Corrected from Completed to Accepted (Bea Advisor): Chose "
                             "Completed by mistake: she is still going")
    assert lines[3].endswith("Engaged (Alex Advisor)")


def test_a_correction_to_declined_takes_its_reason_from_the_list(store, person, advisor):
    rid = open_one(store, person.id, advisor.id, "sent")
    step(store, rid, "accepted", advisor.id)
    assert set(refused(store, lambda s: referrals.correct(
        s, rid, "declined", advisor.id, "They had said no on the phone"))) == {"reason_code"}
    run(store, lambda s: referrals.correct(s, rid, "declined", advisor.id,
                                           "They had said no on the phone", "outside_area"))
    last = events(store, rid)[-1]
    assert (last.kind, last.reason_code, last.status) == ("correction", "outside_area",
                                                          "declined")


# --- decline reasons ------------------------------------------------------------------


def test_a_decline_takes_a_reason_from_the_list_and_words_for_other(store, person, advisor):
    rid = open_one(store, person.id, advisor.id, "sent")
    assert refused(store, lambda s: referrals.set_status(s, rid, "declined", advisor.id)) == {
        "reason_code": "Please choose the reason it was declined."}
    assert refused(store, lambda s: referrals.set_status(
        s, rid, "declined", advisor.id, reason_code="nonsense")) == {
        "reason_code": "Please choose the reason it was declined."}
    assert refused(store, lambda s: referrals.set_status(
        s, rid, "declined", advisor.id, reason_code="other")) == {
        "reason": "Please say in words why it was declined."}
    step(store, rid, "declined", advisor.id, reason_code="no_capacity",
         reason="Full until the new term", note="Try again in September")
    last = events(store, rid)[-1]
    assert (last.status, last.reason_code, last.reason, last.note) == (
        "declined", "no_capacity", "Full until the new term", "Try again in September")
    with store.session() as s:
        entry = next(e for e in desk.person_view(s, person.id, TODAY).timeline
                     if e.kind == "referral")
    assert entry.detail.splitlines()[-1].endswith(
        "Declined (Alex Advisor): No capacity: Full until the new term - Try again in "
        "September")
    # words for another status than declined are not a decline's reason
    other = open_one(store, person.id, advisor.id, "sent")
    step(store, other, "accepted", advisor.id, reason_code="no_capacity", reason="?")
    assert (events(store, other)[-1].reason_code, events(store, other)[-1].reason) == ("", "")


# --- the reply deadline -----------------------------------------------------------------


def test_sent_at_the_drop_in_or_later_is_due_a_reply_by_its_deadline(store, person, advisor):
    rid = open_one(store, person.id, advisor.id, "sent")
    assert referral(store, rid).reply_due == TODAY + timedelta(days=14)
    with store.session() as s:
        s.get(PartnerService, SERVICE).reply_deadline_days = 21
    later = open_one(store, person.id, advisor.id, "agreed")
    assert referral(store, later).reply_due is None
    step(store, later, "sent", advisor.id, day=TODAY + timedelta(days=2))
    assert referral(store, later).reply_due == TODAY + timedelta(days=23)


def test_sending_needs_consent_to_share_each_time(store, make_person, advisor):
    p = make_person(given_name="Bo", family_name="Ray")
    rid = open_one(store, p.id, advisor.id, "agreed")
    errors = refused(store, lambda s: referrals.set_status(s, rid, "sent", advisor.id))
    assert PARTNER in errors["status"]
    assert referral(store, rid).reply_due is None


# --- chasing ----------------------------------------------------------------------------


def test_a_chase_is_recorded_and_gives_the_partner_seven_more_days(store, person, advisor):
    rid = open_one(store, person.id, advisor.id, "sent")
    day = TODAY + timedelta(days=16)
    assert refused(store, lambda s: referrals.chase(s, rid, advisor.id, " "), day) == {
        "note": "Please note who you chased and how (a call, an email)."}
    run(store, lambda s: referrals.chase(s, rid, advisor.id, "Rang Jane; she'll look"), day)
    got = referral(store, rid)
    assert (got.status, got.reply_due) == ("sent", day + timedelta(days=7))
    last = events(store, rid)[-1]
    assert (last.kind, last.status, last.note) == ("chase", "sent", "Rang Jane; she'll look")
    with store.session() as s:
        entry = next(e for e in desk.person_view(s, person.id, day).timeline
                     if e.kind == "referral")
    assert entry.title == f"Referral to {PARTNER} (Tenancy support): Sent, chased 27 Jun"
    assert entry.detail.splitlines()[-1].endswith("Chased (Alex Advisor) - Rang Jane; "
                                                  "she'll look")
    step(store, rid, "accepted", advisor.id, day)
    assert "only a sent one" in refused(store, lambda s: referrals.chase(
        s, rid, advisor.id, "Again"), day)["note"]


# --- referring elsewhere ----------------------------------------------------------------


def test_refer_elsewhere_closes_it_and_sends_a_new_item_in_the_same_plan(store, person,
                                                                         advisor,
                                                                         agree_to_share):
    rid = open_one(store, person.id, advisor.id, "sent")
    day = TODAY + timedelta(days=20)
    # no consent to share with the other partner yet: held back, nothing written
    with pytest.raises(ConsentNeeded) as info:
        run(store, lambda s: referrals.refer_elsewhere(s, rid, OTHER_SERVICE, advisor.id), day)
    assert OTHER_PARTNER in info.value.errors["service"]
    assert referral(store, rid).status == "sent"
    assert "another" in refused(store, lambda s: referrals.refer_elsewhere(
        s, rid, SERVICE, advisor.id), day)["service"]
    agree_to_share(person.id, OTHER_SERVICE)
    new_id = run(store, lambda s: referrals.refer_elsewhere(
        s, rid, OTHER_SERVICE, advisor.id, "No reply in three weeks").id, day)
    old, new = referral(store, rid), referral(store, new_id)
    assert old.status == "not_taken_up"
    assert events(store, rid)[-1].reason == \
        f"Referred elsewhere: {OTHER_PARTNER} (Benefits and debt drop-in)"
    assert (new.status, new.service_id, new.person_id, new.reply_due) == (
        "sent", OTHER_SERVICE, person.id, day + timedelta(days=14))
    with store.session() as s:
        old_item, new_item = s.get(PrescriptionItem, old.item_id), s.get(PrescriptionItem,
                                                                          new.item_id)
        assert new_item.prescription_id == old_item.prescription_id
        assert (new_item.kind, new_item.title, new_item.why, new_item.position) == (
            "partner_service", "Benefits and debt drop-in", "Rent arrears",
            old_item.position + 1)
        assert consent.sharing(s, person.id).reason(OTHER_SERVICE) is None
    assert "already" in refused(store, lambda s: referrals.refer_elsewhere(
        s, rid, OTHER_SERVICE, advisor.id), day)["service"]


def test_refer_elsewhere_is_checked_like_any_referral(store, person, advisor, agree_to_share):
    rid = open_one(store, person.id, advisor.id, "sent")
    agree_to_share(person.id, OTHER_SERVICE)
    with store.session() as s:
        s.get(PartnerService, OTHER_SERVICE).capacity = "closed"
    day = TODAY + timedelta(days=20)
    errors = refused(store, lambda s: referrals.refer_elsewhere(
        s, rid, OTHER_SERVICE, advisor.id), day)
    assert errors == {"override_reason": "Please say why they are referred although the "
                                         "checks say not."}
    assert referral(store, rid).status == "sent"
    new_id = run(store, lambda s: referrals.refer_elsewhere(
        s, rid, OTHER_SERVICE, advisor.id, "", "They opened for her: rang to check").id, day)
    new = referral(store, new_id)
    assert new.override_reason == "They opened for her: rang to check"
    assert "closed" in new.override_warnings.lower()
