"""One search-as-you-type picker over the directory: type a few letters of a course or a
service (or its partner, hub or day), see each match with where and when, and Enter adds
the one highlighted. Up and Down move the highlight without leaving the box; the last
row adds what was typed as the person's own step. Escape clears the box. Enter in an
empty box is left to the form (it saves).

Given the person's eligibility checker (services.eligibility), each service says at once
whether they can be referred there: a short mark ("Not eligible", "Full", "Check") and
its reason start the row's second line; the tooltip has every warning."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import choices
from lr_desk.services.choices import Choice
from lr_desk.services.eligibility import Checker
from lr_desk.store.models import ITEM_KINDS
from lr_desk.ui import style
from lr_desk.ui.fields import clearable

KIND_WORDS = {"course": "Course", "partner_service": "Service", "volunteering": "Volunteering"}
OWN_STEP = "own_step"


class Picker(QWidget):
    """A search box and its matches. ``chosen`` carries a Choice, or for the person's own
    step the text typed (a str)."""

    chosen = Signal(object)

    def __init__(self, rows: int = 6, parent: QWidget | None = None,
                 checker: Checker | None = None):
        super().__init__(parent)
        self.choices: list[Choice] = []
        self.index = choices.Index([])
        self.by_id: dict[str, Choice] = {}
        self.checker = checker
        self.box = QLineEdit()
        self.box.setAccessibleName("Add from the directory")
        self.box.setPlaceholderText("Type a course, a service, a partner or a day…")
        clearable(self.box, "Clear the box")
        self.results = QListWidget()
        self.results.setAccessibleName("Matches in the directory")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the box keeps the keyboard
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setWordWrap(False)  # each line cut short with "…"; the tooltip is whole
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setUniformItemSizes(True)
        line = self.results.fontMetrics().lineSpacing()
        self.results.setFixedHeight(rows * (2 * line + 6) + 6)
        self.results.currentTextChanged.connect(  # what Enter would add, for a screen reader
            lambda text: self.box.setAccessibleDescription(text.replace("\n", ": ")))
        self.results.itemActivated.connect(self._activated)
        self.results.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.box)
        layout.addWidget(self.results)
        self.box.textChanged.connect(self._search)
        self.box.installEventFilter(self)
        self.setFocusProxy(self.box)

    def set_choices(self, found: list[Choice]) -> None:
        self.choices = found
        self.index = choices.Index(found)  # once: each keystroke then bisects its words
        self.by_id = {c.id: c for c in found}
        self._search(self.box.text())

    def set_checker(self, checker: Checker | None) -> None:
        """Check each service shown against this person (None: no checks)."""
        self.checker = checker
        self._search(self.box.text())

    def choice_of(self, service_id: str) -> Choice | None:
        return self.by_id.get(service_id)

    def _search(self, text: str) -> None:
        self.results.clear()
        typed = " ".join(text.split())
        if not typed:
            return
        for choice in self.index.search(typed):
            kind = KIND_WORDS.get(choice.kind, ITEM_KINDS.get(choice.kind, ""))
            example = " (example)" if choice.example else ""
            second, tip = f"{kind} · {choice.line}", f"{choice.title}\n{choice.line}"
            verdict = self.checker.check(choice.id) \
                if self.checker is not None and choice.kind != "course" else None
            if verdict is not None and verdict.mark:
                second = f"{verdict.mark}: {verdict.reason} · {second}"
                tip += "\n" + verdict.words()
            row = QListWidgetItem(f"{choice.title}{example}\n{second}")
            row.setData(Qt.ItemDataRole.UserRole, choice)
            row.setToolTip(tip)
            if verdict is not None and verdict.blocking:  # seen, as well as read
                row.setForeground(style.colour("error"))
            self.results.addItem(row)
        own = QListWidgetItem(f"Their own step: “{typed}”\nSomething they will do themselves")
        own.setData(Qt.ItemDataRole.UserRole, OWN_STEP)
        self.results.addItem(own)
        self.results.setCurrentRow(0)

    def current(self) -> Choice | str | None:
        row = self.results.currentItem()
        if row is None:
            return None
        value = row.data(Qt.ItemDataRole.UserRole)
        return " ".join(self.box.text().split()) if value == OWN_STEP else value

    def _activated(self, row: QListWidgetItem) -> None:
        self.results.setCurrentItem(row)
        self.choose()
        self.box.setFocus()

    def choose(self) -> bool:
        """Add the highlighted match; False when nothing is typed."""
        value = self.current()
        if not value:
            return False
        self.box.clear()
        self.chosen.emit(value)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
                self.results.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.box.text().strip() \
                    and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.choose()
                return True
            if key == Qt.Key.Key_Escape and self.box.text():
                self.box.clear()
                return True
        return super().eventFilter(watched, event)
