"""The directory page: partner organisations' services and Recovery College courses, and
the editors for partners, services and courses.

Every read and write goes through ``Tasks``. The editors check as you type with the
core's pure ``validate_*`` functions, so the rules live in one place; the real save goes
through ``tasks.run(lambda s: directory.save_*(s, raw, id))``, which checks again.

Partners with no named key contact are a known problem (referrals go nowhere), so their
rows carry a warning and the status line counts them. Rows from the shipped example
directory are marked "(example)".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import pairwise

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import directory
from lr_desk.store.models import DELIVERY, Course, Partner, PartnerService
from lr_desk.ui.context import Desk
from lr_desk.ui.forms import EditorDialog, Fields, combo, line_edit, set_combo, text_edit
from lr_desk.ui.models import RowsModel
from lr_desk.ui.tasks import Tasks

EXAMPLE_MARK = "(example)"
NO_CONTACT = "⚠ No named contact"
NO_CONTACT_SPOKEN = "Warning: no named key contact"
NO_CONTACT_TIP = ("This partner has no named key contact. Referrals without a named "
                  "person tend to go nowhere: add one with Edit partner.")
EXAMPLE_TIP = "Example data shipped with lr_desk: replace it with the real directory."
WARNING_COLOUR = QColor("#b00020")
DEFAULT_PROVIDER = "The Life Rooms Recovery College"


def _marked(text: str, example: bool) -> str:
    return f"{text} {EXAMPLE_MARK}" if example else text


def _site_label(name: str) -> str:
    """"The Life Rooms Walton" -> "Walton", so typing a letter in a list of sites finds it."""
    return name.removeprefix("The Life Rooms ").strip() or name


def _day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


# --- loading ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One row of the services table: a partner's service, or a partner with none yet
    (so a partner just added is visible, and can be edited, before it has services)."""

    partner: Partner
    service: PartnerService | None = None

    @property
    def key(self) -> str:
        return self.service.id if self.service else f"partner:{self.partner.id}"

    @property
    def example(self) -> bool:
        return bool(self.partner.is_example or (self.service and self.service.is_example))

    @property
    def no_contact(self) -> bool:
        return not (self.partner.key_contact or "").strip()


@dataclass
class Loaded:
    entries: list[Entry]
    partners: list[Partner]
    courses: list[Course]


def load_directory(session) -> Loaded:
    """Runs on the database worker: everything the page shows, as detached rows."""
    partners = directory.partners(session)
    entries = [Entry(r.partner, r.service) for r in directory.services(session)]
    with_services = {e.partner.id for e in entries}
    entries += [Entry(p) for p in partners if p.id not in with_services]
    entries.sort(key=lambda e: (e.partner.name.casefold(), e.partner.id,
                                e.service.name.casefold() if e.service else ""))
    return Loaded(entries, partners, directory.courses(session))


# --- table models ----------------------------------------------------------------------


