"""A drop-in in one save: the conversation and its needs, the social prescription
co-created in it, the onward referrals, and the follow-up agreed.

Everything is checked first (field errors keyed like ``items.0.title``), then written in
the caller's one transaction, so a failure part-way writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import (
    consent,
    duplicates,
    eligibility_override,
    followups,
    wellbeing_answers,
)
from lr_desk.services.referrals import open_referral
from lr_desk.services.times import parse_time
from lr_desk.services.validation import (
    Checker,
    ValidationError,
    an_id,
    as_datetime,
    check_choice,
    check_text,
    clean_text,
    parse_date,
)
from lr_desk.store.clock import session_now
from lr_desk.store.models import (
    ESCALATION_REASONS,
    FOLLOWUP_WAYS,
    ITEM_KINDS,
    MODES,
    Advisor,
    Category,
    Conversation,
    ConversationNeed,
    Course,
    FollowUp,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Site,
)

OPENING_STATUSES = ("suggested", "agreed", "sent")
AGREED_AT_DROP_IN = "Agreed at a drop-in, for a referral."
SEEN_AT_DROP_IN = followups.outcome_text("came_in", "at a drop-in")


@dataclass
class DropInResult:
    conversation_id: str
    prescription_id: str | None = None
    item_ids: list[str] = field(default_factory=list)
    referral_ids: list[str] = field(default_factory=list)
    follow_up_id: str | None = None
    closed_follow_up_id: str | None = None
    wellbeing_ids: list[str] = field(default_factory=list)  # the measures answered


def _future_date(value: str, today: date, label: str) -> date | None:
    if not clean_text(value):
        return None
    day = parse_date(value, today)
    if day < today:
        raise ValueError(f"The {label} is in the past.")
    if day.year > today.year + 5:
        raise ValueError(f"The {label} is more than five years away; please check the year.")
    return day


def _conversation_when(raw: dict, today: date) -> datetime:
    day = parse_date(raw.get("date", ""), today) if raw.get("date") else today
    if day > today:
        raise ValueError("A conversation can't be recorded in the future.")
    hhmm = parse_time(raw.get("time", ""))
    # no time typed: now, on the advisor's clock (conversation times are local wall time)
    when = as_datetime(day, hhmm) if hhmm else datetime.combine(day, datetime.now().time())
    if when > datetime.now() + timedelta(minutes=5):
        raise ValueError("That time is still to come today; please check it.")
    return when


@dataclass
class Known:
    """What a drop-in may refer to: sites, need categories, and directory entries with
    their names (so an item chosen from the directory needs no typed description)."""

    sites: set[str]
    categories: set[str]
    services: dict[str, str]  # id -> name
    courses: dict[str, str]  # id -> title
    advisors: set[str]

    @classmethod
    def load(cls, session: Session) -> Known:
        return cls(
            set(session.scalars(select(Site.code))),
            set(session.scalars(select(Category.code))),
            dict(session.execute(select(PartnerService.id, PartnerService.name)
                                 .where(PartnerService.deleted_at.is_(None))).all()),
            dict(session.execute(select(Course.id, Course.title)
                                 .where(Course.deleted_at.is_(None))).all()),
            set(session.scalars(select(Advisor.id).where(Advisor.deleted_at.is_(None)))),
        )


def check_drop_in(session: Session, raw: dict, today: date) -> dict:
    """Validate the whole drop-in form against the store; see ``validate_drop_in``."""
    return validate_drop_in(raw, today, Known.load(session))


def validate_drop_in(raw: dict, today: date, known: Known, checker=None) -> dict:
    """Validate the whole drop-in form; return clean values or raise ValidationError.
    Pure and fast: the form calls it on every change. With the form's eligibility
    checker, a referral past a blocking warning asks for its reason."""
    c = Checker()
    conv = _part(raw.get("conversation"), dict, c, "conversation.date")
    sites, categories = known.sites, known.categories
    clean_conv = {
        "occurred_at": c.field("conversation.date", _conversation_when, conv, today),
        "site_code": c.field("conversation.site_code", check_choice, conv.get("site_code", ""),
                             dict.fromkeys(sites), "place"),
        "mode": c.field("conversation.mode", check_choice, conv.get("mode", ""), MODES,
                        "way you met"),
        "what_matters": c.field("conversation.what_matters", check_text,
                                conv.get("what_matters", ""), "'what matters to me' text"),
        "private_notes": c.field("conversation.private_notes", check_text,
                                 conv.get("private_notes", ""), "private notes"),
        "escalated": bool(conv.get("escalated")),
        "escalation_reason": "",
        "escalation_action": "",
    }
    needs = list(dict.fromkeys(n if isinstance(n, str) else "?" for n in _part(
        conv.get("needs"), list, c, "conversation.needs")))
    unknown = [n for n in needs if n not in categories]
    if unknown:
        c.errors["conversation.needs"] = f"Unknown need: {', '.join(n[:40] for n in unknown)}."
    if clean_conv["escalated"]:
        clean_conv["escalation_reason"] = c.field(
            "conversation.escalation_reason", check_choice, conv.get("escalation_reason", ""),
            ESCALATION_REASONS, "reason for escalating")
        clean_conv["escalation_action"] = c.field(
            "conversation.escalation_action", check_text, conv.get("escalation_action", ""),
            "action taken")
        if not clean_conv["escalation_action"] and "conversation.escalation_action" not in c.errors:
            c.errors["conversation.escalation_action"] = "Please say what action was taken."

    items = []
    for i, item in enumerate(_part(raw.get("items"), list, c, "items")):
        key = f"items.{i}"
        item = _part(item, dict, c, f"{key}.title")
        kind = c.field(f"{key}.kind", check_choice, item.get("kind", ""), ITEM_KINDS,
                       "kind of item")
        service_id = an_id(item.get("service_id"))
        course_id = an_id(item.get("course_id"))
        if service_id and service_id not in known.services:
            c.errors[f"{key}.service_id"] = "That service is no longer in the directory."
        if course_id and course_id not in known.courses:
            c.errors[f"{key}.course_id"] = "That course is no longer in the directory."
        refer = bool(item.get("refer"))
        if refer and not service_id:
            c.errors[f"{key}.service_id"] = "Choose the partner service to refer to."
        elif refer and kind == "course":  # a course item keeps no service: nothing to refer to
            c.errors[f"{key}.service_id"] = "Only a partner service can be referred to."
        status = item.get("referral_status", "suggested")
        if refer and status not in OPENING_STATUSES:
            c.errors[f"{key}.referral_status"] = ("A new referral starts as suggested, agreed "
                                                  "or sent.")
        items.append({
            "kind": kind,
            "service_id": service_id if kind != "course" else None,
            "course_id": course_id if kind == "course" else None,
            "title": c.field(f"{key}.title", check_text, item.get("title", ""), "description", 300),
            "why": c.field(f"{key}.why", check_text, item.get("why", ""), "'why' text"),
            "first_step": c.field(f"{key}.first_step", check_text, item.get("first_step", ""),
                                  "first step"),
            "target_date": c.field(f"{key}.target_date", _future_date,
                                   item.get("target_date", ""), today, "target date"),
            "refer": refer,
            "referral_status": status,
            # they agreed, there and then, to share their information with its partner
            "consent": bool(item.get("consent")) and refer and bool(service_id),
            "override_reason": c.field(f"{key}.override_reason", check_text,
                                       item.get("override_reason", ""), "reason") if refer
            else "",
        })
        linked = (known.courses.get(course_id) if kind == "course" and course_id else
                  known.services.get(service_id) if service_id else None)
        if items[-1]["title"] == "" and linked:
            items[-1]["title"] = linked
        if items[-1]["title"] == "":
            c.errors[f"{key}.title"] = "Please describe this item, or choose it from the directory."

    follow = _part(raw.get("follow_up"), dict, c, "follow_up.due_date")
    clean_follow = None
    if follow:
        clean_follow = {
            "due_date": c.field("follow_up.due_date", _future_date, follow.get("due_date", ""),
                                today, "follow-up date"),
            "due_time": c.field("follow_up.due_time", parse_time, follow.get("due_time", "")),
            "way": c.field("follow_up.way", check_choice, follow.get("way", ""), FOLLOWUP_WAYS,
                           "way to follow up"),
            "site_code": an_id(follow.get("site_code")) or clean_conv["site_code"] or "",
            "assigned_to": an_id(follow.get("assigned_to")),
        }
        if clean_follow["assigned_to"] and clean_follow["assigned_to"] not in known.advisors:
            c.errors["follow_up.assigned_to"] = "Choose who will follow up."
        if clean_follow["due_date"] is None and "follow_up.due_date" not in c.errors:
            c.errors["follow_up.due_date"] = "Please choose the date of the follow-up."
    close = an_id(raw.get("close_follow_up"))
    measures = _measures(raw.get("wellbeing"), c)
    if checker is not None:
        for k, v in eligibility_override.missing_reasons(checker, items).items():
            c.errors.setdefault(k, v)
    c.done()
    return {"conversation": clean_conv, "needs": needs, "items": items,
            "follow_up": clean_follow, "close_follow_up": close, "wellbeing": measures}


def _measures(raw, c: Checker) -> dict:
    """The wellbeing measures answered, each question's problem said at its own row."""
    try:
        return wellbeing_answers.check(raw)
    except ValidationError as exc:
        c.errors.update(exc.errors)
        return {}


