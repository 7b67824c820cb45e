"""Today: follow-ups due today and overdue (mine, my hub's, or everyone's), and the
latest conversations."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import desk as desk_service
from lr_desk.ui.forms import combo
from lr_desk.ui.models import RowsModel
from lr_desk.ui.tasks import Tasks

SCOPES = {"mine": "For me", "hub": "For my hub", "mine_or_hub": "For me or my hub",
          "all": "For everyone"}


def table(name: str, model: RowsModel) -> QTableView:
    view = QTableView()
    view.setAccessibleName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class TodayPage(QWidget):
    open_person = Signal(str)
    loaded = Signal()

    def __init__(self, tasks: Tasks, advisor_id: str, site_code: str, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.advisor_id = advisor_id
        self.site_code = site_code
        self.today = date.today

        self.scope = combo("Show follow-ups", SCOPES)
        self.scope.setCurrentIndex(list(SCOPES).index("mine_or_hub"))
        self.scope.currentIndexChanged.connect(self.reload)
        scope_label = QLabel("&Show follow-ups:")
        scope_label.setBuddy(self.scope)
        self.refresh = QPushButton("&Refresh")
        self.refresh.setAccessibleName("Refresh Today")
        self.refresh.clicked.connect(self.reload)

        self.follow_ups = RowsModel([
            ("Due", lambda r: ("OVERDUE " if r.overdue else "") + r.due_date.strftime("%a %d %b") +
             (f" {r.due_time}" if r.due_time else "")),
            ("Person", lambda r: r.person_name),
            ("Way", lambda r: r.way),
            ("With", lambda r: r.assigned_to),
        ], self)
        self.follow_ups.highlight = lambda r: r.overdue
        self.follow_up_table = table("Follow-ups due today and overdue", self.follow_ups)
        self.follow_up_table.activated.connect(
            lambda i: self.open_person.emit(self.follow_ups.rows[i.row()].person_id))
        self.follow_up_label = QLabel("&Follow-ups due")
        self.follow_up_label.setBuddy(self.follow_up_table)

        self.recent = RowsModel([
            ("When", lambda r: r.occurred_at.strftime("%a %d %b %H:%M")),
            ("Person", lambda r: r.person_name),
            ("How", lambda r: r.mode),
            ("Advisor", lambda r: r.advisor),
            ("Needs", lambda r: ", ".join(r.needs)),
        ], self)
        self.recent_table = table("Recent conversations", self.recent)
        self.recent_table.activated.connect(
            lambda i: self.open_person.emit(self.recent.rows[i.row()].person_id))
        recent_label = QLabel("Recent &conversations here")
        recent_label.setBuddy(self.recent_table)

        top = QHBoxLayout()
        top.addWidget(scope_label)
        top.addWidget(self.scope)
        top.addStretch(1)
        top.addWidget(self.refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.follow_up_label)
        layout.addWidget(self.follow_up_table, 2)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent_table, 1)

    def reload(self) -> None:
        scope = self.scope.currentData()
        advisor = self.advisor_id if scope in ("mine", "mine_or_hub") else None
        site = self.site_code if scope in ("hub", "mine_or_hub") else None
        today = self.today()
        recent_site = self.site_code

        def load(s):
            return (desk_service.follow_ups_due(s, today, advisor, site),
                    desk_service.recent_conversations(s, recent_site))

        self.tasks.run(load, self._show)

    def _show(self, result) -> None:
        follow_ups, recent = result
        self.follow_ups.set_rows(follow_ups)
        self.recent.set_rows(recent)
        overdue = sum(1 for r in follow_ups if r.overdue)
        self.follow_up_label.setText(
            f"&Follow-ups due: {len(follow_ups) - overdue} today, {overdue} overdue")
        self.loaded.emit()
