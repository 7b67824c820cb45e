"""The directory: partner organisations, their services, and Recovery College courses.

``listing`` reads everything the directory page shows; ``next_session`` says when a
course next meets (from its dates and the days named in its "days and times"); the
``validate_*`` functions are pure (forms call them as the user types) and the ``save_*``
functions check again and write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from lr_desk.services import contacts, dates, reference
from lr_desk.services.contacts import ContactRow
from lr_desk.services.directory_terms import check_capacity, check_eligibility, whole_number
from lr_desk.services.edits import apply_edit, checked_or_none
from lr_desk.services.validation import (
    Checker,
    ValidationError,
    an_id,
    check_all,
    check_choice,
    check_name,
    check_text,
    clean_text,
    normalise_phone,
    parse_date,
)
from lr_desk.store.models import DELIVERY, Category, Course, Partner, PartnerService, Site

MOST_CATCHUP_MONTHS = 24


@dataclass
class ServiceRow:
    service: PartnerService
    partner: Partner


def services(session: Session, category: str | None = None) -> list[ServiceRow]:
    stmt = (select(PartnerService, Partner).join(Partner)
            .where(PartnerService.deleted_at.is_(None), Partner.deleted_at.is_(None))
            .order_by(Partner.name, PartnerService.name))
    if category:
        stmt = stmt.where(PartnerService.category == category)
    return [ServiceRow(s, p) for s, p in session.execute(stmt)]


def partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).where(Partner.deleted_at.is_(None))
                                .order_by(Partner.name)))


def courses(session: Session) -> list[Course]:
    return list(session.scalars(select(Course).where(Course.deleted_at.is_(None))
                                .order_by(Course.title, Course.site_code)))


@dataclass
class Entry:
    """One row of the directory's services list: a partner's service, or a partner with
    none yet (so a partner just added is listed, and can be edited, before it has any)."""

    partner: Partner
    service: PartnerService | None = None
    contact: ContactRow | None = None  # its named key contact (services.contacts)

    @property
    def key(self) -> str:
        return self.service.id if self.service else f"partner:{self.partner.id}"

    @property
    def example(self) -> bool:
        return bool(self.partner.is_example or (self.service and self.service.is_example))

    @property
    def no_contact(self) -> bool:
        return self.contact is None


@dataclass
class Listing:
    """Everything the directory page shows, read in one go (detached rows)."""

    entries: list[Entry]
    partners: list[Partner]
    courses: list[Course]
    sites: list[Site] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    today: date = field(default_factory=date.today)
    key_contacts: dict[str, ContactRow] = field(default_factory=dict)  # by partner id

    @property
    def without_contact(self) -> int:
        """How many partners have no named key contact."""
        return sum(1 for p in self.partners if p.id not in self.key_contacts)


def listing(session: Session, today: date | None = None) -> Listing:
    """The partners' services (and partners with none yet) in the directory's order,
    the partners, the courses, and the sites and categories to name them by."""
    all_partners = partners(session)
    keys = contacts.key_contacts(session)
    entries = [Entry(r.partner, r.service, keys.get(r.partner.id)) for r in services(session)]
    with_services = {e.partner.id for e in entries}
    entries += [Entry(p, None, keys.get(p.id)) for p in all_partners
                if p.id not in with_services]
    entries.sort(key=lambda e: (e.partner.name.casefold(), e.partner.id,
                                e.service.name.casefold() if e.service else ""))
    return Listing(entries, all_partners, courses(session), reference.sites(session),
                   reference.categories(session), today or date.today(), keys)


def short_site_name(site: Site | None, code: str = "") -> str:
    """A hub by its place ("Walton", not "The Life Rooms Walton"), so it fits a narrow
    column and typing a letter in a list of sites finds it; other sites by their name."""
    if site is None:
        return code
    return site.name.removeprefix("The Life Rooms ").strip() or site.name


# --- when a course meets ----------------------------------------------------------------

_DAY_WORDS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY = (r"\b(mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|"
        r"fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?\b\.?")  # "Mon", "Tues.", "Thursdays"
_DAY_RANGE = re.compile(rf"{_DAY}\s*(?:to|-|–)\s*{_DAY}", re.IGNORECASE)
_ONE_DAY = re.compile(_DAY, re.IGNORECASE)
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?"
_TIMES = re.compile(rf"(?<![\d/])(\d{{1,2}}[:.]\d{{2}}\s*(?:am|pm)?|\d{{1,2}}\s*(?:am|pm))"
                    rf"(?:\s*(?:to|-|–)\s*({_TIME}))?(?![\d/])", re.IGNORECASE)


def meeting_days(when_text: str) -> set[int]:
    """The weekdays (Monday 0) a "days and times" text names: "Tuesdays 10:00",
    "Mondays and Thursdays", "Monday to Friday", "weekdays"."""
    text = when_text or ""
    days: set[int] = set()
    if re.search(r"\bweekdays?\b", text, re.IGNORECASE):
        days.update(range(5))
    for first, last in _DAY_RANGE.findall(text):
        a, b = _DAY_WORDS[first[:3].lower()], _DAY_WORDS[last[:3].lower()]
        days.update(range(a, b + 1) if a <= b else (*range(a, 7), *range(0, b + 1)))
    for word in _ONE_DAY.findall(text):
        days.add(_DAY_WORDS[word[:3].lower()])
    return days


def meeting_time(when_text: str) -> str:
    """The time a "days and times" text gives ("10:00 to 12:00", "2pm"), or ""."""
    found = _TIMES.search(when_text or "")
    if not found:
        return ""
    start, end = found.group(1).strip(), (found.group(2) or "").strip()
    return f"{start} to {end}" if end else start


def next_session(course: Course, today: date) -> date | None:
    """The day a course next meets, on or after ``today`` and not before it starts: the
    first of the days its "days and times" names (its start date if it names none), up to
    its end date. None when that cannot be known (no start date; started, with no day
    named) or it has ended."""
    start, end = course.starts_on, course.ends_on
    if start is None or (end is not None and end < today):
        return None
    days = meeting_days(course.when_text)
    if not days:
        return start if start >= today else None
    first = max(start, today)
    for step in range(7):
        day = first + timedelta(days=step)
        if day.weekday() in days:
            return day if end is None or day <= end else None
    return None


def course_next(course: Course, today: date) -> str:
    """The course's next session in words, with the year when it is not this year:
    "Thu 10 Dec, 10:00 to 12:00", "Ended 3 Nov 2025", "No dates set"."""
    day = next_session(course, today)
    if day is not None:
        time = meeting_time(course.when_text)
        return dates.day(day, today) + (f", {time}" if time else "")
    if course.ends_on is not None and course.ends_on < today:
        return f"Ended {dates.day(course.ends_on, today, weekday=False)}"
    if course.starts_on is not None:
        return f"Started {dates.day(course.starts_on, today, weekday=False)}"
    return "No dates set"


def course_dates(course: Course, today: date) -> str:
    """Its first and last day: "14 Dec to 11 Jan 2027", "From 14 Dec", "" (none set)."""
    start, end = course.starts_on, course.ends_on
    if start and end:
        return (f"{dates.day(start, today, weekday=False)} to "
                f"{dates.day(end, today, weekday=False)}")
    if start:
        return f"From {dates.day(start, today, weekday=False)}"
    if end:
        return f"Until {dates.day(end, today, weekday=False)}"
    return ""


def _url(value: str) -> str:
    text = check_text(value, "web address", 300)  # the column is String(300)
    if text and " " in text:
        raise ValueError("A web address has no spaces, for example https://example.org.")
    return text


def validate_partner(raw: dict) -> dict:
    """Check a partner form (its contacts are checked by ``contacts.validate_contacts``);
    clean values or ValidationError. Pure: forms call it live."""
    c = Checker()
    clean = {
        "name": c.field("name", check_name, raw.get("name", ""), "organisation's name"),
        "phone": c.field("phone", normalise_phone, raw.get("phone", "")),
        "web": c.field("web", _url, raw.get("web", "")),
        "notes": c.field("notes", check_text, raw.get("notes", ""), "notes"),
        "catchup_every_months": c.field(
            "catchup_every_months", whole_number, raw.get("catchup_every_months", 3),
            "months between catch-ups", 0, MOST_CATCHUP_MONTHS),
    }
    if clean["catchup_every_months"] is None and "catchup_every_months" not in c.errors:
        clean["catchup_every_months"] = 0  # left empty: no catch-ups planned
    c.done()
    return clean


def save_partner(session: Session, raw: dict, partner_id: str | None = None,
                 loaded: dict | None = None) -> Partner:
    """``loaded`` (for these three): the form's values when it was opened, so that only
    what was changed on it is written (see services.edits). A form's ``contacts`` (a
    list, see services.contacts) are saved with it; contacts another desk added since
    the form opened (not among ``loaded``'s) are kept."""
    check_all(lambda: validate_partner(raw),
              lambda: "contacts" in raw and contacts.validate_contacts(raw["contacts"]))
    row = _save(session, Partner, partner_id, validate_partner(raw),
                checked_or_none(validate_partner, loaded, raw=raw))
    if "contacts" in raw:
        seen = None
        if loaded is not None and "contacts" in loaded:
            seen = {c.get("id") for c in loaded["contacts"] if c.get("id")}
        contacts.save_contacts(session, row.id, raw["contacts"], seen)
    return row


def validate_service(raw: dict, categories: set[str], partner_ids: set[str],
                     today: date | None = None) -> dict:
    """Check a service form against the known categories and partners, with its
    capacity and eligibility (services.directory_terms). Pure."""
    c = Checker()
    cats = dict.fromkeys(categories)
    clean = {
        "partner_id": an_id(raw.get("partner_id")),
        "name": c.field("name", check_name, raw.get("name", ""), "service's name"),
        "category": c.field("category", check_choice, raw.get("category", ""), cats, "category"),
        "description": c.field("description", check_text, raw.get("description", ""),
                               "description"),
        "delivery": c.field("delivery", check_choice, raw.get("delivery", "community"),
                            DELIVERY, "where it is delivered"),
        "site_code": an_id(raw.get("site_code")) or "",
        "location": c.field("location", check_name, raw.get("location", ""), "place", False),
        "when_text": c.field("when_text", check_name, raw.get("when_text", ""), "days and times",
                             False),
        "phone": c.field("phone", normalise_phone, raw.get("phone", "")),
        "web": c.field("web", _url, raw.get("web", "")),
        **check_capacity(raw, c, today),
        **check_eligibility(raw, c),
    }
    if not clean["partner_id"] or clean["partner_id"] not in partner_ids:
        c.errors["partner_id"] = "Choose the partner organisation."
    if clean["delivery"] == "hub" and not clean["site_code"]:
        c.errors["site_code"] = "Choose the hub where it runs."
    c.done()
    return clean


def save_service(session: Session, raw: dict, service_id: str | None = None,
                 loaded: dict | None = None) -> PartnerService:
    categories = set(session.scalars(select(Category.code)))
    partner_ids = set(session.scalars(select(Partner.id).where(Partner.deleted_at.is_(None))))
    clean = validate_service(raw, categories, partner_ids)
    return _save(session, PartnerService, service_id, clean,
                 checked_or_none(validate_service, loaded, categories, partner_ids, raw=raw))


def validate_course(raw: dict) -> dict:
    """Check a course form. Pure."""
    c = Checker()

    def opt_date(value: str):
        return parse_date(value) if clean_text(value) else None

    clean = {
        "title": c.field("title", check_name, raw.get("title", ""), "course title"),
        "provider": c.field("provider", check_name,
                            raw.get("provider") or "The Life Rooms Recovery College", "provider"),
        "site_code": an_id(raw.get("site_code")) or "",
        "starts_on": c.field("starts_on", opt_date, raw.get("starts_on", "")),
        "ends_on": c.field("ends_on", opt_date, raw.get("ends_on", "")),
        "when_text": c.field("when_text", check_name, raw.get("when_text", ""), "days and times",
                             False),
        "description": c.field("description", check_text, raw.get("description", ""),
                               "description"),
    }
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        c.errors["ends_on"] = "The course can't end before it starts."
    c.done()
    return clean


def save_course(session: Session, raw: dict, course_id: str | None = None,
                loaded: dict | None = None) -> Course:
    return _save(session, Course, course_id, validate_course(raw),
                 checked_or_none(validate_course, loaded, raw=raw))


def _save(session: Session, model, row_id: str | None, clean: dict, base=None):
    if row_id is None:
        row = model(**clean)
        session.add(row)
    else:
        row = session.get(model, row_id)
        if row is None or row.deleted_at is not None:
            raise ValidationError({"name": "This entry is no longer in the directory."})
        changed = apply_edit(session, row, clean, base)
        if changed and row.is_example:
            row.is_example = False  # edited into a real entry: no longer example data
            # Example rows were seeded with no outbox entry (every device seeds them
            # alike), so this first edit must carry the whole row to other devices.
            for attr in inspect(row).mapper.column_attrs:
                if attr.key != "id":
                    flag_modified(row, attr.key)
    session.flush()
    return row


def preview_next(raw: dict, today: date) -> str:
    """What a course's form, as typed so far, says of its next session ("" while the
    form has mistakes). Pure: the editor shows it as the user types."""
    try:
        clean = validate_course(raw)
    except ValidationError:
        return ""
    return course_next(Course(**clean), today)
