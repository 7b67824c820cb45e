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

from lr_desk.services import record_words
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import (
    AUDIT_ACTIONS,
    CONSENT_KINDS,
    REFERRAL_STATUSES,
    Advisor,
    AuditEvent,
    Consent,
    Conversation,
    Course,
    Device,
    Partner,
    PartnerService,
    Person,
    Referral,
    ReferralEvent,
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

# Records named by a name of their own (the rest by the person they are about).
NAMED = {"advisor": (Advisor, Advisor.name), "partner": (Partner, Partner.name),
         "partner_service": (PartnerService, PartnerService.name),
         "course": (Course, Course.title)}
CHANGES = {"create", "change", "delete"}  # their detail is the fields, by name
# What was made, in words; ``{}`` is filled from the record where it says more.
MADE = {
    "person": "Registered them", "conversation": "Recorded a {}",
    "conversation_need": "Noted a need they raised",
    "prescription": "Wrote a social prescription",
    "prescription_item": "Added an item to a social prescription",
    "referral": "Made a referral to {}", "referral_event": "Moved a referral on: {}",
    "follow_up": "Arranged a follow-up", "person_merge": "Merged two records of one person",
    "not_duplicate": "Said two records are different people",
    "consent": "Recorded {}", "erasure": "Erased their information",
    "advisor": "Made a staff account", "partner": "Added a partner to the directory",
    "partner_service": "Added a partner's service to the directory",
    "course": "Added a course to the directory",
}
MADE_PLAIN = {"conversation": "Recorded a conversation", "referral": "Made a referral",
              "referral_event": "Moved a referral on", "consent": "Recorded a consent"}
CONVERSATIONS = {"drop_in": "drop-in", "telephone": "telephone conversation",
                 "video": "video call", "outreach": "conversation out in the community"}
# The rest of what is recorded, by what was done (and to which kind of record).
DONE = {
    ("print_sheet", "prescription"): "Printed the take-home sheet",
    ("export", "prescription"): "Saved the take-home sheet as a PDF file",
    ("export", "person"): "Everything held about them, as a PDF and a JSON file",
}


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
    names, filled = _names(session, found), _filled(session, found)
    for r in found:
        device = (f"This desk ({this_desk})" if this_desk else "This desk") \
            if r.device_id == device_id else f"Desk …{r.device_id[-8:]}"
        kind = record_words.kind(r.entity)
        own = names.get((r.entity, r.entity_id)) if r.entity in NAMED else None
        page.rows.append(Row(
            r.id, r.at, local_time(r.at), names.get(("advisor", r.advisor_id), ""), device,
            AUDIT_ACTIONS.get(r.action, r.action), f"{kind}: {own}" if own else kind,
            names.get(("person", r.person_id), ""), r.person_id,
            in_words(r.action, r.entity, r.detail, filled.get(r.entity_id or "", ""))))
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


def in_words(action: str, entity: str, detail: str, filled: str = "") -> str:
    """A record's detail as a sentence, never a field's name: "Changed phone number and
    postcode", "Recorded a drop-in", "Made a referral to Citizens Advice". ``filled``:
    what the record itself says (a conversation's way, a referral's partner), if known."""
    if action == "change":
        return record_words.change_words(entity, [n.strip() for n in detail.split(",")])
    if action == "delete":
        return f"Deleted {record_words.KINDS.get(entity, ('', 'the record'))[1]}"
    if action == "create":
        made = MADE.get(entity)
        if made is None:
            return f"Made {record_words.KINDS.get(entity, ('', 'a record'))[1]}"
        return made.format(filled) if "{}" not in made or filled else \
            MADE_PLAIN.get(entity, made.replace(" {}", ""))
    if (action, entity) in DONE:
        return DONE[(action, entity)]
    return detail if "_" not in detail else detail.replace("_", " ")


def _filled(session: Session, found) -> dict[str, str]:
    """What the records made on a page say about themselves, for their detail: the way
    a conversation took place, a referral's partner, a step's status, a consent's kind.
    Nothing for a person whose information is erased."""
    wanted: dict[str, list[str]] = {}
    for r in found:
        if r.action == "create" and r.entity in FILLED and r.entity_id:
            wanted.setdefault(r.entity, []).append(r.entity_id)
    out: dict[str, str] = {}
    for entity, ids in wanted.items():
        out.update(FILLED[entity](session, ids))
    return out


def _modes(session: Session, ids: list[str]) -> dict[str, str]:
    return {i: CONVERSATIONS.get(mode, "conversation") for i, mode in session.execute(
        select(Conversation.id, Conversation.mode).join(Person).where(
            Conversation.id.in_(ids), Person.erased_at.is_(None)))}


def _partners(session: Session, ids: list[str]) -> dict[str, str]:
    return dict(session.execute(
        select(Referral.id, Partner.name).join(Person, Person.id == Referral.person_id)
        .join(PartnerService, PartnerService.id == Referral.service_id)
        .join(Partner, Partner.id == PartnerService.partner_id)
        .where(Referral.id.in_(ids), Person.erased_at.is_(None))).all())


def _steps(session: Session, ids: list[str]) -> dict[str, str]:
    return {i: REFERRAL_STATUSES.get(status, status).lower() for i, status in session.execute(
        select(ReferralEvent.id, ReferralEvent.status).where(ReferralEvent.id.in_(ids)))}


def _consents(session: Session, ids: list[str]) -> dict[str, str]:
    out = {}
    for i, kind, given in session.execute(
            select(Consent.id, Consent.kind, Consent.given).join(Person).where(
                Consent.id.in_(ids), Person.erased_at.is_(None))):
        what = CONSENT_KINDS.get(kind, "a consent").lower()
        out[i] = f"consent to {what}" if given else f"consent withdrawn to {what}"
    return out


FILLED = {"conversation": _modes, "referral": _partners, "referral_event": _steps,
          "consent": _consents}


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
