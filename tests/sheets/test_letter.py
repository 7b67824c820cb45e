"""The referral letter read back with pypdf, made from a real desk's records: every field
the partner needs is there; nothing private (notes, escalations, what matters to the
person, other referrals and other partners) ever is."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from lr_desk.services import consent, contacts, dropin, letter, referrals
from lr_desk.services.reference import example_id
from lr_desk.services.sheet import MONTHS
from lr_desk.sheets.letter import NO_KEY_CONTACT, WITHDRAWN_CONTACT, render_letter
from lr_desk.store.models import PartnerService, Referral

TODAY = date(2025, 6, 11)
ADVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                    "Benefits and debt drop-in")
HOUSING = example_id("service", "Example Housing Trust", "Tenancy support")
# Words that must never reach a partner, each distinctive enough to find anywhere.
SECRETS = ("Zanzibarquill", "Octarinefog", "Marmalizard", "Quokkaverse", "Example Housing "
           "Trust", "Tenancy support", "Plumbagoose",
           # the referral's own history: a step's note, a chase, the override's reason
           "Stepnotewombat", "Chasenoteheron", "Overridewarning", "Overridereasonyak",
           # someone else referred to the same partner
           "Ottoline", "Otherperson", "Otherwhyibis")


@pytest.fixture
def referral(store, make_person, advisor, agree_to_share):
    person = make_person(given_name="Annabel", family_name="Quenington",
                         preferred_name="Annie", date_of_birth="14/02/1985", postcode="L4 0TH",
                         phone="07700 900123", email="annie.q@example.com", needs_bsl=True,
                         communication_other="Prefers mornings")
    agree_to_share(person.id, ADVICE, HOUSING)
    with store.session() as s:
        partner_id = s.get(PartnerService, ADVICE).partner_id
        contacts.save_contacts(s, partner_id, [
            {"name": "Kim Keyholder", "role": "Referrals lead", "phone": "0151 000 0002",
             "email": "kim@example.org", "is_key": True},
            {"name": "Sam Sidekick", "role": "Volunteer", "phone": "0151 000 0009"}])
        consent.record(s, person.id, advisor.id, {"kind": "contact", "ways": ["phone", "email"]},
                       today=TODAY)
        result = dropin.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                             "mode": "drop_in", "needs": ["debt_benefits", "housing"],
                             "what_matters": "Zanzibarquill: what matters to her",
                             "private_notes": "Octarinefog: a private note",
                             "escalated": True, "escalation_reason": "safeguarding",
                             "escalation_action": "Marmalizard: safeguarding lead told"},
            "items": [
                {"kind": "partner_service", "service_id": ADVICE, "title": "Help with debts",
                 "why": "The letters keep coming", "first_step": "Bring the letters",
                 "refer": True, "referral_status": "sent"},
                {"kind": "partner_service", "service_id": HOUSING, "title": "Quokkaverse flat",
                 "why": "Plumbagoose arrears", "first_step": "Call them", "refer": True},
            ]}, today=TODAY)
        ref_id = result.referral_ids[0]
        referrals.set_status(s, ref_id, "sent", advisor.id, note="Stepnotewombat")
        referrals.chase(s, ref_id, advisor.id, "Chasenoteheron", today=TODAY)
        ref = s.get(Referral, ref_id)
        ref.reply_due = date(2025, 6, 25)
        ref.override_warnings, ref.override_reason = "Overridewarning", "Overridereasonyak"
    other = make_person(given_name="Ottoline", family_name="Otherperson")
    agree_to_share(other.id, ADVICE)
    with store.session() as s:
        dropin.record_drop_in(s, other.id, advisor.id, {
            "conversation": {"date": "11/06/2025", "time": "11:15", "site_code": "walton",
                             "mode": "drop_in"},
            "items": [{"kind": "partner_service", "service_id": ADVICE, "title": "Debts too",
                       "why": "Otherwhyibis", "refer": True, "referral_status": "sent"}]},
            today=TODAY)
    return ref_id


def made(store, referral_id) -> letter.LetterData:
    with store.session() as s:
        return letter.letter_data(s, referral_id, today=TODAY)


def test_every_field_and_nothing_private(store, referral, read_pdf):
    data = made(store, referral)
    on = data.shared_on
    pdf = read_pdf(render_letter(data))
    for words in (
            # to and from, the date, and when to reply
            "Kim Keyholder", "Referrals lead", "Example Advice Centre (debt and benefits)",
            "0151 000 0002", "kim@example.org",
            "Alex Advisor", "The Life Rooms Walton", "0151 478 6556",
            "Wednesday 11 June 2025", "Please reply by Wednesday 25 June 2025",
            # who the person is, and how to reach them
            "Annabel Quenington", "Prefers to be called: Annie", "14 February 1985",
            "L4 0TH", "07700 900123", "annie.q@example.com",
            "Happy to be contacted by: Phone call, Email",
            "British Sign Language (BSL); Prefers mornings",
            # what they agreed to share, with this partner
            f"Annie agreed on {on.day} {MONTHS[on.month - 1]} {on.year}",
            "recorded by Alex Advisor",
            # what is asked for, and why
            "Benefits and debt drop-in", "What: Help with debts",
            "Why, in their words: The letters keep coming",
            "Their first step: Bring the letters",
            "Needs they raised with us: Debt and benefits, Housing"):
        assert pdf.has(words), words
    for secret in (*SECRETS, "Sam Sidekick", "Safeguarding", "private"):
        assert secret.lower() not in pdf.text.lower(), secret
    assert len(pdf.pages) == 1


def test_what_the_partner_is_told_when_things_are_missing(store, referral, read_pdf):
    data = replace(made(store, referral), key_contact=None, reply_by=None,
                   reply_within_days=10, contact=letter.WITHDRAWN, contact_ways=[], phone="",
                   email="", date_of_birth=None, preferred_name="")
    pdf = read_pdf(render_letter(data))
    assert pdf.has(NO_KEY_CONTACT) and pdf.has(WITHDRAWN_CONTACT)
    assert pdf.has("Please reply within 10 days") and pdf.has("Date of birth: Not known")
    assert not pdf.has("07700") and not pdf.has("annie.q@") and not pdf.has("Prefers to be")


def test_anyones_words_print_as_typed_and_long_ones_go_on_over_pages(store, referral,
                                                                     read_pdf):
    long_why = " ".join(["Because the rent & the <letters> keep coming."] * 120)
    data = replace(made(store, referral), full_name="Zoë O'Brien-Ŝmith", why=long_why)
    pdf = read_pdf(render_letter(data))
    assert pdf.has("Zoë O'Brien-Ŝmith") and pdf.has("the <letters>")
    assert len(pdf.pages) >= 2 and pdf.has(f"Page 1 of {len(pdf.pages)}", 1)
    assert all(pdf.has("Referral letter", n) for n in range(1, len(pdf.pages) + 1))
    assert re.sub(r"\s+", "", pdf.body()).count("Becausetherent") == 120  # none lost
