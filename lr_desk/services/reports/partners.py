"""Partners: the referrals sent to each partner service in a period, against what it
says it can take, and what became of them; why partners declined; and service gaps.

What each figure is (said once, here and in the report's notes):
- a referral counts in the period it was SENT: the time of its first step to "sent"
  (``services.load``'s rule: ``load.first_sent``), at the site of the contact its
  prescription was made in. One corrected back to before it was sent (suggested or
  agreed now) is not counted, nor one deleted;
- capacity in the period: what the service says it takes now (``takes`` a week or a
  month), scaled to the period's days: a week's number x days / 7, a month's x days x
  12 / 365.25; "% of capacity" is sent / capacity (services that have not said have
  none);
- what became of each (its status now): awaiting a reply (still sent); accepted (then
  or since: accepted, engaged, completed, or not taken up after an accepted step, the
  rule of ``services.partners``); declined; engaged (engaged, or completed since);
  completed; not taken up;
- days to reply: from the day first sent to the day of the first step to accepted or
  declined (whole days; the median; n is how many replied);
- overrides: referrals sent although the checks said the person did not fit, with a
  reason given;
- declined by reason: the reason on the latest "declined" step (``DECLINE_REASONS``);
- service gaps: needs no suitable service could meet, noted at the sites in the period
  (``gaps.counts``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from lr_desk.services import gaps
from lr_desk.services.load import unindexed
from lr_desk.services.partners import ACCEPTED, REPLIES
from lr_desk.services.reports.core import (
    LABEL,
    NUMBER,
    PERCENT,
    Chart,
    Column,
    Period,
    Report,
    Table,
    halves,
    share_rows,
    side_by_side,
    site_names,
)
from lr_desk.store.models import (
    DECLINE_REASONS,
    Conversation,
    Partner,
    PartnerService,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

TITLE = "Partners"
SENT = ("sent", "accepted", "declined", "engaged", "completed", "not_taken_up")
DAYS_A_MONTH = 365.25 / 12
NO_REASON = "Reason not recorded"
COUNTED = ("sent", "awaiting", "accepted", "declined", "engaged", "completed", "not_taken_up",
           "overrides", "replies")


def median(spread: Counter) -> float | None:
    """The median of values given as {value: how many} (None of none)."""
    total = sum(spread.values())
    if not total:
        return None
    lower, upper = (total - 1) // 2, total // 2
    picked, seen = [], 0
    for value in sorted(spread):
        n = spread[value]
        picked += [value for at in (lower, upper) if seen <= at < seen + n]
        seen += n
    return sum(picked) / len(picked)


def capacity(takes: int | None, per: str, days: int) -> float | None:
    """What a service taking ``takes`` a ``per`` (week or month) can take in ``days``."""
    if takes is None:
        return None
    return round(takes * days / (7 if per == "week" else DAYS_A_MONTH), 1)


def _decline_reason():
    """The reason on the referral's latest "declined" step (by the referral's index)."""
    e = ReferralEvent
    return (select(e.reason_code)
            .where(e.referral_id == Referral.id, unindexed(e.status) == "declined",
                   e.deleted_at.is_(None))
            .order_by(e.at.desc()).limit(1).scalar_subquery())


def _recent_is_few(session: Session, period: Period) -> bool:
    """Whether few referrals (under half) have moved on since the period began: then
    their steps are read by referral; otherwise every step is read in one pass."""
    changed = session.scalar(select(func.count()).select_from(Referral).where(
        Referral.status.in_(SENT), Referral.status_at >= period.utc_from))
    return 2 * changed < (session.scalar(select(func.count()).select_from(Referral)) or 0)


def _steps(session: Session, period: Period, ids: tuple[str, str] | None = None):
    """Per referral that might have been first sent in ``period``: its first "sent" step
    (``load.first_sent``'s rule), its first reply (accepted or declined, not a chase),
    and whether it was ever accepted; one grouped pass over the steps. A referral first
    sent in the period has moved on since it began (``status_at``, set with each step),
    so for a recent period only those referrals' steps are read (by the status index,
    from the period's start: never every sent referral of ten years)."""
    e = ReferralEvent
    columns = (
        e.referral_id.label("referral_id"),
        func.min(case((e.status == "sent", e.at))).label("sent_at"),
        func.min(case((and_(e.status.in_(REPLIES), e.kind != "chase"), e.at)))
        .label("reply_at"),
        func.max(case((and_(e.status.in_(ACCEPTED), e.kind != "chase"), 1), else_=0))
        .label("was_accepted"))
    if _recent_is_few(session, period):
        q = (select(*columns).select_from(Referral)
             .where(*_among(Referral.id, ids))
             .join(e, e.referral_id == Referral.id)
             .where(Referral.status.in_(SENT), Referral.status_at >= period.utc_from,
                    e.deleted_at.is_(None))
             .group_by(e.referral_id))
    else:  # (grouped by "+referral_id": one pass over the steps; see load.first_sent)
        q = (select(*columns).where(e.deleted_at.is_(None),
                                    *_among(unindexed(e.referral_id), ids))
             .group_by(unindexed(e.referral_id)))
    return q.subquery("steps")


def _among(column, ids: tuple[str, str] | None) -> tuple:
    """Where-clauses keeping ``column`` (a referral's id) within ``ids`` (from, to):
    a part of the referrals, for the parts counted side by side."""
    if ids is None:
        return ()
    low, high = ids
    return tuple(c for c in ((column >= low) if low else None,
                             (column < high) if high else None) if c is not None)


def _id_halves(session: Session, period: Period) -> list[tuple[str, str] | None]:
    """Every referral, or, when every step is to be read (a long or an early period),
    the referrals in two parts by their id (made with the time: the older and the newer
    half), counted side by side."""
    if _recent_is_few(session, period) and len(halves(session, period)) < 2:
        return [None]
    n = session.scalar(select(func.count()).select_from(Referral)) or 0
    middle = session.scalar(select(Referral.id).order_by(Referral.id)
                            .offset(n // 2).limit(1))
    return [("", middle), (middle, "")] if middle else [None]


def _sent(session: Session, period: Period, ids: tuple[str, str] | None = None):
    """Rows of (service, status, override, was accepted, days to reply, decline reason,
    how many) for the referrals first sent in ``period`` at its sites (those with ids
    within ``ids``, if given)."""
    steps = _steps(session, period, ids)
    declined = Referral.status == "declined"
    per = (select(Referral.service_id.label("service_id"), Referral.status.label("status"),
                  (func.trim(Referral.override_reason) != "").label("override"),
                  case((Referral.status == "not_taken_up", steps.c.was_accepted), else_=0)
                  .label("was_accepted"),
                  steps.c.sent_at, steps.c.reply_at,
                  case((declined, _decline_reason())).label("reason"))
           .select_from(steps)
           .join(Referral, Referral.id == steps.c.referral_id)
           .join(PrescriptionItem, PrescriptionItem.id == Referral.item_id)
           .join(Prescription, Prescription.id == PrescriptionItem.prescription_id)
           .join(Conversation, Conversation.id == Prescription.conversation_id)
           .where(steps.c.sent_at >= period.utc_from, steps.c.sent_at < period.utc_to,
                  Referral.deleted_at.is_(None), unindexed(Referral.status).in_(SENT),
                  PrescriptionItem.deleted_at.is_(None), Prescription.deleted_at.is_(None),
                  Conversation.deleted_at.is_(None)))
    where = period.site_filter(Conversation.site_code)
    if where is not None:
        per = per.where(where)
    r = per.limit(-1).subquery()  # (read once, then grouped)
    days = case((and_(r.c.reply_at.is_not(None), r.c.reply_at >= r.c.sent_at),
                 func.julianday(func.date(r.c.reply_at))
                 - func.julianday(func.date(r.c.sent_at))))
    groups = (r.c.service_id, r.c.status, r.c.override, r.c.was_accepted, days, r.c.reason)
    return session.execute(select(*groups, func.count()).group_by(*groups)).all()


def _services(session: Session, ids) -> dict[str, tuple]:
    """id -> (label, takes, takes_per) for these services (removed ones too)."""
    rows = session.execute(
        select(PartnerService.id, PartnerService.name, Partner.name, PartnerService.takes,
               PartnerService.takes_per)
        .join(Partner, Partner.id == PartnerService.partner_id)
        .where(PartnerService.id.in_(list(ids))))
    return {sid: (f"{name} ({partner})", takes, per) for sid, name, partner, takes, per
            in rows}


def _add(row: dict, status: str, override: bool, was_accepted: bool, n: int) -> None:
    row["sent"] += n
    row["awaiting"] += n if status == "sent" else 0
    row["accepted"] += n if status in ACCEPTED or was_accepted else 0
    row["declined"] += n if status == "declined" else 0
    row["engaged"] += n if status in ("engaged", "completed") else 0
    row["completed"] += n if status == "completed" else 0
    row["not_taken_up"] += n if status == "not_taken_up" else 0
    row["overrides"] += n if override else 0


def _finish(row: dict, spread: Counter) -> dict:
    row["replies"] = sum(spread.values())
    row["median_days"] = median(spread)
    cap = row.get("capacity")
    row["use"] = round(100.0 * row["capacity_sent"] / cap, 1) if cap else None
    row.pop("capacity_sent")
    return row


def make(session: Session, period: Period, check: Callable[[], None]) -> Report:
    grouped = [row for part in side_by_side(
        session, [lambda s, ids=ids: _sent(s, period, ids)
                  for ids in _id_halves(session, period)]) for row in part]
    check()
    days = (period.end - period.start).days + 1
    info = _services(session, {g[0] for g in grouped})
    blank = dict.fromkeys(COUNTED, 0)
    rows: dict[str, dict] = {}
    spreads: dict[str, Counter] = {}
    total = {"label": "All services", **blank}
    total_spread: Counter = Counter()
    reasons: Counter = Counter()
    for service_id, status, override, was_accepted, took, reason, n in grouped:
        label, takes, per = info.get(service_id, (service_id, None, "month"))
        row = rows.setdefault(service_id, {"label": label, **blank,
                                           "capacity": capacity(takes, per, days)})
        _add(row, status, bool(override), bool(was_accepted), n)
        _add(total, status, bool(override), bool(was_accepted), n)
        if took is not None:
            spreads.setdefault(service_id, Counter())[took] += n
            total_spread[took] += n
        if status == "declined":
            reasons[reason or ""] += n
    said = [r for r in rows.values() if r["capacity"] is not None]
    for row in rows.values():
        row["capacity_sent"] = row["sent"]
    total["capacity"] = round(sum(r["capacity"] for r in said), 1) if said else None
    total["capacity_sent"] = sum(r["sent"] for r in said)
    ordered = [_finish(rows[k], spreads.get(k, Counter()))
               for k in sorted(rows, key=lambda k: rows[k]["label"].lower())]
    _finish(total, total_spread)
    check()

    services = Table(
        "services", "Referrals sent to each partner service",
        [Column("label", "Service (partner)", LABEL), Column("sent", "Sent"),
         Column("capacity", "Capacity in the period", NUMBER),
         # (a share of "sent": hidden with it when small, else it would give it away)
         Column("use", "Sent as % of capacity", PERCENT, of="sent"),
         Column("awaiting", "Awaiting reply"), Column("accepted", "Accepted"),
         Column("declined", "Declined"),
         Column("median_days", "Median days to reply", NUMBER, of="replies"),
         Column("replies", "Replies (n)"), Column("engaged", "Engaged"),
         Column("completed", "Completed"), Column("not_taken_up", "Not taken up"),
         Column("overrides", "Overrides")],
        ordered, total)
    reason_rows, reason_total = share_rows(
        [(words, reasons.get(code, 0)) for code, words in DECLINE_REASONS.items()]
        + [(code or NO_REASON, n) for code, n in reasons.items()
           if code not in DECLINE_REASONS])
    declined = Table("declined", "Declined, by the partner's reason",
                     [Column("label", "Reason", LABEL), Column("count", "Declined"),
                      Column("percent", "Share (%)", PERCENT, of="count")],
                     reason_rows, reason_total)
    by_need: Counter = Counter()
    needs: dict[str, str] = {}
    for gap in gaps.counts(session, period.start, period.end):
        if period.has_site(gap.site_code):
            needs.setdefault(gap.category, gap.need)
            by_need[gap.category] += gap.count
    gap_rows, gap_total = share_rows((needs[c], by_need[c]) for c in needs)
    gap_table = Table("gaps", "Service gaps: needs no suitable service could meet",
                      [Column("label", "Need", LABEL), Column("count", "Gaps noted"),
                       Column("percent", "Share (%)", PERCENT, of="count")],
                      gap_rows, gap_total)
    return Report(
        "partners", TITLE, period, site_names(session, period),
        [services, declined, gap_table],
        charts=[Chart("Referrals sent and accepted, by service", "services", "label",
                      ("sent", "accepted")),
                Chart("Declined, by reason", "declined", "label", ("count",)),
                Chart("Service gaps by need", "gaps", "label", ("count",))],
        notes=["Sent: referrals first sent to the service in the period (a referral "
               "counts once, when first sent), from a contact at the sites chosen; one "
               "since corrected back to before it was sent is not counted. Services sent "
               "none in the period are not listed.",
               f"Capacity in the period: what the service says it takes now, scaled to "
               f"the period's {days} days (a week's number x days / 7, a month's x days / "
               f"{DAYS_A_MONTH:.2f}). Sent as % of capacity: sent / capacity; the total "
               "counts only services that say what they take.",
               "What became of them, as they stand now: awaiting reply (still sent); "
               "accepted (then or since, including those not taken up after being accepted); "
               "declined; "
               "engaged (including those since completed); completed; not taken up.",
               "Median days to reply: whole days from the day first sent to the day "
               "first accepted or declined, over the replies counted.",
               "Overrides: sent although the checks said the person did not fit, with a "
               "reason given.",
               "Service gaps: needs no suitable service could meet, noted at the sites "
               "chosen in the period."])
