"""How a subject access export writes each value (see ``services.subject_access``): times
and days as ISO 8601, advisors, hubs, need categories, partners, services and courses
named in words, and a person's details with every field named for the reader.

No reportlab and nothing of the export's files: ``sheets.subject_access`` (the PDF) reads
the person's name with ``person_name`` from here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services.nhs_number import shown
from lr_desk.services.wellbeing import MEASURES, METRIC_TABLE, SWEMWBS
from lr_desk.store.models import (
    BENEFITS,
    DECLINE_REASONS,
    REFERRAL_EVENT_KINDS,
    REFERRAL_SOURCES,
    REFERRAL_STATUSES,
    REFERRAL_VIEWS,
    Advisor,
    Category,
    Course,
    Partner,
    PartnerService,
    Person,
    Referral,
    ReferralEvent,
    ServiceGap,
    Site,
    WellbeingMeasure,
)


def utc_time(stamp: datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 in local time, with its offset."""
    if stamp is None:
        return None
    return stamp.replace(tzinfo=UTC).astimezone().isoformat(timespec="seconds")


def wall_time(stamp: datetime | None) -> str | None:
    """A stored local wall time (a conversation's, as typed) as ISO 8601 with its offset."""
    if stamp is None:
        return None
    return stamp.astimezone().isoformat(timespec="seconds")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def person_name(document: dict) -> str:
    """The name the person goes by (as ``Person.display_name``), read from an export's
    document; "" once erased."""
    p = document["person"]
    return f"{p['preferred_name'] or p['given_name'] or ''} {p['family_name'] or ''}".strip()


class Names:
    """Advisors, hubs, categories, partners, services and courses named in words; the
    directory's rows only for the ids asked for."""

    def __init__(self, session: Session):
        self.session = session
        self.advisors = dict(session.execute(select(Advisor.id, Advisor.name)).all())
        self.sites = dict(session.execute(select(Site.code, Site.name)).all())
        self.categories = dict(session.execute(select(Category.code, Category.name)).all())

    def advisor(self, advisor_id: str | None) -> str | None:
        if not advisor_id:
            return None
        return self.advisors.get(advisor_id, "a member of staff no longer on this desk")

    def site(self, code: str | None) -> str | None:
        return self.sites.get(code, code) if code else None

    def services(self, ids: set[str]) -> dict[str, tuple[str, str]]:
        """Service id -> (partner's name, service's name)."""
        rows = self.session.execute(
            select(PartnerService.id, Partner.name, PartnerService.name)
            .join(Partner, PartnerService.partner_id == Partner.id)
            .where(PartnerService.id.in_(ids))) if ids else []
        return {sid: (partner, name) for sid, partner, name in rows}

    def partners(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        return dict(self.session.execute(
            select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all())

    def courses(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        return dict(self.session.execute(
            select(Course.id, Course.title).where(Course.id.in_(ids))).all())


def person_details(p: Person, names: Names) -> dict:
    """A person record's details, as the export's ``person`` and ``merged_records``."""
    return {
        "id": p.id, "given_name": p.given_name, "family_name": p.family_name,
        "preferred_name": p.preferred_name, "date_of_birth": day(p.date_of_birth),
        "postcode": p.postcode, "phone": p.phone, "email": p.email,
        "nhs_number": shown(p.nhs_number),
        "came_to_us": REFERRAL_SOURCES.get(p.referral_source, p.referral_source),
        "came_to_us_detail": p.referral_source_detail,
        "mersey_care_service_user": p.service_user, "carer": p.carer,
        "needs_large_print": p.needs_large_print, "needs_easy_read": p.needs_easy_read,
        "needs_interpreter": p.needs_interpreter,
        "interpreter_language": p.interpreter_language, "needs_bsl": p.needs_bsl,
        "communication_other": p.communication_other,
        "receives_benefits": BENEFITS.get(p.on_benefits) if p.on_benefits else None,
        "registered_at": utc_time(p.created_at),
        "registered_at_site": names.site(p.registered_site),
        "registered_by": names.advisor(p.registered_by),
        "updated_at": utc_time(p.updated_at), "merged_into": p.merged_into,
        "erased_at": utc_time(p.erased_at), "deleted_at": utc_time(p.deleted_at),
    }


GIVEN_HOW = {"printed": "Printed", "saved": "Saved as a PDF file"}


def referral_more(r: Referral, names: Names) -> dict:
    """A referral's reply deadline, why it was made although the checks said not (what
    they said, and the advisor's reason: both are about the person), the person's own
    view of whether it helped, and the letter sent with it."""
    return {
        "reply_due": day(r.reply_due),
        "checks_said": r.override_warnings or None,
        "made_anyway_because": r.override_reason or None,
        "your_view": REFERRAL_VIEWS.get(r.view, r.view) if r.view else None,
        "your_view_in_your_words": r.view_words or None, "view_given_at": utc_time(r.view_at),
        "letter_given_at": utc_time(r.letter_at),
        "letter_given_how": GIVEN_HOW.get(r.letter_how, r.letter_how) if r.letter_how else None,
        "letter_given_by": names.advisor(r.letter_by),
    }


def step_more(e: ReferralEvent) -> dict:
    """A referral step's kind (a step, a correction, a chase), the status a correction
    set right, and a decline's reason."""
    return {
        "kind": REFERRAL_EVENT_KINDS.get(e.kind, e.kind),
        "corrected_from": REFERRAL_STATUSES.get(e.from_status, e.from_status)
        if e.from_status else None,
        "decline_reason": DECLINE_REASONS.get(e.reason_code, e.reason_code)
        if e.reason_code else None,
    }


def gap(g: ServiceGap, names: Names) -> dict:
    """A need no suitable service could meet, noted at one of their conversations."""
    return {"id": g.id, "need": names.categories.get(g.category, g.category),
            "site": names.site(g.site_code), "words": g.words,
            "noted_by": names.advisor(g.advisor_id), "noted_at": utc_time(g.recorded_at),
            "deleted_at": utc_time(g.deleted_at)}


def wellbeing_row(m: WellbeingMeasure, names: Names) -> dict:
    """A wellbeing measure they answered: every question in its published words with their
    answer ("Not answered" where they left it), SWEMWBS's total and metric score (when
    all seven were answered), and its copyright notice where it is reproduced."""
    measure = MEASURES.get(m.measure)
    answers = {str(k): v for k, v in (m.answers or {}).items()}
    questions = []
    for key, text in measure.items if measure else sorted(answers.items()):
        value = answers.get(key)
        words = measure.words(value) if measure and value is not None else None
        questions.append({"question": text, "answer": "Not answered" if value is None else
                          f"{value} ({words})" if words and words != str(value)
                          else str(value)})
    metric = METRIC_TABLE.get(m.raw_total) if m.measure == SWEMWBS else None
    return {"id": m.id, "person_record_id": m.person_id,
            "measure": measure.title if measure else m.measure,
            "taken_at": utc_time(m.taken_at), "site": names.site(m.site_code),
            "asked_by": names.advisor(m.advisor_id), "conversation_id": m.conversation_id,
            "follow_up_id": m.follow_up_id, "answers": questions,
            "total": m.raw_total, "metric_score": metric,
            "notice": measure.notice or None if measure else None,
            "deleted_at": utc_time(m.deleted_at)}
