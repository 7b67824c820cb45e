"""What was typed into the Find box, sorted into its parts: name words, dates of birth,
years, postcodes and phone numbers (in any order, as people write them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lr_desk.services.names import name_tokens, unaccent
from lr_desk.services.validation import MONTHS, parse_date, phone_digits

_DROPPED = str.maketrans("", "", "'’`.")


@dataclass(slots=True)
class Query:
    names: list[str]
    dates: list[date]
    years: list[int]
    postcodes: list[str]  # folded: "l9 2af" for a full postcode, "l9 " for an outward code
    digits: list[str]  # phone fragments

    @property
    def empty(self) -> bool:
        return not (self.names or self.dates or self.years or self.postcodes or self.digits)


MAX_QUERY = 200  # characters looked at: more is never a search, only a paste gone wrong

# Only ASCII digits count as digits (re.ASCII): int() and dates can't read other scripts'.
_DATE_PATTERNS = [
    # 1980-03-12, 1980/03/12, 1980.03.12
    (re.compile(r"\b(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})\b", re.ASCII), "{0}-{1}-{2}"),
    # 12/03/1980, 12-3-80, 1.2.85
    (re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b", re.ASCII), "{0}/{1}/{2}"),
    # 12 03 1980: spaces only with a four-digit year, and not inside a run of digit groups
    (re.compile(r"(?<!\d)(?<!\d\s)\b(\d{1,2})\s+(\d{1,2})\s+(\d{4})\b", re.ASCII),
     "{0}/{1}/{2}"),
    # 12 Mar 1980, 12th March, 1980
    (re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + "|".join(MONTHS) +
                r")[a-z]*\.?,?\s+(?:\d{4}|\d{2})\b", re.ASCII), None),
]
# the start of a date still being typed: 14/ 14/0 14/02/ 14.02.19 14-02-198
_PARTIAL_DATE = re.compile(r"\d{1,2}[/.\-](?:\d{1,2}(?:[/.\-]\d{0,3})?)?", re.ASCII)
# ... or with spaces, at the end of what was typed: 14 02 1, 14 02 198
_PARTIAL_SPACED_DATE = re.compile(r"(?<!\d)(?<!\d\s)\b(\d{1,2})\s+(\d{1,2})\s+\d{1,3}\s*$",
                                  re.ASCII)
_AS_SPACES = str.maketrans(",()-/", "     ")  # after dates: 0151-478-6556, (0151) 478 6556
_PHONE = re.compile(r"\+?\d[\d\s]{5,}\d", re.ASCII)
OUTWARD = re.compile(r"[a-z]{1,2}\d[a-z\d]?", re.ASCII)
_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})\b", re.ASCII)


def _digits(token: str) -> bool:
    return token.isascii() and token.isdigit()


def parse_query(text: str, today: date | None = None) -> Query:
    q = Query([], [], [], [], [])
    # dates first, while their dots are still there ("1.2.85"; fold would make it "1285")
    rest = unaccent(text[:MAX_QUERY]).replace(",", " ")
    for pattern, layout in _DATE_PATTERNS:
        for m in list(pattern.finditer(rest)):
            try:
                q.dates.append(parse_date(layout.format(*m.groups()) if layout else m.group(0),
                                          today))
            except ValueError:
                continue
            rest = rest.replace(m.group(0), " ", 1)
    # a date half typed is left out rather than required, so results don't blank meanwhile
    if (m := _PARTIAL_SPACED_DATE.search(rest)) and _day_month(m.group(1), m.group(2)):
        rest = rest[:m.start()]
    rest = " ".join(t for t in rest.split() if not _PARTIAL_DATE.fullmatch(t))
    rest = rest.translate(_DROPPED).translate(_AS_SPACES)
    for m in _POSTCODE.finditer(rest):
        q.postcodes.append(f"{m.group(1)} {m.group(2)}")
        rest = rest.replace(m.group(0), " ", 1)
    # a phone number typed with spaces (or brackets and dashes, now spaces): join the groups
    for m in list(_PHONE.finditer(rest)):
        if _digits(m.group(0)) and len(m.group(0)) == 8 and _compact_date(m.group(0), today):
            continue  # 12031980: a date of birth, left for the token loop below
        if len(digits := phone_digits(m.group(0))) >= 3:  # "+44 (0)7" is just "07" so far
            q.digits.append(digits)
        rest = rest.replace(m.group(0), " ", 1)
    names: dict[str, None] = {}  # in order, each once
    for token in rest.split():
        if _digits(token):
            if len(token) == 4 and 1900 <= int(token) <= 2100:
                q.years.append(int(token))
            elif len(token) == 8 and (born := _compact_date(token, today)):
                q.dates.append(born)
            elif len(token) >= 3:
                q.digits.append(token)
        elif token[0].isascii() and token[0].isalpha() and any(map(_digits, token)):
            q.postcodes.append(f"{token} " if OUTWARD.fullmatch(token) else token)
        else:
            names.update((t, None) for t in name_tokens(token) if t)
    q.names = list(names)
    return q


def _day_month(day: str, month: str) -> bool:
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _compact_date(token: str, today: date | None) -> date | None:
    try:
        return parse_date(token, today)
    except ValueError:
        return None
