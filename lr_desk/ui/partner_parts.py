"""The partner page's tables: referrals by status (in the period and all time), its
contacts, and its catch-ups (the next one first, late ones in the warning colour); each
as tall as its rows, since the page itself scrolls."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from lr_desk.services import dates
from lr_desk.services.catchups import Catchup
from lr_desk.store.models import REFERRAL_STATUSES
from lr_desk.ui import style
from lr_desk.ui.models import RowsModel


class FixedTable(QTableView):
    """A read-only table as tall as its rows (``fit`` after loading), within a page that
    scrolls: no scroll bar of its own. Chosen a whole row at a time, as the desk's lists."""

    def __init__(self, name: str, model: RowsModel, stretch: int = -1):
        super().__init__()
        self.setAccessibleName(name)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch < 0:
            header.setStretchLastSection(True)
        else:  # (the words that need the room: the status's name, a catch-up's notes)
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def fit(self) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.model().rowCount()))
        self.setFixedHeight(self.horizontalHeader().height() + rows + 2 * self.frameWidth()
                            + 2)


class StatusModel(RowsModel):
    """Status | in the period | all time."""

    def __init__(self, parent=None):
        super().__init__([("Status", lambda r: r[0]), ("In the period", lambda r: str(r[1])),
                          ("All time", lambda r: str(r[2]))], parent)

    def set_counts(self, period: dict[str, int], all_time: dict[str, int],
                   since: str) -> None:
        self.columns[1] = (since[:1].upper() + since[1:], self.columns[1][1])
        self.set_rows([(REFERRAL_STATUSES.get(code, code), period.get(code, 0), n)
                       for code, n in all_time.items()])
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)

    def extra(self, row, column: int, role):
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ContactsModel(RowsModel):
    def __init__(self, parent=None):
        super().__init__([("Name", lambda c: c.name + (" (key contact)" if c.is_key else "")),
                          ("Role", lambda c: c.role), ("Phone", lambda c: c.phone),
                          ("Email", lambda c: c.email)], parent)


class CatchupsModel(RowsModel):
    """The next catch-up (planned, or due), then those held, the latest first."""

    def __init__(self, parent=None):
        self.today = date.today()
        super().__init__([("Planned for", self._planned), ("Held", self._held),
                          ("Who was there", lambda c: c.who), ("Notes", lambda c: c.notes),
                          ("Recorded by", lambda c: c.recorded_by)], parent)

    def _planned(self, c: Catchup) -> str:
        return dates.day(c.planned_on, self.today) if c.planned_on else ""

    def _held(self, c: Catchup) -> str:
        if c.held_on is not None:
            return dates.day(c.held_on, self.today)
        late = c.overdue_days(self.today)
        if late:
            return f"Not yet: overdue, {late} day{'s' if late != 1 else ''}"
        return "Not yet"

    def extra(self, row: Catchup, column: int, role):
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue_days(self.today):
            return QBrush(style.colour("warning"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.notes or None
        return None