class _RowsModel(RowsModel):
    """The desk's table model with a filter and sorting done in memory (the directory is
    a few hundred rows at most): ``all`` holds every row, ``rows`` those on show."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, desk: Desk, parent: QObject | None = None):
        super().__init__([(h, partial(self._cell, i)) for i, h in enumerate(self.HEADERS)],
                         parent, key=self.key)
        self.desk = desk
        self.all: list = []
        self._match: Callable[[object], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # Subclasses define ``key(row) -> str`` (the row's id) and ``cells(row)`` (the
    # displayed text of each column), and may refine ``sort_key`` and ``extra``.
    def _cell(self, column: int, row) -> str:
        return self.cells(row)[column]

    def sort_key(self, row, column: int):
        return self.cells(row)[column].casefold()

    # loading and filtering
    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
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

    def row_of(self, key: str) -> int:
        return next((i for i, r in enumerate(self.rows) if self.key(r) == key), -1)

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


class ServicesModel(_RowsModel):
    HEADERS = ("Partner", "Service", "Category", "Where", "When", "Phone", "Key contact")
    PARTNER, SERVICE, CATEGORY, WHERE, WHEN, PHONE, CONTACT = range(7)

    def key(self, row: Entry) -> str:
        return row.key

    def category_name(self, code: str) -> str:
        return next((c.name for c in self.desk.lists.categories if c.code == code), code)

    def where(self, s: PartnerService) -> str:
        if s.delivery == "hub":
            return f"{self.desk.lists.site_name(s.site_code)} (under one roof)"
        return s.location or DELIVERY.get(s.delivery, "")

    def cells(self, row: Entry) -> tuple[str, ...]:
        p, s = row.partner, row.service
        partner = _marked(p.name, row.example)
        contact = NO_CONTACT if row.no_contact else p.key_contact
        if s is None:
            return (partner, "(no services yet)", "", "", "", p.phone, contact)
        return (partner, s.name, self.category_name(s.category), self.where(s), s.when_text,
                s.phone or p.phone, contact)

    def sort_key(self, row: Entry, column: int):
        if column == self.CONTACT:  # partners with no named contact first
            return (not row.no_contact, row.partner.key_contact.casefold())
        return (False, super().sort_key(row, column))

    def extra(self, row: Entry, column: int, role):
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == self.CONTACT and row.no_contact:
                return NO_CONTACT_SPOKEN
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.CONTACT:
                if row.no_contact:
                    return NO_CONTACT_TIP
                p = row.partner
                return "\n".join(x for x in (p.key_contact, p.key_contact_phone,
                                             p.key_contact_email) if x)
            if column == self.PARTNER and row.example:
                return EXAMPLE_TIP
            if column == self.SERVICE and row.service is not None:
                return row.service.description or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == self.CONTACT and row.no_contact:
            return WARNING_COLOUR
        if role == Qt.ItemDataRole.FontRole and row.example:
            font = QFont()
            font.setItalic(True)
            return font
        return None


class CoursesModel(_RowsModel):
    HEADERS = ("Title", "Where", "When", "Starts", "Ends", "Provider")
    TITLE, WHERE, WHEN, STARTS, ENDS, PROVIDER = range(6)

    def key(self, row: Course) -> str:
        return row.id

    def cells(self, c: Course) -> tuple[str, ...]:
        return (_marked(c.title, c.is_example),
                self.desk.lists.site_name(c.site_code) if c.site_code else "",
                c.when_text, _day(c.starts_on), _day(c.ends_on), c.provider)

    def sort_key(self, row: Course, column: int):
        if column in (self.STARTS, self.ENDS):
            day = row.starts_on if column == self.STARTS else row.ends_on
            return (day is None, day or date.min)
        return (False, super().sort_key(row, column))

    def extra(self, row: Course, column: int, role):
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TITLE:
                return EXAMPLE_TIP if row.is_example else (row.description or None)
            return None
        if role == Qt.ItemDataRole.FontRole and row.is_example:
            font = QFont()
            font.setItalic(True)
            return font
        return None


# --- editors ---------------------------------------------------------------------------


class _DirectoryEditor(EditorDialog):
    """What the three editors share: a Fields form, live checks, and errors the form has
    no field for (such as "no longer in the directory") shown in the notice. Subclasses
    set ``SAVE`` and ``VALIDATE`` to the core's functions for their record."""

    def __init__(self, tasks: Tasks, desk: Desk, key: str, title: str, row_id: str | None,
                 parent=None):
        super().__init__(tasks, key, title, desk.autosave_seconds, parent)
        self.desk = desk
        self.row_id = row_id
        self.f = Fields(self.mark_dirty)
        self.form = QFormLayout()

    def finish_layout(self, initial: dict | None) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        if initial:
            self.load_payload(initial)
        # the record as the form opened on it: only what is changed here is saved
        self.opened_with = dict(initial) if initial and self.row_id else None
        self.f.touched.clear()  # only what they change is checked as they type
        self.dirty = False
        self.ready()  # from now on, changes are the user's
        next(iter(self.f.widgets.values())).setFocus()

    def validate(self, payload: dict) -> None:
        """Raise ValidationError for the form's values (pure; see services.directory)."""
        type(self).VALIDATE(payload)

    def submit(self, payload: dict) -> None:
        save, raw, row_id, loaded = type(self).SAVE, dict(payload), self.row_id, self.opened_with
        self.tasks.run(lambda s: save(s, raw, row_id, loaded), self.saved_ok,
                       self.save_failed)


