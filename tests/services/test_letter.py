"""What a referral letter is made from (``services.letter.letter_data``): exactly what the
partner may read, only with the person's consent to share with that partner; and the
record that a letter was printed or saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lr_desk.services import consent, contacts, dropin, letter
from lr_desk.services.consent import ConsentNeeded
from lr_desk.services.reference import example_id
from lr_desk.services.sheet import SheetHub
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import AuditEvent, Partner, PartnerService, Referral

TODAY = date(2025, 6, 11)
GIVEN = ("print_letter", "export")  # the audit's actions for a letter printed or saved
HUB_SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                         "Benefits and debt drop-in")
COMMUNITY_SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


def drop_in(**conversation) -> dict:
    return {
        "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                         "mode": "drop_in", "needs": ["debt_benefits", "housing"],
                         "what_matters": "Keeping my flat", **conversation},
        "items": [
            {"kind": "partner_service", "service_id": HUB_SERVICE, "title": "Help with debts",
             "why": "Letters keep coming", "first_step": "Bring the letters", "refer": True},
            {"kind": "partner_service", "service_id": COMMUNITY_SERVICE,
             "title": "Keep my flat", "why": "Arrears", "first_step": "Call them",
             "refer": True},
        ],
    }


@pytest.fixture
def person(make_person):
    return make_person(given_name="Annabel", family_name="Quenington", preferred_name="Annie",
                       date_of_birth="14/02/1985", postcode="L4 0TH", phone="07700 900123",
                       email="annie.q@example.com", needs_interpreter=True,
                       interpreter_language="Polish")


@pytest.fixture
def referral(store, person, advisor, agree_to_share):
    agree_to_share(person.id, HUB_SERVICE)
    with store.session() as s:
        result = dropin.record_drop_in(s, person.id, advisor.id, drop_in(), today=TODAY)
        return result.referral_ids[0]


def data(store, referral_id) -> letter.LetterData:
    with store.session() as s:
        return letter.letter_data(s, referral_id, today=TODAY)


def test_everything_the_letter_shows(store, person, advisor, referral):
    with store.session() as s:
        partner_id = s.get(PartnerService, HUB_SERVICE).partner_id
        contacts.save_contacts(s, partner_id, [
            {"name": "Sam Other", "role": "Volunteer", "phone": "0151 000 0001"},
            {"name": "Kim Keyholder", "role": "Referrals lead", "phone": "0151 000 0002",
             "email": "kim@example.org", "is_key": True}])
        consent.record(s, person.id, advisor.id, {"kind": "contact", "ways": ["phone", "text"]},
                       today=TODAY)
        s.get(Referral, referral).reply_due = date(2025, 6, 25)
    got = data(store, referral)
    assert got.partner == "Example Advice Centre (debt and benefits)"
    assert got.service == "Benefits and debt drop-in"
    assert got.key_contact == letter.LetterContact("Kim Keyholder", "Referrals lead",
                                                   "0151 000 0002", "kim@example.org")
    assert (got.full_name, got.preferred_name, got.name) == ("Annabel Quenington", "Annie",
                                                             "Annie")
    assert got.date_of_birth == date(1985, 2, 14) and got.postcode == "L4 0TH"
    # the ways they agreed to, and only the details those ways need (no email)
    assert got.contact == letter.AGREED
    assert got.contact_ways == ["Phone call", "Text message"]
    assert got.phone == "07700 900123" and got.email == ""
    assert got.communication == ["An interpreter (Polish)"]
    with store.session() as s:
        shared = next(r for r in consent.in_force(s, person.id) if r.kind == "share")
    assert got.shared_on == shared.day and got.shared_recorded_by == "Alex Advisor"
    assert (got.title, got.why, got.first_step) == ("Help with debts", "Letters keep coming",
                                                    "Bring the letters")
    assert got.needs == ["Debt and benefits", "Housing"]
    assert got.advisor == "Alex Advisor"
    assert got.hub == SheetHub("The Life Rooms Walton", "Evered Avenue, Liverpool", "L9 2AF",
                               "0151 478 6556", "Monday to Friday, 9:30am to 4:30pm")
    assert got.reply_by == date(2025, 6, 25) and got.made_on == TODAY


def test_no_key_contact_and_no_reply_date(store, referral):
    with store.session() as s:
        partner = s.get(Partner, s.get(PartnerService, HUB_SERVICE).partner_id)
        partner.key_contact = partner.key_contact_phone = partner.key_contact_email = ""
        s.get(PartnerService, HUB_SERVICE).reply_deadline_days = 10
    got = data(store, referral)
    assert got.key_contact is None
    assert got.reply_by is None and got.reply_within_days == 10


def test_the_key_contact_from_before_contacts(store, referral):
    with store.session() as s:
        partner = s.get(Partner, s.get(PartnerService, HUB_SERVICE).partner_id)
        partner.key_contact, partner.key_contact_phone = "Lee Legacy", "0151 000 0003"
        partner.key_contact_email = ""
    assert data(store, referral).key_contact == letter.LetterContact("Lee Legacy", "",
                                                                     "0151 000 0003", "")


def test_contact_withdrawn_or_never_asked(store, person, advisor, referral):
    got = data(store, referral)  # never asked: the details they gave, and say so
    assert got.contact == letter.NOT_RECORDED
    assert (got.phone, got.email) == ("07700 900123", "annie.q@example.com")
    with store.session() as s:
        consent.record(s, person.id, advisor.id, {"kind": "contact", "given": "withdrawn"},
                       today=TODAY)
    got = data(store, referral)  # asked not to be contacted: no way to reach them given
    assert got.contact == letter.WITHDRAWN and got.contact_ways == []
    assert (got.phone, got.email) == ("", "")


def test_refused_without_consent_to_share_with_that_partner(store, person, advisor,
                                                            referral):
    with store.session() as s:
        other = s.scalars(select(Referral).where(Referral.id != referral,
                                                 Referral.person_id == person.id)).one().id
    # consent to share with the first partner says nothing of the second
    with pytest.raises(ConsentNeeded) as refused:
        data(store, other)
    assert "has not agreed to share" in refused.value.errors[letter.CONSENT_FIELD]
    assert "Example Housing Trust" in refused.value.errors[letter.CONSENT_FIELD]
    with store.session() as s, pytest.raises(ConsentNeeded):
        letter.record_letter_given(s, other, advisor.id, "printed")

    # withdrawn: refused as well, and nothing recorded
    with store.session() as s:
        partner_id = s.get(PartnerService, HUB_SERVICE).partner_id
        consent.record(s, person.id, advisor.id,
                       {"kind": "share", "partner_id": partner_id, "given": "withdrawn"},
                       today=TODAY)
    with pytest.raises(ConsentNeeded) as refused:
        data(store, referral)
    assert "withdrew their consent" in refused.value.errors[letter.CONSENT_FIELD]
    with store.session() as s, pytest.raises(ConsentNeeded):
        letter.record_letter_given(s, referral, advisor.id, "saved")
    with store.session() as s:
        assert s.get(Referral, referral).letter_at is None
        assert s.scalars(select(AuditEvent).where(AuditEvent.action.in_(GIVEN))).all() == []


@pytest.mark.parametrize("how, action", [("printed", "print_letter"), ("saved", "export")])
def test_giving_the_letter_is_recorded_and_audited(store, person, advisor, referral, how,
                                                   action):
    with store.session() as s:
        stamp = letter.record_letter_given(s, referral, advisor.id, how)
    with store.session() as s:
        ref = s.get(Referral, referral)
        assert (ref.letter_at, ref.letter_how, ref.letter_by) == (stamp, how, advisor.id)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(GIVEN))).one()
        assert (event.action, event.entity_id, event.person_id, event.advisor_id) == \
            (action, referral, person.id, advisor.id)
        assert event.detail == letter.LETTER_AUDIT[how]
    with store.session() as s, pytest.raises(ValidationError):
        letter.record_letter_given(s, referral, advisor.id, "faxed")


def test_a_referral_that_is_not_here(store, referral):
    with store.session() as s:
        s.get(Referral, referral).deleted_at = s.get(Referral, referral).status_at
    with pytest.raises(LookupError):
        data(store, referral)
    with pytest.raises(LookupError):
        data(store, "no-such-referral")


def test_a_reply_date_gone_by_is_not_asked_for(store, referral):
    """A letter printed after the referral's reply date asks for a reply within the
    service's days, not by a day already past."""
    with store.session() as s:
        s.get(Referral, referral).reply_due = TODAY - timedelta(days=1)
    got = data(store, referral)
    assert got.reply_by is None and got.reply_within_days == 14
