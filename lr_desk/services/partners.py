"""A partner's figures, for its page: load over time against capacity, referrals by
status, acceptance, days to reply, completions and not taken up, overrides, the person's
views, its contacts and catch-ups.

``figures(session, partner_id, today)`` reads them in one grouped pass over the
partner's referrals (SQL counts; Python adds up the grouped rows), plus its services,
contacts and catch-ups, whatever the size of the history:

- load: referrals SENT to each of its services in each of the last 12 months (this one
  so far included), a referral counting in the month it was first sent (the rule of
  ``services.load``), against what each service says it can take in a month (a weekly
  number x 52 / 12);
- the other figures are for the referrals MADE in the period asked for (the last 12
  months by default, or all time), with each status counted for all time as well:
  acceptance is accepted (or engaged, completed, or not taken up after being accepted)
  out of those answered (that, or declined); days to reply run from the day first sent
  to the day first accepted or declined (whole days, the median).

Reading the referrals' steps costs most, so steps are read, by their referral, only for
the referrals that need them (``load.sent_times`` groups every referral's steps first:
right for every service at once, too slow for one partner's page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from lr_desk.services import catchups, contacts, dates, load
from lr_desk.services.catchups import Catchup, add_months
from lr_desk.services.contacts import ContactRow
from lr_desk.store.models import (
    REFERRAL_STATUSES,
    REFERRAL_VIEWS,
    Partner,
    PartnerService,
    Referral,
    ReferralEvent,
)

MONTHS = 12  # load over time: this month and the 11 before it
WEEKS_PER_MONTH = 52 / 12
ACCEPTED = ("accepted", "engaged", "completed")  # accepted, or got further since
REPLIES = ("accepted", "declined")


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last ``months`` months, oldest first, ending with today's."""
    first = today.replace(day=1)
    return [add_months(first, -n) for n in range(months - 1, -1, -1)]


def per_month(takes: int | None, per: str) -> float | None:
    """A service's capacity as new referrals a month (None: it has not said)."""
    if takes is None:
        return None
    return takes * WEEKS_PER_MONTH if per == "week" else float(takes)


@dataclass
class ServiceLoad:
    """One service: what it can take a month, and referrals sent to it month by month."""

    id: str
    name: str
    capacity: str  # CAPACITY code: taking, waiting, paused, closed
    takes: int | None
    takes_per: str
    per_month: float | None  # capacity a month (None: not said)
    sent: list[int]  # per month of ``PartnerFigures.months``


@dataclass
class PartnerFigures:
    partner_id: str
    name: str
    today: date
    since: date | None  # the period's first day (None: all time)
    contacts: list[ContactRow]
    key_contact: ContactRow | None
    months: list[date]  # first days, oldest first
    services: list[ServiceLoad]
    made: int = 0  # referrals made in the period
    by_status: dict[str, int] = field(default_factory=dict)  # in the period
    by_status_all: dict[str, int] = field(default_factory=dict)  # all time
    answered: int = 0
    accepted: int = 0
    replies: int = 0  # answered with a day sent and a day answered
    median_reply_days: float | None = None
    overrides: int = 0
    views: dict[str, int] = field(default_factory=dict)  # REFERRAL_VIEWS code -> how many
    catchups: list[Catchup] = field(default_factory=list)
    catchup_every_months: int = 3

    @property
    def sent_all(self) -> list[int]:
        """Referrals sent to any of its services, month by month."""
        return [sum(s.sent[i] for s in self.services) for i in range(len(self.months))]

    @property
    def capacity_all(self) -> float | None:
        """What its services together can take a month (those that say; None: none do)."""
        known = [s.per_month for s in self.services if s.per_month is not None]
        return sum(known) if known else None

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.answered if self.answered else None

    @property
    def completed(self) -> int:
        return self.by_status.get("completed", 0)

    @property
    def not_taken_up(self) -> int:
        return self.by_status.get("not_taken_up", 0)

    @property
    def views_given(self) -> int:
        return sum(self.views.values())

    @property
    def next_catchup(self) -> Catchup | None:
        return next((c for c in self.catchups if c.held_on is None), None)


