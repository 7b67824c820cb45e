"""Needs review: values that lost to a concurrent change on another device, and records
edited on one device while deleted on another. The advisor keeps one value or the other
(or restores or lets go of the record); the choice is an ordinary change, so it syncs,
and it settles the same item on every device (see ``lr_desk.store.merge``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from lr_desk.services import duplicates, record_words
from lr_desk.services.changes import Changed, touched
from lr_desk.store.clock import HybridClock, local_time, session_now
from lr_desk.store.merge import to_column
from lr_desk.store.models import (
    SYNCED_MODELS,
    Advisor,
    Conflict,
    Course,
    Partner,
    PartnerService,
    Person,
    PersonMerge,
    Site,
    to_json,
)

# Fields whose clash nobody at the desk can judge, so they are not listed (nor counted):
# an account's keys and approvals (settled when its owner next changes their password),
# the bookkeeping of merges and erasures, the log itself, and which record a record
# belongs under (moved by merges, which settle themselves).
NOT_LISTED = {
    "advisor": {"password_hash", "public_key", "sealed_key", "proof"},
    "person": {"merged_into", "erased_at", "registered_by"},
    "person_merge": {"moved", "survivor_id", "merged_id", "advisor_id"},
    "not_duplicate": {"person_a", "person_b", "advisor_id"},
    "erasure": None,  # (all of it)
    "audit_event": None,
}
# Fields that name another record: their values are shown by that record's name.
NAMED_BY = {"advisor": (Advisor, Advisor.name), "partner": (Partner, Partner.name),
            "partner_service": (PartnerService, PartnerService.name),
            "course": (Course, Course.title)}
SITES = {"home_site", "registered_site", "site_code"}  # a hub's code: shown by its name


class ReviewError(ValueError):
    """The item cannot be settled as asked (already settled elsewhere, say)."""


@dataclass
class ReviewItem:
    id: int
    kind: str  # value | deleted
    entity: str
    entity_id: str
    what: str  # "Person's details: Ann Lee"
    field: str  # a label: "Phone"
    current: str  # the value now in the record
    other: str  # the value that lost (or, for "deleted": what happened)
    current_when: datetime | None
    other_when: datetime | None
    current_who: str
    other_who: str
    person_id: str | None


def _when(hlc: str) -> datetime | None:
    if not hlc:
        return None
    wall_ms, _, _ = HybridClock.decode(hlc)
    return local_time(datetime.utcfromtimestamp(wall_ms / 1000))


def _who(names: dict[str, str], advisor_id: str | None, hlc: str, here: str) -> str:
    desk = "this desk" if hlc and HybridClock.decode(hlc)[2] == here else "another desk"
    name = names.get(advisor_id or "")
    return f"{name} on {desk}" if name else f"someone on {desk}"


def label(entity: str, field: str) -> str:
    return record_words.field_label(entity, field)


def listed(entity: str, field: str) -> bool:
    """Whether a clash on this field is for someone at the desk to settle."""
    if entity in NOT_LISTED and (NOT_LISTED[entity] is None or field in NOT_LISTED[entity]):
        return False
    column = SYNCED_MODELS[entity].__table__.columns.get(field) \
        if entity in SYNCED_MODELS else None
    if column is None:
        return False
    targets = {fk.column.table.name for fk in column.foreign_keys}
    return not targets or targets <= NAMED_BY.keys()  # (an id we can name)


def shown(session: Session, entity: str, field: str, value: Any) -> str:
    """A value as the list shows it: in words, a record it names by its name."""
    column = SYNCED_MODELS[entity].__table__.columns.get(field)
    targets = [fk.column.table.name for fk in column.foreign_keys] if column is not None \
        else []
    if targets and value and targets[0] in NAMED_BY:
        model, name = NAMED_BY[targets[0]]
        named = session.scalar(select(name).where(model.id == value))
        return named or "(a record not on this desk)"
    if field in SITES and value:
        return session.scalar(select(Site.name).where(Site.code == value)) or str(value)
    return record_words.value_words(entity, field, value)


def _person_of(session: Session, entity: str, row) -> tuple[str | None, str]:
    pid = row.id if entity == "person" else getattr(row, "person_id", None)
    if pid is None:
        name = getattr(row, "name", None) or getattr(row, "title", None) or ""
        return None, name
    pid = duplicates.survivor(session, pid)
    person = session.get(Person, pid)
    return pid, person.display_name if person else ""


def open_items(session: Session, device_id: str = "") -> list[ReviewItem]:
    """Everything waiting for review, newest first. A lost value equal to the current
    one is not shown (two devices typed the same thing). ``device_id``: this desk's."""
    names = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    out = []
    for c in session.scalars(select(Conflict).where(Conflict.resolved_hlc.is_(None))
                             .order_by(Conflict.id.desc())):
        model = SYNCED_MODELS.get(c.entity)
        row = session.get(model, c.entity_id) if model else None
        if row is None:
            continue
        if c.kind == "value" and not listed(c.entity, c.field):
            continue
        person_id, name = _person_of(session, c.entity, row)
        kind = record_words.kind(c.entity)
        what = f"{kind}: {name}" if name else kind
        if c.kind == "value":
            now = to_json(getattr(row, c.field))
            if now == c.value:
                continue
            out.append(ReviewItem(c.id, c.kind, c.entity, c.entity_id, what,
                                  label(c.entity, c.field),
                                  shown(session, c.entity, c.field, now),
                                  shown(session, c.entity, c.field, c.value),
                                  _when(c.winner_hlc),
                                  _when(c.hlc),
                                  _who(names, c.winner_by, c.winner_hlc, device_id),
                                  _who(names, c.by, c.hlc, device_id), person_id))
        else:
            if row.deleted_at is None:
                continue
            out.append(ReviewItem(c.id, c.kind, c.entity, c.entity_id, what, "Deleted",
                                  "Deleted", "Changed on another desk after it was deleted "
                                  "(the change is kept)", _when(c.hlc),
                                  _when(c.winner_hlc), _who(names, c.by, c.hlc, device_id),
                                  _who(names, c.winner_by, c.winner_hlc, device_id),
                                  person_id))
    return out


