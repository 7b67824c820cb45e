"""A referral's life: opened at a drop-in, then steps that only move forward (suggested,
agreed, sent, accepted or declined, engaged, completed or not taken up), corrections that
put a mistake right in the open, chases of a partner that has not replied, and the
person's own view of whether it helped.

Each step, correction and chase is a dated, attributed ``ReferralEvent`` (its ``kind``),
so the referral's history says what happened and what was put right. A referral sent
gets a reply deadline (``reply_due``: the day sent plus its service's
``reply_deadline_days``); one not answered by then is awaiting a reply
(``services.referrals_due``); the person's view of it is asked at follow-up
(``services.referral_views``). Validation is pure and fast (the forms call it as you
type); the writes take the caller's session (one transaction).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.services import consent, eligibility_override
from lr_desk.services.validation import (
    Checker,
    ValidationError,
    an_id,
    check_choice,
    check_text,
)
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import (
    DECLINE_REASONS,
    REFERRAL_STATUSES,
    REFERRAL_VIEWS,
    PartnerService,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

# how far along each status is: a step goes to a higher rank only
RANK = {"suggested": 0, "agreed": 1, "sent": 2, "accepted": 3, "declined": 3, "engaged": 4,
        "completed": 5, "not_taken_up": 5}
FINAL = frozenset({"declined", "completed", "not_taken_up"})
NOT_YET_SENT = frozenset({"suggested", "agreed"})
DEFAULT_DEADLINE_DAYS = 14
CHASE_DAYS = 7  # a chase gives the partner this many more days to reply
CORRECT_IT = "To put right a mistake, record a correction."
REFERRED_ELSEWHERE = "Referred elsewhere"


def status_words(status: str) -> str:
    return REFERRAL_STATUSES.get(status, status)


def next_steps(current: str) -> list[str]:
    """The statuses a step may move a referral to from ``current``: later ones only, none
    from a final status (declined, completed, not taken up)."""
    if current in FINAL:
        return []
    rank = RANK.get(current, -1)
    return [s for s in REFERRAL_STATUSES if RANK[s] > rank]


def _why_not(current: str, status: str) -> str | None:
    """Why a step from ``current`` to ``status`` is refused (None when it is a step)."""
    if status in next_steps(current):
        return None
    if current in FINAL:
        return f"This referral is {status_words(current)}, which is final. {CORRECT_IT}"
    if status == current:
        return f"This referral is {status_words(current)} already. {CORRECT_IT}"
    return (f"This referral is {status_words(current)}: a step only moves forward, not "
            f"back to {status_words(status)}. {CORRECT_IT}")


def _decline(c: Checker, status: str, reason_code: str, reason: str) -> str:
    """A decline's reason from the list (words needed for Other); '' for other statuses."""
    if status != "declined":
        return ""
    code = c.field("reason_code", check_choice, reason_code, DECLINE_REASONS,
                   "reason it was declined") or ""
    if code == "other" and not reason and "reason" not in c.errors:
        c.errors["reason"] = "Please say in words why it was declined."
    return code


def validate_step(current: str, status: str, reason_code: str = "", reason: str = "",
                  note: str = "") -> tuple[str, str, str, str]:
    """Check a referral's next step from ``current`` (pure: the form calls it as you
    type). Returns (status, reason_code, reason, note); raises ValidationError with the
    fields ``status``, ``reason_code``, ``reason`` and ``note``."""
    c = Checker()
    status = c.field("status", check_choice, status, REFERRAL_STATUSES, "new status")
    reason = c.field("reason", check_text, reason, "reason") or ""
    note = c.field("note", check_text, note, "note") or ""
    if status and status == current:  # no step: a note of what was heard, kept
        if not note and "note" not in c.errors:
            c.errors["note"] = (f"It is {status_words(current)} now: choose its next step, "
                                "or note what you heard.")
    elif status and current and (why := _why_not(current, status)):
        c.errors["status"] = why
    code = _decline(c, status, reason_code, reason) if status != current else ""
    c.done()
    return status, code, reason if code else "", note


def validate_correction(current: str, status: str, reason: str, reason_code: str = "",
                        note: str = "") -> tuple[str, str, str, str]:
    """Check a correction (any status but the one it has; words saying what was wrong are
    needed). Returns (status, reason_code, reason, note)."""
    c = Checker()
    status = c.field("status", check_choice, status, REFERRAL_STATUSES, "right status")
    reason = c.field("reason", check_text, reason, "reason") or ""
    note = c.field("note", check_text, note, "note") or ""
    if status and status == current:
        c.errors["status"] = f"This referral is {status_words(current)} now: choose the " \
                             "status it should have."
    if not reason and "reason" not in c.errors:
        c.errors["reason"] = "Please say what the mistake was."
    code = ""
    if status == "declined":
        code = c.field("reason_code", check_choice, reason_code, DECLINE_REASONS,
                       "reason it was declined") or ""
    c.done()
    return status, code, reason, note


