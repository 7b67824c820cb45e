"""A subject access export holds every record of that person and nothing of anyone
else's: two people with distinctive words in every table (one of them registered twice
and merged, with a record made later against the merged-away record; a merge undone with
a third person; the same partner service for both), one exported, the JSON and the PDF
read back."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from lr_desk.services import audit, drafts, dropin, duplicates, referrals, subject_access
from lr_desk.services.reference import example_id
from lr_desk.store.models import (
    AuditEvent,
    Conflict,
    Consent,
    Conversation,
    FollowUp,
    NotDuplicate,
    PersonMerge,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)
from tests.sheets.conftest import read_back

TODAY = date(2025, 6, 11)
SHARED_SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                            "Benefits and debt drop-in")
SHARED_PARTNER = example_id("partner", "Example Advice Centre (debt and benefits)")


def drop_in(tag: str, day: str = "11/06/2025") -> dict:
    """A drop-in whose every free-text field carries ``tag``."""
    return {
        "conversation": {"date": day, "time": "10:15", "site_code": "walton",
                         "mode": "drop_in", "what_matters": f"{tag}MATTERS",
                         "needs": ["housing"], "private_notes": f"{tag}PRIVATE",
                         "escalated": True, "escalation_reason": "distress",
                         "escalation_action": f"{tag}ACTION"},
        "items": [
            {"kind": "partner_service", "service_id": SHARED_SERVICE, "title": f"{tag}ITEM",
             "why": f"{tag}WHY", "first_step": f"{tag}STEP", "refer": True,
             "referral_status": "agreed"},
            {"kind": "own_step", "title": f"{tag}OWNSTEP"},
        ],
        "follow_up": {"due_date": "18/06/2025", "due_time": "11:00", "way": "call"},
    }


def fill(s, person_id: str, advisor_id: str, tag: str) -> None:
    """Every kind of record for one person, each with ``tag`` in its words."""
    result = dropin.record_drop_in(s, person_id, advisor_id, drop_in(tag), today=TODAY)
    referrals.set_status(s, result.referral_ids[0], "declined", advisor_id,
                         reason_code="other", reason=f"{tag}REASON", note=f"{tag}NOTE")
    dropin.complete_follow_up(s, result.follow_up_id, advisor_id, f"{tag}OUTCOME")
    s.add(Consent(person_id=person_id, kind="share", partner_id=SHARED_PARTNER,
                  recorded_by=advisor_id, note=f"{tag}CONSENT"))
    s.add(Conflict(kind="value", entity="person", entity_id=person_id, field="phone",
                   value=f"{tag}OLDPHONE", hlc="1", winner_hlc="2"))
    drafts.save(s, f"person:{person_id}", {"given_name": f"{tag}DRAFT"})
    audit.record(s, "open_person", entity="person", entity_id=person_id, person_id=person_id,
                 advisor_id=advisor_id)
    s.flush()


@pytest.fixture
def two_people(store, advisor, make_person):
    annie = make_person(given_name="Annabel", family_name="Quenington", preferred_name="Annie",
                        date_of_birth="14/02/1985", postcode="L4 0TH", phone="07700 900123",
                        email="annie.q@example.com", communication_other="ANNIECOMMS")
    twice = make_person(given_name="Annabel", family_name="Quenington-Smith",
                        date_of_birth="14/02/1985", phone="07700 900777",
                        email="TWICEMAIL@example.com")
    otto = make_person(given_name="Ottoline", family_name="Otherperson",
                       date_of_birth="03/03/1970", postcode="L9 2AF", phone="07700 900999",
                       email="otto@example.com", communication_other="OTTOCOMMS")
    third = make_person(given_name="Thaddeus", family_name="Thirdling", phone="07700 900555")
    with store.session() as s:
        fill(s, annie.id, advisor.id, "ANNIE")
        fill(s, twice.id, advisor.id, "TWICE")
        fill(s, otto.id, advisor.id, "OTTO")
        fill(s, third.id, advisor.id, "THIRD")
        duplicates.merge(s, annie.id, twice.id, advisor.id)
        undone = duplicates.merge(s, annie.id, third.id, advisor.id)
        duplicates.undo_merge(s, undone.id)
        duplicates.not_duplicates(s, annie.id, otto.id, advisor.id)
        # made later on a desk that had not heard of the merge: still the merged record's
        s.add(Conversation(person_id=twice.id, occurred_at=datetime(2025, 6, 12, 9, 0),
                           site_code="bootle", advisor_id=advisor.id,
                           what_matters="LATERMATTERS", private_notes="LATERPRIVATE"))
    return annie, twice, otto, third


def held_ids(s, person_ids: list[str]) -> set[str]:
    """The ids of every record of these people, read straight from the tables (a
    conversation's needs aside: the export names them in the conversation)."""
    ids = set(person_ids)
    for model in (Conversation, Prescription, Referral, FollowUp, Consent):
        ids |= set(s.scalars(select(model.id).where(model.person_id.in_(person_ids))))
    rxs = select(Prescription.id).where(Prescription.person_id.in_(person_ids))
    refs = select(Referral.id).where(Referral.person_id.in_(person_ids))
    ids |= set(s.scalars(select(PrescriptionItem.id)
                         .where(PrescriptionItem.prescription_id.in_(rxs))))
    ids |= set(s.scalars(select(ReferralEvent.id).where(ReferralEvent.referral_id.in_(refs))))
    ids |= set(s.scalars(select(AuditEvent.id).where(AuditEvent.person_id.in_(person_ids))))
    ids |= set(s.scalars(select(PersonMerge.id).where(
        PersonMerge.survivor_id.in_(person_ids) | PersonMerge.merged_id.in_(person_ids))))
    ids |= set(s.scalars(select(NotDuplicate.id).where(
        NotDuplicate.person_a.in_(person_ids) | NotDuplicate.person_b.in_(person_ids))))
    return ids


def ids_in(value) -> set[str]:
    """Every "id" value anywhere in the document."""
    found = set()
    if isinstance(value, dict):
        for key, v in value.items():
            if key == "id" and isinstance(v, str):
                found.add(v)
            found |= ids_in(v)
    elif isinstance(value, list):
        for v in value:
            found |= ids_in(v)
    return found


def without_ids(text: str) -> str:
    """The text with every id (a UUID) taken out."""
    return re.sub(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", "", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


ANNIE_WORDS = [f"{tag}{what}" for tag in ("ANNIE", "TWICE") for what in (
    "MATTERS", "PRIVATE", "ACTION", "ITEM", "WHY", "STEP", "OWNSTEP", "REASON", "NOTE",
    "OUTCOME", "CONSENT", "OLDPHONE", "DRAFT")] + [
    "LATERMATTERS", "LATERPRIVATE", "Quenington", "Quenington-Smith", "07700 900123",
    "07700 900777", "annie.q@example.com", "TWICEMAIL@example.com", "ANNIECOMMS", "L4 0TH",
    "Example Advice Centre", "Benefits and debt drop-in", "Alex Advisor"]
OTHERS_WORDS = [f"{tag}{what}" for tag in ("OTTO", "THIRD") for what in (
    "MATTERS", "PRIVATE", "ACTION", "ITEM", "WHY", "STEP", "OWNSTEP", "REASON", "NOTE",
    "OUTCOME", "CONSENT", "OLDPHONE", "DRAFT")] + [
    "Ottoline", "Otherperson", "Thaddeus", "Thirdling", "07700 900999", "07700 900555",
    "otto@example.com", "OTTOCOMMS", "L9 2AF", "1970"]


def test_every_record_of_the_person_and_nobody_elses(store, two_people, tmp_path):
    annie, twice, otto, third = two_people
    with store.session() as s:
        s.info["advisor_id"] = annie.registered_by
        result = subject_access.export(s, twice.id, tmp_path)  # via the merged-away record
    with store.session() as s:
        mine = held_ids(s, [annie.id, twice.id])
        theirs = held_ids(s, [otto.id, third.id]) - mine  # the shared pair-checks aside
        exported = [e for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))]
    document = json.loads(result.json.read_text(encoding="utf-8"))
    raw_json = result.json.read_text(encoding="utf-8")
    pdf = read_back(result.pdf.read_bytes())

    # every record of theirs (both registrations), by id, in the JSON ...
    assert document["about"]["person_id"] == annie.id
    assert set(document["about"]["record_ids"]) == {annie.id, twice.id}
    assert mine - {e.id for e in exported} <= ids_in(document)
    # ... and every word of theirs in both files
    for words in ANNIE_WORDS:
        assert words in raw_json, words
        assert squash(words) in squash(pdf.text), words
    # nothing of anyone else's: no words, no ids (words looked for with the ids taken out:
    # a random id may hold "1970", Otto's year of birth)
    json_words, pdf_words = without_ids(raw_json), without_ids(squash(pdf.text))
    for words in OTHERS_WORDS:
        assert words not in json_words, words
        assert squash(words) not in pdf_words, words
    for other_id in theirs | {otto.id, third.id}:
        assert other_id not in raw_json
    # the merge undone with Thaddeus is there, without naming his record
    undone = [m for m in document["merges"] if m["undone_at"]]
    assert len(undone) == 1 and undone[0]["merged_record_id"] is None
    assert len(document["not_the_same_person"]) == 1
    # the export is in the audit log, about them, by whoever made it
    assert [(e.person_id, e.entity_id, e.detail, e.advisor_id) for e in exported] == [
        (annie.id, annie.id, "subject access: pdf+json", annie.registered_by)]


