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

from lr_desk.services import duplicates
from lr_desk.store.clock import HybridClock, local_time, session_now
from lr_desk.store.merge import to_column
from lr_desk.store.models import SYNCED_MODELS, Advisor, Conflict, Person, to_json

WHAT = {
    "person": "Person's details", "conversation": "Conversation", "prescription":
    "Social prescription", "prescription_item": "Prescription item", "referral": "Referral",
    "referral_event": "Referral step", "follow_up": "Follow-up", "conversation_need": "Need",
    "partner": "Partner (directory)", "partner_service": "Partner service (directory)",
    "course": "Course (directory)", "advisor": "Advisor", "person_merge": "Merge of two people",
    "not_duplicate": "Not the same person",
}


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


def label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


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
        person_id, name = _person_of(session, c.entity, row)
        what = f"{WHAT.get(c.entity, c.entity)}: {name}" if name else WHAT.get(c.entity, c.entity)
        if c.kind == "value":
            now = to_json(getattr(row, c.field))
            if now == c.value:
                continue
            out.append(ReviewItem(c.id, c.kind, c.entity, c.entity_id, what, label(c.field),
                                  shown(now), shown(c.value), _when(c.winner_hlc),
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
