"""The one read-only table model the desk's lists share (Qt's model/view: the view asks
for what it shows; nothing is copied into widgets row by row)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from lr_desk.ui import style

Column = tuple[str, Callable[[Any], str]]  # header, text of the cell for a row

TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


class RowsModel(QAbstractTableModel):
    """A table over a list of loaded rows. Columns are (header, row -> text); ``key``
    gives a row's id (UserRole); subclasses may answer any role first in ``extra``."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None,
                 key: Callable[[Any], str] | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.key = key
        self.rows: list = []
        self.highlight: Callable[[Any], bool] | None = None  # rows to show in warning red

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def extra(self, row, column: int, role) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and self.highlight and self.highlight(row):
            return QBrush(style.colour("error"))
        return None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        special = self.extra(row, index.column(), role)  # a subclass may say more
        if special is not None:
            return special
        if role in TEXT_ROLES:
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.UserRole and self.key is not None:
            return self.key(row)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return self.columns[section][0]
        return None


def table(name: str, model: QAbstractTableModel) -> QTableView:
    """A read-only list of rows: whole rows chosen one at a time, Tab leaves it."""
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
