"""Follow-ups: what is due (today's first, then overdue ones grouped by how late they
are), and what happened when one was done, chosen from a short list plus words.

The outcome is kept in the follow-up's ``outcome`` text as "<what happened>: <words>"
(no schema change), so every desk and every report reads it as it is. "No answer, try
again" keeps the follow-up open and moves it to the next day, noting the try; the other
outcomes close it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lr_desk.services import dates, duplicates, wellbeing_answers
from lr_desk.services.validation import Checker, ValidationError, check_text
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import FOLLOWUP_WAYS, Advisor, FollowUp, Person

# what happened, in the order offered
OUTCOMES = {
    "spoke": "Spoke to them",
    "no_answer": "No answer, try again",
    "left_message": "Left a message",
    "came_in": "They came in to see us",
    "not_needed": "Not needed any more",
    "other": "Something else",
}
TRY_AGAIN = "no_answer"  # keeps the follow-up open, due the next day
UNREACHED = {"no_answer", "left_message"}  # nobody was there to answer any questions
NEEDS_WORDS = {"other"}  # the words say what happened


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


def as_survivors(session: Session, rows: list, at: int) -> list:
    """Rows whose person (at index ``at``) was merged away, shown under the survivor."""
    out = []
    for row in rows:
        person = row[at]
        if person.merged_into:
            row = (*row[:at], session.get(Person, duplicates.survivor(session, person.id)),
                   *row[at + 1:])
        out.append(row)
    return out


def follow_ups_due(session: Session, today: date, advisor_id: str | None = None,
                   site_code: str | None = None) -> list[FollowUpRow]:
    """Open follow-ups due today or earlier, for one advisor or one site (or both: either),
    oldest first."""
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
            for f, p, name in as_survivors(session, session.execute(stmt).all(), 1)]


DUE_TODAY = "Due today"


def grouped(rows: list[FollowUpRow], today: date) -> list[tuple[str, list[FollowUpRow]]]:
    """Today's follow-ups first (by time; those with no time after), then the overdue
    ones in groups, most recent first (``dates.OVERDUE_GROUPS``). Empty groups are left
    out, except today's, which is always there."""
    due_today = sorted((r for r in rows if r.due_date >= today),
                       key=lambda r: (not r.due_time, r.due_time, r.person_name))
    groups: dict[str, list[FollowUpRow]] = {g: [] for g in dates.OVERDUE_GROUPS}
    for r in sorted((r for r in rows if r.due_date < today),
                    key=lambda r: (r.due_date, r.due_time), reverse=True):
        groups[dates.overdue_group(r.due_date, today)].append(r)
    return [(DUE_TODAY, due_today)] + [(g, rs) for g, rs in groups.items() if rs]


# --- Follow-up done ---------------------------------------------------------------------


def validate(result: str, words: str) -> tuple[str, str]:
    """Check what happened (a key of OUTCOMES) and the words with it (pure). Raises
    ValidationError with the fields ``result`` and ``outcome``."""
    c = Checker()
    words = c.field("outcome", check_text, words, "outcome") or ""
    if result not in OUTCOMES:
        c.errors["result"] = "Please choose what happened."
    elif result in NEEDS_WORDS and not words and "outcome" not in c.errors:
        c.errors["outcome"] = "Please note what happened at the follow-up."
    c.done()
    return result, words


def outcome_text(result: str, words: str) -> str:
    """'Spoke to them: she has started the course' (the words alone for Something else)."""
    if result == "other":
        return words
    return f"{OUTCOMES[result]}: {words}" if words else OUTCOMES[result]


def record_outcome(session: Session, follow_up_id: str, advisor_id: str, result: str,
                   words: str = "", today: date | None = None) -> FollowUp:
    """Follow-up done: close it with what happened; or, for "No answer, try again", note
    the try and move it to the day after ``today`` (it stays open)."""
    result, words = validate(result, words)
    fu = session.get(FollowUp, follow_up_id)
    if fu is None or fu.deleted_at is not None:
        raise ValidationError({"result": "This follow-up is no longer here."})
    if fu.done_at is not None:
        raise ValidationError({"result": "This follow-up has been done already."})
    now = session_now(session)
    today = today or local_time(now).date()
    line = outcome_text(result, words)
    if result == TRY_AGAIN:
        line = f"{today.day} {dates.MONTHS[today.month - 1]} {today.year}: {line}"
        fu.due_date = max(fu.due_date, today) + timedelta(days=1)
    else:
        fu.done_at, fu.done_by = now, advisor_id
    fu.outcome = f"{fu.outcome}\n{line}" if fu.outcome else line
    session.flush()
    return fu


def check_measures(result: str, raw) -> dict[str, dict[str, int]]:
    """The wellbeing measures answered at a follow-up (services.wellbeing_answers: keyed
    ``wellbeing.<measure>.<item>``); none can be, when the person was not reached."""
    clean = wellbeing_answers.check(raw)
    if clean and result in UNREACHED:
        raise ValidationError({"wellbeing": (
            f"“{OUTCOMES[result]}”: they were not reached, so no wellbeing answers can be "
            "kept. Clear them, or choose what happened.")})
    return clean


def record_measures(session: Session, fu: FollowUp, advisor_id: str, result: str,
                    raw) -> list[str]:
    """Keep the wellbeing measures answered at follow-up ``fu`` (in the transaction that
    records its outcome), with its site; the ids kept."""
    clean = check_measures(result, raw)
    return wellbeing_answers.record(session, fu.person_id, advisor_id, clean, fu.site_code,
                                    follow_up_id=fu.id)
