"""The audit log's Detail in words: what was done ("Recorded a drop-in", "Made a referral
to <partner>", "Changed phone number and postcode"), never a field's database name, for
every field of every record that syncs."""

from __future__ import annotations

from datetime import date

import pytest

from lr_desk.services import audit, dropin, people, record_words
from lr_desk.services.reference import example_id
from lr_desk.store.models import SYNCED_MODELS, Person

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


def raw_names_in(text: str, names) -> list[str]:
    """Database names (with an underscore, or an "id") that show in ``text``."""
    words = text.lower().replace(",", " ").split()
    return [n for n in names if ("_" in n and n in text) or (n == "id" and "id" in words)] + \
        [w for w in words if "_" in w or w in ("id", "ids")]


@pytest.mark.parametrize("entity", sorted(SYNCED_MODELS))
def test_every_field_of_every_synced_record_has_words(entity):
    names = [c.name for c in SYNCED_MODELS[entity].__table__.columns]
    for name in names:
        assert name in record_words.FIELDS[entity], f"{entity}.{name} has no words"
        words = record_words.field_words(entity, name)
        assert words and not raw_names_in(words, names), (entity, name, words)
        for action in ("change", "create", "delete"):
            sentence = audit.in_words(action, entity, name)
            assert sentence[:1].isupper() and not raw_names_in(sentence, names), \
                (action, entity, name, sentence)
    every = audit.in_words("change", entity, ", ".join(names))  # (a record restored, say)
    assert not raw_names_in(every, names), every
    assert record_words.kind(entity) and "_" not in record_words.kind(entity)


@pytest.mark.parametrize(("entity", "fields", "words"), [
    ("person", "phone, postcode", "Changed phone number and postcode"),
    ("person", "given_name, family_name, email", "Changed first name, last name and "
     "email address"),
    ("follow_up", "done_at, done_by, outcome", "Marked it done"),
    ("follow_up", "due_date, due_time", "Changed date due and time due"),
    ("referral", "status, status_at", "Moved it on to a new status"),
    ("person", "deleted_at", "Restored it"),
    ("person_merge", "undone_at", "Undid the merge"),
    ("advisor", "password_hash, sealed_key", "Changed the password"),
    ("prescription", "sheet_at, sheet_how, sheet_by", "Gave the take-home sheet"),
    ("conversation", "what_matters, updated_at", "Changed what matters to them"),
])
def test_a_change_reads_as_what_was_done(entity, fields, words):
    assert audit.in_words("change", entity, fields) == words


def test_a_drop_in_reads_as_what_was_done(store, advisor):
    store.advisor_id = advisor.id
    with store.session() as s:
        person = people.register(s, {"given_name": "Siobhan", "family_name": "Kearney"},
                                 advisor.id, "walton", today=TODAY)
        dropin.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                             "mode": "drop_in", "needs": ["employment", "housing"]},
            "items": [{"kind": "partner_service", "service_id": SERVICE,
                       "title": "Help with the tenancy", "why": "", "first_step": "",
                       "refer": True, "referral_status": "agreed"}]}, today=TODAY)
    with store.session() as s:
        rows = audit.read(s, audit.Filters(person_ids=(person.id,))).rows
        s.get(Person, person.id).postcode = "L9 2AF"
    assert sorted(r.detail for r in rows) == sorted([
        "Registered them", "Recorded a drop-in", "Noted a need they raised",
        "Noted a need they raised", "Wrote a social prescription",
        "Added an item to a social prescription",
        "Made a referral to Example Housing Trust", "Moved a referral on: agreed"])
    with store.session() as s:
        newest = audit.read(s, audit.Filters(person_ids=(person.id,)), limit=1).rows[0]
    assert (newest.action, newest.record, newest.detail) == (
        "Changed a record", "Person's details", "Changed postcode")
