"""What the demo desk gets once its story is written: this term's Recovery College
courses (dated around today), and, if nothing at the desk's hub is awaiting a partner's
reply, one referral sent there and not answered."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import select

from lr_desk.demo.synth import to_utc
from lr_desk.services import consent, directory, referrals, referrals_due
from lr_desk.store.models import (
    Conversation,
    PartnerService,
    Prescription,
    PrescriptionItem,
    Referral,
)


def one_awaiting_reply(s, today: date, hub: str, advisor_id: str) -> None:
    """If nothing at the desk's hub is past its reply date, send one referral agreed
    there three to eight weeks ago (as of 20 days ago) that the partner has not answered,
    so the demo's Today shows "Awaiting reply"."""
    if not hub or referrals_due.awaiting_reply(s, today, None, hub):
        return
    found = s.execute(
        select(Referral.id, Referral.person_id, PartnerService.partner_id)
        .join(PartnerService, Referral.service_id == PartnerService.id)
        .join(PrescriptionItem, Referral.item_id == PrescriptionItem.id)
        .join(Prescription, PrescriptionItem.prescription_id == Prescription.id)
        .join(Conversation, Prescription.conversation_id == Conversation.id)
        .where(Conversation.site_code == hub, Referral.status.in_(("suggested", "agreed")),
               Conversation.occurred_at.between(
                   to_utc(datetime.combine(today - timedelta(weeks=8), dtime())),
                   to_utc(datetime.combine(today - timedelta(weeks=3), dtime()))))
        .order_by(Conversation.occurred_at.desc()).limit(1)).first()
    if found is None:
        return
    referral_id, person_id, partner_id = found
    sent = today - timedelta(days=20)
    s.info["now"] = to_utc(datetime.combine(sent, dtime(11, 0)))
    consent.record(s, person_id, advisor_id, {"kind": "share", "partner_id": partner_id},
                   today=sent)
    referrals.set_status(s, referral_id, "sent", advisor_id)
    s.info.pop("now")


# This term's Recovery College courses (the shipped examples have no dates): one running,
# some starting soon, one next term; (title, site, weeks from today, weeks long, when).
TERM = (
    ("Understanding Depression", "walton", -3, 6, "Mondays 10:00 to 12:00"),
    ("Living Well with Long-term Pain", "bootle", -1, 8, "Tuesdays 13:30 to 15:30"),
    ("Creative Writing for Wellbeing", "southport", 1, 5, "Wednesdays 10:30 to 12:30"),
    ("Assertiveness", "walton", 2, 4, "Thursdays 13:00 to 15:00"),
    ("Photography for Wellbeing", "peripatetic", 3, 6, "Fridays 10:00 to 12:00"),
    ("Self-compassion", "telephone", 9, 4, "Thursdays 18:00 to 19:30"),
)


def add_this_terms_courses(s, today: date) -> None:
    """Courses with dates around ``today``, each starting on the day it meets."""
    for title, site, weeks_from, weeks, when in TERM:
        day = directory.meeting_days(when).pop()
        start = today + timedelta(weeks=weeks_from)
        start += timedelta(days=(day - start.weekday()) % 7)
        end = start + timedelta(weeks=weeks - 1)
        directory.save_course(s, {
            "title": title, "site_code": site, "when_text": f"{when}, {weeks} weeks",
            "starts_on": start.strftime("%d/%m/%Y"), "ends_on": end.strftime("%d/%m/%Y"),
            "description": "Synthetic demo course."})
