"""Needs review: what a sync could not settle alone, for the advisor to decide.

Two lists, loaded on the database worker whenever the page is shown or ``refresh()`` is
called (the sync calls it after a pull):

- changes to check: a value that lost to a concurrent change on another desk (keep this
  value, or use the other one), and a record edited on one desk while deleted on another
  (restore it, or keep it deleted);
- people who may be registered twice (merge them, or say they are not the same person).

Every choice is an ordinary synced change (``lr_desk.services.review`` and
``lr_desk.services.duplicates``). ``install_review`` puts the page into the main window;
``UndoMergeDialog`` is the person page's "Undo merge…".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from lr_desk.services import duplicates, review
from lr_desk.services.duplicates import DuplicatePair, MergeError
from lr_desk.services.review import ReviewError, ReviewItem
from lr_desk.store.clock import local_time
from lr_desk.store.models import Advisor, Person, PersonMerge
from lr_desk.ui.models import RowsModel
from lr_desk.ui.tasks import environment_problem
from lr_desk.ui.today import table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lr_desk.store.db import Store
    from lr_desk.ui.context import Desk
    from lr_desk.ui.main_window import MainWindow
    from lr_desk.ui.person import PersonPage
    from lr_desk.ui.tasks import Tasks

log = logging.getLogger(__name__)

TITLE = "Needs re&view"
SETTLE_ERRORS = (ReviewError, MergeError)  # the choice can't be made: said in plain words


def tab_title(count: int) -> str:
    return f"{TITLE} ({count})" if count else TITLE


def when(stamp: datetime | None) -> str:
    return stamp.strftime("%a %d %b %Y %H:%M") if stamp else "time not known"


def escaped(text: str) -> str:
    """Text for a button or label that has an Alt+letter: a typed '&' is shown, not used."""
    return text.replace("&", "&&")


@dataclass
class Outcome:
    """What an action on the worker came to: a plain message, the people it changed
    (detached, for the search index and open pages), or why it could not be done."""

    message: str = ""
    people: list[Person] = field(default_factory=list)
    error: str = ""


def _attempt(action: Callable[[Session], Outcome]) -> Callable[[Session], Outcome]:
    """Run an action on the worker; a choice that can't be made comes back as a message.
    The services check before they write, so nothing is half done when they refuse."""
    def run(session: Session) -> Outcome:
        try:
            return action(session)
        except SETTLE_ERRORS as exc:
            return Outcome(error=str(exc))
    return run


def _people(session: Session, *ids: str | None) -> list[Person]:
    """The people, read afresh after a change, for the search index (detached later)."""
    session.flush()
    out = []
    for person_id in dict.fromkeys(i for i in ids if i):
        person = session.get(Person, person_id)
        if person is not None:
            session.refresh(person)
            out.append(person)
    return out


# -- the two lists --------------------------------------------------------------------------


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


def load(session: Session, device_id: str) -> tuple[list[ReviewItem], list[DuplicatePair]]:
    return review.open_items(session, device_id), duplicates.possible_duplicates(session)


class Reader(QObject):
    """Reads the lists on a thread and in a session of their own, so that they never hold
    up a save: finding possible duplicates reads every person (seconds on a big desk).
    SQLite's WAL lets it read while the database worker writes; the choices themselves
    are written on the database worker. Callbacks run on the UI thread, in order."""

    _finished = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lr-review")
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, fn: Callable[[Session], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        if self._closed:
            return

        def job():
            try:
                with self.store.Session() as session, self.store.scanning(session):
                    result, exc = fn(session), None  # (it reads every person)
            except Exception as error:  # reported on the UI thread
                if environment_problem(error) is None:
                    log.exception("could not read what needs review")
                result, exc = None, error
            if not self._closed:
                self._finished.emit((on_done, on_error, result, exc))

        self._pool.submit(job)

    def _deliver(self, payload) -> None:
        on_done, on_error, result, exc = payload
        if exc is None:
            on_done(result)
        else:
            on_error(exc)

    def shutdown(self, wait: bool = False) -> None:
        """Nothing more is read or delivered; a read under way is left to finish (and
        waited for with ``wait``: before the store is closed)."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


# -- the page -------------------------------------------------------------------------------


