"""A partner's named contacts, one of them its key contact (the person referrals go to).

Contacts are PartnerContact rows. A partner from before them keeps its key contact in
``Partner.key_contact`` (and ``_phone``, ``_email``): while it has no contacts, that is
read as one key contact with no id, and when its contacts are first saved those fields
are emptied (the contact, if kept on the form, becomes a row like the others).

``contacts`` and ``key_contact`` read one partner's; ``key_contacts`` reads every
partner's key contact in one query, for lists; ``validate_contact`` is pure (forms call
it as the user types); ``save_contacts`` checks the whole list again and writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from lr_desk.services.validation import (
    Checker,
    ValidationError,
    check_name,
    normalise_email,
    normalise_phone,
    storable,
)
from lr_desk.store.clock import session_now
from lr_desk.store.models import Partner, PartnerContact

FIELDS = ("name", "role", "phone", "email")


@dataclass(frozen=True)
class ContactRow:
    """One named contact as the desk shows it. ``id`` None: not saved as a row yet (the
    partner's key contact from before contacts, or one just added on a form)."""

    id: str | None
    name: str
    role: str = ""
    phone: str = ""
    email: str = ""
    is_key: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _row(c: PartnerContact) -> ContactRow:
    return ContactRow(c.id, c.name, c.role, c.phone, c.email, bool(c.is_key))


def _legacy(name: str | None, phone: str | None, email: str | None) -> ContactRow | None:
    """The key contact a partner kept before contacts, if it kept any of it."""
    name, phone, email = (name or "").strip(), (phone or "").strip(), (email or "").strip()
    if not (name or phone or email):
        return None
    return ContactRow(None, name, "", phone, email, True)


def _order(rows: list[ContactRow]) -> list[ContactRow]:
    return sorted(rows, key=lambda r: (not r.is_key, r.name.casefold()))


def contacts(session: Session, partner_id: str) -> list[ContactRow]:
    """The partner's contacts, the key contact first, then by name."""
    rows = [_row(c) for c in session.scalars(
        select(PartnerContact).where(PartnerContact.partner_id == partner_id,
                                     PartnerContact.deleted_at.is_(None)))]
    if rows:
        return _order(rows)
    partner = session.get(Partner, partner_id)
    if partner is None:
        return []
    legacy = _legacy(partner.key_contact, partner.key_contact_phone,
                     partner.key_contact_email)
    return [legacy] if legacy else []


def key_contact(session: Session, partner_id: str) -> ContactRow | None:
    """The partner's named key contact, or None (no contacts, none of them the key
    contact, or one with no name: a partner to flag where it is chosen)."""
    return next((r for r in contacts(session, partner_id) if r.is_key and r.name), None)


def key_contacts(session: Session) -> dict[str, ContactRow]:
    """Every partner's named key contact, by partner id, read in one query. Partners
    without one are left out."""
    stmt = (select(Partner.id, Partner.key_contact, Partner.key_contact_phone,
                   Partner.key_contact_email, PartnerContact.id, PartnerContact.name,
                   PartnerContact.role, PartnerContact.phone, PartnerContact.email,
                   PartnerContact.is_key)
            .outerjoin(PartnerContact, and_(PartnerContact.partner_id == Partner.id,
                                            PartnerContact.deleted_at.is_(None)))
            .where(Partner.deleted_at.is_(None)))
    found: dict[str, ContactRow] = {}
    has_rows: set[str] = set()
    legacy: dict[str, ContactRow] = {}
    for pid, l_name, l_phone, l_email, cid, name, role, phone, email, is_key in (
            session.execute(stmt)):
        if cid is None:
            row = _legacy(l_name, l_phone, l_email)
            if row is not None and row.name:
                legacy[pid] = row
            continue
        has_rows.add(pid)
        if is_key and name and (pid not in found or name.casefold()
                                < found[pid].name.casefold()):
            found[pid] = ContactRow(cid, name, role, phone, email, True)
    for pid, row in legacy.items():
        if pid not in has_rows:
            found[pid] = row
    return found


def validate_contact(raw: Mapping) -> dict:
    """Check one contact as typed (name, role, phone, email); clean values, or
    ValidationError with a message for each field. Pure."""
    c = Checker()
    clean = {
        "name": c.field("name", check_name, raw.get("name", ""), "contact's name"),
        "role": c.field("role", check_name, raw.get("role", ""), "role", False),
        "phone": c.field("phone", normalise_phone, raw.get("phone", "")),
        "email": c.field("email", normalise_email, raw.get("email", "")),
    }
    c.done()
    return clean


UNREADABLE = "The contacts could not be read: please enter them again."


def _as_mapping(row):
    return row.as_dict() if isinstance(row, ContactRow) else row


def validate_contacts(rows: Iterable) -> list[dict]:
    """Check a whole list of contacts (ContactRows or dicts with their fields): each one,
    and exactly one key contact when there are any. Errors are keyed "contacts" (the
    list as a whole) with the contact named in the words. Pure."""
    clean: list[dict] = []
    problems: list[str] = []
    if not isinstance(rows, (list, tuple)):  # a damaged draft, a wrong caller
        raise ValidationError({"contacts": UNREADABLE})
    for number, raw in enumerate(rows, 1):
        raw = _as_mapping(raw)
        if not isinstance(raw, Mapping):
            problems.append(f"Contact {number}: {UNREADABLE}")
            continue
        try:
            one = validate_contact(raw)
        except ValidationError as exc:
            name = raw.get("name")
            who = name.strip() if isinstance(name, str) and storable(name) else ""
            problems.append(f"{who or f'Contact {number}'}: " + " ".join(exc.errors.values()))
            continue
        one["id"] = raw.get("id") or None
        one["is_key"] = bool(raw.get("is_key"))
        clean.append(one)
    keys = sum(1 for r in clean if r["is_key"])
    if clean and not problems and keys != 1:
        problems.append("Choose one key contact." if keys == 0 else
                        "Only one contact can be the key contact.")
    if problems:
        raise ValidationError({"contacts": " ".join(problems)})
    return clean


def save_contacts(session: Session, partner_id: str, rows: Iterable,
                  seen: set[str] | None = None) -> list[ContactRow]:
    """Write the partner's contacts as ``rows`` has them: new ones (id None) added,
    those with an id changed where they differ, those left out removed (deleted_at). The
    key contact kept from before contacts is emptied from the partner. Returns the
    contacts as saved.

    ``seen``: the ids a form showed when it opened. A contact not among them (another
    desk added it meanwhile) is kept, though not on the form; it stops being the key
    contact if the form names one."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.deleted_at is not None:
        raise ValidationError({"contacts": "This partner is no longer in the directory."})
    clean = validate_contacts(rows)
    current = {c.id: c for c in session.scalars(
        select(PartnerContact).where(PartnerContact.partner_id == partner_id,
                                     PartnerContact.deleted_at.is_(None)))}
    now = session_now(session)
    kept: set[str] = set()
    for values in clean:
        row_id = values.pop("id")
        row = current.get(row_id) if row_id else None
        if row is None:  # new, or one removed elsewhere meanwhile: added again
            session.add(PartnerContact(partner_id=partner_id, **values))
            continue
        kept.add(row.id)
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    form_has_key = any(v["is_key"] for v in clean)
    for row_id, row in current.items():
        if row_id in kept:
            continue
        if seen is None or row_id in seen:
            row.deleted_at = now
        elif form_has_key and row.is_key:
            row.is_key = False
    for legacy in ("key_contact", "key_contact_phone", "key_contact_email"):
        if getattr(partner, legacy):
            setattr(partner, legacy, "")
    session.flush()
    return contacts(session, partner_id)
