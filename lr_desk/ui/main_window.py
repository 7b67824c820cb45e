"""The desk's main window: the sections (Today, People, Directory, Needs review...) down
the left, each open person's record below them, the page on show beside them.

The window is built in two steps so that it appears at once: ``MainWindow(demo)`` is the
frame (navigation, menus, and a live search box) and needs only Qt; ``attach(...)`` puts
the real pages in once the profile is open. Nothing here imports the database layer at
module level, so showing the frame does not wait for SQLAlchemy to load. Pages hear what
changed from the desk's one announcement (``Tasks.changed``), not from this window.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lr_desk.ui import style
from lr_desk.ui.fields import clearable
from lr_desk.ui.navigation import Sections
from lr_desk.ui.window_forms import FormsMixin
from lr_desk.ui.window_menus import MenusMixin
from lr_desk.ui.window_place import PlaceMixin
from lr_desk.ui.window_staff import StaffMixin

if TYPE_CHECKING:
    from lr_desk.services.changes import Changed
    from lr_desk.services.context import Desk, Lists
    from lr_desk.services.signin import Gate
    from lr_desk.store.db import Store
    from lr_desk.ui.forms import EditorDialog
    from lr_desk.ui.person import PersonPage
    from lr_desk.ui.sync import SyncService
    from lr_desk.ui.sync_status import SyncStatus
    from lr_desk.ui.tasks import SearchService, Tasks

log = logging.getLogger(__name__)

OPENING = "Opening the desk…"
# Rows of these kinds change the lists to choose from (partners, courses, staff, hubs).
LIST_ENTITIES = frozenset({"partner", "partner_service", "course", "advisor", "site",
                           "category"})


def placeholder(text: str = OPENING) -> QWidget:
    page = QWidget()
    label = QLabel(text)
    label.setAccessibleName("Please wait")
    QVBoxLayout(page).addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
    return page


class MainWindow(MenusMixin, StaffMixin, FormsMixin, PlaceMixin, QMainWindow):
    person_opened = Signal(object)  # PersonPage
    attached = Signal()  # the pages are in: the desk is open for work

    def __init__(self, demo: bool = False):
        super().__init__()
        self.demo = demo
        self.store: Store | None = None
        self.sync: SyncService | None = None
        self.sync_status: SyncStatus | None = None
        self.editors: list[EditorDialog] = []
        self.setAccessibleName(f"{style.TITLE} main window")
        self.setWindowTitle(f"DEMO – {style.TITLE} – DEMO DATA" if demo else style.TITLE)
        self.setWindowIcon(style.app_icon())
        self._first_size()

        # The search box is live from the start: what is typed before the people are
        # loaded is kept, and searched as soon as they are.
        self.query = QLineEdit()
        self.query.setAccessibleName("Find a person")
        self.query.setPlaceholderText("Name, date of birth, postcode or phone, in any order")
        clearable(self.query, "Clear Find")
        waiting_people = QWidget()
        row = QHBoxLayout()
        find_label = QLabel("&Find:")
        find_label.setBuddy(self.query)
        row.addWidget(find_label)
        row.addWidget(self.query, 1)
        column = QVBoxLayout(waiting_people)
        column.addLayout(row)
        column.addWidget(QLabel(OPENING), 1, Qt.AlignmentFlag.AlignTop)

        self.tabs = Sections()
        self.tabs.tabCloseRequested.connect(self._close_tab)
        for page, title, icon in ((placeholder(), "&Today", "calendar-check"),
                                  (waiting_people, "&People", "users"),
                                  (placeholder(), "Director&y", "book-open")):
            self.tabs.addTab(page, title, icon, closable=False)
        self.tabs.setCurrentIndex(0)  # the desk opens on Today
        # the desk, or (locked) the page that asks for a password instead
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self.gate: Gate | None = None
        self.lock_page = None
        self.idle = None
        self.hidden_forms: list[QWidget] = []  # forms and dialogs hidden while locked
        self.parked: dict[str, list[QWidget]] = {}  # those of staff who moved over

        self.status_label = QLabel(OPENING)
        self.status_label.setAccessibleName("Desk status")
        self.statusBar().setAccessibleName("Status")  # (a screen reader's "status bar")
        self.statusBar().addPermanentWidget(self.status_label)
        self._menus()
        self.new_action.setEnabled(False)
        for a in self.sync_actions:
            a.setEnabled(False)

    def _unclosable(self, page: QWidget) -> None:
        self.tabs.set_closable(page, False)

    def add_section(self, page: QWidget, title: str, icon: str | None = None,
                    after: QWidget | None = None) -> None:
        """A section of the desk (Needs review, Audit log, and the pages to come), after
        ``after`` (else after the last section)."""
        index = self.tabs.indexOf(after) + 1 if after is not None else \
            sum(1 for i in range(self.tabs.count()) if not self.tabs.isClosable(i))
        self.tabs.insertTab(index, page, title, icon, closable=False)

    def remove_section(self, page: QWidget) -> None:
        index = self.tabs.indexOf(page)
        if index >= 0:
            self.tabs.removeTab(index)

    def attach(self, store: Store, tasks: Tasks, search: SearchService, desk: Desk) -> None:
        """Put the real pages in, now that the profile is open."""
        from lr_desk.ui.directory import DirectoryPage
        from lr_desk.ui.people import PeoplePage
        from lr_desk.ui.review import install_review
        from lr_desk.ui.rights import install_rights
        from lr_desk.ui.set_aside import install_set_aside
        from lr_desk.ui.today import TodayPage

        self.store, self.tasks, self.search, self.desk = store, tasks, search, desk
        store.advisor_id = desk.advisor_id or None  # changes say who made them
        self.today = TodayPage(tasks, desk.advisor_id, desk.site_code)
        self.people = PeoplePage(search, query=self.query)
        self.directory = DirectoryPage(tasks, desk)
        current = self.tabs.currentIndex()
        for index, (page, icon) in enumerate(((self.today, "calendar-check"),
                                              (self.people, "users"),
                                              (self.directory, "book-open"))):
            self._put(index, page, icon)
        self.tabs.setCurrentIndex(current)
        self.restore_state()
        self.review = install_review(self)  # "Needs review", after Directory
        self._audit_access()  # "Audit log", for managers
        self.rights = install_rights(self)  # subject access export, retention review
        self.set_aside = install_set_aside(self)  # changes sync could not apply (admins)

        self.today.open_person.connect(self.open_person)
        self.today.catchups.open_partner.connect(self.open_partner)
        self.directory.open_partner.connect(self.open_partner)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.people.open_person.connect(self.open_person)
        self.people.new_person.connect(self.new_person)
        tasks.failed.connect(self._task_failed)
        tasks.busy_changed.connect(self._busy)
        tasks.changed.connect(self._heard)
        for page in (self.today, self.directory, self.review):
            self.hear(page)
        self._title()
        # the sync's own part of the status bar says whether this desk is in step
        self.status_label.setText("DEMO profile: synthetic data" if self.demo else "")
        self.status_label.setVisible(self.demo)
        self.new_action.setEnabled(True)
        self._focus_page()
        self.today.reload()
        self.directory.reload()
        self._recover_new_people()
        self.attached.emit()

    def _put(self, index: int, page: QWidget, icon: str) -> None:
        """``page`` in place of the section at ``index`` (a placeholder)."""
        title, old = self.tabs.tabText(index), self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, title, icon, closable=False)
        old.deleteLater()

    def preparing(self, page: QWidget) -> None:
        """Today shows ``page`` (the demo being prepared: ui.preparing) until attached."""
        self._put(0, page, "calendar-check")
        self.tabs.setCurrentIndex(0)

    def _recover_new_people(self) -> None:
        """New-person forms left unsaved by a crash come back, each with its draft."""
        from lr_desk.services import drafts
        from lr_desk.ui.people import NEW_PERSON_DRAFTS

        def reopen(keys: list[str]) -> None:
            for key in keys:
                self.new_person({}, draft_key=key)

        self.tasks.run(lambda s: drafts.keys(s, NEW_PERSON_DRAFTS), reopen)

    # -- chrome --------------------------------------------------------------------
    def _title(self) -> None:
        who = self.desk.lists.advisor_name(self.desk.advisor_id)
        where = self.desk.lists.site_name(self.desk.site_code)
        title = f"{style.TITLE} – {who} at {where}"
        self.setWindowTitle(f"DEMO – {title} – DEMO DATA" if self.demo else title)

    # -- sync ----------------------------------------------------------------------
    def watch_sync(self, sync: SyncService) -> None:
        """Show what the background sync is doing, and show what it brings in."""
        from lr_desk.ui.sync_status import SyncStatus

        self.sync = sync
        self.sync_status = SyncStatus(sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        for a in self.sync_actions:
            a.setEnabled(True)

    # -- hearing what changed ------------------------------------------------------
    def hear(self, page) -> None:
        """A page keeps itself up to date from the desk's announcement of what changed."""
        if hasattr(page, "on_changed"):
            self.tasks.changed.connect(page.on_changed)

    def _heard(self, changed: Changed) -> None:
        """The window's own part: the lists to choose from (hubs, partners, courses,
        staff) are read again when they change."""
        if changed.touches(*LIST_ENTITIES):
            self.reload_lists()

    def sync_settings(self):
        """The central store this desk syncs with: URL, device name and password."""
        from lr_desk.ui.sync_settings import SyncSettingsDialog

        if self.store is None or self.sync is None:
            return None
        dialog = SyncSettingsDialog(self.tasks, self.sync.folder, self)
        dialog.saved.connect(lambda _r: self.sync.settings_changed())
        return self._editor(dialog)

    # -- pages -----------------------------------------------------------------------
    def _tab_shown(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.today:
            self.today.reload()  # the day moves on: what is due is worked out afresh

    def _focus_page(self) -> None:
        """Where the keyboard starts on the page on show: Find on People, else the
        navigation (Tab goes on into the page)."""
        if self.tabs.currentWidget() is self.people:
            self.query.setFocus()
        else:
            self.tabs.list.setFocus()

    def _new_person_from_search(self) -> None:
        from lr_desk.services import prefill

        # from what was typed in Find, when Find is where they are; else a blank form
        typed = self.query.text() if self.tabs.currentIndex() == 1 else ""
        self.new_person(prefill.from_search(typed))

    def _where(self) -> None:
        where = self.store.path if self.store else "(still opening)"
        QMessageBox.information(self, "Where the data lives",
                                f"This desk keeps its records in:\n{where}")

    def _busy(self, busy: bool) -> None:
        self.statusBar().showMessage("Working…" if busy else "", 0 if busy else 1)

    def _task_failed(self, message: str, is_bug: bool) -> None:
        self.statusBar().showMessage(message, 15000)
        if is_bug:
            box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                              message + "\n\nNothing you typed has been lost: unsaved forms are "
                              "kept as drafts. Please tell the lr_desk team.", parent=self)
            box.setAccessibleName("Something went wrong")
            box.open()

    # -- actions -------------------------------------------------------------------
    def find(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.query.setFocus()
        self.query.selectAll()

    def reload_lists(self) -> None:
        from lr_desk.services.context import Lists

        def apply(lists: Lists) -> None:
            self.desk.lists = lists
        self.tasks.run(Lists.load, apply)

    def person_page(self, person_id: str) -> PersonPage | None:
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if getattr(page, "person_id", None) == person_id:
                return page
        return None

    def _record_opening(self, person_id: str) -> None:
        """Opening a person's record is audited (once per page: not each reload)."""
        from lr_desk.services import audit

        self.tasks.run(lambda s: audit.record_opening(s, person_id))

    def _audit_access(self) -> None:
        """The Audit log and Reports sections and their menu items, for managers only
        (again whenever someone else signs in at the desk)."""
        from lr_desk.ui import audit, reports_page

        audit.fit_to_role(self)
        reports_page.fit_to_role(self)

    def show_reports(self):
        """Ctrl+6: the Reports page."""
        from lr_desk.ui.reports_page import show_reports

        return show_reports(self)

    def show_audit(self, of_current_person: bool = False):
        """Ctrl+5: the Audit log; Ctrl+Shift+5: of the person whose page is on show."""
        from lr_desk.ui.audit import show_log

        return show_log(self, of_current_person)

    def open_person(self, person_id: str) -> PersonPage:
        from lr_desk.ui.person import PersonPage

        page = self.person_page(person_id)
        if page is None:
            page = PersonPage(self.tasks, person_id, self.desk.advisor_id)
            page.record_drop_in.connect(self.record_drop_in)
            page.edit_details.connect(self.edit_person)
            page.loaded.connect(lambda p=page: self._name_tab(p))
            self.hear(page)
            self.tabs.addTab(page, "…", closable=True)
            page.reload()
            self._record_opening(person_id)
        self.tabs.setCurrentWidget(page)
        page.table.setFocus()
        self.person_opened.emit(page)
        return page

    def _name_tab(self, page: PersonPage) -> None:
        i = self.tabs.indexOf(page)
        if i >= 0 and page.view:
            self.tabs.setTabText(i, page.view.person.display_name.replace("&", "&&"))

    def open_partner(self, partner_id: str):
        """A partner's page (figures, contacts, catch-ups) as an open record."""
        from lr_desk.ui.partner_page import PartnerPage

        tabs = self.tabs
        page = next((tabs.widget(i) for i in range(tabs.count())
                     if getattr(tabs.widget(i), "partner_id", None) == partner_id), None)
        if page is None:
            page = PartnerPage(self.tasks, partner_id, self.desk)
            page.loaded.connect(lambda p=page: p.figures and tabs.setTabText(
                tabs.indexOf(p), p.figures.name.replace("&", "&&")))
            self.hear(page)
            tabs.addTab(page, "…", "handshake", closable=True)
            page.reload()
        tabs.setCurrentWidget(page)
        return page

    def _close_tab(self, index: int) -> None:
        page = self.tabs.widget(index)  # only a person's or a partner's tab closes
        if hasattr(page, "person_id") or hasattr(page, "partner_id"):
            self.tabs.removeTab(index)
            page.deleteLater()
