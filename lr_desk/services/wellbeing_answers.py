"""The wellbeing measures as a form gives them (the drop-in, Follow-up done): both
measures in one part, ``{"swemwbs": {"1": 4, ...}, "ons4": {...}}``, either or both
answered, checked with every question's problem keyed for the form
(``wellbeing.<measure>.<item>``), and kept with the conversation or the follow-up they
were asked at, in the caller's transaction (services.wellbeing.record)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lr_desk.services import wellbeing
from lr_desk.services.validation import ValidationError

DAMAGED = "This part of the form was damaged: please ask the wellbeing questions again."


def check(raw) -> dict[str, dict[str, int]]:
    """The answers given to each measure (measures with none left out); ValidationError
    keyed ``wellbeing.<measure>.<item>`` (or ``wellbeing.<measure>``, ``wellbeing``)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError({"wellbeing": DAMAGED})
    clean: dict[str, dict[str, int]] = {}
    errors: dict[str, str] = {}
    for code, answers in raw.items():
        if code not in wellbeing.MEASURES:
            errors[f"wellbeing.{str(code)[:20]}"] = DAMAGED
            continue
        if answers is None:
            continue
        try:
            given = wellbeing.check_answers(code, answers)
        except ValidationError as exc:
            for key, message in exc.errors.items():
                where = f"wellbeing.{code}.{key}" if key in wellbeing.MEASURES[code].keys \
                    else f"wellbeing.{code}"
                errors[where] = message
            continue
        if given:
            clean[code] = given
    if errors:
        raise ValidationError(errors)
    return clean


def record(session: Session, person_id: str, advisor_id: str, clean: dict, site_code: str,
           conversation_id: str | None = None, follow_up_id: str | None = None,
           asked_at: datetime | None = None) -> list[str]:
    """Keep each measure answered (``clean``, from ``check``); the ids kept. ``asked_at``:
    the local wall time they were asked (a conversation's time: a drop-in recorded later
    in the day, or the next, is dated when it happened); now by default."""
    taken_at = asked_at.astimezone(UTC).replace(tzinfo=None) if asked_at else None
    kept = []
    for code, answers in clean.items():
        row = wellbeing.record(session, person_id, code, answers, advisor_id, site_code,
                               conversation_id=conversation_id, follow_up_id=follow_up_id,
                               taken_at=taken_at)
        if row is not None:
            kept.append(row.id)
    return kept