def _part(value, kind: type, c: Checker, field: str):
    """A part of the form (a dict or list) as the form sends it; a damaged draft's
    part of another type is said at ``field`` and read as empty."""
    if value is None or isinstance(value, kind):
        return value if value is not None else kind()
    c.errors.setdefault(field, "This part of the form was damaged: please fill it in again.")
    return kind()


def record_drop_in(session: Session, person_id: str, advisor_id: str, raw: dict,
                   today: date | None = None) -> DropInResult:
    today = today or date.today()
    # a person merged into another meanwhile (perhaps on another desk): theirs now
    person_id = duplicates.survivor(session, person_id)
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise ValidationError({"person": "This person's record is no longer here."})
    clean = check_drop_in(session, raw, today)
    overrides = eligibility_override.settle(session, person_id, clean["items"], today)
    agreed = [item["service_id"] for item in clean["items"] if item.pop("consent")]
    if agreed:  # consent to share given at this drop-in: recorded first, in this save
        partner_of = consent.sharing(session, person_id, agreed).partner_of
        for partner_id in dict.fromkeys(partner_of[s][0] for s in agreed if s in partner_of):
            consent.record(session, person_id, advisor_id, {
                "kind": "share", "partner_id": partner_id, "given": "given",
                "note": AGREED_AT_DROP_IN}, today)
    # a referral opened as sent: only with the person's consent to share with the partner
    consent.require_share(session, person_id, {
        f"items.{i}.referral_status": item["service_id"]
        for i, item in enumerate(clean["items"])
        if item["refer"] and item["referral_status"] == "sent"})
    conv = Conversation(person_id=person_id, advisor_id=advisor_id, **clean["conversation"])
    session.add(conv)
    session.flush()
    session.add_all(ConversationNeed(conversation_id=conv.id, category=code)
                    for code in clean["needs"])
    result = DropInResult(conv.id)
    result.wellbeing_ids = wellbeing_answers.record(  # asked in this conversation, then
        session, person_id, advisor_id, clean["wellbeing"], conv.site_code, conv.id,
        asked_at=conv.occurred_at)
    if clean["items"]:
        rx = Prescription(person_id=person_id, conversation_id=conv.id, advisor_id=advisor_id)
        session.add(rx)
        session.flush()
        result.prescription_id = rx.id
        for position, item in enumerate(clean["items"]):
            refer, status = item.pop("refer"), item.pop("referral_status")
            item.pop("override_reason")
            row = PrescriptionItem(prescription_id=rx.id, position=position, **item)
            session.add(row)
            session.flush()
            result.item_ids.append(row.id)
            if refer:
                ref = open_referral(session, person_id, row.id, row.service_id, advisor_id, status)
                if overrides[position][0]:  # gone ahead past what the checks said
                    ref.override_warnings, ref.override_reason = overrides[position]
                result.referral_ids.append(ref.id)
    if clean["follow_up"]:
        fu = clean["follow_up"]
        fu["assigned_to"] = fu["assigned_to"] or advisor_id
        row = FollowUp(person_id=person_id, conversation_id=conv.id, **fu)
        session.add(row)
        session.flush()
        result.follow_up_id = row.id
    if clean["close_follow_up"]:
        result.closed_follow_up_id = _close(session, clean["close_follow_up"], person_id,
                                            advisor_id)
    return result


