"""The GP-ready referrals file: social prescribing referrals made in a period at some
sites, coded with the national SNOMED CT concepts, for the people's GP practices.

One row per referral to social prescribing: each onward referral of a person's social
prescription made in the period at the sites (when and where the prescription was made),
counted as the onward referrals report counts them (services.reports.referrals): a
Recovery College course on the plan, or an item sent to a partner service (whatever the
partner did next). A row carries the day, the person (NHS number where recorded, name,
date of birth, postcode; an NHS number whose check digit is wrong, as one synced from a
device that did not check it could be, is left out), the code and its term, the
partner service, the referral's status, the site and the advisor who made the
prescription.

The codes (the national social prescribing codes NHS England asks for in GP records):
- 871731000000106 |Referral to social prescribing service|: every referral, unless
- 871711000000103 |Social prescribing declined|: the person declined it. Defined here
  as a referral now "not taken up", or "declined" with the reason "the person changed
  their mind" (``changed_mind``, the reason of its latest decline). A partner declining
  for its own reasons (no capacity, not eligible...) is not the person declining.
Sources: socialrx.co.uk, "What are the social prescribing SNOMED codes and why are they
important?" (https://www.socialrx.co.uk/blogs/blog/social-prescribing-snomed-codes-why-
important: both codes and terms, and declined meaning the person says they do not wish
to use the service); de Lusignan et al., JMIR 2020;22(12):e23721
(https://jmir.org/2020/12/e23721: NHS England's recommended social prescribing codes).

The file names people (it goes to their GP): no small-number suppression, but only a
manager may make it (``accounts.can(role, "reports")``), and each one made is recorded
in the audit log (action "export": the period, the sites and how many rows, never who).
People whose information was erased are left out; a person recorded twice and merged
is named by the record kept. CSV, UTF-8 with a byte order mark, dates YYYY-MM-DD, the
notes above the table; written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lr_desk.services import accounts, audit, nhs_number
from lr_desk.services.reports.core import Period, Survivors, never_stopped, site_names
from lr_desk.services.reports.outgoing import long_date, replace_atomically
from lr_desk.services.reports.referrals import made_in, sent_onward
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import local_time, session_now
from lr_desk.store.models import (
    REFERRAL_STATUSES,
    Advisor,
    Conversation,
    Course,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    Site,
)

REFERRED = ("871731000000106", "Referral to social prescribing service")
DECLINED = ("871711000000103", "Social prescribing declined")
PERSON_DECLINED_REASON = "changed_mind"
COURSE_PARTNER = "The Life Rooms Recovery College"
COURSE_STATUS = "On their plan"
TITLE = "GP-ready social prescribing referrals"
NOT_ALLOWED = "Only a manager can make the GP referrals file."
COLUMNS = ("Date", "NHS number", "Given name", "Family name", "Date of birth", "Postcode",
           "SNOMED CT code", "SNOMED CT term", "Service", "Partner", "Referral status",
           "Site", "Advisor")
NOTES = (
    "One row per referral to social prescribing: each onward referral of a social "
    "prescription made in the period at the sites (a Recovery College course on the plan, "
    "or an item sent to a partner service), on the day it was made.",
    f"SNOMED CT {REFERRED[0]} |{REFERRED[1]}|, or {DECLINED[0]} |{DECLINED[1]}| where the "
    "person declined: the referral was not taken up, or was declined because the person "
    "changed their mind.",
    "NHS number: ten digits, where recorded (empty where not). Dates are YYYY-MM-DD. "
    "People whose information was erased at their request are left out; a person "
    "recorded twice is named once, by the record kept.",
    "This file names people: send it only to their GP practices, keep it as safely as "
    "their records, and delete it once it has been entered. Making it is recorded in "
    "the desk's audit log.",
)
CHUNK = 500  # ids in one IN (...)


@dataclass(frozen=True)
class Row:
    made_on: date
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str
    code: str
    term: str
    service: str
    partner: str
    status: str
    site: str
    advisor: str


@dataclass
class Export:
    period: Period
    site_names: list[str]
    rows: list[Row]
    made_at: datetime  # local time
    made_by: str  # the manager's name


def allowed(session: Session, advisor_id: str | None) -> bool:
    advisor = session.get(Advisor, advisor_id) if advisor_id else None
    return advisor is not None and advisor.active and accounts.can(advisor.role, "reports")


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _declined_by_the_person(session: Session, declined: list[str]) -> set[str]:
    """Of referrals now "declined", those whose latest decline gives the person changing
    their mind as the reason."""
    latest: dict[str, tuple[datetime, str]] = {}
    for ids in _chunks(declined):
        for rid, at, reason in session.execute(
                select(ReferralEvent.referral_id, ReferralEvent.at, ReferralEvent.reason_code)
                .where(ReferralEvent.referral_id.in_(ids), ReferralEvent.status == "declined",
                       ReferralEvent.deleted_at.is_(None))):
            if rid not in latest or at >= latest[rid][0]:
                latest[rid] = (at, reason)
    return {rid for rid, (_at, reason) in latest.items() if reason == PERSON_DECLINED_REASON}


def _people(session: Session, ids: set[str]) -> dict[str, tuple]:
    """The details of the people to name (not erased, not deleted), by id: rows of
    (id, nhs_number, given_name, family_name, date_of_birth, postcode)."""
    out: dict[str, tuple] = {}
    for chunk in _chunks(sorted(ids)):
        out.update((p.id, p) for p in session.execute(
            select(Person.id, Person.nhs_number, Person.given_name, Person.family_name,
                   Person.date_of_birth, Person.postcode)
            .where(Person.id.in_(chunk), Person.erased_at.is_(None),
                   Person.deleted_at.is_(None))))
    return out


def referrals(session: Session, period: Period) -> list[tuple]:
    """(made at, site, person id, advisor id, course title or None, service, partner,
    referral id, status) of each onward referral made in ``period``: as the onward
    referrals report counts them (its ``made_in`` and ``sent_onward``: one definition)."""
    is_course = PrescriptionItem.kind == "course"
    q = made_in(select(Conversation.occurred_at, Conversation.site_code,
                        Prescription.person_id, Prescription.advisor_id, Course.title,
                        PartnerService.name, Partner.name, Referral.id, Referral.status)
                 .select_from(PrescriptionItem)
                 .outerjoin(Referral, sent_onward())
                 .outerjoin(PartnerService, PartnerService.id == Referral.service_id)
                 .outerjoin(Partner, Partner.id == PartnerService.partner_id)
                 .outerjoin(Course, (Course.id == PrescriptionItem.course_id) & is_course)
                 .where(or_(is_course, Referral.id.is_not(None))), period)
    return [tuple(r) for r in session.execute(q)]


def gather(session: Session, period: Period, advisor_id: str | None,
           check: Callable[[], None] = never_stopped) -> Export:
    """The file's rows, for the manager ``advisor_id`` (anyone else: ValidationError)."""
    if not allowed(session, advisor_id):
        raise ValidationError({"who": NOT_ALLOWED})
    found = referrals(session, period)
    check()
    survivor = Survivors.load(session)
    named_as = {pid: survivor(pid) for pid in {r[2] for r in found}}
    people = _people(session, set(named_as.values()))
    by_person = _declined_by_the_person(session, [r[7] for r in found if r[8] == "declined"])
    check()
    sites = dict(session.execute(select(Site.code, Site.name)).all())
    advisors = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    rows = []
    for made, site, pid, adv, course, service, partner, rid, status in found:
        p = people.get(named_as[pid])
        if p is None:
            continue  # erased (or deleted): not named
        declined = status == "not_taken_up" or rid in by_person
        code, term = DECLINED if declined else REFERRED
        # (only a number whose check digit is right: a wrong one, from a desk or a device
        # that did not check it, could file the row in another patient's record)
        nhs = p.nhs_number if nhs_number.is_valid(p.nhs_number) else ""
        # (``made``, a conversation's time, is local wall time already)
        rows.append(Row(made.date(), nhs, p.given_name, p.family_name,
                        p.date_of_birth, p.postcode, code, term,
                        (course or "") if rid is None else service or "",
                        COURSE_PARTNER if rid is None else partner or "",
                        COURSE_STATUS if rid is None else REFERRAL_STATUSES.get(status, status),
                        sites.get(site, site), advisors.get(adv, "")))
    rows.sort(key=lambda r: (r.made_on, r.family_name.casefold(), r.given_name.casefold()))
    return Export(period, site_names(session, period), rows,
                  local_time(session_now(session)), advisors.get(advisor_id, ""))


