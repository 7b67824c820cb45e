"""Checking what advisors type: postcodes, dates, dates of birth, names, notes, phones,
emails. Every problem is a ValidationError naming the field, with a plain message."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lr_desk.services import dropin, people
from lr_desk.services.validation import (
    ValidationError,
    check_date_of_birth,
    check_name,
    clean_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_date,
    parse_time,
    phone_digits,
)
from lr_desk.store.models import Conversation, Person

TODAY = date(2025, 6, 11)


def errors_of(raw: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        people.validate_person(raw, today=TODAY)
    errors = info.value.errors
    assert errors and all(isinstance(m, str) and m for m in errors.values())
    return errors


def valid(**raw) -> dict:
    raw.setdefault("given_name", "Jo")
    raw.setdefault("family_name", "Bloggs")
    return people.validate_person(raw, today=TODAY)


# --- postcodes -------------------------------------------------------------------------


@pytest.mark.parametrize("typed, stored", [
    ("l92af", "L9 2AF"),
    ("L9 2AF", "L9 2AF"),
    ("  l9   2af ", "L9 2AF"),
    ("PR8 1NW", "PR8 1NW"),
    ("pr81nw", "PR8 1NW"),
    ("L20 7AP", "L20 7AP"),
    ("ec1a1bb", "EC1A 1BB"),
    ("W1A 0AX", "W1A 0AX"),
    ("", ""),
])
def test_postcodes_are_normalised(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("garbage", ["hello", "12345", "L9", "L9 2A", "L9 2AFF", "LLL9 2AF",
                                     "9L 2AF", "L9-2AF!", "😀"])
def test_garbage_postcodes_are_rejected_with_a_message(garbage):
    with pytest.raises(ValueError, match="postcode"):
        normalise_postcode(garbage)
    errors = errors_of({"given_name": "Jo", "family_name": "Bloggs", "postcode": garbage})
    assert set(errors) == {"postcode"}
    assert "postcode" in errors["postcode"]


def test_a_person_postcode_is_stored_normalised():
    assert valid(postcode="l92af")["postcode"] == "L9 2AF"


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "12/03/1980", "12-3-80", "12-03-1980", "12.03.1980", "1980-03-12", "12 Mar 1980",
    "12 March 1980", "12 march 1980", "12th March 1980", "12031980", "120380", " 12/3/1980 ",
])
def test_dates_in_several_formats(typed):
    assert parse_date(typed, TODAY) == date(1980, 3, 12)


def test_two_digit_years_are_in_the_past_century_window():
    assert parse_date("01/01/05", TODAY) == date(2005, 1, 1)
    assert parse_date("01/01/25", TODAY) == date(2025, 1, 1)
    assert parse_date("01/01/26", TODAY) == date(1926, 1, 1)


@pytest.mark.parametrize("impossible", ["31/02/1990", "29/02/2023", "32/01/1990", "12/13/1990",
                                        "00/01/1990", "1990-02-30", "31 Apr 1990"])
def test_impossible_dates_are_rejected(impossible):
    with pytest.raises(ValueError, match="doesn't exist"):
        parse_date(impossible, TODAY)


def test_a_leap_day_is_a_date():
    assert parse_date("29/02/2024", TODAY) == date(2024, 2, 29)


@pytest.mark.parametrize("garbage", ["yesterday", "12/03", "1980", "12 Smarch 1980", "//", "😀"])
def test_unreadable_dates_are_rejected_with_a_message(garbage):
    with pytest.raises(ValueError) as info:
        parse_date(garbage, TODAY)
    assert str(info.value)


@pytest.mark.parametrize("dob, field_message", [
    ("31/02/1990", "doesn't exist"),
    ("12/06/2025", "future"),
    ("01/01/2030", "future"),
    ("01/01/1850", "120"),
    ("not a date", "day/month/year"),
])
def test_bad_dates_of_birth_are_field_errors(dob, field_message):
    errors = errors_of({"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": dob})
    assert set(errors) == {"date_of_birth"}
    assert field_message in errors["date_of_birth"]


def test_a_date_of_birth_today_or_empty_is_fine():
    assert check_date_of_birth("11/06/2025", TODAY) == TODAY
    assert check_date_of_birth("", TODAY) is None
    assert valid(date_of_birth="12 Mar 1980")["date_of_birth"] == date(1980, 3, 12)


@pytest.mark.parametrize("typed, stored", [("9:30", "09:30"), ("14.05", "14:05"), ("", "")])
def test_times(typed, stored):
    assert parse_time(typed) == stored


@pytest.mark.parametrize("bad", ["25:00", "9:60", "noon", "930"])
def test_bad_times(bad):
    with pytest.raises(ValueError, match="hours:minutes"):
        parse_time(bad)


# --- names and text -------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\x00\x07"])
def test_empty_names_are_rejected(blank):
    errors = errors_of({"given_name": blank, "family_name": blank})
    assert set(errors) == {"given_name", "family_name"}
    assert errors["given_name"] == "Please enter the first name."
    assert errors["family_name"] == "Please enter the last name."


def test_missing_names_are_rejected():
    assert set(errors_of({})) == {"given_name", "family_name"}


def test_overlong_names_are_rejected():
    errors = errors_of({"given_name": "J" * 101, "family_name": "Bloggs"})
    assert "at most 100" in errors["given_name"]


def test_all_errors_come_back_at_once():
    errors = errors_of({"given_name": "", "family_name": "Bloggs", "postcode": "xx",
                        "date_of_birth": "31/02/1990", "phone": "abc", "email": "nope",
                        "referral_source": "carrier pigeon", "needs_interpreter": True})
    assert set(errors) == {"given_name", "postcode", "date_of_birth", "phone", "email",
                           "referral_source", "interpreter_language"}


NAMES = [
    ("Zoë 🌈", "O'Brien ✨"),
    ("محمد", "العلي"),               # Arabic
    ("שרה", "כהן"),                  # Hebrew
    ("Siân", "Ní Bhriain"),
    ("👩🏽‍🦱", "Family 👨‍👩‍👧‍👦"),   # zero-width joiners and skin tones
    ("Nguyễn", "Thị Minh Khai"),
    ("Łucja", "Żółć-Gęślą"),
]


@pytest.mark.parametrize("given, family", NAMES)
def test_every_script_and_emoji_is_stored_and_read_back_exactly(store, advisor, given, family):
    with store.session() as s:
        pid = people.register(s, {"given_name": given, "family_name": family},
                              advisor.id, "walton", today=TODAY).id
    store.engine.dispose()  # read back from the file, not from memory
    with store.session() as s:
        p = s.get(Person, pid)
        assert (p.given_name, p.family_name) == (given, family)


def test_right_to_left_marks_inside_a_name_are_kept():
    name = "\u200fسارة\u200f"
    assert check_name(f"  {name} ", "first name") == name


@pytest.mark.parametrize("dirty, clean", [
    ("Jo\x00", "Jo"),
    ("\x1b[31mJo", "[31mJo"),
    ("J\x07o\x08", "Jo"),
    ("Jo\x7f", "Jo"),
    ("Jo\x85nes", "Jones"),
    ("\x0bJo\x0c", "Jo"),
])
def test_control_characters_are_stripped(dirty, clean):
    assert clean_text(dirty) == clean
    assert valid(given_name=dirty)["given_name"] == clean


def test_line_breaks_and_tabs_are_kept_in_notes():
    assert clean_text("line one\n\tline two\r\nthree") == "line one\n\tline two\r\nthree"


def test_a_10000_character_note_is_stored_intact(store, make_person, advisor, today):
    note = ("What matters to me: 🌱 walking, العربية, עברית, line\n" * 400)[:9_999] + "."
    assert len(note) == 10_000 and note == note.strip()
    person = make_person()
    with store.session() as s:
        result = dropin.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": note, "private_notes": note},
        }, today=today)
    store.engine.dispose()
    with store.session() as s:
        conv = s.get(Conversation, result.conversation_id)
        assert conv.what_matters == note
        assert conv.private_notes == note


def test_an_absurdly_long_note_is_a_field_error(store, make_person, advisor, today):
    person = make_person()
    with pytest.raises(ValidationError) as info, store.session() as s:
        dropin.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": "x" * 50_001}}, today=today)
    assert "too long" in info.value.errors["conversation.what_matters"]
    with store.session() as s:
        assert s.scalars(select(Conversation)).all() == []


# --- phones and emails ----------------------------------------------------------------


@pytest.mark.parametrize("typed, stored", [
    ("0151 478 6556", "0151 478 6556"),
    ("  01704   383 198 ", "01704 383 198"),
    ("+44 151 123 4567", "+44 151 123 4567"),
    ("(0151) 330-6461", "(0151) 330-6461"),
    ("07700900123", "07700900123"),
    ("", ""),
])
def test_good_phones(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("bad, why", [
    ("call me", "digits"),
    ("0151 478 655x", "digits"),
    ("++44 151 123 4567", "digits"),
    ("0151 123 +4567", "digits"),
    ("123456", "between 7 and 15"),
    ("0151 123 4567 8901 234", "between 7 and 15"),
])
def test_bad_phones(bad, why):
    with pytest.raises(ValueError, match=why):
        normalise_phone(bad)
    assert set(errors_of({"given_name": "Jo", "family_name": "B", "phone": bad})) == {"phone"}


@pytest.mark.parametrize("a, b", [
    ("+44 151 123 4567", "0151 123 4567"),
    ("0044 151 123 4567", "01511234567"),
    ("(0151) 123-4567", "0151 123 4567"),
    ("+44 (0)151 123 4567", "0151.123.4567"),
    ("+44 0151 123 4567", "01511234567"),
])
def test_phone_digits_match_however_written(a, b):
    assert phone_digits(a) == phone_digits(b) == "01511234567"


@pytest.mark.parametrize("good", ["name@example.org", "first.last+tag@nhs.net", " jo@x.co.uk "])
def test_good_emails(good):
    assert normalise_email(good) == good.strip()


@pytest.mark.parametrize("bad", ["nope", "jo@", "@example.org", "jo@example", "jo smith@x.org",
                                 "jo@@example.org"])
def test_bad_emails(bad):
    with pytest.raises(ValueError, match="email"):
        normalise_email(bad)
    assert set(errors_of({"given_name": "Jo", "family_name": "B", "email": bad})) == {"email"}


def test_an_interpreter_needs_a_language():
    errors = errors_of({"given_name": "Jo", "family_name": "B", "needs_interpreter": True})
    assert set(errors) == {"interpreter_language"}
    assert valid(needs_interpreter=True, interpreter_language="Polish")["needs_interpreter"]


# --- nothing but ValidationError ------------------------------------------------------

WEIRD = ["", " ", None, "\x00", "😀" * 200, "9" * 400, "31/02/1990", "0/0/0", "00000000",
         "99-99-99", "0000-00-00", "1 Foo 2000", "+", "@", "١٢/٠٣/١٩٨٠", "Ⅻ"]


@pytest.mark.parametrize("value", WEIRD)
def test_any_typed_value_gives_a_validation_error_or_clean_values(value):
    raw = {field: value for field in people.TEXT_FIELDS}
    raw["referral_source"] = "self"
    try:
        people.validate_person(raw, today=TODAY)
    except ValidationError as exc:
        assert exc.errors and set(exc.errors) <= set(people.TEXT_FIELDS)
        assert all(isinstance(m, str) and m for m in exc.errors.values())
