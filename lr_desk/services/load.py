"""A partner service's load: how many referrals were sent to it this week or this month
(by its ``takes_per``), to set against how many it says it can take (``takes``).

A referral counts in the week or month it was SENT: the time of its first step to
"sent" (any kind of event: a step or a correction; never one deleted). A referral
corrected back and sent again still counts once, when it was first sent.

``sent_times()`` is that as a select others reuse (the partner page draws load over
time from it); ``loads()`` counts this period's for every service in one grouped query.
Times are stored in UTC; a week (from Monday) or a month (from the 1st) starts at local
midnight.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from lr_desk.store.clock import local_time
from lr_desk.store.models import PartnerService, Referral, ReferralEvent

PERIODS = ("week", "month")


def period_start(per: str, day: date) -> date:
    """The first day of the week (its Monday) or the month (the 1st) that ``day`` is in."""
    if per == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def utc_start(day: date) -> datetime:
    """Local midnight at the start of ``day``, as the naive UTC the store keeps."""
    midnight = datetime.combine(day, time())
    offset = local_time(midnight) - midnight  # (an hour's error at most around a change)
    return midnight - offset


def unindexed(column) -> UnaryExpression:
    """``+column``: the same value, which SQLite will not look up by an index (so a
    lookup by referral takes the referral's index, not every sent step's)."""
    return UnaryExpression(column, operator=custom_op("+"))


def first_sent(since: datetime | None = None) -> Select:
    """(referral_id, sent_at) of each referral ever sent: its first event to "sent".
    ``since``: only referrals first sent at or after it: those sent since then, less
    those with a "sent" before it (looked up by referral), so only the recent events are
    grouped."""
    sent = ReferralEvent.__table__.alias("sent")
    query = (select(sent.c.referral_id, func.min(sent.c.at).label("sent_at"))
             .where(sent.c.status == "sent", sent.c.deleted_at.is_(None)))
    if since is None:
        return query.group_by(sent.c.referral_id)
    before = ReferralEvent.__table__.alias("before")
    # (the earlier "sent" looked up by the referral's index: "+status" keeps SQLite off
    # the status-and-time index, which would read every earlier sent step for each row)
    return (query.where(sent.c.at >= since, ~exists().where(
                before.c.referral_id == sent.c.referral_id,
                unindexed(before.c.status) == "sent",
                before.c.deleted_at.is_(None), before.c.at < since))
            # (grouped by "+referral_id": SQLite then reads the events in one pass, not
            # all of them through the referral_id index, 0.2 s not 0.5-0.9 s at ten years)
            .group_by(unindexed(sent.c.referral_id)))


def sent_times(since: datetime | None = None) -> Select:
    """(referral_id, service_id, sent_at) of every referral sent (not deleted)."""
    first = first_sent(since).subquery("first_sent")
    return (select(Referral.id.label("referral_id"), Referral.service_id,
                   first.c.sent_at)
            .join(first, first.c.referral_id == Referral.id)
            .where(Referral.deleted_at.is_(None)))


def loads(session: Session, service_ids: Iterable[str] | None, today: date) -> dict[str, int]:
    """This period's count of referrals sent, per service (by each one's ``takes_per``:
    this week's or this month's), for ``service_ids`` or every service (None). Services
    with none sent are left out (their load is 0)."""
    week = utc_start(period_start("week", today))
    month = utc_start(period_start("month", today))
    starts = case((PartnerService.takes_per == "week", week), else_=month)
    if service_ids is not None:  # a few: from their referrals, by index
        wanted = list(dict.fromkeys(service_ids))
        if not wanted:
            return {}
        sent = ReferralEvent.__table__.alias("sent")
        first = (select(func.min(sent.c.at))  # (by the referral's index: see first_sent)
                 .where(sent.c.referral_id == Referral.id, unindexed(sent.c.status) == "sent",
                        sent.c.deleted_at.is_(None))
                 .scalar_subquery())
        query = (select(Referral.service_id, func.count())
                 .join(PartnerService, PartnerService.id == Referral.service_id)
                 .where(Referral.service_id.in_(wanted), Referral.deleted_at.is_(None),
                        first >= starts)
                 .group_by(Referral.service_id))
    else:  # all: from the events sent since the period began, in one pass
        sent = sent_times(min(week, month)).subquery("sent_times")
        query = (select(sent.c.service_id, func.count())
                 .join(PartnerService, PartnerService.id == sent.c.service_id)
                 .where(sent.c.sent_at >= starts)
                 .group_by(sent.c.service_id))
    return {service_id: count for service_id, count in session.execute(query)}


def load_of(session: Session, service_id: str, today: date) -> int:
    """One service's load this period."""
    return loads(session, [service_id], today).get(service_id, 0)

