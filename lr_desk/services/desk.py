"""What the desk shows: recent conversations, and a person: a summary a glance can take,
then their timeline. Advisors' private notes are not in the timeline: ``private_notes``
hands them over when asked for, and the audit log records each look. Today's follow-ups
are in ``services.followups`` (``follow_ups_due`` is here too, as it always was)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lr_desk.services import audit, consent, dates, duplicates, referrals
from lr_desk.services.followups import FollowUpRow, as_survivors, follow_ups_due
from lr_desk.store.clock import local_time
from lr_desk.store.models import (
    ESCALATION_REASONS,
    FOLLOWUP_WAYS,
    ITEM_KINDS,
    MODES,
    REFERRAL_STATUSES,
    REFERRAL_VIEWS,
    Advisor,
    Category,
    Consent,
    Conversation,
    ConversationNeed,
    Erasure,
    FollowUp,
    Partner,
    PartnerService,
    Person,
    PersonMerge,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    Site,
    WellbeingMeasure,
)

__all__ = [
    "FollowUpRow",
    "concerns",
    "follow_ups_due",
    "person_view",
    "private_notes",
    "recent_conversations",
]


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
    rows = as_survivors(session, session.execute(stmt).all(), 1)
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
    kind: str  # conversation | prescription | item | referral | follow_up
    title: str
    detail: str = ""
    referral_id: str | None = None
    follow_up_id: str | None = None
    prescription_id: str | None = None
    open: bool = False  # a referral still in progress, or a follow-up not yet done
    referral_status: str = ""  # a referral's current status code, e.g. "accepted"
    conversation_id: str | None = None
    private_notes: bool = False  # a conversation with private notes (not in ``detail``)


@dataclass
class Summary:
    """What a glance at the top of a person's page takes in."""

    name: str
    full_name: str  # given and family name, when a preferred name is used
    preferred_name: str
    age: int | None
    communication: list[str]
    consent: list[tuple[str, bool]]  # (what, given) for each consent in force
    open_referrals: list[str]  # "Sefton CVS (Befriending): Sent"
    next_follow_up: str  # "Tue 9 Dec at 10:30, phone call, with Alex Advisor" or ""
    follow_up_overdue: bool = False


@dataclass
class PersonView:
    person: Person
    timeline: list[TimelineEntry] = field(default_factory=list)
    registered_by: str = ""
    summary: Summary | None = None


PRIVATE_NOTES_LABEL = "Private notes (never printed)"
_CLOSED_REFERRAL = {"declined", "completed", "not_taken_up"}


def communication_needs(p: Person, bsl: str = "BSL",
                        interpreter: str = "Interpreter") -> list[str]:
    """A person's communication needs in short words (the referral letter passes its
    longer ``bsl`` and ``interpreter`` words)."""
    needs = [t for t, on in (("Large print", p.needs_large_print),
                             ("Easy read", p.needs_easy_read), (bsl, p.needs_bsl)) if on]
    if p.needs_interpreter:
        needs.append(f"{interpreter} ({p.interpreter_language})" if p.interpreter_language
                     else interpreter)
    if p.communication_other:
        needs.append(p.communication_other)
    return needs


def person_view(session: Session, person_id: str, today: date | None = None) -> PersonView | None:
    """A person's record, summary and timeline. A merged-away person shows as the
    survivor, and the survivor's timeline holds the records of everyone merged into them.
    ``today``: the local date (for their age and what is overdue)."""
    person = session.get(Person, duplicates.survivor(session, person_id))
    if person is None or person.deleted_at is not None:
        return None
    today = today or date.today()
    ids = duplicates.family(session, person.id)
    advisors = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    view = PersonView(person, registered_by=advisors.get(person.registered_by, ""))
    open_follow_ups = _timeline(session, ids, advisors, view.timeline, today)
    view.summary = _summary(session, person, view.timeline, open_follow_ups, advisors, today)
    return view