class PartnerDialog(_DirectoryEditor):
    SAVE = staticmethod(directory.save_partner)
    VALIDATE = staticmethod(directory.validate_partner)

    def __init__(self, tasks: Tasks, desk: Desk, partner: Partner | None = None, parent=None):
        key = f"partner:{partner.id}" if partner else "partner:new"
        title = f"Edit {partner.name}" if partner else "New partner organisation"
        super().__init__(tasks, desk, key, title, partner.id if partner else None, parent)
        f, form = self.f, self.form
        f.add(form, "name", "Organisation &name", line_edit("Organisation name"))
        f.add(form, "phone", "&Phone", line_edit("Phone", "e.g. 0151 000 0000"))
        f.add(form, "web", "&Web address", line_edit("Web address", "e.g. https://example.org"))
        f.add(form, "key_contact", "&Key contact", line_edit("Key contact",
                                                             "The named person referrals go to"))
        self.contact_hint = QLabel("No named key contact yet: referrals without a named "
                                   "person tend to go nowhere, so add one if you can.")
        self.contact_hint.setWordWrap(True)
        self.contact_hint.setStyleSheet("color: #8a5300;")
        self.contact_hint.setAccessibleName("Key contact hint")
        form.addRow("", self.contact_hint)
        f.add(form, "key_contact_phone", "Key contact p&hone", line_edit("Key contact phone"))
        f.add(form, "key_contact_email", "Key contact &email", line_edit("Key contact email"))
        f.add(form, "notes", "N&otes", text_edit("Notes",
                                                 "Catchment, who they take on, capacity…"))
        f.widgets["key_contact"].textChanged.connect(self._contact_changed)
        self.finish_layout(as_partner_form(partner) if partner else None)
        self._contact_changed(f.widgets["key_contact"].text())
        self.resize(520, 520)

    def _contact_changed(self, text: str) -> None:
        self.contact_hint.setVisible(not text.strip())


class ServiceDialog(_DirectoryEditor):
    SAVE = staticmethod(directory.save_service)
    CHOOSE_PARTNER = "Choose the partner…"

    def __init__(self, tasks: Tasks, desk: Desk, partners: list[Partner],
                 service: PartnerService | None = None, partner_id: str | None = None,
                 parent=None):
        key = f"service:{service.id}" if service else "service:new"
        title = f"Edit {service.name}" if service else "New partner service"
        super().__init__(tasks, desk, key, title, service.id if service else None, parent)
        self.partner_ids = {p.id for p in partners}
        lists = desk.lists
        f, form = self.f, self.form
        f.add(form, "partner_id", "&Partner", combo(
            "Partner organisation", {p.id: _marked(p.name, p.is_example) for p in partners},
            blank=self.CHOOSE_PARTNER))
        f.add(form, "name", "Service &name", line_edit("Service name"))
        f.add(form, "category", "Ca&tegory", combo(
            "Category", {c.code: c.name for c in lists.categories}, blank="Choose a category…"))
        f.add(form, "delivery", "&Where it is delivered", combo("Where it is delivered",
                                                                DELIVERY))
        f.add(form, "site_code", "&Hub", combo(
            "Hub", {s.code: _site_label(s.name) for s in lists.sites if s.kind == "hub"},
            blank="Choose the hub…"))
        f.add(form, "location", "P&lace", line_edit(
            "Place", "For community services, e.g. Example Church Hall, Walton"))
        f.add(form, "when_text", "Days and t&imes", line_edit(
            "Days and times", "e.g. Tuesdays 10:00 to 12:30"))
        f.add(form, "phone", "Ph&one", line_edit("Service phone", "If not the partner's"))
        f.add(form, "web", "We&b address", line_edit("Service web address"))
        f.add(form, "description", "&Description", text_edit("Description"))
        f.widgets["delivery"].currentIndexChanged.connect(self._delivery_changed)
        if service is not None:
            initial = as_service_form(service)
        else:
            initial = {"partner_id": partner_id or "", "delivery": "hub",
                       "site_code": desk.site_code if any(
                           s.code == desk.site_code and s.kind == "hub" for s in lists.sites)
                       else ""}
        self.finish_layout(initial)
        self._delivery_changed()
        self.resize(560, 600)

    def set_partners(self, partners: list[Partner]) -> None:
        """Offer the partners as they are now (one may have been added meanwhile),
        keeping the current choice and not counting as a change by the user."""
        box = self.f.widgets["partner_id"]
        keep = box.currentData() or ""
        blocker = QSignalBlocker(box)
        box.clear()
        box.addItem(self.CHOOSE_PARTNER, "")
        for p in partners:
            box.addItem(_marked(p.name, p.is_example), p.id)
        set_combo(box, keep)
        del blocker
        self.partner_ids = {p.id for p in partners}

    def _delivery_changed(self, *_args) -> None:
        at_hub = self.f.widgets["delivery"].currentData() == "hub"
        self.f.widgets["site_code"].setEnabled(at_hub)

    def validate(self, payload: dict) -> None:
        directory.validate_service(payload, {c.code for c in self.desk.lists.categories},
                                   self.partner_ids)

    def collect(self) -> dict:
        values = self.f.values()
        if values["delivery"] != "hub":
            values["site_code"] = ""  # a community service has no hub
        return values


