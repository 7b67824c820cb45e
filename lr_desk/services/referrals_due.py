"""Referrals awaiting a reply: sent, still "sent" and past their reply deadline, for an
advisor (who recorded the sent step) or a hub (where the conversation was), for Today.

A referral sent before reply deadlines were kept (``reply_due`` empty) is due its sent
step's day plus its service's deadline. Only referrals sent in the last
``WINDOW_DAYS`` are listed: older ones never answered are history, not a call to make
(and would bury the ones worth chasing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lr_desk.services import dates
from lr_desk.services.followups import as_survivors
from lr_desk.services.referrals import DEFAULT_DEADLINE_DAYS
from lr_desk.store.clock import local_time
from lr_desk.store.models import (
    Advisor,
    Conversation,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

WINDOW_DAYS = 183  # about six months


@dataclass
class AwaitingRow:
    id: str  # the referral's
    person_id: str
    person_name: str
    service: str
    partner: str
    service_id: str
    sent_on: date
    reply_due: date
    chased_on: date | None
    advisor: str  # who sent it
    site_code: str  # where the conversation was

    def days(self, today: date) -> int:
        return (today - self.sent_on).days

    def waiting(self, today: date) -> str:
        """'awaiting reply, 16 days'."""
        n = self.days(today)
        return f"awaiting reply, {n} day{'s' if n != 1 else ''}"

    def chased(self, today: date) -> str:
        """'chased 3 Dec' ('' if never chased)."""
        return f"chased {dates.day(self.chased_on, today, weekday=False)}" \
            if self.chased_on else ""


def awaiting_reply(session: Session, today: date, advisor_id: str | None = None,
                   site_code: str | None = None) -> list[AwaitingRow]:
    """Sent referrals past their reply deadline (status still "sent"), for an advisor or
    a site (either, when both are given; everyone's when neither), longest waiting first.
    A person merged away shows as the survivor; an erased person's are left out."""
    since = datetime.combine(today - timedelta(days=WINDOW_DAYS), datetime.min.time())
    stmt = (select(Referral.id, Referral.reply_due, Referral.service_id, Person,
                   PartnerService.name, Partner.name, PartnerService.reply_deadline_days,
                   Conversation.site_code)
            .join(Person, Referral.person_id == Person.id)
            .join(PartnerService, Referral.service_id == PartnerService.id)
            .join(Partner, PartnerService.partner_id == Partner.id)
            .join(PrescriptionItem, Referral.item_id == PrescriptionItem.id)
            .join(Prescription, PrescriptionItem.prescription_id == Prescription.id)
            .join(Conversation, Prescription.conversation_id == Conversation.id)
            .where(Referral.status == "sent", Referral.deleted_at.is_(None),
                   Referral.status_at >= since,
                   or_(Referral.reply_due < today, Referral.reply_due.is_(None)),
                   Person.deleted_at.is_(None), Person.erased_at.is_(None)))
    who = []  # (a first cut in SQL; who sent it is settled below, from its steps)
    if advisor_id:
        who.append(select(ReferralEvent.id).where(
            ReferralEvent.referral_id == Referral.id, ReferralEvent.status == "sent",
            ReferralEvent.advisor_id == advisor_id).exists())
    if site_code:
        who.append(Conversation.site_code == site_code)
    if who:
        stmt = stmt.where(or_(*who))
    found = as_survivors(session, session.execute(stmt).all(), 3)
    steps = _steps(session, [row[0] for row in found])
    advisors = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    out = []
    for rid, due, service_id, person, service, partner, deadline, site in found:
        sent_at, sent_by, chased_at = steps.get(rid, (None, None, None))
        if sent_at is None:
            continue  # (its steps not here yet: a sync part-way)
        sent_on = local_time(sent_at).date()
        due = due or sent_on + timedelta(days=deadline or DEFAULT_DEADLINE_DAYS)
        if due >= today:
            continue
        mine = advisor_id is not None and sent_by == advisor_id
        here = site_code is not None and site == site_code
        if (advisor_id or site_code) and not (mine or here):
            continue
        out.append(AwaitingRow(rid, person.id, person.display_name, service, partner,
                               service_id, sent_on, due,
                               local_time(chased_at).date() if chased_at else None,
                               advisors.get(sent_by, ""), site))
    out.sort(key=lambda r: (r.sent_on, r.person_name))
    return out


def _steps(session: Session, ids: list[str]) -> dict[str, tuple]:
    """For each referral: when it was sent (the step that made it sent, not a later note
    at Sent) and by whom, and when it was last chased."""
    out: dict[str, list] = {}
    for i in range(0, len(ids), 500):
        for rid, kind, status, at, by in session.execute(
                select(ReferralEvent.referral_id, ReferralEvent.kind, ReferralEvent.status,
                       ReferralEvent.at, ReferralEvent.advisor_id)
                .where(ReferralEvent.referral_id.in_(ids[i:i + 500]),
                       ReferralEvent.deleted_at.is_(None))
                .order_by(ReferralEvent.at, ReferralEvent.id)):
            seen = out.setdefault(rid, [None, None, None, ""])  # sent at, by, chased, status
            if kind == "chase":
                seen[2] = at
                continue
            if status == "sent" and seen[3] != "sent":
                seen[0], seen[1] = at, by
            seen[3] = status
    return {rid: tuple(v[:3]) for rid, v in out.items()}
