"""The audit log: who looked at, changed, printed or exported what, when, on which desk.

Records are append-only (the database refuses to change them) and sync like any other.
They hold ids and field names, never personal data, so erasing a person leaves them be.
Changes are recorded by the change capture itself (``lr_desk.store.outbox``); ``record``
is for the rest (opening a record, printing, exporting, signing in and out). ``read``
gives managers a page of the log in words, filtered, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import (
    AUDIT_ACTIONS,
    Advisor,
    AuditEvent,
    Course,
    Device,
    Partner,
    PartnerService,
    Person,
)


def record(session: Session, action: str, *, entity: str = "", entity_id: str | None = None,
           person_id: str | None = None, detail: str = "",
           advisor_id: str | None = None) -> AuditEvent:
    """Add one record to the audit log, in the caller's transaction. ``advisor_id``
    defaults to whoever the session says is at the desk."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"not an audited action: {action}")
    event = AuditEvent(at=session_now(session), action=action, entity=entity,
                       entity_id=entity_id, person_id=person_id, detail=detail[:500],
                       advisor_id=advisor_id or session.info.get("advisor_id"),
                       device_id=_device_id(session))
    session.add(event)
    session.flush()
    return event


def record_opening(session: Session, person_id: str) -> None:
    """A person's record was opened (a page made for it: not each time it is shown)."""
    record(session, "open_person", entity="person", entity_id=person_id, person_id=person_id)


def _device_id(session: Session) -> str:
    device_id = session.info.get("device_id")
    if device_id is None:
        device = session.query(Device).first()
        device_id = device.id if device is not None else ""
    return device_id


# --- reading the log (the manager's "Audit log") ------------------------------------

PAGE = 200  # records read at a time: the newest first, then "Show more"
MOST_PEOPLE = 500  # people a typed name may stand for at once

# Which kind of record, in words.
ENTITY_WORDS = {
    "person": "Person's details",
    "conversation": "Conversation",
    "conversation_need": "Need raised",
    "prescription": "Prescription",
    "prescription_item": "Prescription item",
    "referral": "Referral",
    "referral_event": "Referral step",
    "follow_up": "Follow-up",
    "person_merge": "Merge of two records",
    "not_duplicate": "Not the same person",
    "consent": "Consent",
    "erasure": "Erasure",
    "advisor": "Staff account",
    "partner": "Partner",
    "partner_service": "Partner service",
    "course": "Course",
}
# Records named by a name of their own (the rest by the person they are about).
NAMED = {"advisor": (Advisor, Advisor.name), "partner": (Partner, Partner.name),
         "partner_service": (PartnerService, PartnerService.name),
         "course": (Course, Course.title)}
CHANGES = {"create", "change", "delete"}  # their detail is the fields, by name


@dataclass(frozen=True)
class Filters:
    """What to show: local dates (inclusive), one advisor, one action, some people."""

    since: date | None = None
    until: date | None = None
    advisor_id: str | None = None
    action: str | None = None
    person_ids: tuple[str, ...] | None = None  # None: anyone (or no one)


@dataclass(frozen=True)
class Row:
    """One record of the log, in words, for the table."""

    id: str
    at: datetime  # UTC, as stored (where the next page starts)
    when: datetime  # local time
    who: str
    device: str
    action: str
    record: str
    person: str
    person_id: str | None
    detail: str


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    more: bool = False  # older records match too


def utc_start(day: date) -> datetime:
    """The UTC time at which a local day begins (naive, as stored)."""
    return datetime.combine(day, time()).astimezone(UTC).replace(tzinfo=None)


