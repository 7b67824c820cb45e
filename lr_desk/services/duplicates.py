"""People registered twice (say at two hubs while offline): finding them, merging, undoing.

A merge is ordinary synced data: the merged-away person is marked ``merged_into`` the
survivor, every record of theirs is moved to the survivor, and a ``PersonMerge`` row
remembers what was moved so the merge can be undone. Records made later, anywhere,
against the merged-away person (a device that had not heard of the merge yet) are shown
with the survivor's: every view reads a person's records through ``family``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from lr_desk.services.twice import DuplicatePair, pair_ids, possible_duplicates
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import (
    Advisor,
    Conversation,
    FollowUp,
    NotDuplicate,
    Person,
    PersonMerge,
    Prescription,
    Referral,
    WellbeingMeasure,
)

__all__ = ["DuplicatePair", "possible_duplicates"]  # (found in services.twice)

# The records that belong to a person, by the column that says whose they are.
OWNED = {"conversation": Conversation, "prescription": Prescription, "referral": Referral,
         "follow_up": FollowUp, "wellbeing_measure": WellbeingMeasure}


class MergeError(ValueError):
    """A merge that cannot be done; the message says why in plain words."""


# Who was merged into these people. Told which index to use: SQLite's statistics (once
# ANALYZE has run) see merged_into as one value, NULL, on nearly every row, and so scan
# every person rather than use its index: 35 ms a lookup at 100,000 people, and opening a
# person takes three. With the index: well under a millisecond.
_MERGED_INTO = text("SELECT id FROM person INDEXED BY ix_person_merged_into "
                    "WHERE merged_into IN :ids").bindparams(bindparam("ids", expanding=True))


def survivor(session: Session, person_id: str) -> str:
    """The person a record is shown under: itself, or the person it was merged into.

    Two desks may merge the same pair each its own way round before either hears of the
    other: then each points at the other, and the one with the smaller id stands for both
    (on every device alike)."""
    chain = [person_id]
    while True:
        target = session.scalar(select(Person.merged_into).where(Person.id == chain[-1]))
        if not target:
            return chain[-1]
        if target in chain:
            return min(chain[chain.index(target):])
        chain.append(target)


def in_a_merge_loop(session: Session) -> list[str]:
    """The people who stand for a loop of merges (see ``survivor``): usually none."""
    pointing = dict(session.execute(select(Person.id, Person.merged_into)
                                    .where(Person.merged_into.is_not(None))).all())
    heads = set()
    for start in pointing:
        chain = [start]
        while chain[-1] in pointing and pointing[chain[-1]] not in chain:
            chain.append(pointing[chain[-1]])
        if chain[-1] in pointing:  # came back round
            loop = chain[chain.index(pointing[chain[-1]]):]
            heads.add(min(loop))
    return sorted(heads)


def family(session: Session, person_id: str) -> list[str]:
    """The survivor ``person_id`` and everyone merged into it (at any depth)."""
    ids, frontier = [person_id], [person_id]
    while frontier:
        frontier = [i for i in session.scalars(_MERGED_INTO, {"ids": frontier})
                    if i not in ids]
        ids.extend(frontier)
    return ids


def not_duplicates(session: Session, a_id: str, b_id: str, advisor_id: str) -> NotDuplicate:
    """Say two records are different people: the pair is not listed again, anywhere."""
    a, b = pair_ids(a_id, b_id)
    row = NotDuplicate(person_a=a, person_b=b, advisor_id=advisor_id)
    session.add(row)
    session.flush()
    return row


def merge(session: Session, survivor_id: str, merged_id: str, advisor_id: str) -> PersonMerge:
    """Merge ``merged_id`` into ``survivor_id``: move every record, mark the merged one."""
    if survivor_id == merged_id:
        raise MergeError("Choose two different people to merge.")
    keep, gone = session.get(Person, survivor_id), session.get(Person, merged_id)
    if keep is None or gone is None or keep.deleted_at or gone.deleted_at:
        raise MergeError("One of these people is no longer on this desk.")
    if keep.merged_into or gone.merged_into:
        raise MergeError("One of these people has already been merged into someone else.")
    moved: dict[str, list[str]] = {}
    for name, model in OWNED.items():
        rows = session.scalars(select(model).where(model.person_id == merged_id)).all()
        for row in rows:
            row.person_id = survivor_id
        if rows:
            moved[name] = [r.id for r in rows]
    gone.merged_into = survivor_id
    record = PersonMerge(survivor_id=survivor_id, merged_id=merged_id, advisor_id=advisor_id,
                         moved=moved)
    session.add(record)
    session.flush()
    return record


def undo_merge(session: Session, merge_id: str) -> Person:
    """Put a merged person back, with the records the merge moved. Returns them."""
    record = session.get(PersonMerge, merge_id)
    if record is None or record.undone_at is not None:
        raise MergeError("This merge has already been undone.")
    gone = session.get(Person, record.merged_id)
    for name, ids in record.moved.items():
        model = OWNED[name]
        for row in session.scalars(select(model).where(model.id.in_(ids),
                                                       model.person_id == record.survivor_id)):
            row.person_id = record.merged_id
    gone.merged_into = None
    record.undone_at = session_now(session)
    session.flush()
    return gone


def merges_of(session: Session, survivor_id: str) -> list[PersonMerge]:
    """The merges into this person that can still be undone, newest first."""
    return list(session.scalars(
        select(PersonMerge).where(PersonMerge.survivor_id == survivor_id,
                                  PersonMerge.undone_at.is_(None),
                                  PersonMerge.deleted_at.is_(None))
        .order_by(PersonMerge.created_at.desc())))


@dataclass
class MergeRow:
    """A merge into someone that can still be undone, as the person's page offers it."""

    id: str
    merged_id: str
    merged_name: str
    when: datetime
    by: str

    def text(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return f"{self.merged_name}, merged on {self.when:%d %b %Y %H:%M}{by}"


def merges_into(session: Session, person_id: str) -> list[MergeRow]:
    """The merges into this person (or the person they now show as) that can be undone."""
    names = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    out = []
    for m in merges_of(session, survivor(session, person_id)):
        merged = session.get(Person, m.merged_id)
        out.append(MergeRow(m.id, m.merged_id, merged.display_name if merged else "",
                            local_time(m.created_at), names.get(m.advisor_id, "")))
    return out
