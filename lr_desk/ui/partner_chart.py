"""The partner page's chart of load over time: referrals sent each month (bars) against
what the service, or all its services, can take in a month (a line), with the same
numbers in a small table beside it for anyone who cannot see the chart (and in the
chart's accessible description), months over capacity marked in words as well as colour.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QPainter, QPen, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from lr_desk.services import dates
from lr_desk.ui import style
from lr_desk.ui.accessible import chart_role

chart_role()  # a chart is said to be one, to a screen reader

SENT, CAN_TAKE = "Sent", "Can take"
HEIGHT = 240  # the chart's height: a glance, with the table of its numbers below


def scale(top: float) -> tuple[int, int]:
    """A value axis of whole numbers above ``top``: (its end, how many ticks), each tick
    on a round number (1, 2, 5, 10, 20, 50...)."""
    step = 1
    while top / step > 6:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if top / step <= 6:
                break
    end = step * (int(top // step) + 1)
    return end, end // step + 1


def month_label(first: date, today: date) -> str:
    """'Mar' this year, 'Mar 2025' another (dates carry their year when not this one)."""
    name = dates.MONTHS[first.month - 1]
    return name if first.year == today.year else f"{name} {first.year}"


def amount(value: float | None) -> str:
    """A capacity a month: '10', '13' (rounded), '' when not said."""
    return "" if value is None else f"{value:.0f}"


class LoadChart(QChartView):
    """Bars: referrals sent month by month; line: what can be taken in a month."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Chart of referrals sent each month against capacity")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFixedHeight(HEIGHT)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # (screen readers read its words)
        self.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (the chart is the stop)
        chart = QChart()
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.legend().setFont(style.font("small"))
        chart.setMargins(chart.margins() * 0)
        self.setChart(chart)

    def show_load(self, months: list[str], sent: list[int], capacity: float | None,
                  what: str) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet(f"{SENT} to {what}")
        bars.setColor(style.colour("primary"))
        bars.append([float(n) for n in sent])
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(months)
        x.setLabelsFont(style.font("small"))
        y = QValueAxis()
        end, ticks = scale(max([*sent, capacity or 0, 1]))
        y.setRange(0, end)
        y.setLabelFormat("%d")
        y.setTickCount(ticks)
        y.setLabelsFont(style.font("small"))
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        if capacity is not None:
            line = QLineSeries()
            line.setName(f"{CAN_TAKE} a month ({amount(capacity)})")
            pen = QPen(style.colour("warning"))
            pen.setWidth(3)
            pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            for i in range(len(months)):
                line.append(i, capacity)
            chart.addSeries(line)
            line.attachAxis(x)
            line.attachAxis(y)
        self.setAccessibleDescription(describe(months, sent, capacity, what))


def describe(months: list[str], sent: list[int], capacity: float | None, what: str) -> str:
    """The chart in words: each month's number, and what can be taken."""
    each = "; ".join(f"{m} {n}" + (" (over)" if capacity is not None and n > capacity
                                   else "") for m, n in zip(months, sent, strict=True))
    can = (f"It can take {amount(capacity)} a month." if capacity is not None else
           "How many it can take a month is not known.")
    return f"Referrals sent to {what}, month by month: {each}. {can}"


class LoadTable(QTableView):
    """The chart's numbers: a row of months, the number sent and what can be taken."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Referrals sent each month, as a table")
        self.model_ = QStandardItemModel(self)
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setTabKeyNavigation(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def show_load(self, months: list[str], sent: list[int], capacity: float | None) -> None:
        m = self.model_
        m.clear()
        m.setHorizontalHeaderLabels(months)
        m.setVerticalHeaderLabels([SENT, CAN_TAKE])
        for column, n in enumerate(sent):
            over = capacity is not None and n > capacity
            cell = QStandardItem(f"{n} (over)" if over else str(n))
            cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if over:
                cell.setForeground(QBrush(style.colour("warning")))
                cell.setFont(style.font("body", bold=True))
            m.setItem(0, column, cell)
            can = QStandardItem(amount(capacity) or "not said")
            can.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            m.setItem(1, column, can)
        self.resizeRowsToContents()
        height = self.horizontalHeader().height() + sum(
            self.rowHeight(r) for r in range(m.rowCount())) + 2 * self.frameWidth()
        self.setFixedHeight(height)

    def cell(self, row: int, column: int) -> str:
        return self.model_.index(row, column, QModelIndex()).data() or ""