class ReviewPage(QWidget):
    """The "Needs review" tab. ``refresh()`` reloads both lists (off the UI thread); the
    choices are made on the database worker."""

    open_person = Signal(str)
    people_changed = Signal(object)  # list[Person] an action changed (merged, restored...)
    count_changed = Signal(int)
    loaded = Signal()
    settled = Signal(object)  # the Outcome of an action, once the lists are refreshed

    def __init__(self, tasks: Tasks, desk: Desk, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.desk = desk
        self.reader = Reader(tasks.store, self)
        self.count: int | None = None  # until the first load
        self._loading = False  # a load is under way ...
        self._again = False  # ... and another is wanted after it
        self._loads = 0  # loads started
        self._outcome_after = 0  # an action's outcome is shown by loads after this one
        self.merge_dialog: MergeDialog | None = None
        self._working = False
        self._outcome: Outcome | None = None
        self.setAccessibleName("Needs review")

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What happened")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard |
                                             Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh Needs review")
        self.refresh_button.clicked.connect(self.refresh)

        self.changes = ChangesModel(self)
        self.changes_table = table("Changes to check", self.changes)
        self.changes_table.setWordWrap(True)
        self.changes_table.activated.connect(self._open_change)
        self.changes_label = QLabel("&Changes to check")
        self.changes_label.setBuddy(self.changes_table)

        def button(text: str, name: str, tip: str, slot) -> QPushButton:
            b = QPushButton(text)
            b.setAccessibleName(name)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            b.setEnabled(False)
            return b

        self.keep_button = button("&Keep this value", "Keep this value",
                                  "Keep the value the record has now", self.keep_current)
        self.other_button = button("&Use the other value", "Use the other value",
                                   "Put back the value from the other desk", self.use_other)
        self.restore_button = button("Re&store it", "Restore it",
                                     "Bring the deleted record back, with the change",
                                     self.restore)
        self.deleted_button = button("Keep it de&leted", "Keep it deleted",
                                     "Leave the record deleted", self.keep_deleted)
        self.change_buttons = (self.keep_button, self.other_button, self.restore_button,
                               self.deleted_button)

        self.pairs = DuplicatesModel(lambda code: self.desk.lists.site_name(code), self)
        self.pairs_table = table("People who may be registered twice", self.pairs)
        self.pairs_table.activated.connect(self._open_pair)
        self.pairs_label = QLabel("People who may be registered t&wice")
        self.pairs_label.setBuddy(self.pairs_table)
        self.merge_button = button("&Merge…", "Merge these two records",
                                   "Make them one record: choose which to keep",
                                   self.ask_merge)
        self.not_same_button = button("&Not the same person", "Not the same person",
                                      "They are different people: stop listing them",
                                      self.not_same)

        for view in (self.changes_table, self.pairs_table):
            view.selectionModel().currentRowChanged.connect(self._selection)

        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.refresh_button)
        change_actions = QHBoxLayout()
        for b in self.change_buttons:
            change_actions.addWidget(b)
        change_actions.addStretch(1)
        pair_actions = QHBoxLayout()
        pair_actions.addWidget(self.merge_button)
        pair_actions.addWidget(self.not_same_button)
        pair_actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.changes_label)
        layout.addWidget(self.changes_table, 1)
        layout.addLayout(change_actions)
        layout.addWidget(self.pairs_label)
        layout.addWidget(self.pairs_table, 1)
        layout.addLayout(pair_actions)
        hint = QLabel("Enter on a row opens the person.")
        hint.setAccessibleName("Hint")
        layout.addWidget(hint)

    # -- loading ----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()  # another desk may have settled something meanwhile

    @Slot()
    def refresh(self) -> None:
        """Load both lists afresh. Calls during a load make one more load after it."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._loads += 1
        number, device_id = self._loads, self.tasks.store.device_id
        self.reader.run(lambda s: load(s, device_id), lambda r: self._loaded(number, r),
                        self._load_failed)

    def _loaded(self, number: int, result) -> None:
        self._loading = False
        self._show(result, fresh=number > self._outcome_after)
        if self._again:
            self._again = False
            self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = self._again = False
        self._working = False
        self._selection()
        self.tasks.report(exc)  # in the status bar (or, for a bug, a box to tell us)

    def _show(self, result: tuple[list[ReviewItem], list[DuplicatePair]],
              fresh: bool = True) -> None:
        items, pairs = result
        for view, model, rows in ((self.changes_table, self.changes, items),
                                  (self.pairs_table, self.pairs, pairs)):
            row = view.currentIndex().row()
            model.set_rows(rows)
            if rows:  # stay on the same line, so the keyboard carries on from there
                view.setCurrentIndex(model.index(min(max(row, 0), len(rows) - 1), 0))
        n_items, n_pairs = len(items), len(pairs)
        self.changes_label.setText(f"&Changes to check ({n_items})" if n_items else
                                   "&Changes to check (none)")
        self.pairs_label.setText(f"People who may be registered t&wice ({n_pairs})"
                                 if n_pairs else "People who may be registered t&wice (none)")
        settled = fresh and self._outcome is not None  # the lists as the last choice left them
        if settled:
            self._working = False
        self._selection()
        if self.count != n_items + n_pairs:
            self.count = n_items + n_pairs
            self.count_changed.emit(self.count)
        self.loaded.emit()
        if settled:
            outcome, self._outcome = self._outcome, None
            self.settled.emit(outcome)

    def _selection(self, *_args) -> None:
        item = self.selected_item()
        for b in self.change_buttons:
            b.setEnabled(False)
        if item is not None and not self._working:
            value = item.kind == "value"
            self.keep_button.setEnabled(value)
            self.other_button.setEnabled(value)
            self.restore_button.setEnabled(not value)
            self.deleted_button.setEnabled(not value)
        pair = self.selected_pair() is not None and not self._working
        self.merge_button.setEnabled(pair)
        self.not_same_button.setEnabled(pair)

    def selected_item(self) -> ReviewItem | None:
        index = self.changes_table.currentIndex()
        return self.changes.rows[index.row()] if index.isValid() else None

    def selected_pair(self) -> DuplicatePair | None:
        index = self.pairs_table.currentIndex()
        return self.pairs.rows[index.row()] if index.isValid() else None

    def _open_change(self, index) -> None:
        person_id = self.changes.rows[index.row()].person_id
        if person_id:
            self.open_person.emit(person_id)

    def _open_pair(self, index) -> None:
        pair = self.pairs.rows[index.row()]
        self.open_person.emit(pair.b.id if index.column() == 1 else pair.a.id)

    # -- actions ----------------------------------------------------------------------
    def _run(self, action: Callable[[Session], Outcome]) -> None:
        self._working = True
        self._selection()
        self.message.clear()
        self.tasks.run(_attempt(action), self._done, self._failed)

    def _done(self, outcome: Outcome) -> None:
        self.message.setText(outcome.error or outcome.message)
        if outcome.people:
            self.people_changed.emit(outcome.people)
        self._outcome, self._outcome_after = outcome, self._loads
        self.refresh()

    def _failed(self, _exc: BaseException) -> bool:
        self._working = False
        self.refresh()
        return False  # not a choice refused: the desk reports it (status bar, or a bug)

    def keep_current(self) -> None:
        self._settle(lambda s, i: review.keep(s, i.id, "current"), "Kept the value it has now.")

    def use_other(self) -> None:
        self._settle(lambda s, i: review.keep(s, i.id, "other"), "Used the other value.")

    def restore(self) -> None:
        self._settle(lambda s, i: review.settle_deleted(s, i.id, restore=True),
                     "Restored the record.")

    def keep_deleted(self) -> None:
        self._settle(lambda s, i: review.settle_deleted(s, i.id, restore=False),
                     "Kept the record deleted.")

    def _settle(self, how: Callable[[Session, ReviewItem], None], done: str) -> None:
        item = self.selected_item()
        if item is None or self._working:
            return

        def action(s: Session) -> Outcome:
            how(s, item)
            return Outcome(f"{done} ({item.what}: {item.field})",
                           _people(s, item.person_id))
        self._run(action)

    def ask_merge(self) -> MergeDialog | None:
        """Ask which record to keep; the merge runs when the advisor says so."""
        pair = self.selected_pair()
        if pair is None or self._working:
            return None
        dialog = MergeDialog(pair, self.pairs.site_name, self)
        dialog.accepted.connect(lambda: self.merge(*dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def merge(self, survivor_id: str, merged_id: str) -> None:
        advisor = self.desk.advisor_id

        def action(s: Session) -> Outcome:
            duplicates.merge(s, survivor_id, merged_id, advisor)
            people = _people(s, survivor_id, merged_id)
            return Outcome(f"Merged: everything is now with {people[0].display_name}. "
                           "It can be undone from their page (Undo merge).", people)
        self._run(action)

    def not_same(self) -> None:
        pair = self.selected_pair()
        if pair is None or self._working:
            return
        a, b, advisor = pair.a.id, pair.b.id, self.desk.advisor_id
        names = f"{pair.a.display_name} and {pair.b.display_name}"

        def action(s: Session) -> Outcome:
            duplicates.not_duplicates(s, a, b, advisor)
            return Outcome(f"Noted: {names} are different people.")
        self._run(action)


def do_or_cancel(dialog: QDialog, text: str, name: str,
                 do: Callable[[], None]) -> tuple[QDialogButtonBox, QPushButton]:
    """A dialog's two buttons: the one that does it (``do``), and Cancel."""
    buttons = QDialogButtonBox()
    button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    button.setAccessibleName(name)
    buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
    buttons.accepted.connect(do)
    buttons.rejected.connect(dialog.reject)
    return buttons, button