def _summary(session: Session, p: Person, timeline: list[TimelineEntry], open_follow_ups: list,
             advisors: dict[str, str], today: date) -> Summary:
    full = f"{p.given_name} {p.family_name}".strip()
    preferred = p.preferred_name if p.preferred_name and p.preferred_name != p.given_name \
        else ""
    referrals = [e.title.removeprefix("Referral to ") for e in timeline
                 if e.kind == "referral" and e.open]
    next_one = min(open_follow_ups, key=lambda f: (f.due_date, f.due_time), default=None)
    follow_up, overdue = "", False
    if next_one is not None:
        overdue = next_one.due_date < today
        when = "today" if next_one.due_date == today else dates.day(next_one.due_date, today)
        if overdue:
            when = f"overdue since {when}"
        at = f" at {next_one.due_time}" if next_one.due_time else ""
        way = FOLLOWUP_WAYS.get(next_one.way, next_one.way).lower()
        follow_up = (f"{when[0].upper()}{when[1:]}{at}, {way}, with "
                     f"{advisors.get(next_one.assigned_to, 'unknown')}")
    return Summary(p.display_name, full if preferred else "", preferred,
                   dates.age(p.date_of_birth, today), communication_needs(p),
                   [(row.what, row.given) for row in consent.in_force(session, p.id)],
                   referrals, follow_up, overdue)


