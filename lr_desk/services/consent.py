"""Consent: to keep a person's information, to share it with a named partner, and to be
contacted (which ways), each given or withdrawn, dated and attributed.

Consent rows are never changed: each change is a new row, and the latest for a person,
kind and partner is the one in force (earlier ones are its history), so two desks that
record consent for one person while offline never conflict: they just add rows. A
person's consent is read across their merged family (``duplicates.family``): consent
recorded on either record of a merged pair counts.

Before a referral is sent, ``require_share`` checks that the person has agreed to share
their information with that partner; the refusal is a ``ConsentNeeded`` (a
ValidationError on the form's field) whose message names the partner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import duplicates
from lr_desk.services.validation import (
    Checker,
    ValidationError,
    an_id,
    check_choice,
    check_text,
    clean_text,
    parse_date,
)
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import (
    CONSENT_KINDS,
    CONTACT_WAYS,
    Advisor,
    Consent,
    Partner,
    PartnerService,
    Person,
)

GIVEN = {"given": "Given", "withdrawn": "Withdrawn or refused"}
OLDEST_YEARS = 10  # a date further back than this is taken for a mistyped year


class ConsentNeeded(ValidationError):
    """A referral held back for want of consent to share: ``errors`` has the reason at
    the form's field; ``partners`` (id -> name) are the partners consent is needed for."""

    def __init__(self, errors: dict[str, str], person_id: str, partners: dict[str, str]):
        super().__init__(errors)
        self.person_id = person_id
        self.partners = partners


@dataclass
class ConsentRow:
    """One consent record, with the names the desk shows."""

    id: str
    person_id: str
    kind: str
    partner_id: str | None
    partner: str  # the partner's name, for consent to share
    ways: list[str]
    given: bool
    recorded_at: datetime  # UTC, as stored
    recorded_by: str  # the advisor's name
    note: str
    history: list[ConsentRow] = field(default_factory=list)  # earlier ones, newest first

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.partner_id or ""

    @property
    def what(self) -> str:
        """'Share their information with Sefton CVS', 'Be contacted by phone call, email'."""
        if self.kind == "share":
            return f"Share their information with {self.partner or 'a partner'}"
        if self.kind == "contact" and self.ways:
            return "Be contacted by " + ", ".join(CONTACT_WAYS.get(w, w).lower()
                                                  for w in self.ways)
        return CONSENT_KINDS.get(self.kind, self.kind)

    @property
    def status(self) -> str:
        return GIVEN["given" if self.given else "withdrawn"]

    @property
    def day(self) -> date:
        return local_time(self.recorded_at).date()

    def line(self) -> str:
        """One line of history: '11 Jun 2025: Given (Alex Advisor) - note'."""
        text = f"{self.day:%d %b %Y}: {self.status} ({self.recorded_by or 'unknown'})"
        return text + (f" - {self.note}" if self.note else "")


# --- checking and recording -------------------------------------------------------------


def _ways(value) -> list[str]:
    if not isinstance(value, str | list | tuple | set | None):
        raise ValueError("Tick the ways they are happy to be contacted.")
    codes = value.split(",") if isinstance(value, str) else list(value or ())
    codes = [clean_text(c) for c in codes if c]
    codes = [c for c in codes if c]
    unknown = [c for c in codes if c not in CONTACT_WAYS]
    if unknown:
        raise ValueError(f"Unknown way of contact: {', '.join(unknown)}.")
    return [c for c in CONTACT_WAYS if c in codes]  # one order, each once


def _day(value: str, today: date) -> date | None:
    if not clean_text(value):
        return None
    day = parse_date(value, today)
    if day > today:
        raise ValueError("Consent can't be recorded for a day still to come.")
    if day.year < today.year - OLDEST_YEARS:
        raise ValueError("That is more than ten years ago; please check the year.")
    return day


def _given(value) -> bool:
    if isinstance(value, bool):
        return value
    return check_choice(value or "given", GIVEN, "whether consent is given") == "given"


def validate_consent(raw: dict, today: date, partners: Iterable[str] | None = None) -> dict:
    """Check a consent form; return clean values or raise ValidationError (keys: kind,
    partner_id, ways, given, date, note). Pure and fast: the form calls it as you type.
    ``partners``, if given, are the ids a partner may be chosen from."""
    c = Checker()
    kind = c.field("kind", check_choice, raw.get("kind", ""), CONSENT_KINDS,
                   "kind of consent")
    given = c.field("given", _given, raw.get("given", "given"))
    partner_id = an_id(raw.get("partner_id"))  # (not an id: said as no partner chosen)
    if kind != "share":
        partner_id = None
    elif not partner_id:
        c.errors["partner_id"] = "Choose the partner this is about."
    elif partners is not None and partner_id not in set(partners):
        c.errors["partner_id"] = "That partner is no longer in the directory."
    ways = c.field("ways", _ways, raw.get("ways", ()))
    if kind != "contact" or not given:
        ways = []  # withdrawn: no contact at all (to drop one way, give the others)
    elif not ways and "ways" not in c.errors:
        c.errors["ways"] = "Tick at least one way they are happy to be contacted."
    day = c.field("date", _day, raw.get("date", ""), today)
    note = c.field("note", check_text, raw.get("note", ""), "note")
    c.done()
    return {"kind": kind, "partner_id": partner_id, "ways": ways, "given": given,
            "day": day, "note": note}


