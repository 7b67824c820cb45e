"""The NHS number: ten digits, the last a check digit (modulus 11).

Optional on a person (``Person.nhs_number``, "" when not recorded). Typed with or
without spaces ("943 476 5919", "9434765919", "943-476-5919"), kept as the ten digits,
shown in the NHS's 3-3-4 groups ("943 476 5919").

The check digit (NHS Data Dictionary, "NHS Number"): multiply each of the first nine
digits by a weight from 10 down to 2, add them up, and take the remainder on dividing by
11 from 11. A result of 11 makes the check digit 0; a result of 10 means no number has
those nine digits (it is not a valid NHS number); otherwise it is the check digit.
"""

from __future__ import annotations

import re

from lr_desk.services.validation import clean_text

LENGTH = 10
NOT_VALID = "This is not a valid NHS number: please check the digits."
NOT_TEN = "An NHS number has 10 digits, for example 943 476 5919."
# what may sit between the digits as people type them (spaces, dashes, dots)
_SEPARATORS = re.compile(r"[\s\-.]+")


def check_digit(first_nine: str) -> int | None:
    """The check digit the first nine digits call for, or None if they call for 10 (no
    NHS number begins with them)."""
    if len(first_nine) != LENGTH - 1 or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError("nine digits are needed")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def is_valid(digits: str) -> bool:
    """Whether ``digits`` (ten, no spaces) is an NHS number: its check digit right."""
    if len(digits) != LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    return check_digit(digits[:-1]) == int(digits[-1])


def normalise(value: str | None) -> str:
    """What was typed as the ten digits kept ("" stays ""). Raises ValueError with a
    message in plain words if it is not an NHS number."""
    text = _SEPARATORS.sub("", clean_text(value))
    if not text:
        return ""
    if not text.isascii() or not text.isdigit() or len(text) != LENGTH:
        raise ValueError(NOT_TEN)
    if not is_valid(text):
        raise ValueError(NOT_VALID)
    return text


def shown(digits: str | None) -> str:
    """The NHS number as people read it: "943 476 5919" ("" when not recorded; anything
    that is not ten digits as it is)."""
    if not digits:
        return ""
    if len(digits) != LENGTH or not digits.isdigit():
        return digits
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
