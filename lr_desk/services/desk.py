"""What the desk shows: today's follow-ups, recent conversations, a person's timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lr_desk.services import duplicates
from lr_desk.store.clock import local_time
from lr_desk.store.models import (
    ESCALATION_REASONS,
    FOLLOWUP_WAYS,
    ITEM_KINDS,
    MODES,
    REFERRAL_STATUSES,
    Advisor,
    Category,
    Conversation,
    ConversationNeed,
    FollowUp,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    Site,
)


@dataclass
class FollowUpRow:
    id: str
    person_id: str
    person_name: str
    due_date: date
    due_time: str
    way: str
    site: str
    assigned_to: str
    overdue: bool


def follow_ups_due(session: Session, today: date, advisor_id: str | None = None,
                   site_code: str | None = None) -> list[FollowUpRow]:
    """Open follow-ups due today or earlier, for one advisor or one site (or both: either)."""
    who = []
    if advisor_id:
        who.append(FollowUp.assigned_to == advisor_id)
    if site_code:
        who.append(FollowUp.site_code == site_code)
    stmt = (select(FollowUp, Person, Advisor.name)
            .join(Person, FollowUp.person_id == Person.id)
            .join(Advisor, FollowUp.assigned_to == Advisor.id)
            .where(FollowUp.done_at.is_(None), FollowUp.deleted_at.is_(None),
                   FollowUp.due_date <= today, Person.deleted_at.is_(None),
                   Person.erased_at.is_(None))  # (nothing can be recorded for them)
            .order_by(FollowUp.due_date, FollowUp.due_time))
    if who:
        stmt = stmt.where(or_(*who))
    return [FollowUpRow(f.id, p.id, p.display_name, f.due_date, f.due_time,
                        FOLLOWUP_WAYS.get(f.way, f.way), f.site_code, name, f.due_date < today)
            for f, p, name in _as_survivors(session, session.execute(stmt).all(), 1)]


def _as_survivors(session: Session, rows: list, at: int) -> list:
    """Rows whose person (at index ``at``) was merged away, shown under the survivor."""
    out = []
    for row in rows:
        person = row[at]
        if person.merged_into:
            row = (*row[:at], session.get(Person, duplicates.survivor(session, person.id)),
                   *row[at + 1:])
        out.append(row)
    return out


@dataclass
class ConversationRow:
    id: str
    person_id: str
    person_name: str
    occurred_at: datetime
    mode: str
    advisor: str
    needs: list[str]


def recent_conversations(session: Session, site_code: str | None = None,
                         limit: int = 25) -> list[ConversationRow]:
    stmt = (select(Conversation, Person, Advisor.name)
            .join(Person, Conversation.person_id == Person.id)
            .join(Advisor, Conversation.advisor_id == Advisor.id)
            .where(Conversation.deleted_at.is_(None), Person.deleted_at.is_(None),
                   Person.erased_at.is_(None))
            .order_by(Conversation.occurred_at.desc()).limit(limit))
    if site_code:
        stmt = stmt.where(Conversation.site_code == site_code)
    rows = _as_survivors(session, session.execute(stmt).all(), 1)
    needs = _needs_of(session, [c.id for c, _, _ in rows])
    return [ConversationRow(c.id, p.id, p.display_name, c.occurred_at, MODES.get(c.mode, c.mode),
                            name, needs.get(c.id, [])) for c, p, name in rows]


def _needs_of(session: Session, conversation_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if not conversation_ids:
        return out
    stmt = (select(ConversationNeed.conversation_id, Category.name)
            .join(Category, Category.code == ConversationNeed.category)
            .where(ConversationNeed.conversation_id.in_(conversation_ids),
                   ConversationNeed.deleted_at.is_(None))
            .order_by(Category.position))
    for conv_id, name in session.execute(stmt):
        out[conv_id].append(name)
    return out


@dataclass
class TimelineEntry:
    when: datetime
    kind: str  # conversation | item | referral | follow_up
    title: str
    detail: str = ""
    referral_id: str | None = None
    follow_up_id: str | None = None
    prescription_id: str | None = None
    open: bool = False  # a referral still in progress, or a follow-up not yet done
    referral_status: str = ""  # a referral's current status code, e.g. "accepted"


@dataclass
class PersonView:
    person: Person
    timeline: list[TimelineEntry] = field(default_factory=list)
    registered_by: str = ""


PRIVATE_NOTES_LABEL = "Private notes (never printed)"
_CLOSED_REFERRAL = {"declined", "completed", "not_taken_up"}


def person_view(session: Session, person_id: str) -> PersonView | None:
    """A person's record and timeline. A merged-away person shows as the survivor, and
    the survivor's timeline holds the records of everyone merged into them."""
    person = session.get(Person, duplicates.survivor(session, person_id))
    if person is None or person.deleted_at is not None:
        return None
    person_id = person.id
    ids = duplicates.family(session, person_id)
    advisors = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    sites = dict(session.execute(select(Site.code, Site.name)).all())
    view = PersonView(person, registered_by=advisors.get(person.registered_by, ""))
    t = view.timeline

    # Plain column rows, not ORM objects: ten years of history stays well under 50 ms.
    convs = session.execute(
        select(Conversation.id, Conversation.occurred_at, Conversation.mode,
               Conversation.site_code, Conversation.advisor_id, Conversation.what_matters,
               Conversation.escalated, Conversation.escalation_reason,
               Conversation.escalation_action, Conversation.private_notes)
        .where(Conversation.person_id.in_(ids), Conversation.deleted_at.is_(None))).all()
    needs: dict[str, list[str]] = defaultdict(list)
    for conv_id, name in session.execute(
            select(ConversationNeed.conversation_id, Category.name)
            .join(Conversation, ConversationNeed.conversation_id == Conversation.id)
            .join(Category, Category.code == ConversationNeed.category)
            .where(Conversation.person_id.in_(ids), ConversationNeed.deleted_at.is_(None))
            .order_by(Category.position)):
        needs[conv_id].append(name)
    for c in convs:
        detail = [f"{MODES.get(c.mode, c.mode)} at {sites.get(c.site_code, c.site_code)} "
                  f"with {advisors.get(c.advisor_id, 'unknown')}"]
        if needs.get(c.id):
            detail.append("Needs: " + ", ".join(needs[c.id]))
        if c.what_matters:
            detail.append(f"What matters: {c.what_matters}")
        if c.private_notes:
            # for the advisors' eyes on the desk only: the take-home sheet is built from
            # services.sheet, which never reads them
            detail.append(f"{PRIVATE_NOTES_LABEL}: {c.private_notes}")
        if c.escalated:
            reason = ESCALATION_REASONS.get(c.escalation_reason, c.escalation_reason)
            detail.append(f"Escalated ({reason}): {c.escalation_action}")
        t.append(TimelineEntry(c.occurred_at, "conversation", "Conversation", "\n".join(detail)))

    for rx in session.execute(
            select(Prescription.id, Prescription.created_at, Prescription.sheet_at,
                   Prescription.sheet_how, Prescription.sheet_by,
                   func.count(PrescriptionItem.id).label("items"))
            .join(PrescriptionItem, PrescriptionItem.prescription_id == Prescription.id)
            .where(Prescription.person_id.in_(ids), Prescription.deleted_at.is_(None),
                   PrescriptionItem.deleted_at.is_(None))
            .group_by(Prescription.id)):
        if rx.sheet_at:
            given = (f"Sheet {rx.sheet_how} {local_time(rx.sheet_at):%d %b %Y %H:%M} "
                     f"by {advisors.get(rx.sheet_by, 'unknown')}")
        else:
            given = "Sheet not printed yet"
        t.append(TimelineEntry(local_time(rx.created_at), "prescription",
                               f"Social prescription ({rx.items} "
                               f"item{'s' if rx.items != 1 else ''})", given,
                               prescription_id=rx.id))

    items = session.execute(
        select(PrescriptionItem.kind, PrescriptionItem.title, PrescriptionItem.why,
               PrescriptionItem.first_step, PrescriptionItem.target_date,
               Prescription.created_at, Prescription.id.label("prescription_id"))
        .join(Prescription, PrescriptionItem.prescription_id == Prescription.id)
        .where(Prescription.person_id.in_(ids), PrescriptionItem.deleted_at.is_(None))
        .order_by(PrescriptionItem.position))
    for item in items:
        detail = []
        if item.why:
            detail.append(f"Why: {item.why}")
        if item.first_step:
            detail.append(f"First step: {item.first_step}")
        if item.target_date:
            detail.append(f"By {item.target_date:%d %b %Y}")
        t.append(TimelineEntry(local_time(item.created_at), "item",
                               f"{ITEM_KINDS.get(item.kind, item.kind)}: {item.title}",
                               "\n".join(detail), prescription_id=item.prescription_id))

    history: dict[str, list[str]] = defaultdict(list)
    for ev in session.execute(
            select(ReferralEvent.referral_id, ReferralEvent.at, ReferralEvent.status,
                   ReferralEvent.advisor_id, ReferralEvent.reason, ReferralEvent.note)
            .join(Referral, ReferralEvent.referral_id == Referral.id)
            .where(Referral.person_id.in_(ids), ReferralEvent.deleted_at.is_(None))
            .order_by(ReferralEvent.at)):
        line = (f"{local_time(ev.at):%d %b %Y %H:%M} {REFERRAL_STATUSES.get(ev.status, ev.status)}"
                f" ({advisors.get(ev.advisor_id, 'unknown')})")
        if ev.reason:
            line += f": {ev.reason}"
        if ev.note:
            line += f" - {ev.note}"
        history[ev.referral_id].append(line)
    for ref in session.execute(
            select(Referral.id, Referral.status, Referral.status_at,
                   PartnerService.name.label("service"), Partner.name.label("partner"),
                   PrescriptionItem.prescription_id)
            .join(PrescriptionItem, Referral.item_id == PrescriptionItem.id)
            .join(PartnerService, Referral.service_id == PartnerService.id)
            .join(Partner, PartnerService.partner_id == Partner.id)
            .where(Referral.person_id.in_(ids), Referral.deleted_at.is_(None))):
        t.append(TimelineEntry(local_time(ref.status_at), "referral",
                               f"Referral to {ref.partner} ({ref.service}): "
                               f"{REFERRAL_STATUSES.get(ref.status, ref.status)}",
                               "\n".join(history[ref.id]), referral_id=ref.id,
                               open=ref.status not in _CLOSED_REFERRAL,
                               referral_status=ref.status,
                               prescription_id=ref.prescription_id))

    for f in session.execute(
            select(FollowUp.id, FollowUp.due_date, FollowUp.due_time, FollowUp.way,
                   FollowUp.done_at, FollowUp.outcome, FollowUp.assigned_to)
            .where(FollowUp.person_id.in_(ids), FollowUp.deleted_at.is_(None))):
        when = datetime.combine(f.due_date, datetime.min.time())
        way = FOLLOWUP_WAYS.get(f.way, f.way)
        if f.done_at:
            title, detail = f"Follow-up done ({way})", f"Outcome: {f.outcome}"
        else:
            at = f" at {f.due_time}" if f.due_time else ""
            title = f"Follow-up due {f.due_date:%a %d %b %Y}{at} ({way})"
            detail = f"With {advisors.get(f.assigned_to, 'unknown')}"
        t.append(TimelineEntry(when, "follow_up", title, detail, follow_up_id=f.id,
                               open=f.done_at is None))
    t.sort(key=lambda e: e.when, reverse=True)
    return view