def read(session: Session, filters: Filters, device_id: str = "", this_desk: str = "",
         after: Row | None = None, limit: int = PAGE) -> Page:
    """The newest records that pass ``filters`` (older than ``after``, for the next page),
    in words. Keyset paging on the time index: as quick on ten years as on a day."""
    t = AuditEvent
    q = select(t.id, t.at, t.advisor_id, t.device_id, t.action, t.entity, t.entity_id,
               t.person_id, t.detail)
    if filters.since:
        q = q.where(t.at >= utc_start(filters.since))
    if filters.until:
        q = q.where(t.at < utc_start(filters.until + timedelta(days=1)))
    if filters.advisor_id:
        q = q.where(t.advisor_id == filters.advisor_id)
    if filters.action:
        q = q.where(t.action == filters.action)
    if filters.person_ids is not None:
        q = q.where(t.person_id.in_(filters.person_ids))
    if after is not None:
        # (the first condition alone lets the time index take it from there)
        q = q.where(t.at <= after.at,
                    or_(t.at < after.at, and_(t.at == after.at, t.id < after.id)))
    found = session.execute(q.order_by(t.at.desc(), t.id.desc()).limit(limit + 1)).all()
    page = Page(more=len(found) > limit)
    found = found[:limit]
    names = _names(session, found)
    for r in found:
        device = (f"This desk ({this_desk})" if this_desk else "This desk") \
            if r.device_id == device_id else f"Desk …{r.device_id[-8:]}"
        kind = ENTITY_WORDS.get(r.entity, r.entity.replace("_", " ").capitalize())
        own = names.get((r.entity, r.entity_id)) if r.entity in NAMED else None
        page.rows.append(Row(
            r.id, r.at, local_time(r.at), names.get(("advisor", r.advisor_id), ""), device,
            AUDIT_ACTIONS.get(r.action, r.action), f"{kind}: {own}" if own else kind,
            names.get(("person", r.person_id), ""), r.person_id, _detail(r.action, r.detail)))
    return page


def _names(session: Session, found) -> dict[tuple[str, str | None], str]:
    """The names on a page of records: advisors, people, and named records."""
    out: dict[tuple[str, str | None], str] = {}
    ids: dict[str, set[str]] = {"advisor": set(), "person": set()}
    for r in found:
        if r.advisor_id:
            ids["advisor"].add(r.advisor_id)
        if r.person_id:
            ids["person"].add(r.person_id)
        if r.entity in NAMED and r.entity_id:
            ids.setdefault(r.entity, set()).add(r.entity_id)
    people = ids.pop("person")
    if people:
        for person in session.execute(select(
                Person.id, Person.given_name, Person.family_name, Person.preferred_name,
                Person.erased_at).where(Person.id.in_(people))):
            out[("person", person.id)] = "(information erased)" if person.erased_at else \
                f"{person.preferred_name or person.given_name} {person.family_name}".strip()
    for entity, wanted in ids.items():
        if wanted:
            model, name = NAMED[entity]
            out.update(((entity, i), n) for i, n in session.execute(
                select(model.id, name).where(model.id.in_(wanted))))
    return out


def _detail(action: str, detail: str) -> str:
    """Field names in words (never values: there are none to show)."""
    if action in CHANGES and detail:
        return ", ".join(name.strip().replace("_", " ") for name in detail.split(","))
    return detail


MOST_WORDS, LONGEST_WORD = 6, 100  # of a name typed in the filter: more is no name


def people_named(session: Session, text: str) -> dict[str, str]:
    """The people whose names hold every word typed (given, family or preferred name),
    as id -> name: at most MOST_PEOPLE of them. Wildcards typed are letters; a word is
    read to a sane length, and broken characters (half a character, from a bad paste)
    are left out: SQLite takes neither a LIKE pattern of 50,000 bytes nor a lone
    surrogate, and the filter should say "no one", not fail."""
    text = text if isinstance(text, str) else ""
    words = [w[:LONGEST_WORD].encode("utf-8", "ignore").decode("utf-8")
             for w in text[:LONGEST_WORD * MOST_WORDS * 2].split()[:MOST_WORDS]]
    words = [w for w in words if w]
    if not words:
        return {}
    q = select(Person.id, Person.given_name, Person.family_name, Person.preferred_name)
    for word in words:
        q = q.where(or_(*(column.icontains(word, autoescape=True) for column in
                          (Person.given_name, Person.family_name, Person.preferred_name))))
    return {p.id: f"{p.preferred_name or p.given_name} {p.family_name}".strip()
            for p in session.execute(q.order_by(Person.family_name, Person.given_name)
                                     .limit(MOST_PEOPLE))}


def advisors(session: Session) -> list[tuple[str, str]]:
    """Everyone who has an account, or had one: (id, name), by name."""
    return [(i, n) for i, n in session.execute(
        select(Advisor.id, Advisor.name).order_by(Advisor.name))]