class MergeDialog(QDialog):
    """Which of two records to keep. Everything moves to the kept one; undo is possible."""

    def __init__(self, pair: DuplicatePair, site_name: Callable[[str], str] = str,
                 parent=None):
        super().__init__(parent)
        self.pair = pair
        self.setWindowTitle("Merge two records of one person")
        self.setAccessibleName("Merge two records of one person")
        question = QLabel("Which record do you want to keep?")
        question.setAccessibleName("Which record to keep")
        self.keep_a = QRadioButton("Keep the &first: " + escaped(describe(pair.a, site_name)))
        self.keep_a.setAccessibleName(f"Keep {describe(pair.a, site_name)}")
        self.keep_b = QRadioButton("Keep the &second: " + escaped(describe(pair.b, site_name)))
        self.keep_b.setAccessibleName(f"Keep {describe(pair.b, site_name)}")
        self.keep_a.setChecked(True)
        explain = QLabel(
            "Everything recorded for the other record (conversations, prescriptions, "
            "referrals and follow-ups) moves to the record you keep, and the other "
            "record is no longer listed on its own. The kept record's details stay as "
            "they are. This can be undone from the person's page (Undo merge).")
        explain.setWordWrap(True)
        explain.setAccessibleName("What merging does")
        self.buttons, self.merge_button = do_or_cancel(self, "&Merge", "Merge", self.accept)
        layout = QVBoxLayout(self)
        for w in (question, self.keep_a, self.keep_b, explain, self.buttons):
            layout.addWidget(w)
        self.keep_a.setFocus()

    def chosen(self) -> tuple[str, str]:
        """(the record kept, the record merged into it)."""
        a, b = self.pair.a.id, self.pair.b.id
        return (a, b) if self.keep_a.isChecked() else (b, a)


