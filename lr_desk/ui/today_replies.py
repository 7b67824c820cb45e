"""Today's "Awaiting reply": referrals sent and not answered by their reply date, for me
or my hub, longest waiting first ("awaiting reply, 16 days"; "chased 3 Dec"), with Chase
(recorded; the reply is then due in a week), Refer elsewhere and Mark not taken up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lr_desk.services import dates
from lr_desk.services.referrals_due import AwaitingRow
from lr_desk.ui import style
from lr_desk.ui.models import RowsModel, table
from lr_desk.ui.person_steps import CHASE_TIP, StepDialog, open_step
from lr_desk.ui.tasks import Tasks
from lr_desk.ui.today_elsewhere import ReferElsewhereDialog

SHOWN = 4  # rows on show before the list scrolls


class RepliesPanel(QWidget):
    """The list and its actions. ``acted`` after anything is recorded from here."""

    open_person = Signal(str)
    acted = Signal()

    def __init__(self, tasks: Tasks, advisor_id: str, today: Callable[[], date],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.advisor_id, self.today = tasks, advisor_id, today
        self.setAccessibleName("Awaiting reply")
        self.model = RowsModel([
            ("Sent", lambda r: dates.day(r.sent_on, self.today())),
            ("Person", lambda r: r.person_name),
            ("Referred to", lambda r: f"{r.partner} ({r.service})"),
            ("Waiting", lambda r: r.waiting(self.today()).removeprefix("awaiting reply, ")),
            ("Chased", lambda r: r.chased(self.today()).removeprefix("chased ")),
            ("Sent by", lambda r: r.advisor),
        ], self, key=lambda r: r.id)
        self.table = table("Referrals awaiting a reply", self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._selection)
        self.label = style.heading(QLabel("A&waiting reply"), "subheading")
        self.label.setBuddy(self.table)
        self.counts = style.note(QLabel())
        self.counts.setAccessibleName("How many referrals await a reply")

        self.chase_button = QPushButton("Ch&ase…")
        self.chase_button.setAccessibleName("Chase the selected referral's partner")
        self.chase_button.setToolTip(f"{CHASE_TIP}.")
        self.chase_button.clicked.connect(self.chase)
        self.elsewhere_button = QPushButton("Refer e&lsewhere…")
        self.elsewhere_button.setAccessibleName("Refer the selected person elsewhere")
        self.elsewhere_button.setToolTip("Choose another service: this referral is closed as "
                                         "not taken up (referred elsewhere) and a new one "
                                         "is sent")
        self.elsewhere_button.clicked.connect(self.refer_elsewhere)
        self.not_taken_button = QPushButton("Mark not ta&ken up…")
        self.not_taken_button.setAccessibleName("Mark the selected referral not taken up")
        self.not_taken_button.setToolTip("Close the referral as not taken up, with a note")
        self.not_taken_button.clicked.connect(self.not_taken_up)
        self.buttons = (self.chase_button, self.elsewhere_button, self.not_taken_button)

        top = QHBoxLayout()
        top.addWidget(self.label)
        top.addWidget(self.counts, 1)
        for button in self.buttons:
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(style.SPACE["s"])
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._fit(0)
        self._selection(self.table.currentIndex(), None)

    def set_rows(self, rows: list[AwaitingRow]) -> None:
        chosen = self.selected()
        self.model.set_rows(rows)
        n = len(rows)
        self.counts.setText("None past their reply date" if not n else
                            "1 referral past its reply date" if n == 1 else
                            f"{n} referrals past their reply date")
        self._fit(len(rows))
        ids = [r.id for r in rows]
        if chosen is not None and chosen.id in ids:  # the same one stays chosen
            self.table.selectRow(ids.index(chosen.id))
        self._selection(self.table.currentIndex(), None)

    def _fit(self, n: int) -> None:
        """As tall as its rows, up to ``SHOWN`` (then it scrolls): the follow-ups above
        keep the room; none at all, and only the count says so."""
        self.table.setVisible(n > 0)
        for button in self.buttons:  # nothing to act on: only the count says so
            button.setVisible(n > 0)
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(header + min(max(n, 1), SHOWN) * row +
                                  2 * self.table.frameWidth() + 2)

    def selected(self) -> AwaitingRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def _selection(self, current, _previous) -> None:
        chosen = current.isValid() and current.row() < len(self.model.rows)
        for button in self.buttons:
            button.setEnabled(chosen)
            button.setAccessibleDescription("" if chosen else
                                            "Choose a referral in the list first")

    def _activated(self, index) -> None:
        if index.isValid() and index.row() < len(self.model.rows):
            self.open_person.emit(self.model.rows[index.row()].person_id)

    def _about(self, row: AwaitingRow) -> str:
        today = self.today()
        text = f"{row.person_name}: {row.partner} ({row.service}), {row.waiting(today)}"
        return f"{text}, {row.chased(today)}" if row.chased_on else text

    def _heard(self, dialog) -> None:
        if not dialog.property("heard"):
            dialog.setProperty("heard", True)
            dialog.saved.connect(lambda _result: self.acted.emit())

    # -- the actions ------------------------------------------------------------------
    def chase(self) -> StepDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = open_step(self, self.tasks, "Chase the partner", "chase", row.id,
                           self.advisor_id, "sent", about=self._about(row))
        self._heard(dialog)
        return dialog

    def not_taken_up(self) -> StepDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = open_step(self, self.tasks, "Mark not taken up", "referral", row.id,
                           self.advisor_id, "sent", about=self._about(row),
                           step="not_taken_up")
        self._heard(dialog)
        return dialog

    def refer_elsewhere(self) -> ReferElsewhereDialog | None:
        row = self.selected()
        if row is None:
            return None
        for open_one in self.findChildren(ReferElsewhereDialog):
            if open_one.row.id == row.id and open_one.isVisible():
                open_one.raise_()
                open_one.activateWindow()
                return open_one
        seconds = getattr(getattr(self.window(), "desk", None), "autosave_seconds", None)
        dialog = ReferElsewhereDialog(self.tasks, row, self.advisor_id, self._about(row),
                                      self, seconds or 5)
        self._heard(dialog)
        dialog.start()
        dialog.activateWindow()
        return dialog
