"""The person's own view of each of their referrals that started (it helped a lot, a
bit, not really, did not go; and their words), asked at follow-up and saved in the same
transaction as the follow-up's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import duplicates, followups
from lr_desk.services.referrals import record_view, status_words, validate_view
from lr_desk.services.validation import Checker, ValidationError
from lr_desk.store.models import FollowUp, Partner, PartnerService, Referral

STARTED = ("sent", "accepted", "engaged", "completed")  # asked about (sent: "did not go")


@dataclass
class ToAsk:
    """A referral of the person's whose view is asked at a follow-up."""

    id: str
    what: str  # "Sefton CVS (Befriending)"
    status: str  # its status, in words
    view: str  # REFERRAL_VIEWS code, or "" (not asked yet)
    words: str


def to_ask(session: Session, follow_up_id: str) -> list[ToAsk]:
    """The referrals that started (and sent ones, so "did not go" can be said) of the
    person a follow-up is for (and everyone merged into them), newest first."""
    fu = session.get(FollowUp, follow_up_id)
    if fu is None or fu.deleted_at is not None:
        return []
    ids = duplicates.family(session, duplicates.survivor(session, fu.person_id))
    rows = session.execute(
        select(Referral.id, Referral.status, Referral.view, Referral.view_words,
               PartnerService.name, Partner.name)
        .join(PartnerService, Referral.service_id == PartnerService.id)
        .join(Partner, PartnerService.partner_id == Partner.id)
        .where(Referral.person_id.in_(ids), Referral.deleted_at.is_(None),
               Referral.status.in_(STARTED))
        .order_by(Referral.status_at.desc(), Referral.id))
    return [ToAsk(rid, f"{partner} ({service})", status_words(status), view, words)
            for rid, status, view, words, service, partner in rows]


def validate_views(views: dict) -> dict[str, tuple[str, str]]:
    """Views as the follow-up form sends them ({referral id: {"view", "words"}}): the
    ones given (words without a choice ask for one), checked; keyed ``views.<id>``."""
    c, clean = Checker(), {}
    if not isinstance(views, dict):
        raise ValidationError({"views": "This part of the form was damaged: please choose "
                                        "their views again."})
    for rid, given in views.items():
        given = given if isinstance(given, dict) else {}
        view, words = given.get("view") or "", given.get("words") or ""
        if not view and not str(words).strip():
            continue
        try:
            clean[rid] = validate_view(view, words)
        except ValidationError as exc:
            c.errors[f"views.{rid}"] = " ".join(exc.errors.values())
    c.done()
    return clean


def record_follow_up(session: Session, follow_up_id: str, advisor_id: str, result: str,
                     words: str = "", views: dict | None = None,
                     today: date | None = None) -> FollowUp:
    """Follow-up done (``followups.record_outcome``) with the person's view of each of
    their referrals, in one transaction."""
    clean = validate_views({} if views is None else views)
    fu = followups.record_outcome(session, follow_up_id, advisor_id, result, words, today)
    theirs = set(duplicates.family(session, duplicates.survivor(session, fu.person_id)))
    for rid, (view, view_words) in clean.items():
        if session.scalar(select(Referral.person_id).where(Referral.id == rid)) not in theirs:
            raise ValidationError({f"views.{rid}": "This referral is not theirs."})
        record_view(session, rid, view, view_words)
    return fu