# -- undoing a merge, from the person's page --------------------------------------------


@dataclass
class MergeRow:
    id: str
    merged_id: str
    merged_name: str
    when: datetime
    by: str

    def text(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return f"{self.merged_name}, merged on {self.when:%d %b %Y %H:%M}{by}"


def merges_for(session: Session, person_id: str) -> list[MergeRow]:
    """The merges into this person (or the person they now show as) that can be undone."""
    names = dict(session.execute(select(Advisor.id, Advisor.name)).all())
    out = []
    for m in duplicates.merges_of(session, duplicates.survivor(session, person_id)):
        merged = session.get(Person, m.merged_id)
        out.append(MergeRow(m.id, m.merged_id, merged.display_name if merged else "",
                            local_time(m.created_at), names.get(m.advisor_id, "")))
    return out


class UndoMergeDialog(QDialog):
    """Undo a merge into this person: the merged record comes back with its records."""

    done = Signal(object)  # the Outcome, once undone

    def __init__(self, tasks: Tasks, merges: list[MergeRow], parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.merges = merges
        self.setWindowTitle("Undo merge")
        self.setAccessibleName("Undo merge")
        self.choice = QComboBox()
        self.choice.setAccessibleName("Merge to undo")
        for m in merges:
            self.choice.addItem(m.text(), m.id)
        choice_label = QLabel("&Which merge:")
        choice_label.setBuddy(self.choice)
        choice_row = QHBoxLayout()
        choice_row.addWidget(choice_label)
        choice_row.addWidget(self.choice, 1)
        explain = QLabel("The merged record comes back on its own, with the records that "
                         "were moved from it. Anything recorded since stays on this page.")
        explain.setWordWrap(True)
        explain.setAccessibleName("What undoing does")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What happened")
        self.buttons, self.undo_button = do_or_cancel(self, "&Undo merge", "Undo merge",
                                                      self.undo)
        layout = QVBoxLayout(self)
        layout.addLayout(choice_row)
        layout.addWidget(explain)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.choice.setFocus()

    def undo(self) -> None:
        merge_id = self.choice.currentData()
        if not merge_id:
            return
        self.undo_button.setEnabled(False)

        def action(s: Session) -> Outcome:
            gone = duplicates.undo_merge(s, merge_id)
            survivor_id = s.get(PersonMerge, merge_id).survivor_id
            return Outcome(f"{gone.display_name} is a record of their own again.",
                           _people(s, gone.id, survivor_id))
        self.tasks.run(_attempt(action), self._undone, self._failed)

    def _undone(self, outcome: Outcome) -> None:
        self.undo_button.setEnabled(True)
        if outcome.error:
            self.message.setText(outcome.error)
            return
        self.done.emit(outcome)
        self.accept()

    def _failed(self, _exc: BaseException) -> bool:
        self.undo_button.setEnabled(True)
        return False


def ask_undo_merge(page: PersonPage, merges: list[MergeRow]) -> UndoMergeDialog | None:
    """The person page's "Undo merge…": ask which, undo it, show the page afresh."""
    if not merges:
        return None
    dialog = UndoMergeDialog(page.tasks, merges, page)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def undone(outcome: Outcome) -> None:
        page.people_changed.emit(outcome.people)
        page._changed()
    dialog.done.connect(undone)
    dialog.open()
    return dialog


# -- the main window's tab --------------------------------------------------------------


def install_review(window: MainWindow) -> ReviewPage:
    """Put "Needs review" after Directory (Ctrl+4), its count in the tab's title; keep
    search and open pages in step with what its choices (and undoing a merge) change."""
    page = ReviewPage(window.tasks, window.desk)
    window.tabs.insertTab(3, page, TITLE)
    window._unclosable(page)
    page.count_changed.connect(
        lambda n: window.tabs.setTabText(window.tabs.indexOf(page), tab_title(n)))
    page.open_person.connect(window.open_person)

    def people_changed(people: list[Person]) -> None:
        for person in people:
            window.search.person_saved(person)
        for i in range(window.tabs.count()):
            other = window.tabs.widget(i)
            if getattr(other, "person_id", None) in {p.id for p in people}:
                other.reload()
        window.today.reload()

    page.people_changed.connect(people_changed)

    def hook(person_page: PersonPage) -> None:
        if not person_page.property("review_hooked"):
            person_page.setProperty("review_hooked", True)
            person_page.people_changed.connect(people_changed)
            person_page.people_changed.connect(page.refresh)

    window.person_opened.connect(hook)
    page._closing = _StopReadingOnClose(window, page.reader)
    # The first count waits for the search index: both read every person, and at once
    # they would hold two copies of the desk's people in memory at the start.
    if window.search.index is not None:
        page.refresh()
    else:
        # once, queued to the page's (UI) thread; Qt drops the connection itself as it
        # fires (a disconnect from Python while the search thread emits again could
        # deadlock)
        window.search.ready.connect(page.refresh, Qt.ConnectionType.SingleShotConnection)
    return page


class _StopReadingOnClose(QObject):
    """Once the window has closed (a close can be refused: unsaved forms), nothing more
    is read, so nothing touches the store after the desk lets go of it."""

    def __init__(self, window: QWidget, reader: Reader):
        super().__init__(window)
        self.window, self.reader = window, reader
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self, lambda: self.window.isVisible() or
                              self.reader.shutdown())
        return False
