"""A subject access export holds what issue 12 added about the person: whether they
receive benefits, each referral's reply deadline, what the checks said and why it was
made anyway, their own view of whether it helped, the letter sent, corrections, chases and
a decline's reason, and the service gaps noted at their conversations; and still nothing
of anyone else's. JSON and PDF read back."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from lr_desk.services import dropin, gaps, people, subject_access
from lr_desk.services.reference import example_id
from lr_desk.store.models import Referral, ReferralEvent
from tests.conftest import TODAY
from tests.sheets.conftest import read_back

SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


def _history(s, advisor_id: str, tag: str, on_benefits: str) -> str:
    person = people.register(s, {"given_name": f"{tag.title()}ina", "family_name": "Sample",
                                 "on_benefits": on_benefits,
                                 "nhs_number": "943 476 5919" if tag == "MINE" else ""},
                             advisor_id, "walton",
                             today=TODAY)
    done = dropin.record_drop_in(s, person.id, advisor_id, {
        "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                         "mode": "drop_in", "needs": ["housing", "employment"]},
        "items": [{"kind": "partner_service", "service_id": SERVICE, "title": "Tenancy",
                   "refer": True, "referral_status": "agreed"}]}, today=TODAY)
    referral = s.get(Referral, done.referral_ids[0])
    referral.reply_due = date(2025, 6, 25)
    referral.override_warnings = f"{tag}WARN Sefton residents only"
    referral.override_reason = f"{tag}OVERRIDE they are moving to Sefton"
    referral.view, referral.view_words = "helped_bit", f"{tag}VIEW the rent is sorted"
    referral.view_at = datetime(2025, 7, 1, 10)
    referral.letter_at, referral.letter_how = datetime(2025, 6, 11, 11), "printed"
    referral.letter_by = advisor_id
    s.add_all([
        ReferralEvent(referral_id=referral.id, kind="correction", from_status="accepted",
                      status="sent", advisor_id=advisor_id, reason=f"{tag}CORRECTED"),
        ReferralEvent(referral_id=referral.id, kind="chase", status="sent",
                      advisor_id=advisor_id, note=f"{tag}CHASED"),
        ReferralEvent(referral_id=referral.id, status="declined", reason_code="no_capacity",
                      advisor_id=advisor_id, reason=f"{tag}DECLINED"),
    ])
    gaps.record_gap(s, "employment", "walton", f"{tag}GAP evening job club", advisor_id,
                    done.conversation_id)
    s.flush()
    return person.id


def test_the_new_records_about_them_are_in_both_files(store, advisor, tmp_path):
    with store.session() as s:
        mine = _history(s, advisor.id, "MINE", "yes")
        _history(s, advisor.id, "THEIRS", "no")
        gaps.record_gap(s, "housing", "walton", "LONEGAP no conversation", advisor.id)
    with store.session() as s:
        result = subject_access.export(s, mine, tmp_path)
    raw = result.json.read_text(encoding="utf-8")
    document = json.loads(raw)
    pdf = re.sub(r"\s+", " ", read_back(result.pdf.read_bytes()).text)

    assert document["person"]["receives_benefits"] == "Receives benefits"
    assert document["person"]["nhs_number"] == "943 476 5919"
    assert "NHS number: 943 476 5919" in pdf
    [referral] = document["referrals"]
    assert {k: referral[k] for k in (
        "reply_due", "checks_said", "made_anyway_because", "your_view",
        "your_view_in_your_words", "letter_given_how", "letter_given_by")} == {
        "reply_due": "2025-06-25", "checks_said": "MINEWARN Sefton residents only",
        "made_anyway_because": "MINEOVERRIDE they are moving to Sefton",
        "your_view": "It helped a bit", "your_view_in_your_words": "MINEVIEW the rent is sorted",
        "letter_given_how": "Printed", "letter_given_by": "Alex Advisor"}
    assert referral["view_given_at"].startswith("2025-07-01")
    steps = {(e["kind"], e["status"], e["corrected_from"], e["decline_reason"])
             for e in referral["events"]}
    assert steps >= {("Correction", "Sent", "Accepted", None), ("Chased", "Sent", None, None),
                     ("Step", "Declined", None, "No capacity")}
    [conversation] = document["conversations"]
    [gap] = conversation["service_gaps"]
    assert (gap["need"], gap["site"], gap["words"], gap["noted_by"]) == (
        "Employment", "The Life Rooms Walton", "MINEGAP evening job club", "Alex Advisor")

    for words in ("Receives benefits", "Reply due by: 25 June 2025", "MINEWARN",
                  "Referred anyway because: MINEOVERRIDE they are moving to Sefton",
                  "Your view of whether it helped: It helped a bit", "MINEVIEW",
                  "Referral letter given: 11 June 2025", "Corrected from: Accepted",
                  "Why declined: No capacity", "MINECHASED", "What was needed: MINEGAP"):
        assert words in pdf, words
    for words in ("THEIRS", "LONEGAP", "Does not receive benefits"):
        assert words not in raw and words not in pdf, words


def test_not_asked_is_null_and_an_empty_referral_says_nothing_more(store, advisor,
                                                                 make_person):
    person = make_person(given_name="Plain", family_name="Person")
    with store.session() as s:
        dropin.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                             "mode": "drop_in", "needs": ["housing"]},
            "items": [{"kind": "partner_service", "service_id": SERVICE, "title": "Tenancy",
                       "refer": True, "referral_status": "agreed"}]}, today=TODAY)
        document = subject_access.gather(s, person.id)
    assert document["person"]["receives_benefits"] is None
    [referral] = document["referrals"]
    assert [referral[k] for k in ("reply_due", "checks_said", "made_anyway_because",
                                  "your_view", "letter_given_at")] == [None] * 5
    assert document["conversations"][0]["service_gaps"] == []