def _open(session: Session, item_id: int) -> tuple[Conflict, Any]:
    c = session.get(Conflict, item_id)
    if c is None or c.resolved_hlc is not None:
        raise ReviewError("This has already been settled (here or on another desk).")
    row = session.get(SYNCED_MODELS[c.entity], c.entity_id)
    if row is None:
        raise ReviewError("The record is no longer on this desk.")
    return c, row


def keep(session: Session, item_id: int, which: str) -> None:
    """Settle a lost value: keep the ``"current"`` value or the ``"other"`` one.

    Either way this writes the field again, noting that its writer has seen both values,
    so every device settles the item, and a later choice elsewhere wins as usual."""
    c, row = _open(session, item_id)
    if c.kind != "value":
        raise ReviewError("This is a deleted record: restore it or keep it deleted.")
    if which == "other":
        setattr(row, c.field, to_column(c.entity, c.field, c.value))
    elif which != "current":
        raise ValueError(which)
    flag_modified(row, c.field)
    seen = session.info.setdefault("seen", {}).setdefault(c.entity_id, {})
    seen.setdefault(c.field, []).append(c.hlc)
    session.flush()


def settle_deleted(session: Session, item_id: int, restore: bool) -> None:
    """A record edited while deleted: bring it back (with the edit), or keep it deleted
    (deleting it again, now that the edit has been seen)."""
    c, row = _open(session, item_id)
    if c.kind != "deleted":
        raise ReviewError("This is a changed value: keep one of the two.")
    row.deleted_at = None if restore else session_now(session)
    session.flush()


# -- for the page: what an action changed -------------------------------------------------


def people_now(session: Session, *ids: str | None) -> list[Person]:
    """These people as they are now (read afresh after a change), for the search index
    and open pages."""
    session.flush()
    out = []
    for person_id in dict.fromkeys(i for i in ids if i):
        person = session.get(Person, person_id)
        if person is not None:
            session.refresh(person)
            out.append(person)
    return out


def survivor_of_merge(session: Session, merge_id: str) -> str | None:
    merge = session.get(PersonMerge, merge_id)
    return merge.survivor_id if merge is not None else None


def wrote(session: Session) -> Changed:
    """What the session has written so far (after a flush)."""
    session.flush()
    return touched(session)
