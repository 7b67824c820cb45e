"""Registering and updating people, the form round trip, and likely existing records."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lr_desk.services import people
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Person

TODAY = date(2025, 6, 11)

FULL = {
    "given_name": "  Siân ", "family_name": "O'Brien", "preferred_name": "Shan",
    "date_of_birth": "12 Mar 1980", "postcode": "l92af", "phone": "0151 123 4567",
    "email": "sian@example.org", "referral_source": "gp",
    "referral_source_detail": "Dr Patel, Walton Medical Centre",
    "service_user": True, "carer": False, "needs_large_print": True, "needs_easy_read": False,
    "needs_interpreter": True, "interpreter_language": "Welsh", "needs_bsl": False,
    "communication_other": "Prefers a phone call to a letter.",
}


def test_register_stores_clean_values(store, advisor):
    with store.session() as s:
        person = people.register(s, FULL, advisor.id, "southport", today=TODAY)
    with store.session() as s:
        p = s.get(Person, person.id)
        assert p.given_name == "Siân"
        assert p.date_of_birth == date(1980, 3, 12)
        assert p.postcode == "L9 2AF"
        assert p.referral_source == "gp"
        assert p.service_user and p.needs_large_print and p.needs_interpreter
        assert p.interpreter_language == "Welsh"
        assert p.registered_by == advisor.id
        assert p.registered_site == "southport"
        assert p.display_name == "Shan O'Brien"


def test_register_refuses_bad_values_and_writes_nothing(store, advisor, outbox):
    before = outbox.count()
    with pytest.raises(ValidationError) as info, store.session() as s:
        people.register(s, {"given_name": "", "family_name": "X", "postcode": "nope"},
                        advisor.id, "walton", today=TODAY)
    assert set(info.value.errors) == {"given_name", "postcode"}
    with store.session() as s:
        assert s.query(Person).count() == 0
    assert outbox.count() == before


def test_as_form_round_trips(store, advisor):
    with store.session() as s:
        person = people.register(s, FULL, advisor.id, "walton", today=TODAY)
    form = people.as_form(person)
    assert form["date_of_birth"] == "12/03/1980"
    assert set(form) == set(people.TEXT_FIELDS) | set(people.FLAG_FIELDS)
    again = people.validate_person(form, today=TODAY)
    for key, value in again.items():
        assert getattr(person, key) == value, key


def test_as_form_of_a_person_with_no_date_of_birth(make_person):
    form = people.as_form(make_person())
    assert form["date_of_birth"] == ""
    assert people.validate_person(form, today=TODAY)["date_of_birth"] is None


def test_update_changes_the_record(store, make_person):
    person = make_person(given_name="Ann", family_name="Lee", postcode="L9 2AF")
    form = people.as_form(person)
    form.update(family_name="Lee-Smith", postcode="pr8 1nw", carer=True)
    with store.session() as s:
        people.update(s, person.id, form, today=TODAY)
    with store.session() as s:
        p = s.get(Person, person.id)
        assert (p.family_name, p.postcode, p.carer) == ("Lee-Smith", "PR8 1NW", True)
        assert p.given_name == "Ann"


def test_update_validates(store, make_person):
    person = make_person(family_name="Lee")
    form = people.as_form(person)
    form["date_of_birth"] = "31/02/1990"
    with pytest.raises(ValidationError) as info, store.session() as s:
        people.update(s, person.id, form, today=TODAY)
    assert set(info.value.errors) == {"date_of_birth"}


def test_update_of_a_tombstoned_person_is_refused(store, make_person):
    person = make_person()
    with store.session() as s:
        s.get(Person, person.id).deleted_at = datetime(2025, 1, 1)
    with pytest.raises(LookupError), store.session() as s:
        people.update(s, person.id, people.as_form(person), today=TODAY)


# --- likely matches -------------------------------------------------------------------


def matches(store, given, family, dob=None, phone="", exclude_id=None):
    with store.session() as s:
        return people.likely_matches(s, given, family, dob, phone, exclude_id)


def test_same_date_of_birth_and_similar_name(store, make_person):
    existing = make_person(given_name="Siobhan", family_name="O'Brien",
                           date_of_birth="12/03/1980")
    found = matches(store, "Siobhán", "OBrien", date(1980, 3, 12))
    assert [m.person.id for m in found] == [existing.id]
    assert "date of birth" in found[0].why


def test_names_in_the_other_order_still_match(store, make_person):
    existing = make_person(given_name="Ann", family_name="Lee", date_of_birth="12/03/1980")
    found = matches(store, "Lee", "Ann", date(1980, 3, 12))
    assert [m.person.id for m in found] == [existing.id]


def test_a_preferred_name_matches(store, make_person):
    existing = make_person(given_name="Elizabeth", family_name="Jones", preferred_name="Liz",
                           date_of_birth="01/01/1970")
    found = matches(store, "Liz", "Jones", date(1970, 1, 1))
    assert [m.person.id for m in found] == [existing.id]


def test_same_date_of_birth_and_a_different_name_is_not_a_match(store, make_person):
    make_person(given_name="Ann", family_name="Lee", date_of_birth="12/03/1980")
    assert matches(store, "Robert", "Fitzgerald", date(1980, 3, 12)) == []


@pytest.mark.parametrize("stored, typed", [
    ("+44 151 123 4567", "0151 123 4567"),
    ("0151 123 4567", "+44 151 123 4567"),
    ("0151-123-4567", "01511234567"),
    ("(0151) 123 4567", "0151 123 4567"),
    ("0151.123.4567", "+44 (0)151 123 4567"),
])
def test_same_phone_written_differently(store, make_person, stored, typed):
    existing = make_person(given_name="Ann", family_name="Lee", phone=stored)
    found = matches(store, "Someone", "Else", None, typed)
    assert [m.person.id for m in found] == [existing.id]
    assert found[0].why == "same phone number"


def test_no_false_positive_for_a_different_dob_and_phone(store, make_person):
    make_person(given_name="Ann", family_name="Lee", date_of_birth="12/03/1980",
                phone="0151 123 4567")
    assert matches(store, "Ann", "Lee", date(1981, 3, 12), "0151 765 4321") == []


def test_a_phone_sharing_only_its_ending_is_not_a_match(store, make_person):
    make_person(given_name="Ann", family_name="Lee", phone="0151 123 4567")
    # same last nine digits, different number
    assert matches(store, "Bob", "Smith", None, "0251 123 4567") == []


def test_nothing_to_match_on(store, make_person):
    make_person(given_name="Ann", family_name="Lee")
    assert matches(store, "Ann", "Lee") == []


def test_the_person_being_edited_is_not_their_own_match(store, make_person):
    existing = make_person(given_name="Ann", family_name="Lee", date_of_birth="12/03/1980")
    assert matches(store, "Ann", "Lee", date(1980, 3, 12), exclude_id=existing.id) == []


def test_tombstoned_people_are_not_matches(store, make_person):
    existing = make_person(given_name="Ann", family_name="Lee", date_of_birth="12/03/1980")
    with store.session() as s:
        s.get(Person, existing.id).deleted_at = datetime(2025, 1, 1)
    assert matches(store, "Ann", "Lee", date(1980, 3, 12)) == []


def test_a_surname_alone_is_not_taken_for_a_similar_name(store, advisor):
    with store.session() as s:
        people.register(s, {"given_name": "Mo", "family_name": "Kennedy",
                            "date_of_birth": "01/02/1990"}, advisor.id, "walton")
        # "jo kennedy" is 70% like "mo kennedy", but 82% like " kennedy" alone
        assert people.likely_matches(s, "Jo", "Kennedy", date(1990, 2, 1)) == []
        assert [m.why for m in people.likely_matches(s, "Mo", "Kennedy", date(1990, 2, 1))] \
            == ["same date of birth and a similar name"]
