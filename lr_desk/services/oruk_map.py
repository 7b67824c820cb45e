"""What an Open Referral UK (HSDS 3.0, or the UK's version 1) record says, in the
directory's fields: an organisation -> a Partner, a service -> a PartnerService, a
contact -> a PartnerContact; and what is wrong with a record, in plain words.

Each ``*_fields`` function is pure: the same record always maps to the same values, so
a re-import can tell what the feed changed (the new record's values against the old
one's) from what the desk refined (the row's values against the old record's). Rows
get ids made from the feed's ids (``row_id``), the same on every desk.

Need category: from the service's taxonomy terms (``taxonomy_terms``, ``attributes``'
terms, version 1's ``service_taxonomys``) where a word in them names one of ours, else
from words in its name and description, else ``DEFAULT_CATEGORY`` ("other").
"""

from __future__ import annotations

import functools
import re
import uuid

from lr_desk.services.oruk_values import (
    SIZES,
    Notes,
    age,
    email,
    items,
    one_line,
    phone,
    storable,
    text,
    too_big,
    web,
)

__all__ = ["SIZES", "Notes", "category", "contact_fields", "contacts", "feed_id",
           "one_line", "partner_fields", "row_id", "schedule_words", "service_fields",
           "storable", "terms", "text", "too_big"]

NAMESPACE = uuid.UUID("6f0c1d2e-4b7a-5c3e-9d41-0a7e2b5c8f13")  # lr_desk's, fixed for ever
DEFAULT_CATEGORY = "other"


PARTNER_FIELDS = ("name", "phone", "web", "notes")
SERVICE_FIELDS = ("name", "category", "description", "location", "when_text", "phone",
                  "web", "min_age", "max_age", "catchment", "criteria")
CONTACT_FIELDS = ("name", "role", "phone", "email")
LABELS = {"name": "name", "phone": "phone", "web": "web address", "notes": "notes",
          "category": "category", "description": "description", "location": "place",
          "when_text": "days and times", "min_age": "youngest age", "max_age": "oldest age",
          "catchment": "catchment", "criteria": "other criteria", "role": "role",
          "email": "email"}

# words in a taxonomy term, or in a service's name and description -> our categories
CATEGORY_WORDS = (
    ("debt_benefits", r"debt|benefit|money|financ|welfare|universal credit|budget"),
    ("housing", r"housing|homeless|tenan|accommodation|rough sleep|landlord|eviction"),
    ("employment", r"employ|job|career|work skills|back to work|cv\b|training for work"),
    ("volunteering", r"volunteer"),
    ("food_fuel", r"food|meal|fuel|energy bill|warm space|pantry|larder"),
    ("family_caring", r"famil|carer|caring|parent|child|young people|youth|baby"),
    ("physical_health", r"physical|exercise|fitness|sport|walk|diet|smok|health check"
                        r"|weight|disab"),
    ("mental_wellbeing", r"mental|wellbeing|well-being|counsel|anxiety|depress|stress"
                         r"|therap|emotional"),
    ("social_isolation", r"isolat|lonel|befriend|social group|friendship|community group"
                         r"|social activit"),
    ("learning", r"learn|course|education|college|class|literacy|numeracy|digital skills"),
)
_CATEGORY_RES = [(code, re.compile(words, re.IGNORECASE)) for code, words in CATEGORY_WORDS]

_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
         "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


@functools.lru_cache(maxsize=65536)
def row_id(kind: str, feed_id: str) -> str:
    """The row's id: the same on every desk that imports this feed (so they merge)."""
    return str(uuid.uuid5(NAMESPACE, f"oruk:{kind}:{feed_id}"))


def feed_id(record) -> str:
    """The record's id in the feed as text ("" when it has none usable)."""
    value = record.get("id") if isinstance(record, dict) else None
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, str)):
        return str(value).strip()
    return ""


# -- organisation -> partner ------------------------------------------------------------


