"""Turn what was typed in the search box into a new person's first details."""

from __future__ import annotations

import re
from datetime import date

from lr_desk.services.search import parse_query
from lr_desk.services.validation import POSTCODE_RE, normalise_postcode


def from_search(text: str, today: date | None = None) -> dict[str, str]:
    q = parse_query(text, today)
    out: dict[str, str] = {}
    if q.dates:
        out["date_of_birth"] = q.dates[0].strftime("%d/%m/%Y")
    full_postcodes = [p.upper() for p in q.postcodes if POSTCODE_RE.match(p.upper())]
    if full_postcodes:
        out["postcode"] = normalise_postcode(full_postcodes[0])
    long_digits = [d for d in q.digits if len(d) >= 10]
    if long_digits:
        out["phone"] = long_digits[0]
    # names keep the accents they were typed with; all-lowercase gets a capital
    words = [w if not w.islower() else w[:1].upper() + w[1:]
             for w in re.split(r"[\s,]+", text.strip())
             if _NAME.fullmatch(w) and w.lower() not in _MONTH_WORDS]
    if len(words) == 1:
        out["family_name"] = words[0]
    elif len(words) > 1:
        out["given_name"] = words[0]
        out["family_name"] = " ".join(words[1:])
    return out


_MONTH_WORDS = {"jan", "january", "feb", "february", "mar", "march", "apr", "april", "may",
                "jun", "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct",
                "october", "nov", "november", "dec", "december"}
_NAME = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
