"""The demo desk the catalogue (tests/ui/catalogue.py) opens pages and dialogs on: signed
in as its admin, with ways to wait for the desk's worker, to catch the dialog a click
brings up, and to put everything away again."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from sqlalchemy import exists, select

from lr_desk.app import fill_demo
from lr_desk.services import people
from lr_desk.services.signin import DEMO_PASSWORD
from lr_desk.store.models import FollowUp, Person, Prescription, Referral
from lr_desk.ui.application import DeskApp


def wait(until: Callable[[], object], timeout: float = 20.0, what: str = "") -> None:
    """Let the desk work (events, the worker's answers) until ``until()`` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what or until}")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)


def windows() -> list[QWidget]:
    """The desk's windows on show: the main window and any dialog over it."""
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


class Stage:
    """The demo desk (signed in as its admin) that every page and dialog is opened on."""

    def __init__(self, folder: Path, scratch: Path):
        self.folder, self.scratch = Path(folder), Path(scratch)
        self.desk = DeskApp.open(self.folder, "admin", DEMO_PASSWORD, demo=True,
                                 fill_demo=fill_demo)
        self.window = self.desk.window
        self.opened: list[QWidget] = []  # what tidy() closes, newest last
        self._person = None
        self.desk.show()
        wait(lambda: self.desk.search.index is not None, 90, "the search index")
        self.idle()

    # -- waiting and finding -----------------------------------------------------------
    def idle(self) -> None:
        wait(lambda: self.desk.tasks.pending == 0, 30, "the desk's worker")
        QApplication.processEvents()

    def dialog_from(self, trigger: Callable[[], object], kind: type = QDialog) -> QDialog:
        """Do ``trigger`` (click, menu action) and return the dialog it brings up."""
        before = windows()
        trigger()
        found: list[QWidget] = []

        def shown() -> bool:
            found[:] = [w for w in windows() if isinstance(w, kind)
                        and not any(w is b for b in before)]
            return bool(found)

        wait(shown, 20, f"a {kind.__name__} to open")
        self.opened.append(found[-1])
        self.idle()
        return found[-1]

    def action(self, text: str) -> QAction:
        """The window's menu action whose words (without '&') begin with ``text``."""
        for a in self.window.findChildren(QAction):
            if a.text().replace("&", "").startswith(text):
                return a
        raise LookupError(f"no menu action {text!r}")

    def section(self, title: str) -> QWidget:
        tabs = self.window.tabs
        for i in range(tabs.count()):
            if tabs.tabText(i).replace("&", "").startswith(title):  # (a count may follow)
                tabs.setCurrentIndex(i)
                page = tabs.widget(i)
                self.idle()
                return page
        raise LookupError(f"no section {title!r}")

    # -- a person with a bit of everything ---------------------------------------------
    def person(self):
        """The page of a demo person with a prescription, a referral and a follow-up still
        open, opened from Find as an advisor would (typing their name, Enter)."""
        if self._person is not None and self.window.tabs.indexOf(self._person) >= 0:
            self.window.tabs.setCurrentWidget(self._person)
            self.idle()
            return self._person
        person_id = self._run(_rich_person)
        page = self.window.open_person(person_id)
        wait(lambda: page.view is not None, 20, "the person's record")
        self.idle()
        self._person = page
        return page

    def choose_row(self, page, test: Callable[[object], bool]) -> None:
        """Choose the first row of the person's history that passes ``test``."""
        rows = page.timeline.entries
        row = next(i for i, e in enumerate(rows) if test(e))
        page.table.setCurrentIndex(page.timeline.index(row, 0))
        QApplication.processEvents()

    def _run(self, fn):
        got: list = []
        self.desk.tasks.run(fn, got.append)
        wait(lambda: got, 20, "a read")
        return got[0]

    def pair_page(self):
        """Needs review with its first pair of possible duplicates chosen (if the demo
        has none left, someone is registered a second time, as at another hub)."""
        page = self.section("Needs review")
        loads: list = []

        def loaded() -> None:
            loads.append(1)
        page.loaded.connect(loaded)
        try:
            page.refresh_button.click()
            wait(lambda: loads, 60, "Needs review to read its lists")
            if page.pairs.rowCount() == 0:
                self._run(_register_twice)
            wait(lambda: page.pairs.rowCount() > 0, 60, "a pair of possible duplicates")
        finally:
            page.loaded.disconnect(loaded)
        page.pairs_table.setCurrentIndex(page.pairs.index(0, 0))
        QApplication.processEvents()
        return page

    # -- putting things away ------------------------------------------------------------
    def tidy(self) -> None:
        """Close what was opened (dropping anything typed); back to Today, unlocked."""
        for w in reversed(self.opened):
            close(w)
        self.opened.clear()
        for w in windows():  # anything a test opened by itself
            if isinstance(w, QDialog):
                close(w)
        if self.window.locked:
            page = self.window.lock_page
            page.f.widgets["password"].setText(DEMO_PASSWORD)
            page.unlock()
            wait(lambda: not self.window.locked, 30, "the desk to unlock")
        self.window.query.clear()
        self.window.tabs.setCurrentIndex(0)
        self.idle()

    def finish(self) -> None:
        self.tidy()
        for dialog in self.window.open_editors():
            dialog.dirty = False
        self.desk.close()


def close(w: QWidget) -> None:
    if not shiboken6.isValid(w) or not w.isVisible():
        return
    if hasattr(w, "dirty"):
        w.dirty = False
    if isinstance(w, QDialog):
        w.reject()
        if w.isVisible():  # one that will not be dismissed (the recovery key, unticked)
            QDialog.done(w, QDialog.DialogCode.Rejected)
    else:
        w.close()
    QApplication.processEvents()


def _rich_person(session) -> str:
    open_follow_up = exists().where(FollowUp.person_id == Person.id,
                                    FollowUp.done_at.is_(None), FollowUp.deleted_at.is_(None))
    return session.scalars(
        select(Person.id).where(Person.deleted_at.is_(None), Person.merged_into.is_(None),
                                Person.erased_at.is_(None), open_follow_up,
                                # a referral that went to the partner (the letter's)
                                exists().where(Referral.person_id == Person.id,
                                               Referral.status.not_in(("suggested", "agreed"))),
                                exists().where(Prescription.person_id == Person.id))
        .order_by(Person.family_name, Person.given_name).limit(1)).one()


def _register_twice(session) -> str:
    """A second registration of a demo person (same name, date of birth and postcode)."""
    first = session.scalars(
        select(Person).where(Person.deleted_at.is_(None), Person.merged_into.is_(None),
                             Person.erased_at.is_(None), Person.date_of_birth.is_not(None))
        .order_by(Person.family_name.desc(), Person.given_name).limit(1)).one()
    twin = people.register(session, {**people.as_form(first), "phone": ""},
                           first.registered_by, first.registered_site)
    return twin.id