def figures(session: Session, partner_id: str, today: date,
            all_time: bool = False) -> PartnerFigures | None:
    """The partner's figures on ``today`` (None if it is no longer in the directory)."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.deleted_at is not None:
        return None
    months = month_starts(today)
    since = None if all_time else months[0]
    rows = session.execute(
        select(PartnerService).where(PartnerService.partner_id == partner_id,
                                     PartnerService.deleted_at.is_(None))
        .order_by(PartnerService.name)).scalars().all()
    services = [ServiceLoad(s.id, s.name, s.capacity, s.takes, s.takes_per,
                            per_month(s.takes, s.takes_per), [0] * len(months)) for s in rows]
    people = contacts.contacts(session, partner_id)
    found = PartnerFigures(
        partner_id, partner.name, today, since, people,
        next((c for c in people if c.is_key and c.name), None), months, services,
        catchups=catchups.catchups(session, partner_id),
        catchup_every_months=partner.catchup_every_months)
    _count(session, found, partner_id)
    return found


def _step_at(statuses: tuple[str, ...], chases: bool = True):
    """The time of a referral's first step to one of ``statuses`` (never a deleted one;
    a chase only if ``chases``), read for the referral of the row at hand."""
    e = ReferralEvent
    query = select(func.min(e.at)).where(e.referral_id == Referral.id,
                                         e.status.in_(statuses), e.deleted_at.is_(None))
    if not chases:
        query = query.where(e.kind != "chase")
    return query.scalar_subquery()


def _count(session: Session, found: PartnerFigures, partner_id: str) -> None:
    """Every figure but the contacts and catch-ups, in one pass over the partner's
    referrals grouped in SQL. Steps are read (through their referral's index) only for
    the referrals that need them: those changed since the load's first month (the month
    each was first sent: ``services.load``'s rule, a step or a correction to "sent",
    never one deleted) and those made in the period and answered (days to reply,
    whether one not taken up had been accepted)."""
    starts = [load.utc_start(m) for m in found.months]
    made = (Referral.created_at >= load.utc_start(found.since)) if found.since else None
    answered = Referral.status.in_((*ACCEPTED, "declined", "not_taken_up"))
    asked = and_(made, answered) if made is not None else answered
    e = ReferralEvent
    per_referral = (
        select(Referral.service_id.label("service_id"), Referral.status.label("status"),
               Referral.view.label("view"),
               (func.trim(Referral.override_reason) != "").label("override"),
               (case((made, 1), else_=0) if made is not None else literal(1)).label("made"),
               case((or_(Referral.status_at >= starts[0], asked), _step_at(("sent",))))
               .label("sent"),
               case((asked, _step_at(REPLIES, chases=False))).label("reply"),
               case((and_(asked, Referral.status == "not_taken_up"),
                     exists().where(e.referral_id == Referral.id, e.status.in_(ACCEPTED),
                                    e.deleted_at.is_(None), e.kind != "chase")),
                    else_=False).label("was_accepted"))
        .where(Referral.service_id.in_(select(PartnerService.id).where(
            PartnerService.partner_id == partner_id)),  # (one removed since counts too)
            Referral.deleted_at.is_(None))
        .limit(-1)  # (read once: not folded into the grouping, which would read it again)
        .subquery())
    r = per_referral.c
    month = case(*[(r.sent >= start, i) for i, start in reversed(list(enumerate(starts)))],
                 else_=None)
    yes = or_(r.status.in_(ACCEPTED), and_(r.status == "not_taken_up", r.was_accepted))
    answer = case((and_(r.made == 1, yes), 1), (and_(r.made == 1, r.status == "declined"), 0),
                  else_=None)
    days = func.julianday(func.date(r.reply)) - func.julianday(func.date(r.sent))
    gap = case((and_(answer.is_not(None), r.reply >= r.sent), days), else_=None)
    groups = (r.service_id, r.status, r.view, r.override, r.made, month, answer, gap)
    index = {s.id: s for s in found.services}
    spread: dict[float, int] = {}
    for service_id, status, view, override, in_period, i, yes_no, days_taken, n in (
            session.execute(select(*groups, func.count()).group_by(*groups))):
        found.by_status_all[status] = found.by_status_all.get(status, 0) + n
        if i is not None and service_id in index:
            index[service_id].sent[i] += n
        if not in_period:
            continue
        found.made += n
        found.by_status[status] = found.by_status.get(status, 0) + n
        found.overrides += n if override else 0
        if view in REFERRAL_VIEWS:
            found.views[view] = found.views.get(view, 0) + n
        if yes_no is not None:
            found.answered += n
            found.accepted += n if yes_no else 0
            if days_taken is not None:
                spread[days_taken] = spread.get(days_taken, 0) + n
    for counts in (found.by_status, found.by_status_all):
        ordered = {code: counts.get(code, 0) for code in REFERRAL_STATUSES}
        ordered.update({k: v for k, v in counts.items() if k not in ordered})
        counts.clear()
        counts.update(ordered)
    found.views = {code: found.views.get(code, 0) for code in REFERRAL_VIEWS}
    found.replies = sum(spread.values())
    found.median_reply_days = _median(sorted(spread.items()), found.replies)


def _median(spread: list[tuple[float, int]], total: int) -> float | None:
    """The median of values given as (value, how many), in order."""
    if not total:
        return None
    lower, upper = (total - 1) // 2, total // 2  # the middle one, or the middle two
    picked, seen = [], 0
    for value, n in spread:
        for at in (lower, upper):
            if seen <= at < seen + n:
                picked.append(value)
        seen += n
    return sum(picked) / len(picked)


def since_words(since: date | None, today: date) -> str:
    """'since 1 Jan' (with its year when not this year) or 'all time', for headings."""
    return "all time" if since is None else f"since {dates.day(since, today, weekday=False)}"
