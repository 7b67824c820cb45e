"""Catch-ups with partners: planned every ``Partner.catchup_every_months`` (3 by
default; 0: none) from the last one held, or from the day the partner was added when
none has been held; recorded when held (the date, who was there, notes), which plans the
next; overdue when the planned day has passed and it has not been held.

The day planned is always worked out from that rule, so a change of cadence (in the
partner's editor, or from another desk) moves it at once; the waiting record ``plan``
keeps (one per partner: it puts right two planned at once by two desks offline) is the
one recorded as held, on that day. Reading never writes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.services import accounts
from lr_desk.services.validation import Checker, ValidationError, check_text, parse_date
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import Advisor, Partner, PartnerCatchup

MANAGES = "reports"  # who sees overdue catch-ups: managers and admins (accounts.NEEDS)
OLDEST_YEARS = 10  # a catch-up held longer ago than this is a slip of the year


def add_months(day: date, months: int) -> date:
    """``day`` moved on by whole months (31 Jan + 1 month: 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _today(session: Session) -> date:
    return local_time(session_now(session)).date()


@dataclass(frozen=True)
class Catchup:
    """One catch-up as the partner page lists it."""

    id: str | None  # None: due, but not planned in a record yet
    planned_on: date | None
    held_on: date | None
    who: str
    notes: str
    recorded_by: str  # the advisor's name

    def overdue_days(self, today: date) -> int:
        """How many days past its planned day a catch-up not yet held is (0: not late)."""
        if self.held_on is not None or self.planned_on is None:
            return 0
        return max(0, (today - self.planned_on).days)


@dataclass(frozen=True)
class Overdue:
    """A partner whose planned catch-up has passed without being held."""

    partner_id: str
    partner_name: str
    planned_on: date
    days: int

    @property
    def words(self) -> str:
        """'catch-up overdue, 12 days' (or '1 day')."""
        return f"catch-up overdue, {self.days} day{'s' if self.days != 1 else ''}"


def _due_from(every: int, created: date, last_held: date | None) -> date | None:
    if every <= 0:
        return None
    return add_months(last_held or created, every)


def next_due(session: Session, partner_id: str) -> date | None:
    """The day the partner's next catch-up is planned for (None: no catch-ups)."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.deleted_at is not None:
        return None
    last_held = session.scalar(
        select(func.max(PartnerCatchup.held_on))
        .where(PartnerCatchup.partner_id == partner_id, PartnerCatchup.deleted_at.is_(None)))
    return _due_from(partner.catchup_every_months, local_time(partner.created_at).date(),
                     last_held)


def plan(session: Session, partner_id: str) -> PartnerCatchup | None:
    """Keep one planned catch-up waiting for the partner, on the day its cadence says
    (from the last held, else from the day it was added): made if there is none, moved
    if the cadence or the last held one changed, others waiting put away. None (and any
    waiting put away) for a partner with no catch-ups."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.deleted_at is not None:
        return None
    rows = list(session.scalars(
        select(PartnerCatchup).where(PartnerCatchup.partner_id == partner_id,
                                     PartnerCatchup.deleted_at.is_(None))))
    held = [r.held_on for r in rows if r.held_on is not None]
    waiting = sorted((r for r in rows if r.held_on is None),
                     key=lambda r: (r.planned_on, r.id))
    due = _due_from(partner.catchup_every_months, local_time(partner.created_at).date(),
                    max(held, default=None))
    now = session_now(session)
    keep = waiting[0] if waiting and due is not None else None
    for extra in waiting:
        if extra is not keep:
            extra.deleted_at = now
    if due is None:
        session.flush()
        return None
    if keep is None:
        keep = PartnerCatchup(partner_id=partner_id, planned_on=due)
        session.add(keep)
    elif keep.planned_on != due:
        keep.planned_on = due
    session.flush()
    return keep


def validate_held(raw: dict, today: date) -> dict:
    """Check a catch-up held (pure: the form calls it as you type): ``held_on`` (a day,
    not one to come), ``who`` (who was there, needed), ``notes``."""
    c = Checker()
    held_on = c.field("held_on", _held_day, raw.get("held_on", ""), today)
    who = c.field("who", _who, raw.get("who", ""))
    notes = c.field("notes", check_text, raw.get("notes", ""), "notes")
    c.done()
    return {"held_on": held_on, "who": who, "notes": notes}


def _held_day(value, today: date) -> date:
    if isinstance(value, date):
        day = value
    elif not (value or "").strip():
        raise ValueError("Please enter the day the catch-up was held.")
    else:
        day = parse_date(value, today)
    if day > today:
        raise ValueError("A catch-up can't be recorded as held on a day still to come.")
    if day.year < today.year - OLDEST_YEARS:
        raise ValueError("That is more than ten years ago; please check the year.")
    return day


def _who(value) -> str:
    text = check_text(value, "list of who was there", 2000)
    if not text:
        raise ValueError("Please say who was there (names, or which organisation).")
    return text


def record_held(session: Session, catchup_id: str | None, partner_id: str, held_on,
                who: str, notes: str, advisor_id: str,
                today: date | None = None) -> PartnerCatchup:
    """Record a catch-up held with the partner: the planned one ``catchup_id`` (or, with
    None, one that was not planned), or put right one recorded before; then plan the
    next. ``held_on``: a date, or as typed ("12/03/2026")."""
    today = today or _today(session)
    values = validate_held({"held_on": held_on, "who": who, "notes": notes}, today)
    partner = session.get(Partner, partner_id)
    if partner is None or partner.deleted_at is not None:
        raise ValidationError({"held_on": "This partner is no longer in the directory."})
    if catchup_id is None:
        row = PartnerCatchup(partner_id=partner_id, planned_on=values["held_on"])
        session.add(row)
    else:
        row = session.get(PartnerCatchup, catchup_id)
        if row is None or row.deleted_at is not None or row.partner_id != partner_id:
            raise ValidationError({"held_on": "This catch-up is no longer here (another "
                                              "desk may have recorded it)."})
        if row.held_on is None:  # the one planned: on the day it was due (its cadence's)
            row.planned_on = next_due(session, partner_id) or row.planned_on
    row.held_on, row.who, row.notes = values["held_on"], values["who"], values["notes"]
    row.advisor_id = advisor_id or None
    session.flush()
    plan(session, partner_id)
    return row


def catchups(session: Session, partner_id: str) -> list[Catchup]:
    """The partner's catch-ups: the next one to hold first (planned, or due but not yet
    planned in a record), then those held, the latest first."""
    rows = session.execute(
        select(PartnerCatchup, Advisor.name)
        .outerjoin(Advisor, PartnerCatchup.advisor_id == Advisor.id)
        .where(PartnerCatchup.partner_id == partner_id, PartnerCatchup.deleted_at.is_(None))
        .order_by(PartnerCatchup.held_on.desc(), PartnerCatchup.planned_on.desc())).all()
    held = [Catchup(r.id, r.planned_on, r.held_on, r.who, r.notes, name or "")
            for r, name in rows if r.held_on is not None]
    waiting = sorted((r for r, _ in rows if r.held_on is None),
                     key=lambda r: (r.planned_on, r.id))
    due = next_due(session, partner_id)
    coming = [Catchup(waiting[0].id if waiting else None, due, None, "", "", "")] \
        if due is not None else []
    return coming + held


def overdue(session: Session, today: date) -> list[Overdue]:
    """Partners whose planned catch-up day is past and not held, the latest first (one
    query over the partners, whatever the number of catch-ups)."""
    held = (select(PartnerCatchup.partner_id, func.max(PartnerCatchup.held_on).label("held"))
            .where(PartnerCatchup.deleted_at.is_(None))
            .group_by(PartnerCatchup.partner_id).subquery())
    rows = session.execute(
        select(Partner.id, Partner.name, Partner.catchup_every_months, Partner.created_at,
               held.c.held)
        .outerjoin(held, held.c.partner_id == Partner.id)
        .where(Partner.deleted_at.is_(None), Partner.catchup_every_months > 0)).all()
    found = []
    for pid, name, every, created, last_held in rows:
        due = _due_from(every, local_time(created).date(), last_held)
        if due is not None and due < today:
            found.append(Overdue(pid, name, due, (today - due).days))
    return sorted(found, key=lambda o: (-o.days, o.partner_name.casefold()))


def overdue_for(session: Session, advisor_id: str | None,
                today: date) -> list[Overdue] | None:
    """Overdue catch-ups for the one signed in, if they are a manager or an admin (None
    for anyone else: it is managers' work, so advisors' Today does not show it)."""
    advisor = session.get(Advisor, advisor_id) if advisor_id else None
    if advisor is None or not accounts.can(advisor.role, MANAGES):
        return None
    return overdue(session, today)
