"""What a drop-in chooses from, ready to show: the directory's courses and services, each
with where and when (a course's day, time and next date; a service's hub or place), a
search over them as the advisor types, and the follow-up presets.

Pure (no database): built from the desk's loaded lists, so the picker answers each
keystroke at once on the UI thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from lr_desk.services import dates

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = re.compile(r"\b(mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?\b",
                  re.IGNORECASE)


def short_date(day: date, today: date) -> str:
    """'Thu 10 Dec', with the year when it is not this year: 'Mon 4 Jan 2027'."""
    return dates.day(day, today)


def weekday_in(text: str) -> int | None:
    """The day of the week a 'Thursdays 13:00 to 15:00' names (0 = Monday), if one."""
    m = _DAY.search(text or "")
    if m is None:
        return None
    start = m.group(1).lower()[:3]
    return next(i for i, name in enumerate(DAYS) if name.startswith(start))


def next_meeting(when_text: str, starts_on: date | None, ends_on: date | None,
                 today: date) -> date | None:
    """The next date a course meets, from today: on the day its times name, not before it
    starts nor after it ends. Its start date when no day is named. None if it has ended
    or nothing tells."""
    first = max(today, starts_on) if starts_on else today
    weekday = weekday_in(when_text)
    if weekday is None:
        day = starts_on if starts_on and starts_on >= today else None
    else:
        day = first + timedelta(days=(weekday - first.weekday()) % 7)
    if day is not None and ends_on is not None and day > ends_on:
        return None
    return day


@dataclass(frozen=True)
class Choice:
    """One thing a prescription item can be: a course or a partner's service."""

    kind: str  # an ITEM_KINDS code: course, partner_service, volunteering
    id: str  # the course's or the service's id
    title: str
    provider: str  # the partner's name, or the college
    where: str  # a hub's short name, or a place
    when: str  # 'Thursdays 13:00 to 15:00; next Thu 10 Dec'
    partner_id: str | None = None
    example: bool = False
    words: str = ""  # lower case, for the search

    @property
    def line(self) -> str:
        """The second line the picker shows: who, where, when."""
        return " · ".join(p for p in (self.provider, self.where, self.when) if p)


def hub_name(name: str) -> str:
    """'The Life Rooms Walton' -> 'Walton' (a hub's short name)."""
    return name.removeprefix("The Life Rooms ").strip() or name


def course_when(course, today: date) -> str:
    when = course.when_text or ""
    meets = next_meeting(when, course.starts_on, course.ends_on, today)
    if meets is not None:
        starting = course.starts_on is not None and meets == course.starts_on
        label = "starts" if starting else "next"
        return f"{when}; {label} {short_date(meets, today)}" if when else \
            f"{label.capitalize()} {short_date(meets, today)}"
    if course.ends_on is not None and course.ends_on < today:
        return f"{when}; ended {short_date(course.ends_on, today)}" if when else "Ended"
    return when


def build(courses: Iterable, services: Iterable, sites: Iterable,
          today: date) -> list[Choice]:
    """Every course and service as a choice (courses first, each by title). ``services``
    are rows with ``.service`` and ``.partner`` (services.directory.ServiceRow)."""
    names = {s.code: hub_name(s.name) for s in sites}
    found = []
    for c in courses:
        where = names.get(c.site_code, "")
        when = course_when(c, today)
        provider = "Recovery College"
        found.append(Choice("course", c.id, c.title, provider, where, when, None,
                            bool(c.is_example),
                            " ".join((c.title, provider, where, when, "course")).lower()))
    for row in services:
        s, p = row.service, row.partner
        kind = "volunteering" if s.category == "volunteering" else "partner_service"
        if s.delivery == "hub" and s.site_code in names:
            where = f"at {names[s.site_code]} hub"
        else:
            where = s.location or names.get(s.site_code, "")
        found.append(Choice(kind, s.id, s.name, p.name, where, s.when_text or "", p.id,
                            bool(s.is_example),
                            " ".join((s.name, p.name, where, s.when_text or "",
                                      s.category.replace("_", " "))).lower()))
    return found


def search(choices: list[Choice], text: str, limit: int = 8) -> list[Choice]:
    """The choices whose words start with every word typed ('anx', 'debt walton'), best
    first: the title starting with what was typed, then a word of the title, then the
    rest (provider, place, day)."""
    typed = text.lower().split()
    if not typed:
        return []
    scored = []
    for choice in choices:
        words = choice.words.split()
        if not all(any(w.startswith(t) for w in words) for t in typed):
            continue
        title = choice.title.lower()
        title_words = title.split()
        rank = (0 if title.startswith(" ".join(typed)) else
                1 if all(any(w.startswith(t) for w in title_words) for t in typed) else 2)
        scored.append((rank, choice.example, title, choice))
    scored.sort(key=lambda s: s[:3])
    return [s[-1] for s in scored[:limit]]


# --- follow-up presets -------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    code: str
    label: str
    days: int = 0
    way: str = "call"


PRESETS = (
    Preset("none", "No follow-up"),
    Preset("1w_call", "1 week, phone call", 7, "call"),
    Preset("2w_call", "2 weeks, phone call", 14, "call"),
    Preset("4w_call", "4 weeks, phone call", 28, "call"),
    Preset("next_visit", "Next visit (a drop-in in 1 week)", 7, "drop_in"),
    Preset("other", "Another date or way…", 7, "call"),
)
PRESET = {p.code: p for p in PRESETS}


def due_on(today: date, days: int) -> date:
    """``days`` from today, moved to the Monday after when that is a weekend (the hubs
    are open Monday to Friday)."""
    day = today + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
