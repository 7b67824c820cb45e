"""Catch-ups with partners on the desk: the small form that records one held (the day,
who was there, notes), and the "Catch-ups overdue" list on a manager's Today (which
services decide from who is signed in: advisors never see it), each row opening the
partner's page."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import catchups, dates
from lr_desk.services.catchups import Catchup, Overdue
from lr_desk.services.changes import Changed
from lr_desk.ui import style
from lr_desk.ui.forms import EditorDialog, Fields, line_edit, text_edit
from lr_desk.ui.tasks import Tasks

PARTNER = Qt.ItemDataRole.UserRole + 1
ROWS_SHOWN = 4  # the most rows the list is tall enough for
# what a change must touch for the overdue list to be worked out again
ENTITIES = ("partner", "partner_catchup", "advisor")


class CatchupDialog(EditorDialog):
    """Record a catch-up held with a partner: the one planned (``catchup_id``), or one
    not planned (None); or put right one recorded before (``held``). Enter saves; like
    every form it keeps a draft meanwhile."""

    def __init__(self, tasks: Tasks, partner_id: str, partner_name: str,
                 catchup_id: str | None, planned_on: date | None, advisor_id: str,
                 today: date | None = None, autosave_seconds: int = 5, parent=None,
                 held: Catchup | None = None):
        if held is not None:
            catchup_id, planned_on = held.id, held.planned_on
        super().__init__(tasks, f"catch-up:{held.id if held else partner_id}",
                         "Put right a catch-up" if held else "Record a catch-up",
                         autosave_seconds, parent)
        self.partner_id, self.catchup_id, self.advisor_id = partner_id, catchup_id, advisor_id
        self.today = today or date.today()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.f = Fields(self.mark_dirty)
        heading = style.heading(QLabel(f"Catch-up with {partner_name}"), "subheading")
        heading.setWordWrap(True)
        if planned_on is None:
            when = "None was planned."
        elif planned_on < self.today:
            when = (f"Planned for {dates.day(planned_on, self.today)} "
                    f"({dates.days_ago(planned_on, self.today)}).")
        else:
            when = f"Planned for {dates.day(planned_on, self.today)}."
        if held is not None:
            when += f" Recorded by {held.recorded_by or 'someone'}: put right what was wrong."
        planned = style.note(QLabel(when + " Saving plans the next one."))
        planned.setAccessibleName("When it was planned")
        form = QFormLayout()
        self.f.add(form, "held_on", "&Day held", line_edit("Day held", "dd/mm/yyyy"))
        self.f.add(form, "who", "&Who was there",
                   line_edit("Who was there", "Names, and which organisation"))
        self.f.add(form, "notes", "&Notes", text_edit("Notes", "What was agreed, what next"))
        self.f.load({"held_on": (held.held_on if held and held.held_on else self.today)
                     .strftime("%d/%m/%Y"), "who": held.who if held else "",
                     "notes": held.notes if held else ""})
        self.f.touched.clear()  # the day filled in is not the user's typing
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(planned)
        layout.addWidget(self.banner)
        layout.addLayout(form, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.ready()
        self.f.widgets["who"].setFocus()

    def validate(self, payload: dict) -> None:
        catchups.validate_held(payload, self.today)

    def submit(self, payload: dict) -> None:
        cid, pid, adv, today = self.catchup_id, self.partner_id, self.advisor_id, self.today

        def record(s):
            return catchups.record_held(s, cid, pid, payload["held_on"], payload["who"],
                                        payload["notes"], adv, today=today)

        self.tasks.run(record, self.saved_ok, self.save_failed)


class OverdueCatchups(QWidget):
    """Catch-ups overdue, on Today, for managers and admins (hidden when there are none,
    or for anyone else). ``open_partner`` (a partner's id) on Enter, double-click or
    Open partner page."""

    open_partner = Signal(str)
    loaded = Signal()

    def __init__(self, tasks: Tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.rows: list[Overdue] = []
        self._asked: tuple[str, date] | None = None
        self.setAccessibleName("Catch-ups overdue")
        self.list = QListWidget()
        self.list.setAccessibleName("Partners whose catch-up is overdue")
        self.list.itemActivated.connect(self._open)
        self.list.currentRowChanged.connect(lambda row: self.open_button.setEnabled(row >= 0))
        self.label = style.heading(QLabel("Catch-ups overd&ue"), "subheading")
        self.label.setBuddy(self.list)
        self.count = style.note(QLabel())
        self.count.setAccessibleName("How many catch-ups are overdue")
        self.open_button = QPushButton("Open partner pag&e")
        self.open_button.setAccessibleName("Open the partner's page")
        self.open_button.setToolTip("Choose a partner in the list first (Enter opens it too)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open(self.list.currentItem()))
        top = QHBoxLayout()
        top.addWidget(self.label)
        top.addWidget(self.count, 1)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(style.SPACE["xs"])
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.setVisible(False)

    def reload(self, advisor_id: str, today: date) -> None:
        """Work out again whose catch-ups are overdue, if the one signed in manages."""
        self._asked = (advisor_id, today)
        self.tasks.run(lambda s: catchups.overdue_for(s, advisor_id, today), self._show)

    def on_changed(self, changed: Changed) -> None:
        if self._asked is not None and changed.touches(*ENTITIES):
            self.reload(*self._asked)

    def _show(self, rows: list[Overdue] | None) -> None:
        today = self._asked[1] if self._asked else date.today()
        self.rows = rows or []
        self.list.clear()
        for o in self.rows:
            text = f"{o.partner_name}: {o.words} (planned for {dates.day(o.planned_on, today)})"
            item = QListWidgetItem(text)
            item.setData(PARTNER, o.partner_id)
            item.setToolTip(text)
            item.setSizeHint(QSize(0, style.TARGET - 4))
            self.list.addItem(item)
        n = len(self.rows)
        shown = min(max(n, 1), ROWS_SHOWN)  # as tall as its rows, up to a few (then scrolls)
        self.list.setFixedHeight(shown * (style.TARGET - 4) + 2 * self.list.frameWidth() + 4)
        self.count.setText(f"{n} partner{'s' if n != 1 else ''}; Enter opens one's page")
        self.open_button.setEnabled(False)
        self.setVisible(bool(self.rows))
        self.loaded.emit()

    def _open(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_partner.emit(item.data(PARTNER))
