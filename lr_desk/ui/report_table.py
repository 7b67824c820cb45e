"""A report's table on screen: a model over its rows and its total (the real numbers:
small numbers are suppressed only in files), counts and figures right-aligned, shares as
"56.0%", nothing known as "-", the total row in bold."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from lr_desk.services.reports.core import COUNT, LABEL, NUMBER, PERCENT, Column, Table
from lr_desk.ui import style

NOTHING = "-"
MOST_ROWS = 14  # rows on show before the table scrolls inside itself
MOST_WIDTH = 900  # a wider table scrolls across inside itself
CELL_PADDING, ROW_PADDING = 18, 12  # around a cell's words (pixels)
TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


def cell(column: Column, value) -> str:
    """A value as the screen shows it in ``column``."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if column.kind == PERCENT and isinstance(value, int | float):
        return f"{value:.1f}%"
    if column.kind in (COUNT, NUMBER) and isinstance(value, int):
        return f"{value:,}"
    if column.kind == NUMBER and isinstance(value, float):
        return f"{value:,.1f}" if round(value, 1) == value else f"{value:,.2f}"
    return str(value)


class ReportTableModel(QAbstractTableModel):
    """One ``Table`` of a report: its rows, then its total row (if it has one)."""

    def __init__(self, table: Table, parent=None):
        super().__init__(parent)
        self.table = table
        self.rows = [*table.rows, *([table.total] if table.total is not None else [])]
        # (worked out once: a view asks for each cell many times while it lays out)
        self.texts = [[cell(c, row.get(c.key)) for c in table.columns] for row in self.rows]
        self.sides = [int((Qt.AlignmentFlag.AlignLeft if c.kind == LABEL
                           else Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter)
                      for c in table.columns]
        self.bold = style.font("body", bold=True)

    def is_total(self, row: int) -> bool:
        return self.table.total is not None and row == len(self.rows) - 1

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role in TEXT_ROLES:
            return self.texts[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.sides[index.column()]
        if role == Qt.ItemDataRole.FontRole and self.is_total(index.row()):
            return self.bold
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role not in TEXT_ROLES:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.table.columns):
            return self.table.columns[section].title
        return None


def header_width(view: QTableView, column: int) -> int:
    return view.horizontalHeader().sectionSizeFromContents(column).width()


class ReportTable(QTableView):
    """A report's table, as tall as its rows (up to ``MOST_ROWS``: then it scrolls)."""

    def __init__(self, table: Table, parent=None):
        super().__init__(parent)
        self.setAccessibleName(table.title)
        self.model_ = ReportTableModel(table, self)
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.ensurePolished()
        # sized from the words themselves (asking the view to size to its contents has it
        # ask every cell many times over: slow for a report of many tables)
        plain, bold = QFontMetrics(self.font()), QFontMetrics(self.model_.bold)
        rows = self.model_.rowCount()
        row_height = max(plain.height(), bold.height()) + ROW_PADDING
        rows_header = self.verticalHeader()
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows_header.setDefaultSectionSize(row_height)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        total = rows - 1 if table.total is not None else -1
        width = 0
        for c in range(self.model_.columnCount()):
            words = max([(bold if r == total else plain).horizontalAdvance(t[c])
                         for r, t in enumerate(self.model_.texts)] or [0])
            self.setColumnWidth(c, max(words + CELL_PADDING, header_width(self, c)))
            width += self.columnWidth(c)
        shown = min(rows, MOST_ROWS)
        height = header.sizeHint().height() + shown * row_height + 2 * self.frameWidth() + 4
        self.setFixedHeight(height)
        bar = self.verticalScrollBar().sizeHint().width() if rows > MOST_ROWS else 0
        self.setFixedWidth(min(width + 2 * self.frameWidth() + bar + 4, MOST_WIDTH))

    def text(self, row: int, column: int) -> str:
        return self.model_.index(row, column).data() or ""
