"""The directory's two lists as Qt models: partners' services and Recovery College
courses, each row read from a ``services.directory.Listing``.

Every cell's tooltip carries its full text (and what more there is to know: a service's
description, a key contact's phone and email, a hub's address, when a service's capacity
was confirmed), so nothing is only half-shown. Hubs go by their place ("Walton"); a
course shows when it next meets; a service its capacity ("unconfirmed" when it was not
confirmed in the last 30 days) and who it is for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont

from lr_desk.services import directory
from lr_desk.services import directory_terms as terms
from lr_desk.services.directory import Entry, Listing
from lr_desk.store.models import DELIVERY, Course, PartnerService, Site
from lr_desk.ui import style
from lr_desk.ui.models import RowsModel

EXAMPLE_MARK = "(example)"
NO_CONTACT = "⚠ No named contact"
NO_CONTACT_SPOKEN = "Warning: no named key contact"
NO_CONTACT_TIP = ("This partner has no named key contact. Referrals without a named "
                  "person tend to go nowhere: add one with Edit partner.")
UNCONFIRMED = "unconfirmed"  # capacity last confirmed over 30 days ago, or never
EXAMPLE_TIP = "Example data shipped with lr_desk: replace it with the real directory."
NO_DATES_TIP = "Add the course's start date with Edit to show when it next meets."


def marked(text: str, example: bool) -> str:
    return f"{text} {EXAMPLE_MARK}" if example else text


def _tip(*parts: str | None) -> str:
    return "\n".join(dict.fromkeys(p for p in parts if p))


class DirectoryModel(RowsModel):
    """The desk's table model with a filter and sorting done in memory (the directory is
    a few hundred rows at most): ``all`` holds every row, ``rows`` those on show.
    Subclasses give ``key(row)``, ``cells(row)`` (each column's text) and ``more(row,
    column)`` (what a cell's tooltip adds to its text), and may refine ``sort_key``."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None):
        super().__init__([(h, partial(self._cell, i)) for i, h in enumerate(self.HEADERS)],
                         parent, key=self.key)
        self.all: list = []
        self.sites: dict[str, Site] = {}
        self.categories: dict[str, str] = {}
        self.today = date.today()
        self._texts: dict[int, tuple[str, ...]] = {}  # id(row): its cells, made once
        self._match: Callable[[object], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def text(self, row) -> tuple[str, ...]:
        """The row's cells as shown (``cells``, made once per load)."""
        made = self._texts.get(id(row))
        if made is None:
            made = self._texts[id(row)] = self.cells(row)
        return made

    def _cell(self, column: int, row) -> str:
        return self.text(row)[column]

    def sort_key(self, row, column: int):
        return (False, self.text(row)[column].casefold())

    def more(self, row, column: int) -> str | None:
        return None

    def example(self, row) -> bool:
        return False

    def site(self, code: str) -> str:
        return directory.short_site_name(self.sites.get(code), code) if code else ""

    def site_tip(self, code: str) -> str:
        site = self.sites.get(code)
        if site is None:
            return ""
        return ", ".join(x for x in (site.name, site.address, site.postcode) if x)

    def extra(self, row, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tip(self.text(row)[column], self.more(row, column)) or None
        if role == Qt.ItemDataRole.FontRole and self.example(row):
            font = QFont()
            font.setItalic(True)
            return font
        return None

    # loading and filtering
    def load(self, listing: Listing, rows: list) -> None:
        self.sites = {s.code: s for s in listing.sites}
        self.categories = {c.code: c.name for c in listing.categories}
        self.today = listing.today
        self.set_rows(rows)

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._texts = {}
        self.all = list(rows)
        self._apply()
        self.endResetModel()

    def set_filter(self, match: Callable[[object], bool] | None) -> None:
        self.beginResetModel()
        self._match = match
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = [r for r in self.all if self._match is None or self._match(r)]
        if self._sort is not None:
            column, order = self._sort
            rows.sort(key=lambda r: self.sort_key(r, column),
                      reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = rows

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        keys = [(self.key(self.rows[i.row()]), i.column()) for i in before]
        self._sort = (column, order)
        self._apply()
        where = {self.key(r): n for n, r in enumerate(self.rows)}
        after = [self.index(where[k], c) if k in where else QModelIndex() for k, c in keys]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()


class ServicesModel(DirectoryModel):
    HEADERS = ("Partner", "Service", "Category", "Where", "When", "Capacity", "Who for",
               "Phone", "Key contact")
    PARTNER, SERVICE, CATEGORY, WHERE, WHEN, CAPACITY, WHO, PHONE, CONTACT = range(9)
    WEIGHTS = (3, 3, 2, 2, 2, 2, 2, 1, 2)
    WHOLE = (PHONE,)

    def key(self, row: Entry) -> str:
        return row.key

    def example(self, row: Entry) -> bool:
        return row.example

    def where(self, s: PartnerService) -> str:
        if s.delivery == "hub":
            return f"{self.site(s.site_code)} hub"
        return s.location or DELIVERY.get(s.delivery, "")

    def capacity(self, s: PartnerService) -> str:
        text = terms.capacity_words(s, self.today)
        return f"{text} ({UNCONFIRMED})" if terms.unconfirmed(s, self.today) else text

    def cells(self, row: Entry) -> tuple[str, ...]:
        p, s = row.partner, row.service
        partner = marked(p.name, row.example)
        contact = NO_CONTACT if row.no_contact else row.contact.name
        if s is None:
            return (partner, "(no services yet)", "", "", "", "", "", p.phone, contact)
        return (partner, s.name, self.categories.get(s.category, s.category), self.where(s),
                s.when_text, self.capacity(s), terms.eligibility_words(s), s.phone or p.phone,
                contact)

    def more(self, row: Entry, column: int) -> str | None:
        p, s = row.partner, row.service
        if column == self.PARTNER:
            return _tip(p.web, EXAMPLE_TIP if row.example else None)
        if column == self.SERVICE and s is not None:
            return s.description
        if column == self.WHERE and s is not None and s.delivery == "hub":
            return f"At {self.site_tip(s.site_code)} (under one roof)"
        if column == self.CONTACT:
            if row.no_contact:
                return NO_CONTACT_TIP
            c = row.contact
            return _tip(c.role, c.phone, c.email)
        if column == self.CAPACITY and s is not None:
            return _tip(terms.confirmed_words(s, self.today), terms.reply_words(s))
        if column == self.WHO and s is not None:
            return s.criteria or None
        return None

    def sort_key(self, row: Entry, column: int):
        if column == self.CONTACT:  # partners with no named contact first
            return (not row.no_contact, row.contact.name.casefold() if row.contact else "")
        return super().sort_key(row, column)

    def extra(self, row: Entry, column: int, role):
        if column == self.CONTACT and row.no_contact:
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return NO_CONTACT_SPOKEN
            if role == Qt.ItemDataRole.ForegroundRole:
                return style.colour("error")
        if (column == self.CAPACITY and row.service is not None
                and role == Qt.ItemDataRole.ForegroundRole):
            s = row.service
            if s.capacity in ("paused", "closed"):
                return style.colour("error")
            if terms.unconfirmed(s, self.today):
                return style.colour("warning")
        return super().extra(row, column, role)


class CoursesModel(DirectoryModel):
    HEADERS = ("Title", "Where", "Next session", "Days and times", "Dates", "Provider")
    TITLE, WHERE, NEXT, WHEN, DATES, PROVIDER = range(6)
    WEIGHTS = (3, 1, 2, 3, 2, 2)
    WHOLE = ()

    def key(self, row: Course) -> str:
        return row.id

    def example(self, row: Course) -> bool:
        return row.is_example

    def cells(self, c: Course) -> tuple[str, ...]:
        return (marked(c.title, c.is_example), self.site(c.site_code),
                directory.course_next(c, self.today), c.when_text,
                directory.course_dates(c, self.today), c.provider)

    def more(self, row: Course, column: int) -> str | None:
        if column == self.TITLE:
            return _tip(row.description, EXAMPLE_TIP if row.is_example else None)
        if column == self.WHERE:
            return self.site_tip(row.site_code)
        if column == self.NEXT and row.starts_on is None:
            return NO_DATES_TIP
        return None

    def sort_key(self, row: Course, column: int):
        if column == self.NEXT:  # soonest first; those with no next session last
            day = directory.next_session(row, self.today)
            return (day is None, day or date.min)
        if column == self.DATES:
            return (row.starts_on is None, row.starts_on or date.min)
        return super().sort_key(row, column)

    def extra(self, row: Course, column: int, role):
        if (role == Qt.ItemDataRole.ForegroundRole and column == self.NEXT
                and directory.next_session(row, self.today) is None):
            return style.colour("note")
        return super().extra(row, column, role)