def _safe(text: str) -> str:
    """Words a spreadsheet will not take for a formula (=, +, -, @ first)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(export: Export) -> str:
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\r\n")
    w.writerow(["File", TITLE])
    w.writerow(["From", export.period.start.isoformat()])
    w.writerow(["To", export.period.end.isoformat()])
    w.writerow(["Sites", "; ".join(export.site_names)])
    w.writerow(["Made", export.made_at.strftime("%Y-%m-%d %H:%M")])
    w.writerow(["Made by", export.made_by])
    w.writerow(["Rows", len(export.rows)])
    for note in NOTES:
        w.writerow(["Note", note])
    w.writerow([])
    w.writerow(COLUMNS)
    for r in export.rows:
        w.writerow([r.made_on.isoformat(), r.nhs_number, _safe(r.given_name),
                    _safe(r.family_name), r.date_of_birth.isoformat() if r.date_of_birth else "",
                    _safe(r.postcode), r.code, r.term, _safe(r.service), _safe(r.partner),
                    r.status, _safe(r.site), _safe(r.advisor)])
    return buffer.getvalue()


def default_name(period: Period) -> str:
    """'gp-referrals-2025-01-01-to-2025-01-31.csv'."""
    return f"gp-referrals-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"


def write(export: Export, path: str | os.PathLike) -> Path:
    """Write the file (whole, or not at all: an OSError for a folder or disk that will
    not take it). Returns its path."""
    text = csv_text(export)
    return replace_atomically(path, lambda f: f.write(text), binary=False)


def record(session: Session, export: Export, advisor_id: str | None = None) -> None:
    """The file made, in the audit log (once it is written): when, which sites, how many
    rows; never who is in it."""
    detail = (f"The GP referrals file: {len(export.rows):,} referrals made "
              f"{_period(export)}, at {', '.join(export.site_names)}")
    audit.record(session, "export", entity="gp_referrals", detail=detail,
                 advisor_id=advisor_id)


def _period(export: Export) -> str:
    p = export.period
    if p.start == p.end:
        return f"on {long_date(p.start)}"
    return f"from {long_date(p.start)} to {long_date(p.end)}"


def export(session: Session, period: Period, path: str | os.PathLike,
           advisor_id: str | None) -> Export:
    """Gather, write and record, all in one (the command line's way; the desk runs the
    three on their lanes)."""
    made = gather(session, period, advisor_id)
    write(made, path)
    record(session, made, advisor_id)
    return made
