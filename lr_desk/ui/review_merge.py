"""Merging two records of one person (from Needs review) and undoing it (from the
person's page): the dialogs, and what an action on the database worker comes back with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
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

from lr_desk.services import duplicates, review
from lr_desk.services.duplicates import MergeError, MergeRow
from lr_desk.services.review import ReviewError
from lr_desk.services.twice import DuplicatePair
from lr_desk.store.models import Person
from lr_desk.ui import style
from lr_desk.ui.review_models import describe, escaped

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lr_desk.services.changes import Changed
    from lr_desk.ui.tasks import Tasks

SETTLE_ERRORS = (ReviewError, MergeError)  # the choice can't be made: said in plain words


@dataclass
class Outcome:
    """What an action on the worker came to: a plain message, the people it changed
    (detached, for the search index and open pages), what it wrote, or why it could not
    be done."""

    message: str = ""
    people: list[Person] = field(default_factory=list)
    error: str = ""
    wrote: Changed | None = None


def attempt(action: Callable[[Session], Outcome]) -> Callable[[Session], Outcome]:
    """Run an action on the worker; a choice that can't be made comes back as a message.
    The services check before they write, so nothing is half done when they refuse."""
    def run(session: Session) -> Outcome:
        try:
            outcome = action(session)
        except SETTLE_ERRORS as exc:
            return Outcome(error=str(exc))
        outcome.wrote = review.wrote(session)
        return outcome
    return run


def do_or_cancel(dialog: QDialog, text: str, name: str,
                 do: Callable[[], None]) -> tuple[QDialogButtonBox, QPushButton]:
    """A dialog's two buttons: the one that does it (``do``), and Cancel."""
    buttons = QDialogButtonBox()
    button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    button.setAccessibleName(name)
    style.primary(button)
    button.setDefault(True)
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
        question = style.heading(QLabel("Which record do you want to keep?"), "subheading")
        question.setAccessibleName("Which record to keep")
        self.keep_a = QRadioButton("Keep the &first: " + escaped(describe(pair.a, site_name)))
        self.keep_a.setAccessibleName(f"Keep {describe(pair.a, site_name)}")
        self.keep_b = QRadioButton("Keep the &second: " + escaped(describe(pair.b, site_name)))
        self.keep_b.setAccessibleName(f"Keep {describe(pair.b, site_name)}")
        self.keep_a.setChecked(True)
        why = style.note(QLabel(f"Listed because: {pair.why}."))
        why.setAccessibleName("Why they were listed")
        explain = QLabel(
            "Everything recorded for the other record (conversations, prescriptions, "
            "referrals and follow-ups) moves to the record you keep, and the other "
            "record is no longer listed on its own. The kept record's details stay as "
            "they are. This can be undone from the person's page (Undo merge).")
        explain.setWordWrap(True)
        explain.setAccessibleName("What merging does")
        self.buttons, self.merge_button = do_or_cancel(self, "&Merge", "Merge", self.accept)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["m"])
        for w in (question, self.keep_a, self.keep_b, why, explain, self.buttons):
            layout.addWidget(w)
        self.setMaximumWidth(900)
        self.keep_a.setFocus()

    def chosen(self) -> tuple[str, str]:
        """(the record kept, the record merged into it)."""
        a, b = self.pair.a.id, self.pair.b.id
        return (a, b) if self.keep_a.isChecked() else (b, a)


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
        self.message = style.message(QLabel())
        self.message.setAccessibleName("What happened")
        self.buttons, self.undo_button = do_or_cancel(self, "&Undo merge", "Undo merge",
                                                      self.undo)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["m"])
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
            survivor_id = review.survivor_of_merge(s, merge_id)
            gone = duplicates.undo_merge(s, merge_id)
            return Outcome(f"{gone.display_name} is a record of their own again.",
                           review.people_now(s, gone.id, survivor_id))
        self.tasks.run(attempt(action), self._undone, self._failed)

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


def ask_undo_merge(page: QWidget, merges: list[MergeRow]) -> UndoMergeDialog | None:
    """The person page's "Undo merge…": ask which, undo it, show the page afresh."""
    if not merges:
        return None
    dialog = UndoMergeDialog(page.tasks, merges, page)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def undone(outcome: Outcome) -> None:
        page.people_changed.emit(outcome.people)
        page._changed()  # (the person page's own reload; its part owns it)
    dialog.done.connect(undone)
    dialog.open()
    return dialog