def _close(session: Session, follow_up_id: str, person_id: str, advisor_id: str) -> str | None:
    """Close the person's open follow-up this drop-in answers (one of theirs, still
    open: another desk may have closed it meanwhile, which is fine)."""
    fu = session.get(FollowUp, follow_up_id)
    if fu is None or fu.deleted_at is not None or fu.done_at is not None or \
            fu.person_id not in duplicates.family(session, person_id):
        return None
    fu.done_at, fu.done_by, fu.outcome = session_now(session), advisor_id, SEEN_AT_DROP_IN
    session.flush()
    return fu.id


@dataclass
class OpenFollowUp:
    id: str
    due_date: date
    due_time: str
    way: str  # a FOLLOWUP_WAYS code


def open_follow_up(session: Session, person_id: str) -> OpenFollowUp | None:
    """The person's open follow-up (the earliest due), which a new drop-in may close."""
    person_id = duplicates.survivor(session, person_id)
    row = session.execute(
        select(FollowUp.id, FollowUp.due_date, FollowUp.due_time, FollowUp.way)
        .where(FollowUp.person_id.in_(duplicates.family(session, person_id)),
               FollowUp.done_at.is_(None), FollowUp.deleted_at.is_(None))
        .order_by(FollowUp.due_date, FollowUp.id).limit(1)).first()
    return OpenFollowUp(*row) if row else None


def validate_outcome(outcome: str) -> str:
    """Check a follow-up's outcome (pure)."""
    c = Checker()
    outcome = c.field("outcome", check_text, outcome, "outcome")
    if not outcome and "outcome" not in c.errors:
        c.errors["outcome"] = "Please note what happened at the follow-up."
    c.done()
    return outcome


def complete_follow_up(session: Session, follow_up_id: str, advisor_id: str,
                       outcome: str) -> FollowUp:
    outcome = validate_outcome(outcome)
    fu = session.get(FollowUp, follow_up_id)
    if fu is None or fu.deleted_at is not None:
        raise ValidationError({"outcome": "This follow-up is no longer here."})
    fu.done_at, fu.done_by, fu.outcome = session_now(session), advisor_id, outcome
    session.flush()
    return fu