def record(session: Session, person_id: str, advisor_id: str, raw: dict,
           today: date | None = None) -> Consent:
    """Record one consent given or withdrawn (a new row; nothing is changed). The date
    defaults to now; a day before today is recorded at noon on that day."""
    today = today or date.today()
    person_id = duplicates.survivor(session, person_id)
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise ValidationError({"person": "This person's record is no longer here."})
    clean = validate_consent(raw, today)
    if clean["partner_id"] is not None:
        partner = session.get(Partner, clean["partner_id"])
        if partner is None or partner.deleted_at is not None:
            raise ValidationError({"partner_id": "That partner is no longer in the directory."})
    now = session_now(session)
    day = clean["day"]
    when = now if day is None or day >= today else datetime.combine(day, time(12))
    row = Consent(person_id=person_id, kind=clean["kind"], partner_id=clean["partner_id"],
                  ways=",".join(clean["ways"]), given=clean["given"], recorded_at=when,
                  recorded_by=advisor_id, note=clean["note"])
    session.add(row)
    session.flush()
    return row


# --- reading ----------------------------------------------------------------------------


def history(session: Session, person_id: str) -> list[ConsentRow]:
    """Every consent record of the person (and their merged family), newest first."""
    return _history(session, duplicates.family(session, duplicates.survivor(session,
                                                                            person_id)))


def _history(session: Session, ids: list[str], kind: str | None = None) -> list[ConsentRow]:
    stmt = (select(Consent.id, Consent.person_id, Consent.kind, Consent.partner_id,
                   Partner.name, Consent.ways, Consent.given, Consent.recorded_at,
                   Advisor.name, Consent.note)
            .outerjoin(Partner, Consent.partner_id == Partner.id)
            .outerjoin(Advisor, Consent.recorded_by == Advisor.id)
            .where(Consent.person_id.in_(ids), Consent.deleted_at.is_(None))
            # the same order on every desk, whatever order the rows arrived in
            .order_by(Consent.recorded_at.desc(), Consent.created_at.desc(),
                      Consent.id.desc()))
    if kind is not None:
        stmt = stmt.where(Consent.kind == kind)
    return [ConsentRow(cid, pid, what, partner_id, partner or "",
                       [w for w in ways.split(",") if w], bool(given), at, by or "", note)
            for cid, pid, what, partner_id, partner, ways, given, at, by, note
            in session.execute(stmt)]


def in_force(session: Session, person_id: str) -> list[ConsentRow]:
    """The latest record for each kind (and partner): what is in force, given or
    withdrawn, each with the earlier records for the same thing in ``history``. Keep,
    then share (by partner name), then contact."""
    return _in_force(history(session, person_id))


def _in_force(rows: list[ConsentRow]) -> list[ConsentRow]:
    latest: dict[tuple[str, str], ConsentRow] = {}
    for row in rows:
        if row.key in latest:
            latest[row.key].history.append(row)
        else:
            latest[row.key] = row
    order = list(CONSENT_KINDS)
    return sorted(latest.values(), key=lambda r: (
        order.index(r.kind) if r.kind in order else len(order), r.partner.lower()))


@dataclass
class Sharing:
    """Whom a person has agreed to share their information with, as loaded: the checks
    need no database (the drop-in form checks its items with it as you type)."""

    person_id: str
    name: str  # how messages call the person
    latest: dict[str, ConsentRow]  # partner id -> the latest consent to share with them
    partner_of: dict[str, tuple[str, str]]  # service id -> (partner id, partner name)

    def reason(self, service_id: str | None) -> str | None:
        """Why a referral to this service can't be sent yet, or None if it can."""
        if not service_id or service_id not in self.partner_of:
            return None
        partner_id, partner = self.partner_of[service_id]
        row = self.latest.get(partner_id)
        if row is not None and row.given:
            return None
        if row is None:
            return (f"{self.name} has not agreed to share their information with {partner}. "
                    "Record their consent first.")
        return (f"{self.name} withdrew their consent to share their information with "
                f"{partner} on {row.day:%d %b %Y}. Record their consent again first.")

    def blocked(self, service_ids: Iterable[str | None]) -> dict[str, str]:
        """The partners (id -> name) of these services consent is still needed for."""
        return dict(self.partner_of[s] for s in service_ids if self.reason(s))


def sharing(session: Session, person_id: str,
            service_ids: Iterable[str] | None = None) -> Sharing:
    """The person's consent to share, and the partner of each service (of the given ones,
    or of every service in the directory)."""
    person_id = duplicates.survivor(session, person_id)
    person = session.get(Person, person_id)
    name = ((person.preferred_name or person.given_name) if person is not None else "") \
        or "This person"
    shares = _history(session, duplicates.family(session, person_id), kind="share")
    latest = {r.partner_id: r for r in _in_force(shares) if r.partner_id}
    stmt = select(PartnerService.id, Partner.id, Partner.name).join(
        Partner, PartnerService.partner_id == Partner.id)
    if service_ids is not None:
        stmt = stmt.where(PartnerService.id.in_(set(service_ids)))
    partner_of = {sid: (pid, pname) for sid, pid, pname in session.execute(stmt)}
    return Sharing(person_id, name, latest, partner_of)


def require_share(session: Session, person_id: str, sending: dict[str, str]) -> None:
    """Refuse to send referrals without consent to share: ``sending`` maps a form's field
    (where the advisor chose Sent) to the service referred to. Raises ConsentNeeded with
    the reason at each field whose partner the person has not agreed to share with."""
    if not sending:
        return
    found = sharing(session, person_id, sending.values())
    errors = {key: reason for key, service_id in sending.items()
              if (reason := found.reason(service_id))}
    if errors:
        raise ConsentNeeded(errors, found.person_id, found.blocked(sending.values()))
