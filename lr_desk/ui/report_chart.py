"""A report's chart on screen (QtCharts): a bar per row of its table, across ("bar") or
upright ("column"), or a line through the months ("line"); a series per value column,
in the house's colours, each bar labelled with its number. The chart's numbers are
also in its accessible description (and in the table beside it)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPen

from lr_desk.services.reports.core import Chart, Table
from lr_desk.ui import style
from lr_desk.ui.accessible import chart_role
from lr_desk.ui.partner_chart import scale
from lr_desk.ui.report_table import cell

chart_role()  # a chart is said to be one, to a screen reader

COLOURS = ("primary", "success", "warning", "note", "error", "text")  # series in turn
BAR_HEIGHT = 26  # per row of an across chart
UPRIGHT_HEIGHT = 300
MOST_LABEL = 36  # characters of a category's name before it is cut with "…"


def number(value) -> float:
    """A value as a bar's length (a share, a count, a mean; nothing known: 0)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else 0.0


def short(label: str) -> str:
    return label if len(label) <= MOST_LABEL else label[:MOST_LABEL - 1].rstrip() + "…"


def describe(chart: Chart, table: Table) -> str:
    """The chart in words: each row's values."""
    columns = [table.column(k) for k in chart.values]
    rows = "; ".join(
        f"{row.get(chart.label)}: " + ", ".join(
            f"{c.title} {cell(c, row.get(c.key))}" for c in columns)
        for row in table.rows)
    return f"{chart.title}. {rows}."


class ReportChart(QChartView):
    """One ``Chart`` of a report, drawn from its ``Table``."""

    def __init__(self, chart: Chart, table: Table, parent=None):
        super().__init__(parent)
        self.spec, self.table = chart, table
        self.setAccessibleName(f"Chart: {chart.title}")
        self.setAccessibleDescription(describe(chart, table))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # (screen readers read its words)
        self.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (the chart is the stop)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.labels = [str(r.get(chart.label, "")) for r in table.rows]
        q = QChart()
        q.setBackgroundRoundness(0)
        q.setMargins(q.margins() * 0)
        q.setTitle(chart.title)
        q.setTitleFont(style.font("body", bold=True))
        q.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        q.legend().setFont(style.font("small"))
        q.legend().setVisible(len(chart.values) > 1)
        self.setChart(q)
        top = max([number(r.get(k)) for r in table.rows for k in chart.values] or [0])
        if chart.kind == "line":
            self.series = self._lines(q)
        else:
            self.series = self._bars(q, across=chart.kind == "bar")
        self._axes(q, top, across=chart.kind == "bar")
        rows = max(len(self.labels), 1)
        per_row = BAR_HEIGHT + 12 * (len(chart.values) - 1)  # (each series a bar)
        self.setMinimumHeight(rows * per_row + 110 if chart.kind == "bar" else UPRIGHT_HEIGHT)
        self.setMinimumWidth(420)

    def _title(self, key: str) -> str:
        return self.table.column(key).title

    def _bars(self, q: QChart, across: bool) -> QAbstractBarSeries:
        series = QHorizontalBarSeries() if across else QBarSeries()
        for i, key in enumerate(self.spec.values):
            bars = QBarSet(self._title(key))
            bars.setColor(style.colour(COLOURS[i % len(COLOURS)]))
            bars.setLabelColor(style.colour("text"))
            bars.setLabelFont(style.font("small"))
            values = [number(r.get(key)) for r in self.table.rows]
            bars.append(list(reversed(values)) if across else values)  # (first row on top)
            series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsPrecision(6)
        q.addSeries(series)
        return series

    def _lines(self, q: QChart) -> list[QLineSeries]:
        lines = []
        for i, key in enumerate(self.spec.values):
            line = QLineSeries()
            line.setName(self._title(key))
            pen = QPen(style.colour(COLOURS[i % len(COLOURS)]))
            pen.setWidth(3)
            line.setPen(pen)
            line.setPointsVisible(True)
            for x, row in enumerate(self.table.rows):
                line.append(x, number(row.get(key)))
            q.addSeries(line)
            lines.append(line)
        return lines

    def _axes(self, q: QChart, top: float, across: bool) -> None:
        names = QBarCategoryAxis()
        shown = [short(label) for label in self.labels]
        names.append(list(reversed(shown)) if across else shown)
        names.setLabelsFont(style.font("small"))
        values = QValueAxis()
        end, ticks = scale(max(top * 1.12, 1))  # (room for the bars' numbers)
        values.setRange(0, end)
        values.setTickCount(ticks)
        values.setLabelFormat("%d" if float(end).is_integer() else "%.1f")
        values.setLabelsFont(style.font("small"))
        if across:
            q.addAxis(names, Qt.AlignmentFlag.AlignLeft)
            q.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        else:
            q.addAxis(names, Qt.AlignmentFlag.AlignBottom)
            q.addAxis(values, Qt.AlignmentFlag.AlignLeft)
            if len(self.labels) > 6:
                names.setLabelsAngle(-45)  # (whole, sloping, rather than cut short)
                names.setTruncateLabels(False)
        for series in q.series():
            series.attachAxis(names)
            series.attachAxis(values)

    # -- what is drawn (for tests and the picture) --------------------------------------
    def categories(self) -> list[str]:
        """The names along the chart, first row first."""
        axis = next(a for a in self.chart().axes() if isinstance(a, QBarCategoryAxis))
        names = axis.categories()
        return list(reversed(names)) if self.spec.kind == "bar" else list(names)

    def values(self, series: int = 0) -> list[float]:
        """The numbers drawn for value column ``series``, first row first."""
        if self.spec.kind == "line":
            return [p.y() for p in self.series[series].points()]
        bars = self.series.barSets()[series]
        got = [bars.at(i) for i in range(bars.count())]
        return list(reversed(got)) if self.spec.kind == "bar" else got
