"""What goes on the take-home prescription sheet, and the record that one was given.

``sheet_data`` gathers, in plain values only (no ORM objects: the result is handed to a
rendering thread), exactly what the visitor may see: the hub's contact details, the date,
the advisor's first name, the visitor's preferred name, what matters to them and their
plan, and the next follow-up. It never reads private notes, escalations, referral
decline reasons, the person's date of birth or contact details, or anything about
another person: the fields below are the whole of what the sheet can show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import handouts
from lr_desk.services.handouts import SheetHub, live
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import local_time
from lr_desk.store.models import (
    Advisor,
    Conversation,
    Course,
    FollowUp,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Site,
)

# What each kind of item is, in the visitor's words (the desk's labels are the advisor's).
SHEET_KINDS = {
    "course": "A free Recovery College course",
    "partner_service": "Support from a local organisation",
    "volunteering": "Volunteering",
    "peer_support": "Peer support",
    "own_step": "A step I will take myself",
}
# How the next follow-up happens, in the visitor's words.
SHEET_WAYS = {
    "call": "We will phone you",
    "drop_in": "Come and see us",
    "video": "A video call with us",
    "text": "We will send you a text message",
}
SHEET_HOW = handouts.GIVEN_HOW
SHEET_AUDIT = {"printed": "take-home sheet", "saved": "take-home sheet, saved as a PDF file"}

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def long_date(day: date) -> str:
    """'Wednesday 11 June 2025', in English whatever the computer's locale (Qt sets the
    process locale, and strftime would follow it)."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class SheetItem:
    kind: str  # plain words, e.g. "Support from a local organisation"
    title: str
    with_whom: str = ""  # the partner organisation or the course's provider
    where: str = ""  # "The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF", or a place
    when: str = ""  # day and time, in the directory's words
    phone: str = ""
    web: str = ""
    why: str = ""  # the visitor's own words
    first_step: str = ""
    by_when: date | None = None


@dataclass(frozen=True)
class SheetFollowUp:
    date: date
    time: str = ""  # "HH:MM", or empty when no time was agreed
    way: str = ""  # plain words, e.g. "We will phone you"
    place: str = ""  # for a drop-in: the hub and its address; otherwise empty


@dataclass
class SheetData:
    prescription_id: str
    hub: SheetHub
    made_on: date
    advisor_first_name: str
    preferred_name: str
    large_print: bool = False
    what_matters: str = ""
    items: list[SheetItem] = field(default_factory=list)
    next_follow_up: SheetFollowUp | None = None
    # Last, so that positional construction keeps its meaning.
    easy_read: bool = False  # the person's needs say easy read
    language: str = ""  # the person's interpreter language as recorded ("" if none)


def _place(site: Site | None) -> str:
    """'The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF' for a hub (its name in
    full, never its code); a way of working's own name otherwise."""
    if site is None:
        return ""
    if site.kind != "hub":
        return site.name
    address = " ".join(p for p in (site.address, site.postcode) if p)
    return f"{site.name}, {address}" if address else site.name


