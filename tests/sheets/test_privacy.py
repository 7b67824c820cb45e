"""Never on the sheet: private notes, escalations, referral decline reasons, the person's
date of birth and contact details, or anything about another person."""

from __future__ import annotations

from datetime import date

from lr_desk.services import dropin, referrals, sheet
from lr_desk.services.reference import example_id
from lr_desk.sheets import render

TODAY = date(2025, 6, 11)
HUB_SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                         "Benefits and debt drop-in")
COMMUNITY_SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")

SECRETS = {
    "family name": "Quenington",
    "date of birth": "14/02/1985",
    "birth year": "1985",
    "birth date in words": "14 February",
    "postcode": "L4 0TH",
    "postcode squashed": "L40TH",
    "phone": "07700 900123",
    "email": "annie.q@example.com",
    "private notes": "PRIVATENOTE7731",
    "escalation reason": "Safeguarding",
    "escalation action": "ESCALATIONACTION4410",
    "escalation word": "scalat",
    "decline reason": "DECLINEREASON9921",
    "decline status": "Declined",
    "referral note": "REFERRALNOTE5150",
    "other's name": "Otherperson",
    "other's given name": "Ottoline",
    "other's words": "OTHERWORDS5512",
    "other's item": "OTHERITEM6613",
    "other's why": "OTHERWHY6614",
    "other's private notes": "OTHERPRIVATE6615",
    "other's follow-up day": "12 June 2025",
    "other's email": "otto@example.com",
}


def drop_in(what_matters, title, why, private, action, follow_up_day) -> dict:
    return {
        "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                         "mode": "drop_in", "what_matters": what_matters,
                         "private_notes": private, "escalated": True,
                         "escalation_reason": "safeguarding", "escalation_action": action},
        "items": [
            {"kind": "partner_service", "service_id": HUB_SERVICE, "title": title,
             "why": why, "first_step": "Go along", "refer": True, "referral_status": "sent"},
            {"kind": "partner_service", "service_id": COMMUNITY_SERVICE,
             "title": "Keep my flat", "refer": True},
        ],
        "follow_up": {"due_date": follow_up_day, "due_time": "11:00", "way": "call"},
    }


def test_nothing_private_and_nobody_else_on_the_sheet(store, advisor, make_person, read_pdf,
                                                      agree_to_share):
    person = make_person(given_name="Annabel", family_name="Quenington",
                         preferred_name="Annie", date_of_birth="14/02/1985",
                         postcode="l40th", phone="07700 900123", email="annie.q@example.com")
    other = make_person(given_name="Ottoline", family_name="Otherperson",
                        date_of_birth="03/03/1970", postcode="L9 2AF",
                        email="otto@example.com")
    agree_to_share(person.id, HUB_SERVICE)
    agree_to_share(other.id, HUB_SERVICE)
    with store.session() as s:
        # somebody else, the same day, at the same hub, with an earlier follow-up
        dropin.record_drop_in(s, other.id, advisor.id, drop_in(
            "OTHERWORDS5512", "OTHERITEM6613", "OTHERWHY6614", "OTHERPRIVATE6615",
            "Other action", "12/06/2025"), today=TODAY)
        mine = dropin.record_drop_in(s, person.id, advisor.id, drop_in(
            "Sorting the rent", "Help with my debts", "Letters keep coming",
            "PRIVATENOTE7731 seemed very low", "ESCALATIONACTION4410 spoke to the duty lead",
            "18/06/2025"), today=TODAY)
        declined, noted = mine.referral_ids
        referrals.set_status(s, declined, "declined", advisor.id, reason_code="other",
                             reason="DECLINEREASON9921 no capacity this term")
        referrals.set_status(s, noted, "accepted", advisor.id, note="REFERRALNOTE5150")
    with store.session() as s:
        data = sheet.sheet_data(s, mine.prescription_id, today=TODAY)

    for large in (False, True):
        pdf = read_pdf(render.render_bytes(data, large_print=large))
        # what should be there is (so an empty sheet cannot pass) ...
        for words in ("For Annie", "Sorting the rent", "Help with my debts",
                      "Letters keep coming", "Keep my flat", "Wednesday 18 June 2025 at 11am"):
            assert pdf.has(words), words
        # ... and nothing else
        found = {what: secret for what, secret in SECRETS.items()
                 if pdf.has(secret) or secret.lower() in pdf.text.lower()}
        assert found == {}
