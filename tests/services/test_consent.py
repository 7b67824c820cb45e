"""Consent to keep, to share with a partner and to be contacted: recorded, withdrawn, read
across a merged family, checked before a referral is sent, and synced as plain rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lr_desk.services import consent, dropin, duplicates, referrals
from lr_desk.services.consent import ConsentNeeded
from lr_desk.services.reference import example_id
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Consent, Conversation, Referral, ReferralEvent

TODAY = date(2025, 6, 11)
PARTNER = "Example Advice Centre (debt and benefits)"
PARTNER_ID = example_id("partner", PARTNER)
SERVICE = example_id("service", PARTNER, "Benefits and debt drop-in")
OTHER_PARTNER = "Example Housing Trust"
OTHER_SERVICE = example_id("service", OTHER_PARTNER, "Tenancy support")


@pytest.fixture
def person(make_person):
    return make_person(given_name="Joanne", preferred_name="Jo", family_name="Lee")


def give(store, person_id, advisor_id, at=None, **raw):
    with store.session() as s:
        if at:
            s.info["now"] = at
        return consent.record(s, person_id, advisor_id, raw, today=TODAY)


def share(store, person_id, advisor_id, given=True, at=None, **raw):
    return give(store, person_id, advisor_id, at=at, kind="share", partner_id=PARTNER_ID,
                given="given" if given else "withdrawn", **raw)


def in_force(store, person_id):
    with store.session() as s:
        return consent.in_force(s, person_id)


def field_errors(raw, today=TODAY) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        consent.validate_consent(raw, today)
    return info.value.errors


# --- checking what is typed ------------------------------------------------------------


def test_share_needs_a_partner_and_contact_needs_a_way():
    assert set(field_errors({"kind": "share"})) == {"partner_id"}
    assert field_errors({"kind": "contact", "ways": []}) == {
        "ways": "Tick at least one way they are happy to be contacted."}
    assert set(field_errors({"kind": "contact", "ways": ["pigeon"]})) == {"ways"}
    assert set(field_errors({"kind": ""})) == {"kind"}
    # withdrawing consent to be contacted needs no way: it is every way
    clean = consent.validate_consent({"kind": "contact", "given": "withdrawn",
                                      "ways": ["phone"]}, TODAY)
    assert (clean["given"], clean["ways"]) == (False, [])


def test_the_date_is_checked_and_may_be_left_out():
    assert consent.validate_consent({"kind": "keep"}, TODAY)["day"] is None
    assert consent.validate_consent({"kind": "keep", "date": "3/6/2025"}, TODAY)["day"] == \
        date(2025, 6, 3)
    assert set(field_errors({"kind": "keep", "date": "12/06/2025"})) == {"date"}  # tomorrow
    assert set(field_errors({"kind": "keep", "date": "12/06/1925"})) == {"date"}
    assert set(field_errors({"kind": "keep", "date": "31/02/2025"})) == {"date"}


def test_a_partner_no_longer_in_the_directory_is_a_field_error(store, person, advisor):
    with pytest.raises(ValidationError) as info:
        give(store, person.id, advisor.id, kind="share", partner_id="no-such-partner")
    assert set(info.value.errors) == {"partner_id"}
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Consent)) == 0


# --- recording and reading ---------------------------------------------------------------


def test_recorded_consent_is_in_force_with_its_date_and_who(store, person, advisor):
    give(store, person.id, advisor.id, kind="keep", at=datetime(2025, 6, 2, 10, 0))
    share(store, person.id, advisor.id, note="Signed the form",
          at=datetime(2025, 6, 3, 11, 0))
    give(store, person.id, advisor.id, kind="contact", ways="email,phone",
         at=datetime(2025, 6, 4, 12, 0))
    rows = in_force(store, person.id)
    assert [(r.kind, r.given, r.recorded_by) for r in rows] == [
        ("keep", True, "Alex Advisor"), ("share", True, "Alex Advisor"),
        ("contact", True, "Alex Advisor")]
    keep, shared, contact = rows
    assert keep.what == "Keep their information"
    assert shared.what == f"Share their information with {PARTNER}"
    assert shared.note == "Signed the form"
    assert contact.ways == ["phone", "email"]  # one order, whatever order they came in
    assert contact.what == "Be contacted by phone call, email"
    assert [r.recorded_at for r in rows] == [datetime(2025, 6, 2, 10, 0),
                                             datetime(2025, 6, 3, 11, 0),
                                             datetime(2025, 6, 4, 12, 0)]
    assert shared.line() == "03 Jun 2025: Given (Alex Advisor) - Signed the form"


def test_a_day_in_the_past_is_recorded_on_that_day(store, person, advisor):
    give(store, person.id, advisor.id, kind="keep", date="02/06/2025",
         at=datetime(2025, 6, 11, 9, 0))
    give(store, person.id, advisor.id, kind="contact", ways=["text"], date="11/06/2025",
         at=datetime(2025, 6, 11, 9, 30))  # today: now
    keep, contact = in_force(store, person.id)
    assert keep.recorded_at.date() == date(2025, 6, 2)
    assert contact.recorded_at == datetime(2025, 6, 11, 9, 30)


def test_withdrawal_is_a_new_record_and_the_earlier_one_is_its_history(
        store, person, advisor, other_advisor, outbox):
    first = share(store, person.id, advisor.id, at=datetime(2025, 6, 3, 11, 0))
    share(store, person.id, other_advisor.id, given=False, note="Changed their mind",
          at=datetime(2025, 6, 9, 15, 0))
    (row,) = in_force(store, person.id)
    assert (row.given, row.status, row.recorded_by) == (False, "Withdrawn or refused",
                                                        "Bea Advisor")
    assert [h.id for h in row.history] == [first.id]
    with store.session() as s:
        assert [h.given for h in consent.history(s, person.id)] == [False, True]
    # never an update: two desks recording at once can't conflict, they add rows
    assert {e.op for e in outbox.entries("consent")} == {"insert"}
    assert len(outbox.entries("consent")) == 2


def test_the_latest_record_is_in_force_whatever_order_they_were_made_in(store, person,
                                                                        advisor):
    share(store, person.id, advisor.id, given=False, at=datetime(2025, 6, 9, 15, 0))
    # the paper form signed last week, typed in today: the withdrawal stays in force
    share(store, person.id, advisor.id, date="02/06/2025", at=datetime(2025, 6, 10, 9, 0))
    (row,) = in_force(store, person.id)
    assert not row.given


def test_consent_counts_across_a_merged_pair(store, make_person, advisor):
    a = make_person(given_name="Ann", family_name="Lee")
    b = make_person(given_name="Anne", family_name="Lee")
    share(store, b.id, advisor.id, at=datetime(2025, 6, 3, 11, 0))  # on the one merged away
    with store.session() as s:
        duplicates.merge(s, a.id, b.id, advisor.id)
    for pid in (a.id, b.id):
        (row,) = in_force(store, pid)
        assert row.given and row.partner == PARTNER
        with store.session() as s:
            assert consent.sharing(s, pid).reason(SERVICE) is None
    # withdrawn on the survivor: withdrawn for both
    share(store, a.id, advisor.id, given=False, at=datetime(2025, 6, 5, 11, 0))
    with store.session() as s:
        assert "withdrew" in consent.sharing(s, b.id).reason(SERVICE)
        # a record made later against the merged-away person lands on the survivor
        row = consent.record(s, b.id, advisor.id, {"kind": "keep"}, today=TODAY)
        assert row.person_id == a.id


# --- the check before a referral is sent -------------------------------------------------


def drop_in(status: str, service: str = SERVICE) -> dict:
    return {"conversation": {"date": "11/06/2025", "time": "10:00", "site_code": "walton",
                             "mode": "drop_in"},
            "items": [{"kind": "partner_service", "service_id": service, "refer": True,
                       "referral_status": status}]}


def record(store, person_id, advisor_id, raw):
    with store.session() as s:
        return dropin.record_drop_in(s, person_id, advisor_id, raw, today=TODAY)


def test_a_referral_blocked_without_consent(store, person, advisor):
    with pytest.raises(ConsentNeeded) as info:
        record(store, person.id, advisor.id, drop_in("sent"))
    assert info.value.errors == {"items.0.referral_status": (
        f"Jo has not agreed to share their information with {PARTNER}. "
        "Record their consent first.")}
    assert info.value.partners == {PARTNER_ID: PARTNER}
    assert info.value.person_id == person.id
    with store.session() as s:  # nothing written
        assert s.scalar(select(func.count()).select_from(Conversation)) == 0
    # suggested and agreed need no consent yet
    for status in ("suggested", "agreed"):
        record(store, person.id, advisor.id, drop_in(status))


def test_consent_to_one_partner_does_not_cover_another(store, person, advisor):
    share(store, person.id, advisor.id)
    record(store, person.id, advisor.id, drop_in("sent"))
    with pytest.raises(ConsentNeeded) as info:
        record(store, person.id, advisor.id, drop_in("sent", OTHER_SERVICE))
    assert OTHER_PARTNER in info.value.errors["items.0.referral_status"]


def test_sending_a_referral_later_needs_consent_and_is_blocked_again_once_withdrawn(
        store, person, advisor):
    ref_id = record(store, person.id, advisor.id, drop_in("agreed")).referral_ids[0]
    later_id = record(store, person.id, advisor.id, drop_in("agreed")).referral_ids[0]

    def send(referral_id=ref_id):
        with store.session() as s:
            return referrals.set_status(s, referral_id, "sent", advisor.id, note="Emailed")

    with pytest.raises(ConsentNeeded) as info:
        send()
    assert set(info.value.errors) == {"status"}
    with store.session() as s:
        assert s.get(Referral, ref_id).status == "agreed"
        assert s.scalar(select(func.count()).select_from(ReferralEvent)) == 2
    share(store, person.id, advisor.id, at=datetime(2025, 6, 11, 10, 0))
    assert send().status == "sent"
    share(store, person.id, advisor.id, given=False, at=datetime(2025, 6, 12, 10, 0))
    with pytest.raises(ConsentNeeded) as info:  # another referral to them, sent now
        send(later_id)
    assert info.value.errors["status"] == (
        f"Jo withdrew their consent to share their information with {PARTNER} on "
        "12 Jun 2025. Record their consent again first.")
    # the partner's answer to what was sent before is still recorded
    with store.session() as s:
        assert referrals.set_status(s, ref_id, "accepted", advisor.id).status == \
            "accepted"


def test_the_loaded_consent_says_why_without_the_database(store, person, advisor):
    with store.session() as s:
        sharing = consent.sharing(s, person.id)
    assert "Record their consent first" in sharing.reason(SERVICE)
    assert sharing.reason(None) is None  # nothing chosen yet: nothing to say
    assert sharing.blocked([SERVICE, None, OTHER_SERVICE]) == {
        PARTNER_ID: PARTNER, example_id("partner", OTHER_PARTNER): OTHER_PARTNER}
    share(store, person.id, advisor.id)
    with store.session() as s:
        sharing = consent.sharing(s, person.id)
    assert sharing.reason(SERVICE) is None
    assert sharing.blocked([SERVICE, OTHER_SERVICE]) == {
        example_id("partner", OTHER_PARTNER): OTHER_PARTNER}


# --- the demo --------------------------------------------------------------------------


def test_the_demo_sends_referrals_only_with_consent(tmp_path):
    """Every sent referral in the demo has the person's consent to share behind it."""
    from lr_desk.demo import fill_demo
    from lr_desk.profile import open_store
    from lr_desk.store.models import ReferralEvent

    store = open_store(tmp_path / "demo")
    try:
        fill_demo(store, people=60, today=date(2025, 6, 11))
        with store.session() as s:
            sent = s.execute(select(Referral.person_id, Referral.service_id).join(
                ReferralEvent, ReferralEvent.referral_id == Referral.id).where(
                ReferralEvent.status == "sent")).all()
            assert sent
            for person_id, service_id in sent:
                assert consent.sharing(s, person_id, [service_id]).reason(service_id) is None
    finally:
        store.close()


