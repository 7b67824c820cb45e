"""The partners' new records and fields (issue 12) in the audit log's and Needs review's
words: contacts, catch-ups, capacity and eligibility, a referral's override, view and
letter, corrections and chases, service gaps, whether a person receives benefits. Every
field's words are checked by test_audit_words; here, the deeds and the choices."""

from __future__ import annotations

import pytest

from lr_desk.services import audit, people, record_words
from lr_desk.services.audit import Filters
from lr_desk.services.validation import ValidationError
from tests.conftest import TODAY


@pytest.mark.parametrize(("entity", "fields", "words"), [
    ("referral", "letter_at, letter_how, letter_by", "Gave the referral letter"),
    ("referral", "view, view_words, view_at", "Recorded their view of whether it helped"),
    ("referral", "override_warnings, override_reason",
     "Changed what the checks said when it was made anyway and why it was made anyway"),
    ("partner_catchup", "held_on, who, notes", "Recorded the catch-up as held"),
    ("partner_service", "capacity, paused_until",
     "Changed whether it is taking referrals and date it is paused until"),
    ("partner_service", "benefits_rule, catchment",
     "Changed who it is for, by benefits and area it covers"),
    ("person", "on_benefits", "Changed whether they receive benefits"),
    ("partner_contact", "is_key", "Changed whether they are the key contact"),
    ("service_gap", "words", "Changed what was needed, in words"),
])
def test_a_change_reads_as_what_was_done(entity, fields, words):
    assert audit.in_words("change", entity, fields) == words


@pytest.mark.parametrize(("entity", "words"), [
    ("partner_contact", "Made a contact at a partner"),
    ("partner_catchup", "Made a catch-up with a partner"),
    ("service_gap", "Made a note of a need no service could meet"),
])
def test_new_kinds_of_record_are_named(entity, words):
    assert audit.in_words("create", entity, "") == words
    assert "_" not in record_words.kind(entity)


@pytest.mark.parametrize(("entity", "name", "value", "words"), [
    ("person", "on_benefits", "yes", "Receives benefits"),
    ("person", "on_benefits", "no", "Does not receive benefits"),
    ("person", "on_benefits", "", "Not asked"),
    ("referral", "view", "helped_bit", "It helped a bit"),
    ("referral", "letter_how", "printed", "Printed"),
    ("referral_event", "kind", "correction", "Correction"),
    ("referral_event", "kind", "chase", "Chased"),
    ("referral_event", "from_status", "accepted", "Accepted"),
    ("referral_event", "reason_code", "no_capacity", "No capacity"),
    ("partner_service", "capacity", "paused", "Paused"),
    ("partner_service", "takes_per", "week", "a week"),
    ("partner_service", "benefits_rule", "not_on", "Only people not on benefits"),
    ("partner_service", "benefits_rule", "", "Anyone"),
    ("partner_service", "paused_until", "2026-03-03", "3 Mar 2026"),
    ("partner_service", "once_only", True, "Yes"),
])
def test_choices_read_in_words(entity, name, value, words):
    assert record_words.value_words(entity, name, value) == words


def test_the_audit_log_says_a_change_of_benefits_in_words(store, advisor):
    store.advisor_id = advisor.id
    with store.session() as s:
        person = people.register(s, {"given_name": "Nuala", "family_name": "Brennan"},
                                 advisor.id, "walton", today=TODAY)
    with store.session() as s:
        people.update(s, person.id, {**people.as_form(person), "on_benefits": "yes"},
                      today=TODAY)
    with store.session() as s:
        newest = audit.read(s, Filters(person_ids=(person.id,)), limit=1).rows[0]
    assert (newest.record, newest.detail) == ("Person's details",
                                              "Changed whether they receive benefits")


def test_benefits_is_optional_and_only_one_of_its_answers():
    base = {"given_name": "Nuala", "family_name": "Brennan"}
    assert people.validate_person(base)["on_benefits"] == ""
    assert people.validate_person({**base, "on_benefits": None})["on_benefits"] == ""
    assert people.validate_person({**base, "on_benefits": "no"})["on_benefits"] == "no"
    with pytest.raises(ValidationError) as bad:
        people.validate_person({**base, "on_benefits": "sometimes"})
    assert bad.value.errors == {"on_benefits": "Please choose the answer about benefits."}