def validate_chase(note: str) -> str:
    """A chase's note (who was chased, and how) is needed."""
    c = Checker()
    note = c.field("note", check_text, note, "note") or ""
    if not note and "note" not in c.errors:
        c.errors["note"] = "Please note who you chased and how (a call, an email)."
    c.done()
    return note


def validate_view(view: str, words: str) -> tuple[str, str]:
    c = Checker()
    view = c.field("view", check_choice, view, REFERRAL_VIEWS, "person's view") or ""
    words = c.field("view_words", check_text, words, "their words") or ""
    c.done()
    return view, words


def history_line(ev, advisors: dict[str, str]) -> str:
    """One line of a referral's history: '11 Jun 2025 09:00 Declined (Alex Advisor): No
    capacity: full until May - rang them'; a correction says what it put right, a chase
    says so."""
    status = status_words(ev.status)
    what = {"chase": "Chased",
            "correction": f"Corrected from {status_words(ev.from_status)} to {status}",
            }.get(ev.kind, status)
    line = f"{local_time(ev.at):%d %b %Y %H:%M} {what} ({advisors.get(ev.advisor_id, 'unknown')})"
    reason = [DECLINE_REASONS.get(ev.reason_code, "")] if ev.reason_code not in ("", "other") \
        else []
    reason += [ev.reason] if ev.reason else []
    if reason:
        line += ": " + ": ".join(reason)
    if ev.note:
        line += f" - {ev.note}"
    return line


# --- writing ---------------------------------------------------------------------------


def today_of(session: Session) -> date:
    """The local day of the session's clock."""
    return local_time(session_now(session)).date()


def deadline_days(session: Session, service_id: str) -> int:
    days = session.scalar(select(PartnerService.reply_deadline_days)
                          .where(PartnerService.id == service_id))
    return days if days and days > 0 else DEFAULT_DEADLINE_DAYS


def open_referral(session: Session, person_id: str, item_id: str, service_id: str,
                  advisor_id: str, status: str = "suggested", **fields) -> Referral:
    """A new referral of a prescription item, at its opening status (its first step); a
    referral opened as sent has its reply deadline. ``fields``: more of its columns (an
    override's warnings and reason)."""
    now = session_now(session)
    ref = Referral(person_id=person_id, item_id=item_id, service_id=service_id, status=status,
                   status_at=now, **fields)
    if status == "sent":
        ref.reply_due = today_of(session) + timedelta(days=deadline_days(session, service_id))
    session.add(ref)
    session.flush()
    session.add(ReferralEvent(referral_id=ref.id, status=status, at=now, advisor_id=advisor_id))
    return ref


def _referral(session: Session, referral_id: str) -> Referral:
    ref = session.get(Referral, referral_id)
    if ref is None or ref.deleted_at is not None:
        raise ValidationError({"status": "This referral is no longer here."})
    return ref


def _move(session: Session, ref: Referral, status: str, advisor_id: str, **event) -> Referral:
    """Record the event and give the referral its new status (a first send: its reply
    deadline, and only with consent to share, checked each time: it may be withdrawn)."""
    sending = status == "sent" and ref.status in NOT_YET_SENT
    if sending:
        consent.require_share(session, ref.person_id, {"status": ref.service_id})
    now = session_now(session)
    session.add(ReferralEvent(referral_id=ref.id, status=status, at=now, advisor_id=advisor_id,
                              **event))
    if status == "sent" and (sending or ref.reply_due is None):
        ref.reply_due = today_of(session) + timedelta(days=deadline_days(session,
                                                                         ref.service_id))
    ref.status, ref.status_at = status, now
    session.flush()
    return ref


def set_status(session: Session, referral_id: str, status: str, advisor_id: str,
               reason_code: str = "", reason: str = "", note: str = "") -> Referral:
    """A step forward (see ``validate_step``); sent only with consent to share. The
    status it has already, with a note: the note is recorded, the status stays."""
    ref = _referral(session, referral_id)
    status, code, reason, note = validate_step(ref.status, status, reason_code, reason, note)
    if status == ref.status:
        session.add(ReferralEvent(referral_id=ref.id, status=status, note=note,
                                  at=session_now(session), advisor_id=advisor_id))
        session.flush()
        return ref
    return _move(session, ref, status, advisor_id, kind="step", reason_code=code,
                 reason=reason, note=note)


