"""Registering and updating people, and spotting a likely existing record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lr_desk.services import nhs_number
from lr_desk.services.edits import apply_edit, checked_or_none
from lr_desk.services.names import fold
from lr_desk.services.validation import (
    Checker,
    check_choice,
    check_date_of_birth,
    check_name,
    check_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    phone_digits,
)
from lr_desk.store.models import BENEFITS, REFERRAL_SOURCES, Person

TEXT_FIELDS = ("given_name", "family_name", "preferred_name", "date_of_birth", "postcode",
               "phone", "email", "referral_source", "referral_source_detail",
               "interpreter_language", "communication_other", "on_benefits", "nhs_number")
# Whether they receive benefits (some services are only for people on them, or not on
# them): optional, "" until asked.
BENEFITS_ANSWERS = {"": "Not asked", **BENEFITS}
FLAG_FIELDS = ("service_user", "carer", "needs_large_print", "needs_easy_read",
               "needs_interpreter", "needs_bsl")


def validate_person(raw: dict, today: date | None = None) -> dict:
    """Check a person form's raw values; return clean values or raise ValidationError."""
    c = Checker()
    clean = {
        "given_name": c.field("given_name", check_name, raw.get("given_name", ""), "first name"),
        "family_name": c.field("family_name", check_name, raw.get("family_name", ""), "last name"),
        "preferred_name": c.field("preferred_name", check_name, raw.get("preferred_name", ""),
                                  "preferred name", False),
        "date_of_birth": c.field("date_of_birth", check_date_of_birth,
                                 raw.get("date_of_birth", ""), today),
        "postcode": c.field("postcode", normalise_postcode, raw.get("postcode", "")),
        "phone": c.field("phone", normalise_phone, raw.get("phone", "")),
        "email": c.field("email", normalise_email, raw.get("email", "")),
        "referral_source": c.field("referral_source", check_choice,
                                   raw.get("referral_source", "self"), REFERRAL_SOURCES,
                                   "way they came to us"),
        "referral_source_detail": c.field("referral_source_detail", check_name,
                                          raw.get("referral_source_detail", ""),
                                          "referrer's details", False),
        "interpreter_language": c.field("interpreter_language", check_name,
                                        raw.get("interpreter_language", ""), "language", False),
        "communication_other": c.field("communication_other", check_text,
                                       raw.get("communication_other", ""),
                                       "other communication needs"),
        "on_benefits": c.field("on_benefits", check_choice, raw.get("on_benefits") or "",
                               BENEFITS_ANSWERS, "answer about benefits"),
        # optional; ten digits kept, its check digit checked (services.nhs_number)
        "nhs_number": c.field("nhs_number", nhs_number.normalise, raw.get("nhs_number", "")),
    }
    for flag in FLAG_FIELDS:
        clean[flag] = bool(raw.get(flag, False))
    if clean["needs_interpreter"] and not clean["interpreter_language"] and not c.errors.get(
            "interpreter_language"):
        c.errors["interpreter_language"] = "Which language does the interpreter need to speak?"
    c.done()
    return clean


def register(session: Session, raw: dict, advisor_id: str, site_code: str,
             today: date | None = None) -> Person:
    clean = validate_person(raw, today)
    person = Person(**clean, registered_by=advisor_id, registered_site=site_code)
    session.add(person)
    session.flush()
    return person


def update(session: Session, person_id: str, raw: dict, today: date | None = None,
           loaded: dict | None = None) -> Person:
    """Save the person form. ``loaded``: the form's values when it was opened, so that
    only what was changed on it is written (see services.edits)."""
    clean = validate_person(raw, today)
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise LookupError("This person's record is no longer here.")
    apply_edit(session, person, clean,
               checked_or_none(validate_person, loaded, today, raw=raw))
    session.flush()
    return person


def as_form(person: Person) -> dict:
    """A person's stored values in the shape the form and ``validate_person`` use."""
    raw = {k: getattr(person, k) for k in TEXT_FIELDS + FLAG_FIELDS}
    raw["date_of_birth"] = person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else ""
    raw["nhs_number"] = nhs_number.shown(person.nhs_number)
    return raw


@dataclass
class Match:
    person: Person
    why: str


def likely_matches(session: Session, given_name: str, family_name: str,
                   date_of_birth: date | None, phone: str = "",
                   exclude_id: str | None = None) -> list[Match]:
    """People who may be this one: same date of birth and a similar name, or the same phone."""
    conditions = []
    if date_of_birth:
        conditions.append(Person.date_of_birth == date_of_birth)
    digits = phone_digits(phone)
    if len(digits) >= 7:
        bare = Person.phone
        for ch in " -().":  # every separator normalise_phone lets through
            bare = func.replace(bare, ch, "")
        conditions.append(bare.like(f"%{digits[-9:]}"))
    if not conditions:
        return []
    candidates = session.scalars(
        select(Person).where(Person.deleted_at.is_(None), Person.merged_into.is_(None),
                             or_(*conditions))
    ).all()
    wanted = name_forms(given_name, family_name, "")
    out: list[Match] = []
    for p in candidates:
        if p.id == exclude_id:
            continue
        if digits and len(digits) >= 7 and phone_digits(p.phone) == digits:
            out.append(Match(p, SAME_PHONE))
        elif date_of_birth and p.date_of_birth == date_of_birth and similar_names(
                wanted, name_forms(p.given_name, p.family_name, p.preferred_name)):
            out.append(Match(p, SAME_BIRTHDAY_SIMILAR_NAME))
    return out


# What makes two records look like one person (here, as someone registers, and after a
# sync: services.duplicates).
SIMILAR_NAME = 75  # rapidfuzz token_sort_ratio
SAME_PHONE = "same phone number"
SAME_BIRTHDAY_SIMILAR_NAME = "same date of birth and a similar name"


def name_forms(given: str, family: str, preferred: str) -> set[str]:
    """The ways a person's name is compared: full, and with the preferred first name."""
    names = {fold(f"{given} {family}")}
    if preferred:  # (a surname alone is no name to compare with)
        names.add(fold(f"{preferred} {family}"))
    return names


def similar_names(a: set[str], b: set[str]) -> bool:
    return max(fuzz.token_sort_ratio(x, y) for x in a for y in b) >= SIMILAR_NAME