# --- two desks ---------------------------------------------------------------------------


def test_two_desks_recording_consent_offline_just_add_rows(tmp_path):
    from lr_desk.services import advisors, people
    from lr_desk.sync.engine import sync_once
    from tests.sync.devices import fresh_central, new_device, open_conflicts, records

    central = fresh_central(f"sqlite:///{tmp_path / 'central.sqlite'}")
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    try:
        with a.session() as s:
            adv = advisors.create(s, "Alex Advisor", "walton").id
            pid = people.register(s, {"given_name": "Jo", "family_name": "Lee"}, adv,
                                  "walton").id
        for store in (a, b):
            sync_once(store, central)
        with a.session() as s:  # offline, the same afternoon
            s.info["now"] = datetime(2025, 6, 11, 14, 0)
            consent.record(s, pid, adv, {"kind": "share", "partner_id": PARTNER_ID},
                           today=TODAY)
        with b.session() as s:
            s.info["now"] = datetime(2025, 6, 11, 15, 0)
            consent.record(s, pid, adv, {"kind": "share", "partner_id": PARTNER_ID,
                                         "given": "withdrawn"}, today=TODAY)
        for store in (a, b, a):
            sync_once(store, central)
        for store in (a, b):
            assert open_conflicts(store) == set()
            with store.session() as s:
                (row,) = consent.in_force(s, pid)
                assert not row.given and len(row.history) == 1
        assert records(a)["consent"] == records(b)["consent"]
    finally:
        a.close()
        b.close()
        central.close()
