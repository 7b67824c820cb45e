"""The NHS number: typed any way, kept as ten digits, its modulus-11 check digit checked,
shown as 943 476 5919; optional on a person, and saved and read back through the
person's own services."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lr_desk.services import nhs_number, people
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Person

# NHS Digital's own example number, and two more worked by hand:
# 9,4,3,4,7,6,5,9,1 x 10..2 = 90+36+24+28+42+30+20+27+2 = 299; 299 % 11 = 2; 11-2 = 9
GOOD = "9434765919"
# 4,0,1,0,2,3,2,1,3 x 10..2 = 40+0+8+0+12+15+8+3+6 = 92; 92 % 11 = 4; 11-4 = 7
GOOD_TOO = "4010232137"
# 0,0,0,0,0,0,0,0,0: 11-0 = 11, so the check digit is 0
ZEROS = "0000000000"


def weighted(nine: str) -> int:
    """The remainder rule, spelled out the long way (an oracle for the property test)."""
    total = 0
    for position, digit in enumerate(nine):
        total += int(digit) * (10 - position)
    return (11 - total % 11) % 11  # 11 -> 0; 10 stays 10


nines = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nines, st.integers(0, 9))
def test_exactly_one_last_digit_makes_a_number_unless_the_rule_gives_ten(nine, last):
    expected = weighted(nine)
    valid = nhs_number.is_valid(nine + str(last))
    assert valid == (expected == last)
    assert nhs_number.check_digit(nine) == (None if expected == 10 else expected)
    if expected == 10:  # no NHS number begins with these nine digits
        assert not any(nhs_number.is_valid(nine + str(d)) for d in range(10))


@given(nines, st.integers(0, 8), st.integers(1, 9))
def test_a_single_mistyped_digit_is_always_caught(nine, where, change):
    digit = nhs_number.check_digit(nine)
    if digit is None:
        return
    number = nine + str(digit)
    wrong = number[:where] + str((int(number[where]) + change) % 10) + number[where + 1:]
    assert nhs_number.is_valid(number)
    assert not nhs_number.is_valid(wrong)  # (weights 10..2 are all prime to 11)


@given(nines, st.sampled_from([" ", "  ", "-", ".", " - "]))
def test_typed_with_or_without_spaces_it_is_kept_as_ten_digits(nine, sep):
    digit = nhs_number.check_digit(nine)
    if digit is None:
        return
    number = nine + str(digit)
    typed = f" {number[:3]}{sep}{number[3:6]}{sep}{number[6:]} "
    assert nhs_number.normalise(typed) == number
    assert nhs_number.shown(number) == f"{number[:3]} {number[3:6]} {number[6:]}"


def test_known_numbers():
    assert nhs_number.normalise("943 476 5919") == GOOD
    assert nhs_number.normalise(GOOD) == GOOD
    assert nhs_number.normalise(GOOD_TOO) == GOOD_TOO
    assert nhs_number.normalise(ZEROS) == ZEROS
    assert nhs_number.shown(GOOD) == "943 476 5919"
    assert nhs_number.normalise("") == "" and nhs_number.normalise("   ") == ""
    assert nhs_number.shown("") == ""


@pytest.mark.parametrize("typed, message", [
    ("943 476 5918", nhs_number.NOT_VALID),  # the last digit wrong
    ("943 476 9519", nhs_number.NOT_VALID),  # two digits swapped
    ("123 456 7890", nhs_number.NOT_VALID),  # 1..9 call for a check digit of 10
    ("943 476 591", nhs_number.NOT_TEN),
    ("943 476 59190", nhs_number.NOT_TEN),
    ("943 476 591X", nhs_number.NOT_TEN),
    ("٩٤٣٤٧٦٥٩١٩", nhs_number.NOT_TEN),  # digits of another script: not an NHS number
])
def test_wrong_numbers_get_a_plain_message(typed, message):
    with pytest.raises(ValueError) as caught:
        nhs_number.normalise(typed)
    assert str(caught.value) == message


def test_the_message_the_person_form_shows():
    assert nhs_number.NOT_VALID == ("This is not a valid NHS number: please check the "
                                    "digits.")


def test_optional_on_a_person_kept_as_digits_and_checked(store, advisor, make_person):
    nobody = make_person()
    assert nobody.nhs_number == ""
    person = make_person(given_name="Nia", nhs_number="943 476 5919")
    with store.session() as s:
        assert s.get(Person, person.id).nhs_number == GOOD
        form = people.as_form(s.get(Person, person.id))
    assert form["nhs_number"] == "943 476 5919"  # the form shows it as people read it
    with store.session() as s:  # saved unchanged: nothing written for it
        people.update(s, person.id, form, loaded=form)
    with pytest.raises(ValidationError) as caught, store.session() as s:
        people.update(s, person.id, {**form, "nhs_number": "943 476 5918"}, loaded=form)
    assert caught.value.errors == {"nhs_number": nhs_number.NOT_VALID}
    with store.session() as s:
        people.update(s, person.id, {**form, "nhs_number": ""}, loaded=form)
    with store.session() as s:
        assert s.get(Person, person.id).nhs_number == ""  # taken off again
