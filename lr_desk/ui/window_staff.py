"""Who is at the desk: the idle lock, switching staff, passwords, accounts and the
desk's hub (the main window's part for them, kept apart to keep each file small)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from lr_desk.services.accounts import SignedIn
    from lr_desk.services.signin import Gate

log = logging.getLogger(__name__)


class StaffMixin:
    """Mixed into MainWindow: needs its ``tabs``, ``stack``, ``desk``, ``store``."""

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



def _inside(dialog: QWidget, pages: list[QWidget]) -> bool:
    """Whether ``dialog`` belongs to one of ``pages`` (a window of its own: its parents)."""
    parent = dialog.parentWidget()
    while parent is not None:
        if any(parent is page for page in pages):
            return True
        parent = parent.parentWidget()
    return False
