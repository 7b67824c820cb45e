"""What a drop-in chooses from, ready to show: the directory's courses and services, each
with where and when (a course's day, time and next date; a service's hub or place), a
search over them as the advisor types, and the follow-up presets.

Pure (no database): built from the desk's loaded lists, so the picker answers each
keystroke at once on the UI thread.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from lr_desk.services import dates, directory


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


def course_when(course, today: date) -> str:
    """Its days and times, and its next date as the directory works it out (never a
    date guessed for a course with none set): 'Thursdays 13:00; next Thu 10 Dec'."""
    when = course.when_text or ""
    meets = directory.next_session(course, today)
    if meets is not None:
        starting = course.starts_on is not None and meets == course.starts_on
        label = "starts" if starting else "next"
        return f"{when}; {label} {dates.day(meets, today)}" if when else \
            f"{label.capitalize()} {dates.day(meets, today)}"
    if course.ends_on is not None and course.ends_on < today:
        return f"{when}; ended {dates.day(course.ends_on, today)}" if when else "Ended"
    return when


def build(courses: Iterable, services: Iterable, sites: Iterable,
          today: date) -> list[Choice]:
    """Every course and service as a choice (courses first, each by title). ``services``
    are rows with ``.service`` and ``.partner`` (services.directory.ServiceRow)."""
    names = {s.code: directory.short_site_name(s) for s in sites}
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


class Index:
    """The choices' words, sorted once, so each keystroke finds the words starting with
    what was typed by bisection and ranks only the choices that have them (a directory
    of 1,000 services answers in well under a millisecond)."""

    def __init__(self, choices: list[Choice]):
        self.choices = choices
        self.titles = [c.title.lower() for c in choices]
        self.all = self._postings(c.words for c in choices)
        self.title = self._postings(self.titles)

    @staticmethod
    def _postings(texts) -> tuple[list[str], list[set[int]]]:
        """Each word of ``texts``, sorted, with the positions of the texts that have it."""
        postings: dict[str, set[int]] = {}
        for i, text in enumerate(texts):
            for word in text.split():
                postings.setdefault(word, set()).add(i)
        words = sorted(postings)
        return words, [postings[w] for w in words]

    @staticmethod
    def _having(postings, prefix: str) -> set[int]:
        words, sets = postings
        start = bisect_left(words, prefix)
        end = bisect_left(words, prefix + "\U0010ffff", start)
        return set().union(*sets[start:end])

    def having(self, prefix: str) -> set[int]:
        """The choices with a word starting with ``prefix``."""
        return self._having(self.all, prefix)

    def search(self, text: str, limit: int = 8) -> list[Choice]:
        typed = text.lower().split()
        if not typed:
            return []
        found: set[int] | None = None
        for t in sorted(set(typed), key=len, reverse=True):  # the longest narrows most
            found = self.having(t) if found is None else found & self.having(t)
            if not found:
                return []
        whole = " ".join(typed)
        in_title = found
        for t in set(typed):  # every word typed starts a word of the title
            in_title = in_title & self._having(self.title, t)
        titles, choices = self.titles, self.choices
        scored = [(0 if titles[i].startswith(whole) else 1 if i in in_title else 2,
                   choices[i].example, titles[i], i) for i in found]
        return [choices[s[-1]] for s in heapq.nsmallest(limit, scored)]


_last: list = [None, None]  # the choices last searched, and their index


def search(choices: list[Choice], text: str, limit: int = 8) -> list[Choice]:
    """The choices whose words start with every word typed ('anx', 'debt walton'), best
    first: the title starting with what was typed, then a word of the title, then the
    rest (provider, place, day). The index of the list last searched is kept."""
    if _last[0] is not choices:
        _last[:] = [choices, Index(choices)]
    return _last[1].search(text, limit)


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
