"""Today: the follow-ups due today first, then the overdue ones grouped by how late they
are (each group counted), for me, my hub or everyone; Follow-up done from here; the
referrals awaiting a partner's reply past their date (ui/today_replies.py), with Chase,
Refer elsewhere and Mark not taken up; and the latest conversations at this hub. Dates
carry their year when it is not this year."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import dates, followups, referrals_due
from lr_desk.services import desk as desk_service
from lr_desk.services.changes import Changed
from lr_desk.services.followups import FollowUpRow
from lr_desk.ui import style
from lr_desk.ui.catchups import OverdueCatchups
from lr_desk.ui.forms import combo
from lr_desk.ui.models import RowsModel, table
from lr_desk.ui.person_steps import StepDialog, open_step
from lr_desk.ui.tasks import Tasks
from lr_desk.ui.today_replies import RepliesPanel

__all__ = ["SCOPES", "FollowUpTree", "RowsModel", "TodayPage", "table"]

SCOPES = {"mine": "For me", "hub": "For my hub", "mine_or_hub": "For me or my hub",
          "all": "For everyone"}
# what Today shows, by the entity a change names
ENTITIES = frozenset({"follow_up", "conversation", "conversation_need", "person",
                      "person_merge", "erasure", "advisor", "referral", "referral_event"})
ROW = Qt.ItemDataRole.UserRole + 1  # a follow-up's row (FollowUpRow) on its items
COLUMNS = ("Due", "Person", "Way", "With", "How late")


class FollowUpTree(QStandardItemModel):
    """Follow-ups in groups (today's, then the overdue ones): a group's row says what it
    is and how many; its children are the follow-ups. ``rows``: every follow-up shown,
    in order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.rows: list[FollowUpRow] = []
        self.groups: list[tuple[str, list[FollowUpRow]]] = []

    def set_groups(self, groups: list[tuple[str, list[FollowUpRow]]], today: date) -> None:
        self.removeRows(0, self.rowCount())
        self.groups = groups
        self.rows = [r for _, rows in groups for r in rows]
        bold = QFont()
        bold.setBold(True)
        for name, rows in groups:
            title = f"{name} ({len(rows)})" if rows or name != followups.DUE_TODAY else \
                f"{name}: nothing due"
            group = QStandardItem(title)
            group.setFont(bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setAccessibleText(title)
            blanks = [QStandardItem("") for _ in COLUMNS[1:]]
            for blank in blanks:
                blank.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for r in rows:
                cells = [QStandardItem(text) for text in _cells(r, today)]
                for cell in cells:
                    cell.setData(r, ROW)
                    cell.setEditable(False)
                    cell.setAccessibleText(cell.text())
                    cell.setToolTip(f"{cells[0].text()}: {r.person_name} ({r.way}, with "
                                    f"{r.assigned_to})")
                    if r.overdue:
                        cell.setForeground(style.colour("warning"))
                group.appendRow(cells)
            self.appendRow([group, *blanks])

    def row_at(self, index) -> FollowUpRow | None:
        return index.data(ROW) if index.isValid() else None


class _Roomy(QStyledItemDelegate):
    """Rows as tall as a generous target, as the desk's tables have them."""

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        return size.expandedTo(QSize(0, style.TARGET - 4))


def _cells(r: FollowUpRow, today: date) -> list[str]:
    if r.overdue:
        due = dates.day(r.due_date, today) + (f" {r.due_time}" if r.due_time else "")
        late = dates.days_ago(r.due_date, today)
    else:
        due, late = (r.due_time or "Any time"), ""
    return [due, r.person_name, r.way, r.assigned_to, late]


class TodayPage(QWidget):
    open_person = Signal(str)
    loaded = Signal()

    def __init__(self, tasks: Tasks, advisor_id: str, site_code: str, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.advisor_id = advisor_id
        self.site_code = site_code
        self.today = date.today
        self._stale = False
        self.setAccessibleName("Today")

        self.heading = style.heading(QLabel("Today"))
        self.scope = combo("Show follow-ups and replies awaited", SCOPES)
        self.scope.setCurrentIndex(list(SCOPES).index("mine_or_hub"))
        self.scope.currentIndexChanged.connect(self.reload)
        scope_label = QLabel("&Show what is due:")
        scope_label.setBuddy(self.scope)
        self.refresh = QPushButton("&Refresh")
        self.refresh.setAccessibleName("Refresh Today")
        self.refresh.clicked.connect(self.reload)

        self.follow_ups = FollowUpTree(self)
        self.follow_up_table = tree = QTreeView()
        tree.setAccessibleName("Follow-ups due today and overdue")
        tree.setModel(self.follow_ups)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setUniformRowHeights(True)
        tree.setItemDelegate(_Roomy(tree))
        tree.setAllColumnsShowFocus(True)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        tree.header().setStretchLastSection(True)
        tree.activated.connect(self._activated)
        tree.selectionModel().currentRowChanged.connect(self._selection)
        self.follow_up_label = style.heading(QLabel("&Follow-ups"), "subheading")
        self.follow_up_label.setBuddy(tree)
        self.counts = style.note(QLabel())
        self.counts.setAccessibleName("How many follow-ups")

        self.done_button = style.primary(QPushButton("Follow-up do&ne…"))
        self.done_button.setAccessibleName("Mark the selected follow-up done")
        self.done_button.setToolTip("Record what happened (Enter on a follow-up opens "
                                    "the person)")
        self.done_button.setEnabled(False)
        self.done_button.clicked.connect(self.complete_follow_up)
        self.open_button = QPushButton("&Open person")
        self.open_button.setAccessibleName("Open the selected follow-up's person")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._activated(tree.currentIndex()))

        self.replies = RepliesPanel(tasks, advisor_id, lambda: self.today(), self)
        self.replies.open_person.connect(self.open_person)

        self.recent = RowsModel([
            ("When", lambda r: dates.day_time(r.occurred_at, self.today())),
            ("Person", lambda r: r.person_name),
            ("How", lambda r: r.mode),
            ("Advisor", lambda r: r.advisor),
            ("Needs", lambda r: ", ".join(r.needs)),
        ], self)
        self.recent_table = table("Recent conversations", self.recent)
        self.recent_table.verticalHeader().setVisible(False)
        self.recent_table.activated.connect(
            lambda i: self.open_person.emit(self.recent.rows[i.row()].person_id))
        recent_label = style.heading(QLabel("Recent &conversations here"), "subheading")
        recent_label.setBuddy(self.recent_table)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(scope_label)
        top.addWidget(self.scope)
        top.addWidget(self.refresh)
        counted = QHBoxLayout()
        counted.addWidget(self.follow_up_label)
        counted.addWidget(self.counts, 1)
        counted.addWidget(self.open_button)
        counted.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["s"])
        layout.addLayout(top)
        layout.addLayout(counted)
        layout.addWidget(tree, 3)
        layout.addWidget(self.replies)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent_table, 2)
        self.catchups = OverdueCatchups(tasks, self)  # a manager's (services.catchups)
        layout.addWidget(self.catchups)

    # -- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        self._stale = False
        scope = self.scope.currentData()
        advisor = self.advisor_id if scope in ("mine", "mine_or_hub") else None
        site = self.site_code if scope in ("hub", "mine_or_hub") else None
        today = self.today()
        recent_site = self.site_code

        def load(s):
            return (today, desk_service.follow_ups_due(s, today, advisor, site),
                    desk_service.recent_conversations(s, recent_site),
                    referrals_due.awaiting_reply(s, today, advisor, site))

        self.replies.advisor_id = self.advisor_id  # (who is at the desk may change)
        self.tasks.run(load, self._show)
        self.catchups.reload(self.advisor_id, today)

    def on_changed(self, changed: Changed) -> None:
        """A save or a sync changed what Today shows: work it out afresh (now, if on
        screen; else when next shown)."""
        self.catchups.on_changed(changed)  # (partners' catch-ups: its own entities)
        if not changed.touches(*ENTITIES):
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _show(self, result) -> None:
        today, due, recent, awaiting = result
        groups = followups.grouped(due, today)
        self.heading.setText(f"Today, {dates.long_day(today)}")
        self.follow_ups.set_groups(groups, today)
        self.follow_up_table.expandAll()
        for row in range(self.follow_ups.rowCount()):  # a group's title spans the row
            self.follow_up_table.setFirstColumnSpanned(row, QModelIndex(), True)
        self.recent.set_rows(recent)
        self.replies.set_rows(awaiting)
        today_count = len(groups[0][1])
        overdue = [(name, len(rows)) for name, rows in groups[1:]]
        total = sum(n for _, n in overdue)
        text = f"{today_count} due today, {total} overdue"
        if overdue:
            text += " (" + ", ".join(f"{n} {name.lower()}" for name, n in overdue) + ")"
        self.counts.setText(text)
        self._selection(self.follow_up_table.currentIndex(), None)
        self.loaded.emit()

    # -- acting on a follow-up ---------------------------------------------------------
    def _selection(self, current, _previous) -> None:
        row = self.follow_ups.row_at(current)
        self.done_button.setEnabled(row is not None)
        self.open_button.setEnabled(row is not None)

    def _activated(self, index) -> None:
        row = self.follow_ups.row_at(index)
        if row is not None:
            self.open_person.emit(row.person_id)

    def selected(self) -> FollowUpRow | None:
        return self.follow_ups.row_at(self.follow_up_table.currentIndex())

    def complete_follow_up(self) -> StepDialog | None:
        """Follow-up done for the chosen follow-up: what happened, plus words."""
        row = self.selected()
        if row is None:
            return None
        today = self.today()
        due = "today" if row.due_date == today else dates.day(row.due_date, today)
        dialog = open_step(self, self.tasks, "Follow-up done", "follow_up", row.id,
                           self.advisor_id, about=f"{row.person_name}: {row.way.lower()}, "
                                                  f"due {due}")
        if not dialog.property("heard"):
            dialog.setProperty("heard", True)
            dialog.saved.connect(lambda _result: self.reload())
        return dialog
