"""What a manager asks the Reports page for: which report, the period (a preset such as
last quarter or this financial year, or their own From and To days) and the sites.

``period_of(preset, today)`` is the preset's days (pure); ``ReportForm`` is the form
above the report, and ``asked()`` gives back the report's name and its ``Period``.
Enter anywhere in the form shows the report (``submitted``).
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from lr_desk.services import reports
from lr_desk.services.reports.core import Period
from lr_desk.store.models import Site

CUSTOM = "custom"
# (key, words): the periods offered, in order
PRESETS = (
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This financial year (April to March)"),
    ("last_year", "Last financial year"),
    ("last_12_months", "Last 12 months"),
    (CUSTOM, "Other dates (From and To)"),
)
DATE_FORMAT = "d MMM yyyy"  # dates always carry their year here
HUB_PREFIX = "The Life Rooms "


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _months_before(d: date, n: int) -> tuple[int, int]:
    """The (year, month) ``n`` months before ``d``'s month."""
    index = d.year * 12 + d.month - 1 - n
    return index // 12, index % 12 + 1


def period_of(preset: str, today: date) -> tuple[date, date]:
    """The first and last day (both counted) of ``preset`` seen from ``today``. Quarters
    are the financial year's (April-June, July-September...), which are the calendar's."""
    if preset in ("this_month", "last_month"):
        y, m = _months_before(today, 0 if preset == "this_month" else 1)
        return date(y, m, 1), _month_end(y, m)
    if preset in ("this_quarter", "last_quarter"):
        first = (today.month - 1) // 3 * 3 + 1
        y, m = _months_before(date(today.year, first, 1), 0 if preset == "this_quarter" else 3)
        return date(y, m, 1), _month_end(y, m + 2)
    if preset in ("this_year", "last_year"):
        start = today.year if today.month >= 4 else today.year - 1
        if preset == "last_year":
            start -= 1
        return date(start, 4, 1), date(start + 1, 3, 31)
    if preset == "last_12_months":
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = date(today.year - 1, 2, 28)
        return year_ago + timedelta(days=1), today
    raise ValueError(f"no such period: {preset!r}")


def short_name(site: Site) -> str:
    """'Walton' for 'The Life Rooms Walton' (the tick boxes' words; the full name is the
    box's accessible name)."""
    return site.name.removeprefix(HUB_PREFIX)


def _date_edit(name: str) -> QDateEdit:
    w = QDateEdit()
    w.setAccessibleName(name)
    w.setCalendarPopup(True)
    w.setDisplayFormat(DATE_FORMAT)
    w.setMinimumDate(QDate(2000, 1, 1))
    return w


class ReportForm(QWidget):
    """Which report, which days, which sites."""

    submitted = Signal()  # Enter in the form: show the report

    def __init__(self, sites: list[Site], today: date, parent=None):
        super().__init__(parent)
        self.setAccessibleName("What to report on")
        self.today = today
        self.report = QComboBox()
        self.report.setAccessibleName("Report")
        for name in reports.NAMES:
            self.report.addItem(reports.REPORTS[name][1], name)
        self.preset = QComboBox()
        self.preset.setAccessibleName("Period")
        for key, words in PRESETS:
            self.preset.addItem(words, key)
        self.start = _date_edit("From date")
        self.end = _date_edit("To date")
        self._quiet = False
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._dates_typed)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._label("R&eport:", self.report), self.report)
        form.addRow(self._label("Per&iod:", self.preset), self.preset)
        days = QHBoxLayout()
        days.addWidget(self.start, 1)
        days.addWidget(self._label("T&o:", self.end))
        days.addWidget(self.end, 1)
        form.addRow(self._label("Fro&m:", self.start), days)

        self.sites_box = QGroupBox("Sites")
        self.sites_box.setAccessibleName("Sites")
        self.all_sites = QCheckBox("&All sites")
        self.all_sites.setAccessibleName("All sites")
        self.all_sites.setChecked(True)
        self.site_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self.sites_box)
        grid.addWidget(self.all_sites, 0, 0)
        for i, site in enumerate(sites, start=1):
            box = QCheckBox(short_name(site).replace("&", "&&"))
            box.setAccessibleName(site.name)
            box.setToolTip(site.name)
            box.toggled.connect(self._site_ticked)
            self.site_boxes[site.code] = box
            grid.addWidget(box, i // 3, i % 3)
        self.all_sites.toggled.connect(self._all_ticked)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(form, 4)
        row.addWidget(self.sites_box, 5)
        self.preset.setCurrentIndex(self.preset.findData("last_quarter"))
        self._preset_chosen()

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # -- the period ---------------------------------------------------------------------
    def _preset_chosen(self, _index: int = 0) -> None:
        key = self.preset.currentData()
        if key == CUSTOM:
            return
        start, end = period_of(key, self.today)
        self._quiet = True  # (the dates follow the preset: it stays chosen)
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))
        self._quiet = False

    def _dates_typed(self, _date: QDate) -> None:
        if not self._quiet:
            self.preset.setCurrentIndex(self.preset.findData(CUSTOM))

    def set_days(self, start: date, end: date) -> None:
        """Other dates: ``start`` to ``end`` (as typed in From and To)."""
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))

    def days(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()

    # -- the sites ----------------------------------------------------------------------
    def _all_ticked(self, on: bool) -> None:
        if on:
            for box in self.site_boxes.values():
                box.blockSignals(True)
                box.setChecked(False)
                box.blockSignals(False)
        elif not self.chosen_sites():
            self.all_sites.setChecked(True)  # (some sites, or all: never none)

    def _site_ticked(self, _on: bool) -> None:
        self.all_sites.blockSignals(True)
        self.all_sites.setChecked(not self.chosen_sites())
        self.all_sites.blockSignals(False)

    def chosen_sites(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.site_boxes.items() if box.isChecked())

    def set_sites(self, codes) -> None:
        for code, box in self.site_boxes.items():
            box.setChecked(code in codes)

    # -- what was asked -----------------------------------------------------------------
    def asked(self) -> tuple[str, Period]:
        """The report's name and its period; ValueError (in words) if To is before From."""
        start, end = self.days()
        return self.report.currentData(), Period(start, end, self.chosen_sites())

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        super().keyPressEvent(event)
