"""Retention: the people with no contact for a chosen number of years, for a manager to
review (keep, or erase: see services.erasure). Nothing here changes or removes anything.

A person's last contact is the latest of: their registration, their conversations, their
follow-ups done and the steps of their referrals (a referral's latest step's time is
kept on the referral: ``Referral.status_at``), across their merged family (records
made against a merged-away record count for the survivor); records deleted on the desk do
not count. Listed: people neither deleted, merged away nor erased whose last contact
(as a local date) is ``years`` or more before today, exactly ``years`` included; oldest
first.

Fast on a ten-year desk of 100,000 people: registration and conversations rule most
people out at once (an index gives each person's latest conversation without reading
their others), and follow-ups and referral steps are read only for those left. Merged
families, always few, are put together afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.services import duplicates
from lr_desk.store.clock import local_time
from lr_desk.store.models import Conversation, FollowUp, Person, Referral

DEFAULT_YEARS = 8  # see settings.OPTIONS["retention_years"]
MIN_YEARS, MAX_YEARS = 1, 50
NEVER = datetime(1900, 1, 1)  # stands for "none" where a time is compared


@dataclass(frozen=True)
class DueRow:
    person_id: str
    name: str
    date_of_birth: date | None
    last_contact: datetime  # local time
    years: int  # whole years since the last contact


def years_before(day: date, years: int) -> date:
    """The same date ``years`` earlier (29 February becomes the 28th in other years)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def whole_years(since: date, today: date) -> int:
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def check_years(value: int) -> str:
    """What is wrong with a number of years as the retention setting; "" if nothing."""
    if not MIN_YEARS <= value <= MAX_YEARS:
        return f"Choose between {MIN_YEARS} and {MAX_YEARS} years."
    return ""


def _latest_columns():
    """Each person's latest conversation (local time), follow-up done and referral step
    (both UTC), as correlated subqueries on Person."""
    conversation = (select(Conversation.occurred_at)
                    .where(Conversation.person_id == Person.id,
                           Conversation.deleted_at.is_(None))
                    .order_by(Conversation.occurred_at.desc()).limit(1)
                    .correlate(Person).scalar_subquery())
    follow_up = (select(func.max(FollowUp.done_at))
                 .where(FollowUp.person_id == Person.id, FollowUp.deleted_at.is_(None))
                 .correlate(Person).scalar_subquery())
    # a referral's status_at is the time of its latest step (set with each step): read
    # there, a step costs a third of reading every step of every referral
    step = (select(func.max(Referral.status_at))
            .where(Referral.person_id == Person.id, Referral.deleted_at.is_(None))
            .correlate(Person).scalar_subquery())
    return conversation, follow_up, step


def _last(created: datetime, conversation: datetime | None, follow_up: datetime | None,
          step: datetime | None) -> datetime:
    """The latest of a person's contacts, in local time."""
    times = [local_time(created), conversation]
    times += [local_time(t) for t in (follow_up, step) if t is not None]
    return max(t for t in times if t is not None)


def due_for_review(session: Session, years: int, today: date | None = None) -> list[DueRow]:
    """The people with no contact for at least ``years`` years, oldest contact first."""
    today = today or date.today()
    # a contact before local midnight at the end of this day is old enough
    limit_local = datetime.combine(years_before(today, years) + timedelta(days=1), time())
    limit_utc = limit_local.astimezone(UTC).replace(tzinfo=None)
    conversation, follow_up, step = _latest_columns()
    # Registration and the latest conversation (read from an index) are checked in the
    # query; follow-ups and referrals are read once, for those left, and checked here.
    rows = [r for r in session.execute(
        select(Person.id, Person.given_name, Person.preferred_name, Person.family_name,
               Person.date_of_birth, Person.created_at, conversation, follow_up, step)
        .where(Person.deleted_at.is_(None), Person.merged_into.is_(None),
               Person.erased_at.is_(None), Person.created_at < limit_utc,
               func.coalesce(conversation, NEVER) < limit_local))
        if (r[7] is None or r[7] < limit_utc) and (r[8] is None or r[8] < limit_utc)]
    last = {r.id: _last(r.created_at, r[6], r[7], r[8]) for r in rows}

    # records of merged-away people count for the survivor they were merged into
    family: dict[str, list[str]] = {}
    for merged_id in session.scalars(select(Person.id).where(Person.merged_into.is_not(None))):
        head = duplicates.survivor(session, merged_id)
        if head in last:
            family.setdefault(head, []).append(merged_id)
    members = [m for ids in family.values() for m in ids]
    members_last: dict[str, datetime] = {}
    for start in range(0, len(members), 500):
        for r in session.execute(
                select(Person.id, Person.created_at, conversation, follow_up, step)
                .where(Person.id.in_(members[start:start + 500]))):
            members_last[r.id] = _last(r.created_at, r[2], r[3], r[4])
    for head, ids in family.items():
        last[head] = max([last[head], *(members_last[m] for m in ids)])

    out = []
    for r in rows:
        when = last[r.id]
        if when >= limit_local:
            continue  # a merged-away record of theirs had a contact since
        name = f"{r.preferred_name or r.given_name} {r.family_name}".strip()
        out.append(DueRow(r.id, name, r.date_of_birth, when, whole_years(when.date(), today)))
    out.sort(key=lambda d: (d.last_contact, d.name.casefold(), d.person_id))
    return out
