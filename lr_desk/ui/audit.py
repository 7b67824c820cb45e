"""The Audit log: who opened, changed, printed or exported what, when, on which desk.

``AuditPage`` is a section of the desk for managers only (``services.accounts.NEEDS
["audit"]``): ``fit_to_role`` adds it after Needs review (Ctrl+5) through the window's
``add_section``, or takes it out, whenever who is signed in changes. The log is read on
the database worker a page at a time, newest first (``services.audit`` pages on the
time index, so ten years of records read as quickly as a day's), filtered by dates,
advisor, action and person, and read again when something is written while it is on
show (``on_changed``). A person's own log opens from their page: Who has looked at this
record (Ctrl+Shift+5).

The records name fields, never values; the Detail says what was done in words
("Changed phone number and postcode", "Made a referral to ..."), and the names shown
(advisors, people, partners) are looked up as each page is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk import settings
from lr_desk.services import audit
from lr_desk.services.validation import parse_date
from lr_desk.store.models import AUDIT_ACTIONS
from lr_desk.ui import style
from lr_desk.ui.forms import Fields, combo, line_edit
from lr_desk.ui.models import RowsModel
from lr_desk.ui.today import table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lr_desk.services.changes import Changed
    from lr_desk.services.context import Desk
    from lr_desk.ui.tasks import Tasks

TITLE = "Audit lo&g"
ICON = "eye"
ANYONE = "Anyone"
NOT_ALLOWED = "Only managers can see the audit log."


class AuditModel(RowsModel):
    """A page (or more) of the log, newest first."""

    def __init__(self, parent=None):
        super().__init__([
            ("When", lambda r: r.when.strftime("%a %d %b %Y %H:%M:%S")),
            ("Who", lambda r: r.who or "(not known)"),
            ("Desk", lambda r: r.device),
            ("What", lambda r: r.action),
            ("Record", lambda r: r.record),
            ("Person", lambda r: r.person),
            ("Detail", lambda r: r.detail),
        ], parent, key=lambda r: r.id)

    def extra(self, row: audit.Row, column: int, role) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[column][1](row)
        return None


@dataclass
class Loaded:
    """What one read brought back: a page, or why there is none (said at a field)."""

    page: audit.Page | None = None
    errors: dict[str, str] | None = None
    advisors: list[tuple[str, str]] | None = None  # on the first read: for the choice
    people: int = 0  # how many people the typed name stood for


class AuditPage(QWidget):
    """The "Audit log" tab. ``refresh()`` reads the first page for the filters; "Show
    more" the next. Enter on a row opens the person."""

    open_person = Signal(str)
    loaded = Signal()

    def __init__(self, tasks: Tasks, desk: Desk, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.desk = desk
        self._reads = 0  # the newest read's number: older answers are dropped
        self._advisors_known = False
        self._person: tuple[str, str] | None = None  # (id, name): one person's log
        self.setAccessibleName("Audit log")

        self.f = Fields()
        left, right = QFormLayout(), QFormLayout()
        self.f.add(left, "since", "&From:", line_edit("From date", "any date (day/month/year)"))
        self.f.add(left, "until", "T&o:", line_edit("To date", "any date (day/month/year)"))
        self.f.add(left, "person", "P&erson:", line_edit("Person", "anyone (type a name)"))
        self.f.add(right, "advisor", "&Who:", combo("Who did it", {}, ANYONE))
        self.f.add(right, "action", "Wh&at:", combo("What they did", AUDIT_ACTIONS,
                                                    "Anything"))
        self.f.widgets["person"].textEdited.connect(self._person_typed)
        for key in ("since", "until", "person"):
            self.f.widgets[key].returnPressed.connect(self.refresh)
        self.show_button = style.primary(QPushButton("&Show"))
        self.show_button.setAccessibleName("Show the records")
        self.show_button.clicked.connect(self.refresh)
        self.more_button = QPushButton("Show &more")
        self.more_button.setAccessibleName("Show older records")
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.more)

        self.status = QLabel()
        self.status.setAccessibleName("Audit log status")
        self.status.setWordWrap(True)
        self.model = AuditModel(self)
        self.table = table("Audit records", self.model)
        self.table.setWordWrap(False)
        self.table.activated.connect(self._open)

        filters = QHBoxLayout()
        filters.addLayout(left, 1)
        filters.addLayout(right, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        filters.addLayout(buttons)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        heading = style.heading(QLabel("Audit log"))
        intro = style.note(QLabel("Who looked at, changed, printed or exported what, when, "
                                  "and at which desk: the newest first."))
        intro.setAccessibleName("What the audit log is")
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        hint = style.note(QLabel("Enter on a row opens the person (which is recorded too)."))
        hint.setAccessibleName("Hint")
        layout.addWidget(hint)

    # -- filters ----------------------------------------------------------------------
    def show_person(self, person_id: str, name: str) -> None:
        """One person's log (from their page), with the other filters cleared; read now
        if on show (else when shown)."""
        self._person = (person_id, name)
        for key in ("since", "until"):
            self.f.widgets[key].clear()
        self.f.widgets["advisor"].setCurrentIndex(0)
        self.f.widgets["action"].setCurrentIndex(0)
        self.f.widgets["person"].setText(name)
        if self.isVisible():
            self.refresh()

    def _person_typed(self, _text: str) -> None:
        self._person = None  # a name typed: matched against everyone's again

    def filters(self) -> tuple[audit.Filters | None, dict[str, str]]:
        """The filters as typed, or the messages for the fields that are wrong."""
        errors: dict[str, str] = {}
        days: dict[str, date | None] = {}
        for key in ("since", "until"):
            text = self.f.widgets[key].text().strip()
            try:
                days[key] = parse_date(text) if text else None
            except ValueError as exc:
                errors[key] = str(exc)
        if not errors and days["since"] and days["until"] and days["since"] > days["until"]:
            errors["until"] = "This is before the From date: the To date comes after it."
        if errors:
            return None, errors
        return audit.Filters(days["since"], days["until"],
                             self.f.widgets["advisor"].currentData() or None,
                             self.f.widgets["action"].currentData() or None,
                             (self._person[0],) if self._person else None), {}

    # -- reading ----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()  # what was done since it was last shown

    def on_changed(self, changed: Changed) -> None:
        """Anything written (here or brought in by a sync) is in the log: read it again
        if the log is on show (else it is read when shown)."""
        if changed and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Read the first page for the filters (the newest records)."""
        self._read(after=None)

    def more(self) -> None:
        """Read the next page (older records), below those shown."""
        if self.model.rows:
            self._read(after=self.model.rows[-1])

    def _read(self, after: audit.Row | None) -> None:
        if not self.desk.can("audit"):
            self.status.setText(NOT_ALLOWED)
            self.model.set_rows([])
            self.more_button.setEnabled(False)
            return
        filters, errors = self.filters()
        self.f.show_errors(errors, only_touched=False)
        if filters is None:
            self.status.setText("Please put the dates right.")
            return
        self._reads += 1
        number = self._reads
        typed = "" if self._person else self.f.widgets["person"].text().strip()
        device_id = self.tasks.store.device_id
        want_advisors = not self._advisors_known

        def read(session: Session) -> Loaded:
            this_desk = settings.get(session, "device_name")
            found = Loaded(advisors=audit.advisors(session) if want_advisors else None)
            wanted = filters
            if typed:
                people = audit.people_named(session, typed)
                if not people:
                    found.errors = {"person": f"No one's name has \u201c{typed}\u201d in it."}
                    return found
                found.people = len(people)
                wanted = audit.Filters(filters.since, filters.until, filters.advisor_id,
                                       filters.action, tuple(people))
            found.page = audit.read(session, wanted, device_id, this_desk, after=after)
            return found

        self.status.setText("Reading the log…")
        self.show_button.setEnabled(False)
        # on the read lane: a page of ten years' log, filtered, never holds up a save
        self.tasks.read(read, lambda r: self._loaded(number, after is not None, r),
                        lambda _exc: self._failed(number))

    def _loaded(self, number: int, appended: bool, result: Loaded) -> None:
        if not shiboken6.isValid(self):
            return  # the tab went (someone else signed in) while it was read
        if result.advisors is not None:
            self._fill_advisors(result.advisors)
        if number != self._reads:
            return  # a newer read is under way
        self.show_button.setEnabled(True)
        self.f.show_errors(result.errors or {}, only_touched=False)
        if result.page is None:
            self.status.setText("Nothing shown: see the message above.")
            self.model.set_rows([])
            self.more_button.setEnabled(False)
            self.loaded.emit()
            return
        rows = [*self.model.rows, *result.page.rows] if appended else result.page.rows
        first_new = len(rows) - len(result.page.rows) if appended else 0
        self.model.set_rows(rows)
        if first_new < len(rows):  # the keyboard carries on from the first new record
            self.table.setCurrentIndex(self.model.index(first_new, 0))
        self.more_button.setEnabled(result.page.more)
        self.status.setText(self._summary(len(rows), result.page.more, result.people))
        self.loaded.emit()

    def _summary(self, shown: int, more: bool, people: int) -> str:
        if not shown:
            text = "No records match."
        elif more:
            text = f"The newest {shown} records that match (Show more for older ones)."
        else:
            text = f"{shown} record{'s' if shown != 1 else ''} match."
        if people > 1:
            limit = " (the first few hundred)" if people >= audit.MOST_PEOPLE else ""
            text += f" The name typed fits {people} people{limit}: records of them all."
        return text

    def _failed(self, number: int) -> bool:
        if shiboken6.isValid(self) and number == self._reads:
            self.show_button.setEnabled(True)
            self.status.setText("The log could not be read just now.")
        return False  # the desk says why (status bar, or a bug report)

    def _fill_advisors(self, advisors: list[tuple[str, str]]) -> None:
        self._advisors_known = True
        box = self.f.widgets["advisor"]
        chosen = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(ANYONE, "")
        for advisor_id, name in advisors:
            box.addItem(name, advisor_id)
        box.setCurrentIndex(max(box.findData(chosen), 0) if chosen else 0)
        box.blockSignals(False)

    def _open(self, index) -> None:
        person_id = self.model.rows[index.row()].person_id
        if person_id:
            self.open_person.emit(person_id)


# -- today's main window ------------------------------------------------------------------


def fit_to_role(window: QMainWindow) -> AuditPage | None:
    """The Audit log section and its menu items for a manager (or admin), none for anyone
    else: called when the desk opens and whenever someone else signs in at it."""
    page: AuditPage | None = getattr(window, "audit", None)
    allowed = window.desk.can("audit")
    for action in (window.audit_action, window.audit_person_action):
        action.setVisible(allowed)
        action.setEnabled(allowed)
    if allowed and page is None:
        page = AuditPage(window.tasks, window.desk)
        window.add_section(page, TITLE, ICON, after=getattr(window, "review", None))
        page.open_person.connect(window.open_person)
        window.hear(page)
    elif not allowed and page is not None:
        window.remove_section(page)
        page.deleteLater()
        page = None
    window.audit = page
    return page


def show_log(window: QMainWindow, of_current_person: bool = False) -> AuditPage | None:
    """Show the Audit log (Ctrl+5); with ``of_current_person``, the log of the person
    whose page is on show (Ctrl+Shift+5: who has looked at this record)."""
    page: AuditPage | None = getattr(window, "audit", None)
    if page is None:
        return None
    if of_current_person:
        person = window.tabs.currentWidget()
        person_id = getattr(person, "person_id", None)
        if person_id:
            view = getattr(person, "view", None)
            page.show_person(person_id, view.person.display_name if view else "this person")
    window.tabs.setCurrentWidget(page)  # (read as it is shown)
    return page