def _first_name(name: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else ""


def sheet_data(session: Session, prescription_id: str, today: date | None = None) -> SheetData:
    """Everything the sheet shows for one prescription. Raises LookupError when the
    prescription (or its person) is not here or has been deleted.

    The next follow-up is the earliest open one from the day the prescription was made,
    or from ``today`` (default: the computer's date) if that is later: a sheet printed
    again later never shows a day already gone as the next catch-up. Anything deleted
    (the conversation, the advisor, a course, a service or its partner) is not shown."""
    today = today or date.today()
    rx = live(session, Prescription, prescription_id)
    person = live(session, Person, rx.person_id) if rx else None
    if rx is None or person is None:
        raise LookupError(f"no prescription {prescription_id!r}")
    conv = live(session, Conversation, rx.conversation_id)
    advisor = live(session, Advisor, rx.advisor_id)
    sites = {s.code: s for s in session.scalars(select(Site))}

    hub_site = handouts.hub_site(sites, conv.site_code if conv else None, advisor)
    hub = handouts.hub_of(hub_site)

    made_on = conv.occurred_at.date() if conv else local_time(rx.created_at).date()
    items = [_item(session, row, sites, hub_site)
             for row in session.scalars(
                 select(PrescriptionItem)
                 .where(PrescriptionItem.prescription_id == rx.id,
                        PrescriptionItem.deleted_at.is_(None))
                 .order_by(PrescriptionItem.position, PrescriptionItem.created_at))]

    follow = session.execute(
        select(FollowUp.due_date, FollowUp.due_time, FollowUp.way, FollowUp.site_code)
        .where(FollowUp.person_id == person.id, FollowUp.deleted_at.is_(None),
               FollowUp.done_at.is_(None), FollowUp.due_date >= max(made_on, today))
        .order_by(FollowUp.due_date, FollowUp.due_time).limit(1)).first()
    next_follow_up = None
    if follow is not None:
        place = ""
        if follow.way == "drop_in":  # a drop-in is at a hub (never "Telephone support")
            site = sites.get(follow.site_code)
            place = _place(site if site is not None and site.kind == "hub" else hub_site)
        next_follow_up = SheetFollowUp(follow.due_date, follow.due_time or "",
                                       SHEET_WAYS.get(follow.way, follow.way), place)

    return SheetData(
        prescription_id=rx.id,
        hub=hub,
        made_on=made_on,
        advisor_first_name=_first_name(advisor.name if advisor else ""),
        preferred_name=person.preferred_name or person.given_name,
        large_print=bool(person.needs_large_print),
        easy_read=bool(person.needs_easy_read),
        language=(person.interpreter_language or "").strip(),
        what_matters=(conv.what_matters if conv else "") or "",
        items=items,
        next_follow_up=next_follow_up,
    )


def _item(session: Session, row: PrescriptionItem, sites: dict[str, Site],
          hub_site: Site | None) -> SheetItem:
    with_whom = where = when = phone = web = ""
    if row.kind == "course" and row.course_id:
        course = live(session, Course, row.course_id)
        if course is not None:
            site = sites.get(course.site_code)
            with_whom, where = course.provider, _place(site)
            when = course.when_text
            if course.starts_on:
                start = f"starts {long_date(course.starts_on)}"
                when = f"{when}; {start}" if when else start.capitalize()
            # Courses are booked through the hub that runs them.
            contact = site if site is not None and site.kind == "hub" else hub_site
            phone = contact.phone if contact is not None else ""
    elif row.service_id:
        service = live(session, PartnerService, row.service_id)
        if service is not None:
            partner = live(session, Partner, service.partner_id)
            with_whom = partner.name if partner is not None else ""
            if service.delivery == "hub" and service.site_code in sites:
                where = _place(sites[service.site_code])
            else:
                where = service.location or _place(sites.get(service.site_code))
            when = service.when_text
            phone = service.phone or (partner.phone if partner is not None else "")
            web = service.web or (partner.web if partner is not None else "")
    return SheetItem(
        kind=SHEET_KINDS.get(row.kind, row.kind), title=row.title, with_whom=with_whom,
        where=where, when=when, phone=phone, web=web, why=row.why or "",
        first_step=row.first_step or "", by_when=row.target_date)


def record_sheet_given(session: Session, prescription_id: str, advisor_id: str,
                       how: str) -> datetime:
    """Record that the sheet was printed or saved, when and by whom (an ordinary synced
    update of the prescription), and in the audit log: printed, or exported (a saved
    file is a copy outside the desk). Returns the time recorded (UTC, as stored)."""
    if how not in SHEET_HOW:
        raise ValidationError({"how": "The sheet is either printed or saved."})
    rx = live(session, Prescription, prescription_id)
    if rx is None:
        raise LookupError(f"no prescription {prescription_id!r}")
    return handouts.record_given(session, rx, "sheet", how, advisor_id, "print_sheet",
                                 SHEET_AUDIT)