class CourseDialog(_DirectoryEditor):
    SAVE = staticmethod(directory.save_course)
    VALIDATE = staticmethod(directory.validate_course)

    def __init__(self, tasks: Tasks, desk: Desk, course: Course | None = None, parent=None):
        key = f"course:{course.id}" if course else "course:new"
        title = f"Edit {course.title}" if course else "New Recovery College course"
        super().__init__(tasks, desk, key, title, course.id if course else None, parent)
        f, form = self.f, self.form
        f.add(form, "title", "&Title", line_edit("Course title"))
        f.add(form, "provider", "P&rovider", line_edit("Provider"))
        f.add(form, "site_code", "&Where", combo(
            "Where", {s.code: _site_label(s.name) for s in desk.lists.sites},
            blank="Not fixed"))
        f.add(form, "starts_on", "&Starts on", line_edit("Starts on",
                                                         "day/month/year, e.g. 14/02/2026"))
        f.add(form, "ends_on", "E&nds on", line_edit("Ends on", "day/month/year"))
        f.add(form, "when_text", "Days and t&imes", line_edit(
            "Days and times", "e.g. Mondays 10:00 to 12:00, four weeks"))
        f.add(form, "description", "&Description", text_edit("Description"))
        self.finish_layout(as_course_form(course) if course else
                           {"provider": DEFAULT_PROVIDER, "site_code": desk.site_code})
        self.resize(520, 460)


def as_partner_form(p: Partner) -> dict:
    return {"name": p.name, "phone": p.phone, "web": p.web, "key_contact": p.key_contact,
            "key_contact_phone": p.key_contact_phone, "key_contact_email": p.key_contact_email,
            "notes": p.notes}


def as_service_form(s: PartnerService) -> dict:
    return {"partner_id": s.partner_id, "name": s.name, "category": s.category,
            "delivery": s.delivery, "site_code": s.site_code, "location": s.location,
            "when_text": s.when_text, "phone": s.phone, "web": s.web,
            "description": s.description}


def as_course_form(c: Course) -> dict:
    return {"title": c.title, "provider": c.provider, "site_code": c.site_code,
            "starts_on": c.starts_on.strftime("%d/%m/%Y") if c.starts_on else "",
            "ends_on": c.ends_on.strftime("%d/%m/%Y") if c.ends_on else "",
            "when_text": c.when_text, "description": c.description}


# --- the page --------------------------------------------------------------------------


def _table(name: str, model: QAbstractTableModel, stretch: int) -> QTableView:
    t = QTableView()
    t.setAccessibleName(name)
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
    t.setCornerButtonEnabled(False)
    t.setWordWrap(False)
    t.verticalHeader().setVisible(False)
    header = t.horizontalHeader()
    header.setAccessibleName(f"{name} columns")
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    t.verticalHeader().setAccessibleName(f"{name} rows")
    for child in t.findChildren(QAbstractButton):  # the corner button
        child.setAccessibleName(f"{name} corner")
    # Sorting is by clicking a heading; rows start in the directory's own order (the
    # indicator must be cleared first, or enabling sorting sorts by the first column).
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    t.setSortingEnabled(True)
    return t