def correct(session: Session, referral_id: str, status: str, advisor_id: str, reason: str,
            reason_code: str = "", note: str = "") -> Referral:
    """Put a mistake right: any status, with words saying what was wrong, kept in the
    history as a correction from the status it had."""
    ref = _referral(session, referral_id)
    status, code, reason, note = validate_correction(ref.status, status, reason, reason_code,
                                                     note)
    return _move(session, ref, status, advisor_id, kind="correction", from_status=ref.status,
                 reason_code=code, reason=reason, note=note)


def chase(session: Session, referral_id: str, advisor_id: str, note: str,
          today: date | None = None) -> Referral:
    """The partner chased for a reply: recorded, and the reply is due ``CHASE_DAYS`` from
    ``today``. Only a sent referral (one still waiting for its answer) is chased."""
    note = validate_chase(note)
    ref = _referral(session, referral_id)
    if ref.status != "sent":
        raise ValidationError({"note": f"This referral is {status_words(ref.status)}: only "
                                       "a sent one waiting for a reply is chased."})
    today = today or today_of(session)
    session.add(ReferralEvent(referral_id=ref.id, kind="chase", status=ref.status,
                              at=session_now(session), advisor_id=advisor_id, note=note))
    ref.reply_due = today + timedelta(days=CHASE_DAYS)
    session.flush()
    return ref


def record_view(session: Session, referral_id: str, view: str, words: str = "") -> Referral:
    """The person's own view of whether it helped (REFERRAL_VIEWS), with their words."""
    view, words = validate_view(view, words)
    ref = _referral(session, referral_id)
    ref.view, ref.view_words, ref.view_at = view, words, session_now(session)
    session.flush()
    return ref


def validate_elsewhere(service_id, note: str) -> tuple[str, str]:
    """Refer elsewhere's form (pure): a service chosen, and a note's words."""
    c = Checker()
    note = c.field("note", check_text, note, "note") or ""
    service_id = an_id(service_id)
    if not service_id:
        c.errors["service"] = "Please choose the service to refer them to instead."
    c.done()
    return service_id, note


def refer_elsewhere(session: Session, referral_id: str, service_id: str, advisor_id: str,
                    note: str = "", override_reason: str = "") -> Referral:
    """Close a referral as not taken up (referred elsewhere) and send the person to
    another service instead: a new item in the same prescription, referred as sent (so
    with their consent to share with its partner), checked like any referral (where the
    checks say not, ``override_reason`` says why all the same, recorded with it).
    Returns the new referral."""
    service_id, note = validate_elsewhere(service_id, note)
    service = session.get(PartnerService, service_id)
    if service is None or service.deleted_at is not None:
        raise ValidationError({"service": "That service is no longer in the directory."})
    old = _referral(session, referral_id)
    if old.status in FINAL:
        raise ValidationError({"service": f"This referral is {status_words(old.status)} "
                                          "already."})
    if service_id == old.service_id:
        raise ValidationError({"service": "That is the service it was sent to: choose "
                                          "another."})
    consent.require_share(session, old.person_id, {"service": service_id})
    try:
        (warnings, why), = eligibility_override.settle(session, old.person_id, [
            {"refer": True, "service_id": service_id, "override_reason": override_reason}],
            today_of(session))
    except ValidationError as exc:  # (the one item's field, as this form has it)
        raise ValidationError({"override_reason": " ".join(exc.errors.values())}) from exc
    item = session.get(PrescriptionItem, old.item_id)
    last = session.scalar(select(func.max(PrescriptionItem.position))
                          .where(PrescriptionItem.prescription_id == item.prescription_id))
    kind = "volunteering" if service.category == "volunteering" else "partner_service"
    new_item = PrescriptionItem(prescription_id=item.prescription_id, position=(last or 0) + 1,
                                kind=kind, service_id=service.id, title=service.name,
                                why=item.why)
    session.add(new_item)
    session.flush()
    partner = service.partner.name if service.partner is not None else ""
    _move(session, old, "not_taken_up", advisor_id, kind="step",
          reason=f"{REFERRED_ELSEWHERE}: {partner} ({service.name})", note=note)
    return open_referral(session, old.person_id, new_item.id, service.id, advisor_id, "sent",
                         override_warnings=warnings, override_reason=why)
