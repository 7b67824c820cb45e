"""A counted report on the Reports page: its title, period and sites, each table with
its chart beside it, and the notes (what is counted, and how), scrolling inside the
page so the page's buttons stay on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from lr_desk.services import dates
from lr_desk.services.reports.core import Period, Report
from lr_desk.ui import style
from lr_desk.ui.report_chart import ReportChart
from lr_desk.ui.report_table import ReportTable


def period_words(period: Period) -> str:
    """'1 Sep 2019 to 29 Feb 2020' (dates with their year, always: a report outlives
    the day it was counted on)."""
    first = f"{period.start.day} {dates.MONTHS[period.start.month - 1]} {period.start.year}"
    last = f"{period.end.day} {dates.MONTHS[period.end.month - 1]} {period.end.year}"
    return first if period.start == period.end else f"{first} to {last}"


BESIDE = 600  # a table up to this wide has its chart beside it


class ReportView(QScrollArea):
    """What was counted, or a few words in its place (before anything is shown)."""

    EMPTY = ("Choose a report, the period and the sites, then Show (or press Enter). "
             "Reports count every record at the chosen sites, a merged person once.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("The report")
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.report: Report | None = None
        self.tables: list[ReportTable] = []
        self.charts: list[ReportChart] = []
        self.clear()

    def clear(self, words: str = EMPTY) -> None:
        self.report, self.tables, self.charts = None, [], []
        body = QWidget()
        column = QVBoxLayout(body)
        label = style.note(QLabel(words))
        label.setAccessibleName("About reports")
        column.addWidget(label)
        column.addStretch(1)
        self._set(body)

    def _set(self, body: QWidget) -> None:
        old = self.takeWidget()
        self.setWidget(body)
        if old is not None:
            old.deleteLater()

    def show_report(self, report: Report) -> None:
        self.report, self.tables, self.charts = report, [], []
        body = QWidget()
        column = QVBoxLayout(body)
        column.setSpacing(style.SPACE["s"])
        title = style.heading(QLabel(report.title), "subheading")
        title.setAccessibleName(f"Report: {report.title}")
        where = style.note(QLabel(f"{period_words(report.period)} · "
                                  f"{', '.join(report.site_names)}"))
        where.setAccessibleName("Period and sites counted")
        column.addWidget(title)
        column.addWidget(where)
        charts = {}
        for spec in report.charts:
            if report.table(spec.table).rows:  # (nothing to draw: the table says so)
                charts.setdefault(spec.table, []).append(spec)
        for table in report.tables:
            if len(report.tables) > 1 and table.title != report.title:
                heading = QLabel(table.title)
                heading.setProperty("role", "lead")
                heading.setAccessibleName(table.title)
                column.addWidget(heading)
            view = ReportTable(table)
            self.tables.append(view)
            row = QHBoxLayout()
            row.addWidget(view, 0, Qt.AlignmentFlag.AlignTop)
            column.addLayout(row)
            # a narrow table has its chart beside it; a wide one, below it
            beside = view.width() <= BESIDE and charts.get(table.key)
            for spec in charts.get(table.key, []):
                chart = ReportChart(spec, table)
                self.charts.append(chart)
                (row if beside else column).addWidget(chart, 1)
            if not beside:
                row.addStretch(1)
            if table.note:
                note = style.note(QLabel(table.note))
                note.setAccessibleName(f"About {table.title}")
                column.addWidget(note)
        for words in report.notes:
            note = style.note(QLabel(words))
            note.setAccessibleName("About this report")
            note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            note.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
            column.addWidget(note)
        column.addStretch(1)
        self._set(body)

    def table(self, key: str) -> ReportTable:
        return next(t for t in self.tables if t.model_.table.key == key)