def _button(text: str, name: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.setToolTip(tip)
    return b


class DirectoryPage(QWidget):
    """Partner services and Recovery College courses. ``reload()`` fetches them on the
    database worker; ``changed`` is emitted after any save."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, tasks: Tasks, desk: Desk, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.desk = desk
        self.partners: list[Partner] = []
        self.dialogs: dict[str, EditorDialog] = {}
        self._select: tuple[str, Callable[[object], bool]] | None = None
        self._saved_partner_id: str | None = None  # offered by Add service if none chosen
        self._restoring = False  # set while a reload or filter puts the selections back
        self._message = ""
        self.setAccessibleName("Directory")

        self.filter = line_edit("Filter the directory",
                                "Any words: partner, service, place, day, contact…")
        self.filter.setClearButtonEnabled(True)
        for child in self.filter.findChildren(QAbstractButton):  # the clear button
            child.setAccessibleName("Clear the filter")
        filter_label = QLabel("&Filter")
        filter_label.setBuddy(self.filter)
        self.category = combo("Category filter",
                              {c.code: c.name for c in desk.lists.categories},
                              blank="All categories")
        category_label = QLabel("Cate&gory")
        category_label.setBuddy(self.category)

        self.status = QLabel("Loading the directory…")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Directory status")

        self.add_partner_button = _button("Add p&artner", "Add partner",
                                          "Add a partner organisation")
        self.add_service_button = _button("Add &service", "Add service",
                                          "Add a service a partner offers")
        self.edit_button = _button("&Edit", "Edit",
                                   "Edit the selected service or course (Enter)")
        self.edit_partner_button = _button("Edit partne&r", "Edit partner",
                                           "Edit the partner of the selected service, "
                                           "e.g. to name its key contact")
        self.add_course_button = _button("Add &course", "Add course",
                                         "Add a Recovery College course")
        self.add_partner_button.clicked.connect(self.add_partner)
        self.add_service_button.clicked.connect(self.add_service)
        self.edit_button.clicked.connect(self.edit)
        self.edit_partner_button.clicked.connect(self.edit_partner)
        self.add_course_button.clicked.connect(self.add_course)

        self.services_model = ServicesModel(desk, self)
        self.services_table = _table("Partner services", self.services_model,
                                     ServicesModel.SERVICE)
        services_label = QLabel("Partner ser&vices")
        services_label.setBuddy(self.services_table)
        self.courses_model = CoursesModel(desk, self)
        self.courses_table = _table("Recovery College courses", self.courses_model,
                                    CoursesModel.TITLE)
        courses_label = QLabel("Recovery College c&ourses")
        courses_label.setBuddy(self.courses_table)
        self._active = self.services_table
        for t in (self.services_table, self.courses_table):
            t.activated.connect(lambda _index, t=t: self._activated(t))
            t.installEventFilter(self)
            t.selectionModel().currentRowChanged.connect(
                lambda _cur, _prev, t=t: self._restoring or self._set_active(t))

        top = QHBoxLayout()
        top.addWidget(filter_label)
        top.addWidget(self.filter, 2)
        top.addWidget(category_label)
        top.addWidget(self.category, 1)
        actions = QHBoxLayout()
        for b in (self.add_partner_button, self.add_service_button, self.edit_button,
                  self.edit_partner_button, self.add_course_button):
            actions.addWidget(b)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(services_label)
        layout.addWidget(self.services_table, 3)
        layout.addWidget(courses_label)
        layout.addWidget(self.courses_table, 2)
        order = (self.filter, self.category, self.add_partner_button, self.add_service_button,
                 self.edit_button, self.edit_partner_button, self.add_course_button,
                 self.services_table, self.courses_table)
        for a, b in pairwise(order):
            QWidget.setTabOrder(a, b)

        self.filter.textChanged.connect(self._refilter)
        self.category.currentIndexChanged.connect(self._refilter)
        # Down in the filter moves to the list (only there: arrows in the lists move rows).
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.filter, activated=self._to_services,
                  context=Qt.ShortcutContext.WidgetShortcut)

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        self.tasks.run(load_directory, self._show)

    def _show(self, loaded: Loaded) -> None:
        keep_service = self._current_key(self.services_table)
        keep_course = self._current_key(self.courses_table)
        self.partners = loaded.partners
        for dialog in self.dialogs.values():
            if isinstance(dialog, ServiceDialog):
                dialog.set_partners(self.partners)
        self._restoring = True  # putting the selections back is not the user choosing a row
        try:
            self.services_model.set_rows(loaded.entries)
            self.courses_model.set_rows(loaded.courses)
            if keep_service:
                self._select_row(self.services_table, lambda r: r.key == keep_service)
            if keep_course:
                self._select_row(self.courses_table, lambda c: c.id == keep_course)
        finally:
            self._restoring = False
        if self._select is not None:
            which, match = self._select
            self._select = None
            table = self.services_table if which == "services" else self.courses_table
            if not self._select_row(table, match):
                self._message += " It is hidden by the filter."
                table.clearSelection()  # so Edit or Add service don't act on another row
                table.setCurrentIndex(QModelIndex())
            self._set_active(table)
        self._update_status()
        self.loaded.emit()

    def _update_status(self) -> None:
        m = self.services_model
        services = sum(1 for e in m.all if e.service is not None)
        shown = sum(1 for e in m.rows if e.service is not None)
        no_contact = sum(1 for p in self.partners if not (p.key_contact or "").strip())
        parts = []
        if self._message:
            parts.append(self._message.strip())
        courses = self.courses_model
        if shown != services or courses.rowCount() != len(courses.all):
            parts.append(f"Showing {shown} of {services} services and "
                         f"{courses.rowCount()} of {len(courses.all)} courses.")
        else:
            parts.append(f"{services} services from {len(self.partners)} partners; "
                         f"{len(self.courses_model.all)} courses.")
        if no_contact:
            parts.append(f"{no_contact} partner{'s have' if no_contact != 1 else ' has'} "
                         f"no named key contact ({NO_CONTACT}).")
        if any(e.example for e in m.all) or any(c.is_example for c in self.courses_model.all):
            parts.append(f"Rows marked {EXAMPLE_MARK} are example data: replace them with "
                         "the real directory.")
        self.status.setText(" ".join(parts))

    # -- filtering ----------------------------------------------------------------------
    def _refilter(self, *_args) -> None:
        """The words narrow both lists (every word must appear somewhere in the row);
        the category narrows the partner services."""
        words = self.filter.text().casefold().split()
        category = self.category.currentData() or ""
        services, courses = self.services_model, self.courses_model

        def has_words(*texts: str) -> bool:
            hay = " ".join(texts).casefold()
            return all(w in hay for w in words)

        def service_match(e: Entry) -> bool:
            if category and (e.service is None or e.service.category != category):
                return False
            return has_words(*services.cells(e), e.partner.key_contact, e.partner.notes,
                             e.service.description if e.service else "")

        def course_match(c: Course) -> bool:
            return has_words(*courses.cells(c), c.description)

        self._restoring = True  # putting the selections back is not the user choosing a row
        try:
            for table, model, match, on in ((self.services_table, services, service_match,
                                             bool(words or category)),
                                            (self.courses_table, courses, course_match,
                                             bool(words))):
                keep = self._current_key(table)
                model.set_filter(match if on else None)
                if keep:
                    self._select_row(table,
                                     lambda r, model=model, keep=keep: model.key(r) == keep)
        finally:
            self._restoring = False
        self._message = ""
        self._update_status()

    def _to_services(self) -> None:
        if self.services_model.rowCount():
            self.services_table.setFocus()
            if not self.services_table.currentIndex().isValid():
                self.services_table.selectRow(0)

    # -- selection ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in (self.services_table,
                                                               self.courses_table):
            self._set_active(watched)
        return super().eventFilter(watched, event)

    def _set_active(self, table: QTableView) -> None:
        self._active = table
        if table is self.services_table and table.currentIndex().isValid():
            self._saved_partner_id = None  # a row chosen since: Add service offers its partner

    @staticmethod
    def _current_key(table: QTableView) -> str | None:
        index = table.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    @staticmethod
    def _select_row(table: QTableView, match: Callable[[object], bool]) -> bool:
        model: _RowsModel = table.model()
        row = next((i for i, r in enumerate(model.rows) if match(r)), -1)
        if row < 0:
            return False
        table.selectRow(row)
        table.scrollTo(model.index(row, 0))
        return True

    def selected_entry(self) -> Entry | None:
        index = self.services_table.currentIndex()
        return self.services_model.rows[index.row()] if index.isValid() else None

    def selected_course(self) -> Course | None:
        index = self.courses_table.currentIndex()
        return self.courses_model.rows[index.row()] if index.isValid() else None

    def _activated(self, table: QTableView) -> None:
        """Enter or double-click on a row edits it."""
        self._set_active(table)
        self.edit()

    # -- actions ------------------------------------------------------------------------
    def add_partner(self) -> PartnerDialog:
        return self._open("partner:new", lambda: PartnerDialog(self.tasks, self.desk,
                                                              parent=self))

    def add_service(self) -> ServiceDialog:
        entry = self.selected_entry()  # a partner just saved is selected, so it is offered
        partner_id = entry.partner.id if entry else self._saved_partner_id
        return self._open("service:new", lambda: ServiceDialog(
            self.tasks, self.desk, self.partners, partner_id=partner_id, parent=self))

    def add_course(self) -> CourseDialog:
        return self._open("course:new", lambda: CourseDialog(self.tasks, self.desk,
                                                            parent=self))

    def edit(self) -> EditorDialog | None:
        """Edit the selected row of the list last used: a service (or a partner with no
        services yet), or a course."""
        if self._active is self.courses_table:
            course = self.selected_course()
            if course is not None:
                return self._open(f"course:{course.id}", lambda: CourseDialog(
                    self.tasks, self.desk, course, parent=self))
        else:
            entry = self.selected_entry()
            if entry is not None and entry.service is None:
                return self._edit_partner(entry.partner)
            if entry is not None:
                service = entry.service
                return self._open(f"service:{service.id}", lambda: ServiceDialog(
                    self.tasks, self.desk, self.partners, service, parent=self))
        self._say("Choose a service or a course in one of the lists first, then Edit.")
        return None

    def edit_partner(self) -> PartnerDialog | None:
        entry = self.selected_entry()
        if entry is None:
            self._say("Choose one of the partner's services in the list first, "
                      "then Edit partner.")
            return None
        return self._edit_partner(entry.partner)

    def _edit_partner(self, partner: Partner) -> PartnerDialog:
        return self._open(f"partner:{partner.id}", lambda: PartnerDialog(
            self.tasks, self.desk, partner, parent=self))

    def _say(self, text: str) -> None:
        self._message = text
        self._update_status()

    def _open(self, key: str, make: Callable[[], EditorDialog]) -> EditorDialog:
        """One editor per record: asking again brings the open one forward."""
        dialog = self.dialogs.get(key)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = make()
        self.dialogs[key] = dialog
        dialog.saved.connect(lambda result, key=key: self._saved(key, result))
        dialog.finished.connect(lambda _code, key=key, d=dialog: self._closed(key, d))
        dialog.start()
        return dialog

    def _closed(self, key: str, dialog: EditorDialog) -> None:
        if self.dialogs.get(key) is dialog:
            del self.dialogs[key]
        dialog.deleteLater()

    def _saved(self, key: str, result) -> None:
        kind = key.split(":", 1)[0]
        if kind == "partner":
            pid = result.id
            self._select = ("services", lambda e: e.partner.id == pid)
            self._saved_partner_id = pid  # offered by Add service even if the filter hides it
            self._message = (f"Saved {result.name}." + (" Add its services with Add service."
                                                       if key.endswith(":new") else ""))
        elif kind == "service":
            sid = result.id
            self._select = ("services", lambda e: e.service is not None and e.service.id == sid)
            self._message = f"Saved {result.name}."
        else:
            cid = result.id
            self._select = ("courses", lambda c: c.id == cid)
            self._message = f"Saved {result.title}."
        self.reload()
        self.changed.emit()

