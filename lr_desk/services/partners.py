"""A partner's figures, for its page: load over time against capacity, referrals by
status, acceptance, days to reply, completions and not taken up, overrides, the person's
views, its contacts and catch-ups.

``figures(session, partner_id, today)`` reads them in a handful of grouped queries (SQL
counts; Python adds up a few dozen grouped rows), whatever the size of the history:

- load: referrals SENT to each of its services in each of the last 12 months (this one
  so far included), a referral counting in the month it was first sent (the definition
  of ``services.load``), against what each service says it can take in a month (a
  weekly number x 52 / 12);
- the other figures are for the referrals MADE in the period asked for (the last 12
  months by default, or all time), with each status counted for all time as well:
  acceptance is accepted (or engaged, completed, or not taken up after being accepted)
  out of those answered (that, or declined); days to reply run from the day first sent
  to the day first accepted or declined (whole days, the median).

Reading the referrals' steps costs most, so the steps read are only those of the
referrals in the period (a referral sent in the last 12 months has changed since the
period began, so ``status_at`` narrows them before any step is read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select
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
    # referrals to any service it has had (one removed since still counts)
    theirs = select(PartnerService.id).where(PartnerService.partner_id == partner_id)
    _load(session, found, theirs)
    _statuses(session, found, theirs)
    _answers(session, found, theirs)
    return found


def _load(session: Session, found: PartnerFigures, theirs) -> None:
    """Referrals first sent in each month, per service."""
    starts = [load.utc_start(m) for m in found.months]
    recent = (select(Referral.id).where(Referral.service_id.in_(theirs),
                                        Referral.status_at >= starts[0]))
    first = load.first_sent(starts[0])
    first = first.where(first.selected_columns.referral_id.in_(recent)).subquery()
    month = case(*[(first.c.sent_at >= start, i)
                   for i, start in reversed(list(enumerate(starts)))], else_=None)
    index = {s.id: s for s in found.services}
    for service_id, i, n in session.execute(
            select(Referral.service_id, month, func.count())
            .join(first, first.c.referral_id == Referral.id)
            .where(Referral.deleted_at.is_(None))
            .group_by(Referral.service_id, month)):
        if i is not None and service_id in index:
            index[service_id].sent[i] += n


def _statuses(session: Session, found: PartnerFigures, theirs) -> None:
    """Referrals by status (in the period and all time), overrides and views: from the
    referrals alone."""
    overridden = func.trim(Referral.override_reason) != ""
    columns = [Referral.status, Referral.view, overridden]
    if found.since is not None:
        columns.append(case((Referral.created_at >= load.utc_start(found.since), 1),
                            else_=0))
    for status, view, override, *made, n in session.execute(
            select(*columns, func.count())
            .where(Referral.service_id.in_(theirs), Referral.deleted_at.is_(None))
            .group_by(*columns)):
        found.by_status_all[status] = found.by_status_all.get(status, 0) + n
        if made and not made[0]:
            continue
        found.made += n
        found.by_status[status] = found.by_status.get(status, 0) + n
        if override:
            found.overrides += n
        if view in REFERRAL_VIEWS:
            found.views[view] = found.views.get(view, 0) + n
    for counts in (found.by_status, found.by_status_all):
        ordered = {code: counts.get(code, 0) for code in REFERRAL_STATUSES}
        ordered.update({k: v for k, v in counts.items() if k not in ordered})
        counts.clear()
        counts.update(ordered)
    found.views = {code: found.views.get(code, 0) for code in REFERRAL_VIEWS}


def _answers(session: Session, found: PartnerFigures, theirs) -> None:
    """Acceptance and days to reply, from the steps of the referrals made in the period
    that were answered (or have gone past an answer)."""
    wanted = [Referral.service_id.in_(theirs), Referral.deleted_at.is_(None),
              Referral.status.in_((*ACCEPTED, "declined", "not_taken_up"))]
    if found.since is not None:
        start = load.utc_start(found.since)
        wanted += [Referral.created_at >= start, Referral.status_at >= start]
    e = ReferralEvent
    live = and_(e.deleted_at.is_(None), e.kind != "chase")
    steps = (select(Referral.id.label("id"), Referral.status.label("status"),
                    func.min(case((and_(live, e.status == "sent"), e.at))).label("sent"),
                    func.min(case((and_(live, e.status.in_(REPLIES)), e.at))).label("reply"),
                    func.max(case((and_(live, e.status.in_(ACCEPTED)), 1), else_=0))
                    .label("was_accepted"))
             .outerjoin(e, e.referral_id == Referral.id)
             .where(*wanted).group_by(Referral.id).subquery())
    accepted = or_(steps.c.status.in_(ACCEPTED),
                   and_(steps.c.status == "not_taken_up", steps.c.was_accepted == 1))
    answer = case((accepted, 1), (steps.c.status == "declined", 0), else_=None)
    days = func.julianday(func.date(steps.c.reply)) - func.julianday(func.date(steps.c.sent))
    gap = case((steps.c.reply >= steps.c.sent, days), else_=None)
    spread: list[tuple[float, int]] = []
    for yes, days_taken, n in session.execute(
            select(answer, gap, func.count()).group_by(answer, gap)):
        if yes is None:
            continue
        found.answered += n
        found.accepted += n if yes else 0
        if days_taken is not None:
            spread.append((days_taken, n))
    found.replies = sum(n for _, n in spread)
    found.median_reply_days = _median(sorted(spread), found.replies)


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
