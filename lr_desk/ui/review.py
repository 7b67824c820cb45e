"""Needs review: what a sync could not settle alone, for someone at the desk to decide.

Two lists:

- changes to check: a value that lost to a concurrent change on another desk (keep this
  value, or use the other one), and a record edited on one desk while deleted on another
  (restore it, or keep it deleted);
- people who may be registered twice (merge them, or say they are not the same person):
  only pairs with signs of one person (``lr_desk.services.twice``), never a family that
  shares a phone.

The page's count (in its title) is what is waiting for someone to act on; it goes down as
they do, and follows what other desks and other pages change: the page hears every write
and pull (``on_changed``) and brings the lists up to date from what changed (the people
changed are checked again, not the whole desk). Reading the whole desk for pairs (at
first, and after a pull that changed many people) runs on the database worker in steps,
so no save waits long behind it. Every choice is an ordinary synced change.

``ReviewPage`` is the page; ``install_review`` puts it into today's main window.
``ask_undo_merge`` and ``merges_for`` serve the person page's "Undo merge…".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import duplicates, review
from lr_desk.services.duplicates import merges_into as merges_for
from lr_desk.services.review import ReviewItem
from lr_desk.services.twice import DuplicatePair
from lr_desk.ui import style
from lr_desk.ui.models import table
from lr_desk.ui.review_loader import ReviewLoader
from lr_desk.ui.review_merge import MergeDialog, Outcome, UndoMergeDialog, ask_undo_merge, attempt
from lr_desk.ui.review_models import TITLE, ChangesModel, DuplicatesModel, tab_title

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lr_desk.services.changes import Changed
    from lr_desk.services.context import Desk
    from lr_desk.ui.tasks import Tasks

ICON = "triangle-alert"
__all__ = ["TITLE", "ChangesModel", "DuplicatesModel", "MergeDialog", "ReviewPage",
           "UndoMergeDialog", "ask_undo_merge", "install_review", "merges_for", "tab_title"]


class ReviewPage(QWidget):
    """The "Needs review" page. ``refresh()`` reads everything afresh; ``on_changed``
    brings the lists up to date after a write or a pull."""

    open_person = Signal(str)
    people_changed = Signal(object)  # list[Person] an action changed (merged, restored...)
    count_changed = Signal(int)
    loaded = Signal()
    settled = Signal(object)  # the Outcome of an action, once the lists show it

    def __init__(self, tasks: Tasks, desk: Desk, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.desk = desk
        self.count: int | None = None  # until the first load
        self.loader = ReviewLoader(tasks, self)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._load_failed)
        self._outcome_after = 0  # an action's outcome is shown by loads after this one
        self._outcome: Outcome | None = None
        self._working = False
        self.merge_dialog: MergeDialog | None = None
        self.setAccessibleName("Needs review")
        self._build()

    def _build(self) -> None:
        heading = style.heading(QLabel("Needs review"))
        intro = style.note(QLabel("What two desks could not settle alone, and people who "
                                  "may have been registered twice. Enter on a row opens "
                                  "the person."))
        intro.setAccessibleName("Hint")
        self.message = style.message(QLabel(), "success")
        self.message.setAccessibleName("What happened")
        # (a line kept for it, so a message never moves the lists under the keyboard)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() + 4)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh Needs review")
        self.refresh_button.setToolTip("Read everything again (a sync does this itself)")
        self.refresh_button.clicked.connect(self.refresh)

        self.changes = ChangesModel(self)
        self.changes_table = table("Changes to check", self.changes)
        self.changes_table.setWordWrap(True)
        self.changes_table.activated.connect(self._open_change)
        self.changes_label = style.heading(QLabel("&Changes to check"), "subheading")
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
        self.pairs_table.setWordWrap(True)  # (the two records share the width; none cut)
        header = self.pairs_table.horizontalHeader()
        header.setStretchLastSection(False)
        for column, mode in ((0, header.ResizeMode.Stretch), (1, header.ResizeMode.Stretch),
                             (2, header.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.pairs_table.verticalHeader().setSectionResizeMode(
            self.pairs_table.verticalHeader().ResizeMode.ResizeToContents)
        self.pairs_table.activated.connect(self._open_pair)
        self.pairs_label = style.heading(QLabel("People who may be registered t&wice"),
                                         "subheading")
        self.pairs_label.setBuddy(self.pairs_table)
        self.merge_button = button("&Merge…", "Merge these two records",
                                   "Make them one record: choose which to keep",
                                   self.ask_merge)
        self.not_same_button = button("&Not the same person", "Not the same person",
                                      "They are different people: stop listing them",
                                      self.not_same)
        for view in (self.changes_table, self.pairs_table):
            view.selectionModel().currentRowChanged.connect(self._selection)
            view.setMinimumHeight(120)

        top = QHBoxLayout()
        top.addWidget(heading, 1)
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
        layout.setSpacing(style.SPACE["s"])
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.message)
        layout.addWidget(self.changes_label)
        layout.addWidget(self.changes_table, 1)
        layout.addLayout(change_actions)
        layout.addSpacing(style.SPACE["m"])
        layout.addWidget(self.pairs_label)
        layout.addWidget(self.pairs_table, 1)
        layout.addLayout(pair_actions)

    # -- loading ----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.recheck(set())  # the lists as they are now (what changed is heard meanwhile)

    @Slot()
    def refresh(self) -> None:
        """Read both lists afresh, the whole desk for pairs (in steps)."""
        self.loader.refresh()

    def on_changed(self, changed: Changed) -> None:
        """A write or a pull changed records: bring the lists up to date from it."""
        self.loader.on_changed(changed)

    def recheck(self, person_ids: set[str]) -> None:
        """The lists again, with the pairs of these people read afresh."""
        self.loader.recheck(person_ids)

    def _loaded(self, number: int, items: list[ReviewItem],
                pairs: list[DuplicatePair]) -> None:
        self._show(items, pairs, fresh=number > self._outcome_after)

    def _load_failed(self, _exc: BaseException) -> None:
        self._working = False
        self._selection()

    def _show(self, items: list[ReviewItem], pairs: list[DuplicatePair],
              fresh: bool = True) -> None:
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
        value = item is None or item.kind == "value"  # (the buttons that fit it are shown)
        for b in self.change_buttons:
            b.setEnabled(False)
            b.setVisible(value == (b in (self.keep_button, self.other_button)))
        if item is not None and not self._working:
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
        self.tasks.run(attempt(action), self._done, self._failed)

    def _done(self, outcome: Outcome) -> None:
        self.message.setText(outcome.error or outcome.message)
        style.message(self.message, "error" if outcome.error else "success")
        if outcome.people:
            self.people_changed.emit(outcome.people)
        self.loader.own = outcome.wrote
        self._outcome, self._outcome_after = outcome, self.loader.loads
        wrote = outcome.wrote
        self.recheck(set(wrote.ids("person")) if wrote else set())

    def _failed(self, _exc: BaseException) -> bool:
        self._working = False
        self.recheck(set())
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
                           review.people_now(s, item.person_id))
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
            people = review.people_now(s, survivor_id, merged_id)
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


# -- today's main window ------------------------------------------------------------------


def install_review(window: QMainWindow) -> ReviewPage:
    """Put "Needs review" after Directory (Ctrl+4), with its count in its title. The page
    hears what changes through ``tasks.changed`` (the window connects it, as search does
    for what its choices change)."""
    page = ReviewPage(window.tasks, window.desk)
    window.add_section(page, TITLE, ICON, after=window.directory)
    page.count_changed.connect(
        lambda n: window.tabs.setTabText(window.tabs.indexOf(page), tab_title(n)))
    page.open_person.connect(window.open_person)
    # The first count waits for the search index: both read every person, and at once
    # they would hold up the desk's start.
    if window.search.index is not None:
        page.refresh()
    else:
        # once, queued to the page's (UI) thread; Qt drops the connection itself as it
        # fires (a disconnect from Python while the search thread emits again could
        # deadlock)
        window.search.ready.connect(page.refresh, Qt.ConnectionType.SingleShotConnection)
    return page