def partner_fields(org: dict, notes: Notes | None = None) -> dict:
    notes = notes or Notes()
    phones = [p.get("number") for p in items(org, "phones")]
    return {
        "name": one_line(org.get("name"), SIZES["name"]),
        "phone": _first_phone(phones, notes, "phone"),
        "web": notes.value(web, org.get("website") or org.get("url"), "web address"),
        "notes": text(org.get("description")),
    }


def check_email(record: dict, notes: Notes) -> None:
    """Report an email that is not one (the directory keeps it only in the record)."""
    notes.value(email, record.get("email"), "email")


# -- service -> partner service ----------------------------------------------------------


def service_fields(service: dict, categories: set[str], notes: Notes | None = None) -> dict:
    notes = notes or Notes()
    eligibilities = items(service, "eligibilitys") + items(service, "eligibility")
    min_age = service.get("minimum_age")
    max_age = service.get("maximum_age")
    for e in eligibilities:  # version 1 keeps the ages in its eligibility records
        min_age = e.get("minimum_age") if min_age is None else min_age
        max_age = e.get("maximum_age") if max_age is None else max_age
    youngest = notes.value(age, min_age, "youngest age", None)
    oldest = notes.value(age, max_age, "oldest age", None)
    if youngest is not None and oldest is not None and youngest > oldest:
        notes.said.append(f"its ages {youngest} to {oldest} are the wrong way round: "
                          "left blank")
        youngest = oldest = None
    catchment, area_words = _areas(service)
    criteria = [text(service.get("eligibility_description"))]
    criteria += [text(e.get("eligibility")) for e in eligibilities]
    criteria += area_words
    return {
        "name": one_line(service.get("name"), SIZES["name"]),
        "category": category(service, categories),
        "description": text(service.get("description")),
        "location": _location(service),
        "when_text": schedule_words(service),
        "phone": _first_phone(_service_phones(service), notes, "phone"),
        "web": notes.value(web, service.get("url") or service.get("website"), "web address"),
        "min_age": youngest,
        "max_age": oldest,
        "catchment": catchment,
        "criteria": "\n".join(c for c in criteria if c),
    }


def _first_phone(numbers: list, notes: Notes, what: str) -> str:
    bad = None
    for number in numbers:
        try:
            found = phone(number)
        except ValueError as exc:
            bad = bad or exc
            continue
        if found:
            return found
    if bad is not None:
        notes.said.append(f"its {what} {bad}: left blank")
    return ""


def _service_phones(service: dict) -> list:
    numbers = [p.get("number") for p in items(service, "phones")]
    for sal in items(service, "service_at_locations"):
        numbers += [p.get("number") for p in items(sal, "phones")]
        numbers += [p.get("number") for p in items(sal.get("location"), "phones")]
    for contact in items(service, "contacts"):
        numbers += [p.get("number") for p in items(contact, "phones")]
    return numbers


def _locations(service: dict) -> list[dict]:
    found = [s.get("location") for s in items(service, "service_at_locations")]
    found += items(service, "locations")
    return [loc for loc in found if isinstance(loc, dict)]


def _location(service: dict) -> str:
    """The first place it is delivered: its name and address, on one line."""
    for loc in _locations(service):
        addresses = items(loc, "addresses") + items(loc, "physical_addresses")
        parts = [one_line(loc.get("name"))]
        if addresses:
            a = addresses[0]
            parts += [one_line(a.get(k)) for k in ("address_1", "city", "postal_code")]
        words = ", ".join(dict.fromkeys(p for p in parts if p))
        if words:
            return text(words, SIZES["location"])
    return ""


def _areas(service: dict) -> tuple[str, list[str]]:
    """Catchment (short names of areas: "Sefton", "L4, L5") and area words too long to
    be names (kept in the other criteria)."""
    names, words = [], []
    for area in items(service, "service_areas"):
        name = one_line(area.get("name") or area.get("service_area"))
        if not name:
            continue
        if len(name) <= 60:
            names.append(name)
        else:
            words.append(f"Area: {name}")
    catchment = ", ".join(dict.fromkeys(names))
    if len(catchment) > SIZES["catchment"]:
        catchment = catchment[: SIZES["catchment"]].rsplit(",", 1)[0]
    return catchment, words


