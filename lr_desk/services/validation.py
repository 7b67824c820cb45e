"""Checking and normalising what advisors type. Messages are plain words for the field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

MAX_NAME = 100
MAX_TEXT = 50_000


class ValidationError(ValueError):
    """One or more fields are wrong; ``errors`` maps field name to a message for that field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# A full UK postcode (BS 7666 shape), and its outward part alone.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
# C0 controls except tab, LF and CR; DEL; and the C1 controls (U+0080-U+009F).
_CONTROL = dict.fromkeys(c for c in (*range(32), *range(127, 160)) if c not in (9, 10, 13))


MAX_SHORT = 1_000  # a postcode, phone, email, date or time, with room to spare
BROKEN = ("This has a broken character in it (often left by copying and pasting): please "
          "type it again.")
NOT_TEXT = "This should be typed text: please type it again."


def storable(value) -> bool:
    """Whether ``value`` is text SQLite can store (no lone surrogate)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def an_id(value) -> str | None:
    """A record's id as a form sent it (a choice in a list), or None if it cannot be one."""
    return value if storable(value) and 0 < len(value) <= 64 else None


def _text(value) -> str:
    """``value`` as text that can be stored, control characters (NUL too) dropped; None is
    empty. Anything but a string (a damaged draft, a wrong caller), or a string with a
    lone surrogate (half a character: SQLite cannot store it), is refused with
    ValueError in plain words, for the field."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(NOT_TEXT)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(BROKEN) from None
    return value.translate(_CONTROL)


def clean_text(value: str | None) -> str:
    """Strip surrounding space and control characters; keep every script and emoji. For
    short fields: a value far longer than any of them is refused (ValueError)."""
    text = _text(value).strip()
    if len(text) > MAX_SHORT:
        raise ValueError(f"This is far too long ({len(text):,} characters): please check it.")
    return text


def normalise_postcode(value: str) -> str:
    """'l92af' -> 'L9 2AF'. Empty stays empty. Raises ValueError with a message."""
    text = re.sub(r"\s+", "", clean_text(value)).upper()
    if not text:
        return ""
    m = POSTCODE_RE.match(text)
    if not m:
        raise ValueError("This doesn't look like a UK postcode, for example L9 2AF.")
    return f"{m.group(1)} {m.group(2)}"


def normalise_phone(value: str) -> str:
    text = clean_text(value)
    if not text:
        return ""
    if not re.fullmatch(r"\+?[0-9()\-\s.]+", text):
        raise ValueError("A phone number can only have digits, spaces and a leading +.")
    digits = phone_digits(text)
    if not 7 <= len(digits) <= 15:
        raise ValueError("A phone number has between 7 and 15 digits.")
    return re.sub(r"\s+", " ", text)


def phone_digits(value: str) -> str:
    """Just the digits, with +44 written as a leading 0, for matching."""
    digits = re.sub(r"\D", "", value or "")
    if (value or "").strip().startswith("+44") or digits.startswith("0044"):
        # +44 (0)151 ...: the trunk 0 written after the country code is dropped too
        digits = "0" + digits.removeprefix("00").removeprefix("44").removeprefix("0")
    return digits


def normalise_email(value: str) -> str:
    text = clean_text(value)
    if len(text) > 254:  # the most an address can be (RFC 5321)
        raise ValueError("An email address has at most 254 characters.")
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ValueError("This doesn't look like an email address, for example name@example.org.")
    return text


MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORD_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]{3,9})\.?,?[\s\-]+(\d{2}|\d{4})$")
_COMPACT_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$")


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:  # two-digit years are in the past century window
        year += 2000 if year <= today.year % 100 else 1900
    return year


def parse_date(value: str, today: date | None = None) -> date:
    """Read a UK-style date: 12/03/1980, 12-3-80, 12.03.1980, 1980-03-12, 12 Mar 1980,
    12031980. Raises ValueError with a message."""
    today = today or date.today()
    text = clean_text(value).lower()
    day = month = year = None
    if m := _ISO_DATE.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _NUMERIC_DATE.match(text) or _COMPACT_DATE.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), _year(m.group(3), today)
    elif m := _WORD_DATE.match(text):
        month = MONTHS.get(m.group(2)[:3])
        if month is None:
            raise ValueError(f"'{m.group(2)}' isn't a month I know.")
        day, year = int(m.group(1)), _year(m.group(3), today)
    else:
        raise ValueError("Please write the date as day/month/year, for example 14/02/1985.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("That date doesn't exist; please check the day and month.") from None


def check_date_of_birth(value: str, today: date | None = None) -> date | None:
    today = today or date.today()
    if not clean_text(value):
        return None
    born = parse_date(value, today)
    if born > today:
        raise ValueError("The date of birth can't be in the future.")
    if today.year - born.year > 120:
        raise ValueError("That would make them over 120; please check the year.")
    return born


def check_name(value: str, label: str, required: bool = True) -> str:
    text = unicodedata.normalize("NFC", _text(value).strip())
    if required and not text:
        raise ValueError(f"Please enter the {label}.")
    if len(text) > MAX_NAME:
        raise ValueError(f"The {label} can be at most {MAX_NAME} characters.")
    return text


def check_text(value: str, label: str, max_len: int = MAX_TEXT) -> str:
    text = unicodedata.normalize("NFC", _text(value).strip())
    if len(text) > max_len:
        raise ValueError(f"The {label} is too long ({len(text):,} characters, "
                         f"at most {max_len:,}).")
    return text


def parse_time(value: str) -> str:
    """'9:30' -> '09:30'; empty stays empty."""
    text = clean_text(value)
    if not text:
        return ""
    m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
    try:
        if not m:
            raise ValueError
        return time(int(m.group(1)), int(m.group(2))).strftime("%H:%M")
    except ValueError:
        raise ValueError("Please write the time as hours:minutes, for example 10:30.") from None


def check_choice(value: str, choices: dict[str, str], label: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"Please choose the {label}.")
    return value


class Checker:
    """Collects field errors: ``v = c.field("postcode", normalise_postcode, raw)``."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def field(self, name: str, fn, *args):
        try:
            return fn(*args)
        except ValueError as exc:
            self.errors[name] = str(exc)
            return None

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_all(*checks) -> None:
    """Run every check (each raises ValidationError or not); then raise one
    ValidationError with every field's message, so a form shows them all at once."""
    errors: dict[str, str] = {}
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)


def as_datetime(day: date, hhmm: str = "") -> datetime:
    if hhmm:
        return datetime.combine(day, time.fromisoformat(hhmm))
    return datetime.combine(day, time())
