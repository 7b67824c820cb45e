"""The directory page: partner organisations' services and Recovery College courses.

Every read and write goes through ``Tasks``; the lists are ``directory_models`` in
``directory_table.WrappingTable`` (text wraps, nothing is cut off, every cell's tooltip
has its full text); the editors are in ``directory_editors`` and opened by
``directory_editing``. The page hears what changed through ``on_changed`` and reloads
when the directory did (a save here or on another desk, brought in by a sync).

Partners with no named key contact are a known problem (referrals go nowhere), so their
rows carry a warning and the status line counts them. Rows from the shipped example
directory are marked "(example)".
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import directory
from lr_desk.services.changes import Changed
from lr_desk.services.context import Desk
from lr_desk.services.directory import Entry, Listing
from lr_desk.store.models import Course, Partner
from lr_desk.ui import style
from lr_desk.ui.directory_editing import DirectoryEditing
from lr_desk.ui.directory_models import (
    EXAMPLE_MARK,
    NO_CONTACT,
    CoursesModel,
    ServicesModel,
)
from lr_desk.ui.directory_service_form import ServiceDialog
from lr_desk.ui.directory_table import WrappingTable
from lr_desk.ui.forms import EditorDialog, clearable, combo, line_edit
from lr_desk.ui.tasks import Tasks

# what a change must touch for the page to read the directory again
DIRECTORY_ENTITIES = ("partner", "partner_contact", "partner_service", "course", "site",
                      "category")


def _button(text: str, name: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.setToolTip(tip)
    return b


class DirectoryPage(DirectoryEditing, QWidget):
    """Partner services and Recovery College courses. ``reload()`` fetches them on the
    database worker; ``changed`` is emitted after any save made here; ``on_changed``
    hears any save or sync."""

    changed = Signal()
    loaded = Signal()
    open_partner = Signal(str)  # a partner's id: show its page

    def __init__(self, tasks: Tasks, desk: Desk, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.desk = desk
        self.partners: list[Partner] = []
        self.without_contact = 0  # partners with no named key contact
        self.dialogs: dict[str, EditorDialog] = {}
        self._select: tuple[str, Callable[[object], bool]] | None = None
        self._saved_partner_id: str | None = None  # offered by Add service if none chosen
        self._restoring = False  # set while a reload or filter puts the selections back
        self._message = ""
        self._loading = False  # a read is under way
        self._again = False  # and another was asked for meanwhile
        self.setAccessibleName("Directory")

        self.filter = line_edit("Filter the directory",
                                "Any words: partner, service, place, day, contact…")
        clearable(self.filter, "Clear the filter")
        filter_label = QLabel("&Filter")
        filter_label.setBuddy(self.filter)
        self.category = combo("Category filter",
                              {c.code: c.name for c in desk.lists.categories},
                              blank="All categories")
        category_label = QLabel("Cate&gory")
        category_label.setBuddy(self.category)

        self.status = style.note(QLabel("Loading the directory…"))
        self.status.setAccessibleName("Directory status")

        self.add_partner_button = _button("Add p&artner", "Add partner",
                                          "Add a partner organisation")
        self.add_service_button = _button("Add &service", "Add service",
                                          "Add a service a partner offers")
        self.edit_button = _button("&Edit service or course", "Edit service or course",
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
        self.partner_page_button = _button("Ope&n partner page", "Open partner page",
                                           "The selected service's partner: its figures, "
                                           "contacts and catch-ups (Enter on a service)")
        self.partner_page_button.clicked.connect(self.open_partner_page)

        self.services_model = ServicesModel(self)
        self.services_table = WrappingTable("Partner services", self.services_model,
                                            ServicesModel.WEIGHTS, ServicesModel.WHOLE)
        services_label = QLabel("Partner ser&vices")
        services_label.setBuddy(self.services_table)
        self.courses_model = CoursesModel(self)
        self.courses_table = WrappingTable("Recovery College courses", self.courses_model,
                                           CoursesModel.WEIGHTS, CoursesModel.WHOLE)
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
                  self.edit_partner_button, self.add_course_button,
                  self.partner_page_button):
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
                 self.partner_page_button, self.services_table, self.courses_table)
        for a, b in pairwise(order):
            QWidget.setTabOrder(a, b)

        self.filter.textChanged.connect(self._refilter)
        self.category.currentIndexChanged.connect(self._refilter)
        self.filter.returnPressed.connect(self._to_services)  # Enter: to what was found
        # Down in the filter moves to the list (only there: arrows in the lists move rows).
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.filter, activated=self._to_services,
                  context=Qt.ShortcutContext.WidgetShortcut)

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the directory again (once more after a read under way, if one is)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.tasks.run(directory.listing, self._show, self._not_loaded)

    def on_changed(self, changed: Changed) -> None:
        """A save or a sync changed something: read the directory again if it was it."""
        if changed.touches(*DIRECTORY_ENTITIES):
            self.reload()

    def _not_loaded(self, _exc: BaseException) -> bool:
        self._loading = self._again = False
        self.status.setText("The directory could not be read just now.")
        return False  # the desk says why, in plain words

    def _show(self, loaded: Listing) -> None:
        self._loading = False
        if self._again:  # something changed while it was read: read it again
            self._again = False
            self.reload()
        keep_service = self.services_table.current_key()
        keep_course = self.courses_table.current_key()
        self.partners = loaded.partners
        self.without_contact = loaded.without_contact
        for dialog in self.dialogs.values():
            if isinstance(dialog, ServiceDialog):
                dialog.set_partners(self.partners)
        self._restoring = True  # putting the selections back is not the user choosing a row
        try:
            self.services_model.load(loaded, loaded.entries)
            self.courses_model.load(loaded, loaded.courses)
            if keep_service:
                self.services_table.select_where(lambda r: r.key == keep_service)
            if keep_course:
                self.courses_table.select_where(lambda c: c.id == keep_course)
        finally:
            self._restoring = False
        if self._select is not None:
            which, match = self._select
            self._select = None
            table = self.services_table if which == "services" else self.courses_table
            if not table.select_where(match):
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
        no_contact = self.without_contact
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
            return has_words(*services.text(e), e.partner.notes,
                             e.service.description if e.service else "")

        def course_match(c: Course) -> bool:
            return has_words(*courses.text(c), c.description)

        self._restoring = True  # putting the selections back is not the user choosing a row
        try:
            for table, model, match, on in ((self.services_table, services, service_match,
                                             bool(words or category)),
                                            (self.courses_table, courses, course_match,
                                             bool(words))):
                keep = table.current_key()
                model.set_filter(match if on else None)
                if keep:
                    table.select_where(lambda r, model=model, keep=keep: model.key(r) == keep)
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

    def selected_entry(self) -> Entry | None:
        index = self.services_table.currentIndex()
        return self.services_model.rows[index.row()] if index.isValid() else None

    def selected_course(self) -> Course | None:
        index = self.courses_table.currentIndex()
        return self.courses_model.rows[index.row()] if index.isValid() else None

    def _activated(self, table: QTableView) -> None:
        """Enter or double-click on a service opens its partner's page; on a course,
        edits it."""
        self._set_active(table)
        if table is self.services_table:
            self.open_partner_page()
        else:
            self.edit()

    def open_partner_page(self) -> str | None:
        """Show the page of the selected service's partner (``open_partner``)."""
        entry = self.selected_entry()
        if entry is None:
            self._say("Choose a partner's service in the list first, then Open partner "
                      "page.")
            return None
        self.open_partner.emit(entry.partner.id)
        return entry.partner.id

    def _say(self, text: str) -> None:
        self._message = text
        self._update_status()