def terms(service: dict) -> list[str]:
    """The words of a service's taxonomy terms, in every place a feed puts them."""
    found = []
    for term in items(service, "taxonomy_terms"):
        found += [term.get("name"), term.get("term")]
    for attribute in items(service, "attributes"):
        term = attribute.get("taxonomy_term")
        if isinstance(term, dict):
            found += [term.get("name"), term.get("term")]
    for link in items(service, "service_taxonomys"):
        term = link.get("taxonomy")
        if isinstance(term, dict):
            found += [term.get("name"), term.get("vocabulary_name")]
    return [one_line(t) for t in found if one_line(t)]


def category(service: dict, categories: set[str]) -> str:
    """Our need category for a service: a term whose code is one of ours (an lr_desk
    export's), else its terms' words, else its own words."""
    for attribute in items(service, "attributes"):
        term = attribute.get("taxonomy_term")
        code = term.get("code") if isinstance(term, dict) else None
        if isinstance(code, str) and code in categories:
            return code
    for words in (" | ".join(terms(service)),
                  f"{one_line(service.get('name'))} | {text(service.get('description'))}"):
        for code, pattern in _CATEGORY_RES:
            if code in categories and pattern.search(words):
                return code
    return DEFAULT_CATEGORY if DEFAULT_CATEGORY in categories else min(categories, default="")


# -- schedules in words -----------------------------------------------------------------


def schedule_words(service: dict) -> str:
    """When it runs, in words: "Thursdays and Fridays, 10:00 to 18:00"."""
    said = []
    for schedule in items(service, "schedules") + items(service, "regular_schedules"):
        words = _one_schedule(schedule)
        if words and words not in said:
            said.append(words)
    return text("; ".join(said), SIZES["when_text"])


def _one_schedule(s: dict) -> str:
    days = _days(s)
    opens, closes = _time(s.get("opens_at")), _time(s.get("closes_at"))
    hours = f"{opens} to {closes}" if opens and closes else opens
    freq = str(s.get("freq") or "").strip().upper()
    if days or hours:
        when = days or ("Every day" if freq == "DAILY" else "")
        return ", ".join(w for w in (when, hours) if w)
    return one_line(s.get("description"))


def _days(s: dict) -> str:
    names = []
    weekday = s.get("weekday")  # version 1: "Thursday", or 1 (Monday) to 7
    if isinstance(weekday, int) and not isinstance(weekday, bool) and 1 <= weekday <= 7:
        names.append(list(_DAYS.values())[weekday - 1] + "s")
    elif isinstance(weekday, str) and weekday.strip()[:2].upper() in _DAYS:
        names.append(_DAYS[weekday.strip()[:2].upper()] + "s")
    byday = s.get("byday")
    if isinstance(byday, str):
        monthly = str(s.get("freq") or "").strip().upper() == "MONTHLY"
        for token in byday.replace(" ", "").split(","):
            found = re.fullmatch(r"([+-]?\d)?([A-Za-z]{2})", token)
            if not found or found.group(2).upper() not in _DAYS:
                continue
            day = _DAYS[found.group(2).upper()]
            nth = int(found.group(1)) if found.group(1) else None
            if nth in _ORDINALS and monthly:
                names.append(f"the {_ORDINALS[nth]} {day} of the month")
            else:
                names.append(day + "s")
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _time(value) -> str:
    if not isinstance(value, str):
        return ""
    found = re.search(r"(\d{1,2}):(\d{2})", value)
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else ""


# -- contacts ---------------------------------------------------------------------------


def contacts(record: dict) -> list[dict]:
    """The contact records of a service or an organisation."""
    return items(record, "contacts")


def contact_fields(contact: dict, notes: Notes | None = None) -> dict:
    notes = notes or Notes()
    return {
        "name": one_line(contact.get("name"), SIZES["contact"]),
        "role": one_line(contact.get("title") or contact.get("department"), SIZES["role"]),
        "phone": _first_phone([p.get("number") for p in items(contact, "phones")], notes,
                              "phone"),
        "email": notes.value(email, contact.get("email"), "email"),
    }
