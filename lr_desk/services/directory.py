"""The directory: partner organisations, their services, and Recovery College courses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from lr_desk.services.edits import apply_edit, checked_or_none
from lr_desk.services.validation import (
    Checker,
    ValidationError,
    an_id,
    check_choice,
    check_name,
    check_text,
    clean_text,
    normalise_email,
    normalise_phone,
    parse_date,
)
from lr_desk.store.models import DELIVERY, Category, Course, Partner, PartnerService


@dataclass
class ServiceRow:
    service: PartnerService
    partner: Partner


def services(session: Session, category: str | None = None) -> list[ServiceRow]:
    stmt = (select(PartnerService, Partner).join(Partner)
            .where(PartnerService.deleted_at.is_(None), Partner.deleted_at.is_(None))
            .order_by(Partner.name, PartnerService.name))
    if category:
        stmt = stmt.where(PartnerService.category == category)
    return [ServiceRow(s, p) for s, p in session.execute(stmt)]


def partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).where(Partner.deleted_at.is_(None))
                                .order_by(Partner.name)))


def courses(session: Session) -> list[Course]:
    return list(session.scalars(select(Course).where(Course.deleted_at.is_(None))
                                .order_by(Course.title, Course.site_code)))


def _url(value: str) -> str:
    text = check_text(value, "web address", 300)  # the column is String(300)
    if text and " " in text:
        raise ValueError("A web address has no spaces, for example https://example.org.")
    return text


def validate_partner(raw: dict) -> dict:
    """Check a partner form; clean values or ValidationError. Pure: forms call it live."""
    c = Checker()
    clean = {
        "name": c.field("name", check_name, raw.get("name", ""), "organisation's name"),
        "phone": c.field("phone", normalise_phone, raw.get("phone", "")),
        "web": c.field("web", _url, raw.get("web", "")),
        "key_contact": c.field("key_contact", check_name, raw.get("key_contact", ""),
                               "key contact", False),
        "key_contact_phone": c.field("key_contact_phone", normalise_phone,
                                     raw.get("key_contact_phone", "")),
        "key_contact_email": c.field("key_contact_email", normalise_email,
                                     raw.get("key_contact_email", "")),
        "notes": c.field("notes", check_text, raw.get("notes", ""), "notes"),
    }
    c.done()
    return clean


def save_partner(session: Session, raw: dict, partner_id: str | None = None,
                 loaded: dict | None = None) -> Partner:
    """``loaded`` (for these three): the form's values when it was opened, so that only
    what was changed on it is written (see services.edits)."""
    return _save(session, Partner, partner_id, validate_partner(raw),
                 checked_or_none(validate_partner, loaded, raw=raw))


def validate_service(raw: dict, categories: set[str], partner_ids: set[str]) -> dict:
    """Check a service form against the known categories and partners. Pure."""
    c = Checker()
    cats = dict.fromkeys(categories)
    clean = {
        "partner_id": an_id(raw.get("partner_id")),
        "name": c.field("name", check_name, raw.get("name", ""), "service's name"),
        "category": c.field("category", check_choice, raw.get("category", ""), cats, "category"),
        "description": c.field("description", check_text, raw.get("description", ""),
                               "description"),
        "delivery": c.field("delivery", check_choice, raw.get("delivery", "community"),
                            DELIVERY, "where it is delivered"),
        "site_code": an_id(raw.get("site_code")) or "",
        "location": c.field("location", check_name, raw.get("location", ""), "place", False),
        "when_text": c.field("when_text", check_name, raw.get("when_text", ""), "days and times",
                             False),
        "phone": c.field("phone", normalise_phone, raw.get("phone", "")),
        "web": c.field("web", _url, raw.get("web", "")),
    }
    if not clean["partner_id"] or clean["partner_id"] not in partner_ids:
        c.errors["partner_id"] = "Choose the partner organisation."
    if clean["delivery"] == "hub" and not clean["site_code"]:
        c.errors["site_code"] = "Choose the hub where it runs."
    c.done()
    return clean


def save_service(session: Session, raw: dict, service_id: str | None = None,
                 loaded: dict | None = None) -> PartnerService:
    categories = set(session.scalars(select(Category.code)))
    partner_ids = set(session.scalars(select(Partner.id).where(Partner.deleted_at.is_(None))))
    clean = validate_service(raw, categories, partner_ids)
    return _save(session, PartnerService, service_id, clean,
                 checked_or_none(validate_service, loaded, categories, partner_ids, raw=raw))


def validate_course(raw: dict) -> dict:
    """Check a course form. Pure."""
    c = Checker()

    def opt_date(value: str):
        return parse_date(value) if clean_text(value) else None

    clean = {
        "title": c.field("title", check_name, raw.get("title", ""), "course title"),
        "provider": c.field("provider", check_name,
                            raw.get("provider") or "The Life Rooms Recovery College", "provider"),
        "site_code": an_id(raw.get("site_code")) or "",
        "starts_on": c.field("starts_on", opt_date, raw.get("starts_on", "")),
        "ends_on": c.field("ends_on", opt_date, raw.get("ends_on", "")),
        "when_text": c.field("when_text", check_name, raw.get("when_text", ""), "days and times",
                             False),
        "description": c.field("description", check_text, raw.get("description", ""),
                               "description"),
    }
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        c.errors["ends_on"] = "The course can't end before it starts."
    c.done()
    return clean


def save_course(session: Session, raw: dict, course_id: str | None = None,
                loaded: dict | None = None) -> Course:
    return _save(session, Course, course_id, validate_course(raw),
                 checked_or_none(validate_course, loaded, raw=raw))


def _save(session: Session, model, row_id: str | None, clean: dict, base=None):
    if row_id is None:
        row = model(**clean)
        session.add(row)
    else:
        row = session.get(model, row_id)
        if row is None or row.deleted_at is not None:
            raise ValidationError({"name": "This entry is no longer in the directory."})
        changed = apply_edit(session, row, clean, base)
        if changed and row.is_example:
            row.is_example = False  # edited into a real entry: no longer example data
            # Example rows were seeded with no outbox entry (every device seeds them
            # alike), so this first edit must carry the whole row to other devices.
            for attr in inspect(row).mapper.column_attrs:
                if attr.key != "id":
                    flag_modified(row, attr.key)
    session.flush()
    return row
