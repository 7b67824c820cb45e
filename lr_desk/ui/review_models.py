"""Needs review's two lists as table models: changes to check, and people who may be
registered twice (see ``lr_desk.ui.review``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt

from lr_desk.services.review import ReviewItem
from lr_desk.services.twice import DuplicatePair
from lr_desk.store.models import Person
from lr_desk.ui.models import RowsModel

TITLE = "Needs re&view"


def tab_title(count: int) -> str:
    """The page's title with what is waiting for someone to act on, if anything."""
    return f"{TITLE} ({count})" if count else TITLE


def when(stamp: datetime | None, today: date | None = None) -> str:
    """A time with its year when it is not this year's."""
    if stamp is None:
        return "time not known"
    this_year = (today or date.today()).year == stamp.year
    return stamp.strftime("%a %-d %b %H:%M" if this_year else "%a %-d %b %Y %H:%M")


def escaped(text: str) -> str:
    """Text for a button or label that has an Alt+letter: a typed '&' is shown, not used."""
    return text.replace("&", "&&")


class ChangesModel(RowsModel):
    """Changed values that lost to a concurrent change, and records edited while deleted."""

    def __init__(self, parent=None):
        super().__init__([
            ("Record", lambda i: i.what),
            ("What", lambda i: i.field),
            ("Now", lambda i: i.current),
            ("Now: by, when", lambda i: f"{i.current_who}, {when(i.current_when)}"),
            ("Other", lambda i: i.other),
            ("Other: by, when", lambda i: f"{i.other_who}, {when(i.other_when)}"),
        ], parent, key=lambda i: str(i.id))

    def extra(self, row: ReviewItem, column: int, role) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[column][1](row)
        return None


def describe(person: Person, site_name: Callable[[str], str]) -> str:
    """One record of a possible pair, in a line: what tells two people apart."""
    parts = [person.display_name]
    if person.date_of_birth:
        parts.append(f"born {person.date_of_birth:%d/%m/%Y}")
    parts += [v for v in (person.postcode, person.phone) if v]
    if person.registered_site:
        parts.append(f"registered at {site_name(person.registered_site)}")
    return ", ".join(parts)


class DuplicatesModel(RowsModel):
    """Pairs of people who may be one person registered twice."""

    def __init__(self, site_name: Callable[[str], str] = str, parent=None):
        self.site_name = site_name
        super().__init__([
            ("One record", lambda p: describe(p.a, self.site_name)),
            ("The other record", lambda p: describe(p.b, self.site_name)),
            ("Why listed", lambda p: p.why),
        ], parent, key=lambda p: f"{p.a.id} {p.b.id}")

    def extra(self, row: DuplicatePair, column: int, role) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[column][1](row)
        return None
