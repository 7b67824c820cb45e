"""The desk's main window: Today, People, Directory, and a tab per open person.

The window is built in two steps so that it appears at once: ``MainWindow(demo)`` is the
frame (tabs, menus, and a live search box) and needs only Qt; ``attach(...)`` puts the
real pages in once the profile is open. Nothing here imports the database layer at
module level, so showing the frame does not wait for SQLAlchemy to load.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from lr_desk.services.accounts import SignedIn
    from lr_desk.services.signin import Gate
    from lr_desk.store.db import Store
    from lr_desk.ui.context import Desk, Lists
    from lr_desk.ui.dropin import DropInDialog
    from lr_desk.ui.forms import EditorDialog
    from lr_desk.ui.people import PersonDialog
    from lr_desk.ui.person import PersonPage
    from lr_desk.ui.sync import SyncService, SyncStatus
    from lr_desk.ui.tasks import SearchService, Tasks

log = logging.getLogger(__name__)

OPENING = "Opening the desk…"
# Rows of these kinds, brought in by a sync, change the directory and the lists to choose from.
DIRECTORY_ENTITIES = frozenset({"partner", "partner_service", "course", "advisor"})


def placeholder(text: str = OPENING) -> QWidget:
    page = QWidget()
    label = QLabel(text)
    label.setAccessibleName("Please wait")
    QVBoxLayout(page).addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
    return page


class MainWindow(QMainWindow):
    person_opened = Signal(object)  # PersonPage
    attached = Signal()  # the pages are in: the desk is open for work

    def __init__(self, demo: bool = False):
        super().__init__()
        self.demo = demo
        self.store: Store | None = None
        self.sync: SyncService | None = None
        self.sync_status: SyncStatus | None = None
        self.editors: list[EditorDialog] = []
        self.setAccessibleName("lr_desk main window")
        self.setWindowTitle("DEMO – lr_desk – DEMO DATA" if demo else "lr_desk")
        self.resize(1100, 760)

        # The search box is live from the start: what is typed before the people are
        # loaded is kept, and searched as soon as they are.
        self.query = QLineEdit()
        self.query.setAccessibleName("Find a person")
        self.query.setPlaceholderText("Name, date of birth, postcode or phone, in any order")
        self.query.setClearButtonEnabled(True)
        waiting_people = QWidget()
        row = QHBoxLayout()
        find_label = QLabel("&Find:")
        find_label.setBuddy(self.query)
        row.addWidget(find_label)
        row.addWidget(self.query, 1)
        column = QVBoxLayout(waiting_people)
        column.addLayout(row)
        column.addWidget(QLabel(OPENING), 1, Qt.AlignmentFlag.AlignTop)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Desk sections")
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        for page, title in ((placeholder(), "&Today"), (waiting_people, "&People"),
                            (placeholder(), "Director&y")):
            self.tabs.addTab(page, title)
            self._unclosable(page)
        self.tabs.setCurrentIndex(1)
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
        self.statusBar().addPermanentWidget(self.status_label)
        self._menus()
        self.new_action.setEnabled(False)
        for a in self.sync_actions:
            a.setEnabled(False)
        self.query.setFocus()

    def _unclosable(self, page: QWidget) -> None:
        self.tabs.tabBar().setTabButton(self.tabs.indexOf(page),
                                        self.tabs.tabBar().ButtonPosition.RightSide, None)

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
        for index, page in enumerate((self.today, self.people, self.directory)):
            title, old = self.tabs.tabText(index), self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, title)
            self._unclosable(page)
            old.deleteLater()
        self.tabs.setCurrentIndex(current)
        self.review = install_review(self)  # "Needs review", after Directory
        self._audit_access()  # "Audit log", for managers
        self.rights = install_rights(self)  # subject access export, retention review
        self.set_aside = install_set_aside(self)  # changes sync could not apply (admins)

        self.today.open_person.connect(self.open_person)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.people.open_person.connect(self.open_person)
        self.people.new_person.connect(self.new_person)
        self.directory.changed.connect(self.reload_lists)
        tasks.failed.connect(self._task_failed)
        tasks.busy_changed.connect(self._busy)
        self._title()
        # the sync's own part of the status bar says whether this desk is in step
        self.status_label.setText("DEMO profile: synthetic data" if self.demo else "")
        self.status_label.setVisible(self.demo)
        self.new_action.setEnabled(True)
        if self.tabs.currentWidget() is self.people:
            self.query.setFocus()
        self.today.reload()
        self.directory.reload()
        self._recover_new_people()
        self.attached.emit()

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
        title = f"lr_desk – {who} at {where}"
        self.setWindowTitle(f"DEMO – {title} – DEMO DATA" if self.demo else title)

    def _menus(self) -> None:
        desk_menu = self.menuBar().addMenu("&Desk")

        def action(text, shortcut, slot, menu=desk_menu):
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        self.find_action = action("&Find a person", QKeySequence.StandardKey.Find, self.find)
        self.new_action = action("&New person", QKeySequence.StandardKey.New,
                                 self._new_person_from_search)
        action("&Today", "Ctrl+1", lambda: self.tabs.setCurrentIndex(0))  # works while opening
        action("&Directory", "Ctrl+3", lambda: self.tabs.setCurrentIndex(2))
        action("Needs &review", "Ctrl+4", lambda: hasattr(self, "review") and
               self.tabs.setCurrentWidget(self.review))
        self.audit_action = action("A&udit log", "Ctrl+5", lambda: self.show_audit())
        self.audit_person_action = action("W&ho has looked at this record", "Ctrl+Shift+5",
                                          lambda: self.show_audit(of_current_person=True))
        for a in (self.audit_action, self.audit_person_action):
            a.setVisible(False)  # for managers: see _audit_access
        action("&Close person tab", QKeySequence.StandardKey.Close,
               lambda: self._close_tab(self.tabs.currentIndex()))
        desk_menu.addSeparator()
        self.lock_action = action("&Lock the desk", "Ctrl+L", self.lock)
        self.switch_action = action("S&witch user…", "Ctrl+Shift+L", self.switch_user)
        self.password_action = action("Change my pass&word…", None, self.change_password)
        self.site_action = action("Where this desk &is…", None, self.change_site)
        self.accounts_action = action("Acc&ounts…", None, self.manage_accounts)
        self.account_actions = (self.lock_action, self.switch_action, self.password_action,
                                self.site_action, self.accounts_action)
        for a in self.account_actions:
            a.setEnabled(False)
        desk_menu.addSeparator()
        self.sync_action = action("&Sync now", "F5", lambda: self.sync and self.sync.sync_now())
        self.stop_sync_action = action("Sto&p syncing", "Shift+F5",
                                       lambda: self.sync and self.sync.stop())
        self.sync_settings_action = action("Sync sett&ings…", None, self.sync_settings)
        self.sync_actions = (self.sync_action, self.stop_sync_action, self.sync_settings_action)
        desk_menu.addSeparator()
        action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        help_menu = self.menuBar().addMenu("&Help")
        action("Where is my &data?", None, self._where, help_menu)

    # -- sync ----------------------------------------------------------------------
    def watch_sync(self, sync: SyncService) -> None:
        """Show what the background sync is doing, and show what it brings in."""
        from lr_desk.ui.sync import SyncStatus

        self.sync = sync
        self.sync_status = SyncStatus(sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        sync.pulled.connect(self.show_pulled)
        for a in self.sync_actions:
            a.setEnabled(True)

    def show_pulled(self, touched: dict[str, set[str]]) -> None:
        """Changes from other devices have arrived: find them in search, and show them on
        Today, the directory, Needs review and every open person page."""
        if self.store is None:
            return
        if touched.get("person"):
            self.search.people_changed(touched["person"])
        if touched.keys() & DIRECTORY_ENTITIES:
            self.directory.reload()
            self.reload_lists()
        self.today.reload()
        self.review.refresh()  # new conflicts, possible duplicates
        if getattr(self, "audit", None) is not None:
            self.audit.pulled()  # records made on other desks
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if hasattr(page, "person_id"):
                page.reload()

    def sync_settings(self):
        """The central store this desk syncs with: URL, device name and password."""
        from lr_desk.ui.sync_settings import SyncSettingsDialog

        if self.store is None or self.sync is None:
            return None
        dialog = SyncSettingsDialog(self.tasks, self.sync.folder, self)
        dialog.saved.connect(lambda _r: self.sync.settings_changed())
        return self._editor(dialog)

    # -- who is at the desk --------------------------------------------------------
    def install_lock(self, gate: Gate, lock_minutes: int) -> None:
        """Sign-in is on: the desk locks after ``lock_minutes`` without input, and on
        Ctrl+L; staff switch at the lock page."""
        from lr_desk.ui.lock import IdleLock, LockPage

        self.gate = gate
        self.lock_page = LockPage(gate, self.store, self)
        self.lock_page.unlocked.connect(self._unlocked)
        self.stack.addWidget(self.lock_page)
        self.idle = IdleLock(lock_minutes, self.lock, self)
        self._roles()

    def _roles(self) -> None:
        """Menus for whoever is signed in: admins manage accounts and sync settings."""
        signed_in = self.gate is not None
        for a in (self.lock_action, self.switch_action, self.password_action, self.site_action):
            a.setEnabled(signed_in)
        self.accounts_action.setEnabled(signed_in and self.desk.can("accounts"))
        self.accounts_action.setVisible(self.accounts_action.isEnabled())
        if self.sync is not None:
            self.sync_settings_action.setEnabled(self.gate is None or self.desk.can("settings"))
        self._audit_access()

    @property
    def locked(self) -> bool:
        return self.lock_page is not None and self.stack.currentWidget() is self.lock_page

    def lock(self) -> None:
        """Hide the records (and every open form, with what was typed) until someone
        signs in again."""
        if self.lock_page is None or self.locked:
            return
        from PySide6.QtWidgets import QDialog

        from lr_desk.ui.forms import EditorDialog

        # every window over the desk: forms, and lists with names in them (retention...)
        shown = [*self.open_editors(), *self.findChildren(QDialog)]
        self.hidden_forms = [d for d in dict.fromkeys(shown) if d.isVisible()]
        for dialog in self.hidden_forms:
            if isinstance(dialog, EditorDialog):
                dialog.save_draft()  # kept on disk too, should the desk be closed meanwhile
            dialog.hide()
        self.stack.setCurrentWidget(self.lock_page)
        self.menuBar().setEnabled(False)
        self.lock_page.show_for(self.desk.signed_in)
        log.info("desk locked")

    def switch_user(self) -> None:
        self.lock()
        if self.lock_page is not None:
            self.lock_page.f.widgets["username"].setFocus()

    def _unlocked(self, who: SignedIn) -> None:
        before = self.desk.signed_in
        if before is not None and who.advisor_id != before.advisor_id:
            self._switched(before, who)
        forms = self.hidden_forms if before is None or who.advisor_id == before.advisor_id \
            else self.parked.pop(who.advisor_id, [])
        self.hidden_forms = []
        self.stack.setCurrentWidget(self.tabs)
        self.menuBar().setEnabled(True)
        forms = [d for d in forms if shiboken6.isValid(d)]  # none closed meanwhile
        for dialog in forms:
            dialog.show()
            dialog.raise_()
        if self.idle is not None:
            self.idle.set_minutes(self.desk.lock_minutes)
        if not forms and self.tabs.currentWidget() is self.people:
            self.query.setFocus()

    def _switched(self, before: SignedIn, who: SignedIn) -> None:
        """Another member of staff at a shared desk: the forms the last one left open wait
        for them (hidden, drafts kept); their person tabs close."""
        pages = [self.tabs.widget(i) for i in range(self.tabs.count())
                 if hasattr(self.tabs.widget(i), "person_id")]
        kept = []
        for dialog in self.hidden_forms:
            if _inside(dialog, pages):  # goes with its page: what was typed is kept as a
                if hasattr(dialog, "put_away"):  # draft, offered when it is opened again
                    dialog.put_away()
            else:
                kept.append(dialog)
        self.parked.setdefault(before.advisor_id, []).extend(kept)
        self.hidden_forms = []
        for index in reversed(range(self.tabs.count())):
            self._close_tab(index)  # person pages belong to the advisor who opened them
        self.desk.advisor_id, self.desk.signed_in = who.advisor_id, who
        self.store.advisor_id = who.advisor_id
        self.today.advisor_id = who.advisor_id
        self.today.reload()
        self._title()
        self._roles()
        self.reload_lists()

    def change_password(self) -> None:
        from lr_desk.ui.accounts import ChangePasswordDialog

        if self.gate is None:
            return
        dialog = ChangePasswordDialog(self.tasks, self.gate, self.desk.signed_in, self)
        dialog.saved.connect(lambda _r: self.statusBar().showMessage(
            "Your password was changed.", 10000))
        dialog.open()

    def manage_accounts(self) -> None:
        from lr_desk.ui.accounts import AccountsDialog

        if self.gate is None or not self.desk.can("accounts"):
            return
        sites = {s.code: s.name for s in self.desk.lists.sites}
        dialog = AccountsDialog(self.tasks, self.gate, sites, self.desk.advisor_id, self)
        dialog.finished.connect(lambda _r: self.reload_lists())
        dialog.open()

    def change_site(self) -> None:
        from lr_desk.ui.accounts import SiteDialog

        if self.store is None:
            return
        sites = {s.code: s.name for s in self.desk.lists.sites}
        dialog = SiteDialog(self.tasks, sites, self.desk.site_code, self)
        dialog.saved.connect(self._site_changed)
        dialog.open()

    def _site_changed(self, code: str) -> None:
        self.desk.site_code = code
        self.today.site_code = code
        self.today.reload()
        self._title()

    def _tab_shown(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.today:
            self.today.reload()  # the day moves on: what is due is worked out afresh

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
        from lr_desk.ui.context import Lists

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
        """The Audit log tab and its menu items, for managers only (again whenever someone
        else signs in at the desk)."""
        from lr_desk.ui.audit import fit_to_role

        fit_to_role(self)

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
            page.changed.connect(self.today.reload)
            page.loaded.connect(lambda p=page: self._name_tab(p))
            self.tabs.addTab(page, "…")
            page.reload()
            self._record_opening(person_id)
        self.tabs.setCurrentWidget(page)
        page.table.setFocus()
        self.person_opened.emit(page)
        return page

    def _name_tab(self, page: PersonPage) -> None:
        i = self.tabs.indexOf(page)
        if i >= 0 and page.view:
            self.tabs.setTabText(i, page.view.person.display_name)

    def _close_tab(self, index: int) -> None:
        if hasattr(self.tabs.widget(index), "person_id"):  # only a person's tab closes
            page = self.tabs.widget(index)
            self.tabs.removeTab(index)
            page.deleteLater()

    def _editor(self, dialog: EditorDialog) -> EditorDialog:
        open_already = next((d for d in self.editors if d.draft_key == dialog.draft_key
                             and d.isVisible()), None)
        if open_already is not None:  # one form per record: bring it forward
            dialog.deleteLater()
            open_already.raise_()
            open_already.activateWindow()
            return open_already
        self.editors.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self.editors.remove(d)
                                if d in self.editors else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.start()
        return dialog

    def new_person(self, initial: dict, draft_key: str | None = None) -> PersonDialog | None:
        from lr_desk.ui.people import PersonDialog

        if self.store is None:
            return None  # still opening: Ctrl+N is not available yet
        dialog = PersonDialog(self.tasks, self.desk.advisor_id, self.desk.site_code,
                              initial=initial, autosave_seconds=self.desk.autosave_seconds,
                              parent=self, draft_key=draft_key)
        dialog.saved.connect(self._person_saved)
        dialog.open_existing.connect(self.open_person)
        return self._editor(dialog)

    def edit_person(self, person) -> PersonDialog:
        from lr_desk.ui.people import PersonDialog

        dialog = PersonDialog(self.tasks, self.desk.advisor_id, self.desk.site_code,
                              person=person, autosave_seconds=self.desk.autosave_seconds,
                              parent=self)
        dialog.saved.connect(self._person_saved)
        return self._editor(dialog)

    def _person_saved(self, person) -> None:
        self.search.person_saved(person)
        page = self.person_page(person.id)
        if page is not None:
            page.reload()
        self.open_person(person.id)

    def record_drop_in(self, person) -> DropInDialog:
        from lr_desk.ui.dropin import DropInDialog

        dialog = DropInDialog(self.tasks, self.desk, person, parent=self)
        dialog.saved.connect(lambda _r, pid=person.id: self._drop_in_saved(pid))
        return self._editor(dialog)

    def _drop_in_saved(self, person_id: str) -> None:
        page = self.person_page(person_id)
        if page is not None:
            page.reload()
        self.today.reload()

    def open_editors(self) -> list[EditorDialog]:
        """Every form open on the desk: people and drop-ins, the directory's editors, and
        the referral and follow-up steps on person pages."""
        from lr_desk.ui.forms import EditorDialog

        directory = getattr(self, "directory", None)
        steps = [d for i in range(self.tabs.count())
                 for d in self.tabs.widget(i).findChildren(EditorDialog)
                 if getattr(self.tabs.widget(i), "person_id", None)]
        return [*self.editors, *(directory.dialogs.values() if directory else ()), *steps]

    def closeEvent(self, event) -> None:
        waiting = [*self.hidden_forms, *(d for forms in self.parked.values() for d in forms)]
        for dialog in waiting:  # hidden while locked, or kept for someone who moved over
            if shiboken6.isValid(dialog) and hasattr(dialog, "put_away"):
                dialog.put_away()
        for dialog in self.open_editors():
            if dialog.isVisible() and dialog.dirty:
                dialog.raise_()
                if not dialog.confirm_discard():
                    event.ignore()
                    return
                dialog.dirty = False
                dialog.reject()
        event.accept()


def _inside(dialog: QWidget, pages: list[QWidget]) -> bool:
    """Whether ``dialog`` belongs to one of ``pages`` (a window of its own: its parents)."""
    parent = dialog.parentWidget()
    while parent is not None:
        if any(parent is page for page in pages):
            return True
        parent = parent.parentWidget()
    return False