def test_private_notes_are_said_to_be_included_and_dates_are_iso(store, two_people):
    annie, *_ = two_people
    with store.session() as s:
        document = subject_access.gather(s, annie.id, now=datetime(2025, 6, 11, 9, 0))
    assert any("private notes" in note.lower() for note in document["about"]["notes"])
    conv = next(c for c in document["conversations"] if c["what_matters"] == "ANNIEMATTERS")
    assert conv["needs"] == ["Housing"]
    assert re.fullmatch(r"2025-06-11T10:15:00[+-]\d\d:\d\d", conv["occurred_at"])
    assert document["person"]["date_of_birth"] == "1985-02-14"
    assert conv["advisor"] == "Alex Advisor" and conv["site"] == "The Life Rooms Walton"
    referral = next(r for r in document["referrals"] if r["person_record_id"] == annie.id)
    assert referral["partner"] == "Example Advice Centre (debt and benefits)"
    assert [e["status"] for e in referral["events"]] == ["Agreed", "Declined"]
    assert [c["partner"] for c in document["consents"]] == [
        "Example Advice Centre (debt and benefits)"] * 2


def test_files_have_clear_names_and_never_overwrite(store, two_people, tmp_path):
    annie, *_ = two_people
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with store.session() as s:
        first = subject_access.export(s, annie.id, tmp_path, now=datetime(2025, 6, 11, 9))
        second = subject_access.export(s, annie.id, tmp_path, now=datetime(2025, 6, 11, 9))
    assert first.pdf.name == "Subject access - Annie Quenington - 2025-06-11.pdf"
    assert first.json.name == "Subject access - Annie Quenington - 2025-06-11.json"
    assert second.pdf.name == "Subject access - Annie Quenington - 2025-06-11 (2).pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (first.pdf, first.json, second.pdf, second.json))


def test_a_missing_folder_is_refused_in_plain_words(store, two_people, tmp_path):
    annie, *_ = two_people
    assert subject_access.check_folder("") == "Choose a folder to save the files in."
    with store.session() as s, pytest.raises(ValueError, match="no folder there"):
        subject_access.export(s, annie.id, tmp_path / "not-there")


def test_names_in_any_script_are_in_the_pdf(store, make_person, tmp_path):
    person = make_person(given_name="Zofia", family_name="Żółkiewska",
                         communication_other="Говорит по-русски")
    with store.session() as s:
        result = subject_access.export(s, person.id, tmp_path)
    text = read_back(result.pdf.read_bytes()).text
    assert "Żółkiewska" in text and "Говорит" in text