def _timeline(session: Session, ids: list[str], advisors: dict[str, str],
              t: list[TimelineEntry], today: date | None = None) -> list:
    """Fill ``t`` with the history of the people ``ids``; return their open follow-ups."""
    today = today or date.today()
    sites = dict(session.execute(select(Site.code, Site.name)).all())
    # Plain column rows, not ORM objects: ten years of history stays well under 50 ms.
    convs = session.execute(
        select(Conversation.id, Conversation.occurred_at, Conversation.mode,
               Conversation.site_code, Conversation.advisor_id, Conversation.what_matters,
               Conversation.escalated, Conversation.escalation_reason,
               Conversation.escalation_action,
               (Conversation.private_notes != "").label("has_notes"))
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
        if c.escalated:
            reason = ESCALATION_REASONS.get(c.escalation_reason, c.escalation_reason)
            detail.append(f"Escalated ({reason}): {c.escalation_action}")
        t.append(TimelineEntry(c.occurred_at, "conversation", "Conversation", "\n".join(detail),
                               conversation_id=c.id, private_notes=bool(c.has_notes)))
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
    chased: dict[str, datetime] = {}
    for ev in session.execute(
            select(ReferralEvent.referral_id, ReferralEvent.at, ReferralEvent.status,
                   ReferralEvent.advisor_id, ReferralEvent.reason, ReferralEvent.note,
                   ReferralEvent.kind, ReferralEvent.from_status, ReferralEvent.reason_code)
            .join(Referral, ReferralEvent.referral_id == Referral.id)
            .where(Referral.person_id.in_(ids), ReferralEvent.deleted_at.is_(None))
            .order_by(ReferralEvent.at)):
        if ev.kind == "chase":
            chased[ev.referral_id] = ev.at
        history[ev.referral_id].append(referrals.history_line(ev, advisors))
    for ref in session.execute(
            select(Referral.id, Referral.status, Referral.status_at, Referral.view,
                   Referral.view_words, Referral.letter_at, Referral.letter_how,
                   Referral.letter_by, PartnerService.name.label("service"),
                   Partner.name.label("partner"), PrescriptionItem.prescription_id)
            .join(PrescriptionItem, Referral.item_id == PrescriptionItem.id)
            .join(PartnerService, Referral.service_id == PartnerService.id)
            .join(Partner, PartnerService.partner_id == Partner.id)
            .where(Referral.person_id.in_(ids), Referral.deleted_at.is_(None))):
        status = REFERRAL_STATUSES.get(ref.status, ref.status)
        if ref.status == "sent" and ref.id in chased:  # waiting on the partner, chased
            status += (f", chased "
                       f"{dates.day(local_time(chased[ref.id]).date(), today, weekday=False)}")
        lines = history[ref.id]
        if ref.view:
            view = REFERRAL_VIEWS.get(ref.view, ref.view)
            lines = [*lines, f"Their view: {view}" + (f": {ref.view_words}"
                                                      if ref.view_words else "")]
        if ref.letter_at:  # the referral letter for the partner (services.letter)
            when = f"{local_time(ref.letter_at):%d %b %Y %H:%M}"
            lines = [*lines, f"Letter {ref.letter_how} {when} by "
                             f"{advisors.get(ref.letter_by, 'unknown')}"]
        t.append(TimelineEntry(local_time(ref.status_at), "referral",
                               f"Referral to {ref.partner} ({ref.service}): {status}",
                               "\n".join(lines), referral_id=ref.id,
                               open=ref.status not in _CLOSED_REFERRAL,
                               referral_status=ref.status,
                               prescription_id=ref.prescription_id))

    still_open = []
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
            if f.outcome:  # tried already ("No answer, try again")
                detail += "\nTried: " + "\nTried: ".join(f.outcome.splitlines())
        t.append(TimelineEntry(when, "follow_up", title, detail, follow_up_id=f.id,
                               open=f.done_at is None))
        if f.done_at is None:
            still_open.append(f)
    t.sort(key=lambda e: e.when, reverse=True)
    return still_open


def private_notes(session: Session, person_id: str, record: bool = True) -> dict[str, str]:
    """The advisors' private notes on a person's conversations (their merged family's
    too), by conversation id, for the desk's eyes only: asked for by "Show private
    notes", and each look is recorded in the audit log (``record=False``: the notes on
    screen already, brought up to date after a save, is the same look)."""
    person_id = duplicates.survivor(session, person_id)
    ids = duplicates.family(session, person_id)
    notes = dict(session.execute(
        select(Conversation.id, Conversation.private_notes)
        .where(Conversation.person_id.in_(ids), Conversation.deleted_at.is_(None),
               Conversation.private_notes != "")).all())
    if record:
        audit.record(session, "see_private_notes", entity="person", entity_id=person_id,
                     person_id=person_id)
    return notes


# what a person's page shows, by the entity a change names: how to find whose it is
_OWN_PERSON = {"conversation": Conversation, "referral": Referral, "follow_up": FollowUp,
               "prescription": Prescription, "consent": Consent, "erasure": Erasure,
               "wellbeing_measure": WellbeingMeasure}
_BY_PARENT = {"conversation_need": (ConversationNeed.conversation_id, Conversation),
              "prescription_item": (PrescriptionItem.prescription_id, Prescription),
              "referral_event": (ReferralEvent.referral_id, Referral)}
PERSON_ENTITIES = frozenset({"person", "person_merge", *_OWN_PERSON, *_BY_PARENT})


def concerns(session: Session, person_id: str, entities) -> bool:
    """Whether a change (``entities``: {entity name: ids}, as ``services.changes.Changed``
    has them) touched anything a person's page shows: the person, anyone merged into them,
    or a record of theirs. A few indexed look-ups, for a page to decide whether to reload."""
    survivor = duplicates.survivor(session, person_id)
    family = set(duplicates.family(session, survivor)) | {person_id}
    if set(entities.get("person", ())) & family:
        return True
    merges = list(entities.get("person_merge", ()))
    for chunk in _chunks(merges):
        if session.execute(select(PersonMerge.id).where(
                PersonMerge.id.in_(chunk), or_(PersonMerge.survivor_id.in_(family),
                                               PersonMerge.merged_id.in_(family)))
                           .limit(1)).first():
            return True
    for name, model in _OWN_PERSON.items():
        for chunk in _chunks(list(entities.get(name, ()))):
            if session.execute(select(model.id).where(
                    model.id.in_(chunk), model.person_id.in_(family)).limit(1)).first():
                return True
    for name, (parent_id, parent) in _BY_PARENT.items():
        for chunk in _chunks(list(entities.get(name, ()))):
            child = parent_id.class_
            if session.execute(select(child.id).join(parent, parent_id == parent.id).where(
                    child.id.in_(chunk), parent.person_id.in_(family)).limit(1)).first():
                return True
    return False


def _chunks(ids: list[str], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]

