"""People registered twice (say at two hubs while offline): finding them, merging, undoing.

A merge is ordinary synced data: the merged-away person is marked ``merged_into`` the
survivor, every record of theirs is moved to the survivor, and a ``PersonMerge`` row
remembers what was moved so the merge can be undone. Records made later, anywhere,
against the merged-away person (a device that had not heard of the merge yet) are shown
with the survivor's: every view reads a person's records through ``family``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.services.people import (
    SAME_BIRTHDAY_SIMILAR_NAME,
    SAME_PHONE,
    name_forms,
    similar_names,
)
from lr_desk.services.validation import phone_digits
from lr_desk.store.clock import session_now
from lr_desk.store.models import (
    Conversation,
    FollowUp,
    NotDuplicate,
    Person,
    PersonMerge,
    Prescription,
    Referral,
)

# The records that belong to a person, by the column that says whose they are.
OWNED = {"conversation": Conversation, "prescription": Prescription, "referral": Referral,
         "follow_up": FollowUp}
SHARED_PHONE = 4  # more people than this on one number: a shared line, not a duplicate


class MergeError(ValueError):
    """A merge that cannot be done; the message says why in plain words."""


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
        frontier = [i for i in session.scalars(
            select(Person.id).where(Person.merged_into.in_(frontier))) if i not in ids]
        ids.extend(frontier)
    return ids


@dataclass
class DuplicatePair:
    a: Person
    b: Person
    why: str


def possible_duplicates(session: Session) -> list[DuplicatePair]:
    """Pairs of living people who may be one: the same date of birth and a similar name,
    or the same phone number. Pairs an advisor has said are different are left out.

    Streams plain columns, one date of birth (or phone number) at a time, so a desk of
    a hundred thousand people is read in a couple of seconds without holding them all;
    whole records are loaded only for the pairs found."""
    living = (Person.deleted_at.is_(None), Person.merged_into.is_(None))
    dismissed = {_pair_ids(a, b) for a, b in session.execute(
        select(NotDuplicate.person_a, NotDuplicate.person_b)
        .where(NotDuplicate.deleted_at.is_(None)))}
    found: dict[tuple[str, str], str] = {}

    shared_dob = select(Person.date_of_birth).where(
        *living, Person.date_of_birth.is_not(None)).group_by(Person.date_of_birth).having(
        func.count() > 1)
    rows = session.execute(
        select(Person.date_of_birth, Person.id, Person.given_name, Person.family_name,
               Person.preferred_name)
        .where(*living, Person.date_of_birth.in_(shared_dob))
        .order_by(Person.date_of_birth).execution_options(yield_per=2000))
    for _dob, group in groupby(rows, key=lambda r: r[0]):
        named = [(pid, name_forms(given, family, preferred))
                 for _, pid, given, family, preferred in group]
        for i, (a, names_a) in enumerate(named):
            for b, names_b in named[i + 1:]:
                if similar_names(names_a, names_b):
                    found[_pair_ids(a, b)] = SAME_BIRTHDAY_SIMILAR_NAME

    def phones():
        for pid, phone in session.execute(
                select(Person.id, Person.phone).where(*living, Person.phone != "")
                .execution_options(yield_per=2000)):
            digits = phone_digits(phone)
            if len(digits) >= 7:
                yield digits[-9:], pid
    shared = {key for key, n in Counter(key for key, _ in phones()).items() if n > 1}
    by_phone: dict[str, list[str]] = defaultdict(list)
    for key, pid in phones():
        if key in shared:
            by_phone[key].append(pid)
    for group in by_phone.values():
        if len(group) > SHARED_PHONE:
            continue  # a hub's, a hostel's or a family's line: no sign of one person
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                found.setdefault(_pair_ids(a, b), SAME_PHONE)
    for key in dismissed:
        found.pop(key, None)
    people = {p.id: p for p in _load(session, {i for pair in found for i in pair})}
    pairs = [DuplicatePair(people[a], people[b], why) for (a, b), why in found.items()]
    pairs.sort(key=lambda p: (p.a.family_name.lower(), p.a.given_name.lower(), p.a.id, p.b.id))
    return pairs


def _load(session: Session, ids: set[str]) -> list[Person]:
    ids_list = sorted(ids)
    out: list[Person] = []
    for start in range(0, len(ids_list), 500):
        out.extend(session.scalars(select(Person).where(
            Person.id.in_(ids_list[start:start + 500]))))
    return out


def _pair_ids(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def not_duplicates(session: Session, a_id: str, b_id: str, advisor_id: str) -> NotDuplicate:
    """Say two records are different people: the pair is not listed again, anywhere."""
    a, b = _pair_ids(a_id, b_id)
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
