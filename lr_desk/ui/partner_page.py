"""A partner's page, opened from the directory (or a manager's Today) as an open record
in the navigation: its name and key contact, its figures (services.partners) as labelled
numbers, load over time against capacity as a chart with the same numbers in a table,
referrals by status, its contacts and its catch-ups, with "Record catch-up…".

What does not fit the window scrolls inside the page; the heading and the actions stay
on screen. The page reads again when a referral, its steps, the partner, its services,
contacts or catch-ups change (here or brought in by a sync)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import dates, partners
from lr_desk.services.catchups import Catchup
from lr_desk.services.changes import Changed
from lr_desk.services.context import Desk
from lr_desk.services.partners import PartnerFigures
from lr_desk.store.models import CAPACITY, REFERRAL_VIEWS
from lr_desk.ui import style
from lr_desk.ui.catchups import CatchupDialog
from lr_desk.ui.forms import combo, scrolled
from lr_desk.ui.partner_chart import LoadChart, LoadTable, amount, month_label
from lr_desk.ui.partner_parts import CatchupsModel, ContactsModel, FixedTable, StatusModel
from lr_desk.ui.tasks import Tasks

ENTITIES = ("referral", "referral_event", "partner", "partner_service", "partner_contact",
            "partner_catchup")
PERIODS = {"year": "The last 12 months", "all": "All time"}
ALL = ""  # the service chooser's "All services"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "none answered yet"


class PartnerPage(QWidget):
    """``reload()`` reads the figures on the database worker; ``loaded`` when shown."""

    loaded = Signal()

    def __init__(self, tasks: Tasks, partner_id: str, desk: Desk, parent=None):
        super().__init__(parent)
        self.tasks, self.partner_id, self.desk = tasks, partner_id, desk
        self.today = date.today
        self.figures: PartnerFigures | None = None
        self.dialog: CatchupDialog | None = None
        self._stale = False
        self.setAccessibleName("Partner")

        self.heading = style.heading(QLabel("Loading the partner…"))
        self.heading.setWordWrap(True)
        self.contact = QLabel()
        self.contact.setWordWrap(True)
        self.contact.setAccessibleName("Key contact")
        self.catchup_line = QLabel()
        self.catchup_line.setWordWrap(True)
        self.catchup_line.setAccessibleName("Next catch-up")
        self.record_button = style.primary(QPushButton("&Record catch-up…"))
        self.record_button.setAccessibleName("Record a catch-up held with this partner")
        self.record_button.setToolTip("The day it was held, who was there, notes")
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(lambda: self.record_catchup())
        self.period = combo("Figures for", PERIODS)
        self.period.setToolTip("Referrals made in this period (the chart is always the "
                               "last 12 months)")
        self.period.currentIndexChanged.connect(self.reload)
        period_label = QLabel("Figures f&or")
        period_label.setBuddy(self.period)
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.setAccessibleName("Refresh the partner's figures")
        self.refresh_button.clicked.connect(self.reload)

        # the body, which scrolls
        self.summary_heading = style.heading(QLabel("Figures"), "subheading")
        self.numbers: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(style.SPACE["xl"])
        for i, (key, words) in enumerate((
                ("made", "Referrals made"), ("accepted", "Accepted"),
                ("reply", "Median days to reply"), ("completed", "Completed"),
                ("not_taken_up", "Not taken up"), ("overrides", "Referred over a warning"),
                ("views", "Their views"), ("awaiting", "Sent, awaiting a reply"))):
            label = style.note(QLabel(words))
            value = QLabel()
            value.setFont(style.font("lead", bold=True))
            value.setWordWrap(True)
            value.setAccessibleName(words)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
            label.setBuddy(value)
            self.numbers[key] = value
            row, column = divmod(i, 4)
            cell = QVBoxLayout()
            cell.setSpacing(0)
            cell.addWidget(label)
            cell.addWidget(value)
            grid.addLayout(cell, row, column)
        for column in range(4):
            grid.setColumnStretch(column, 1)

        self.load_heading = style.heading(QLabel("Load over the last 12 months"),
                                          "subheading")
        self.service = QComboBox()
        self.service.setAccessibleName("Load of which service")
        self.service.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.service.currentIndexChanged.connect(self._show_load)
        service_label = QLabel("Load of s&ervice")
        service_label.setBuddy(self.service)
        self.capacity_note = style.note(QLabel())
        self.capacity_note.setAccessibleName("Capacity")
        self.chart = LoadChart()
        self.load_table = LoadTable()
        table_label = QLabel("Month by &month")
        table_label.setBuddy(self.load_table)

        self.status_model = StatusModel(self)
        self.status_table = FixedTable("Referrals by status", self.status_model, 0)
        status_label = style.heading(QLabel("Referrals by &status"), "subheading")
        status_label.setBuddy(self.status_table)
        self.contacts_model = ContactsModel(self)
        self.contacts_table = FixedTable("Contacts", self.contacts_model)
        contacts_label = style.heading(QLabel("&Contacts"), "subheading")
        contacts_label.setBuddy(self.contacts_table)
        self.catchups_model = CatchupsModel(self)
        self.catchups_table = FixedTable("Catch-ups", self.catchups_model, 3)
        self.catchups_label = style.heading(QLabel("Catch-&ups"), "subheading")
        self.catchups_label.setBuddy(self.catchups_table)
        self.catchups_table.setToolTip("Enter on the one planned records it; on one held, "
                                       "puts it right")
        self.catchups_table.activated.connect(self._catchup_chosen)
        self.cadence = style.note(QLabel())
        self.cadence.setAccessibleName("How often catch-ups are planned")

        body = QWidget()
        column = QVBoxLayout(body)
        column.setSpacing(style.SPACE["s"])
        column.addWidget(self.summary_heading)
        column.addLayout(grid)
        column.addWidget(self.load_heading)
        chooser = QHBoxLayout()
        chooser.addWidget(service_label)
        chooser.addWidget(self.service)
        chooser.addWidget(self.capacity_note, 1)
        column.addLayout(chooser)
        column.addWidget(self.chart)
        column.addWidget(table_label)
        column.addWidget(self.load_table)
        side = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(status_label)
        left.addWidget(self.status_table)
        left.addStretch(1)
        right.addWidget(contacts_label)
        right.addWidget(self.contacts_table)
        right.addStretch(1)
        side.addLayout(left, 2)
        side.addLayout(right, 3)
        column.addLayout(side)
        column.addWidget(self.catchups_label)
        column.addWidget(self.cadence)
        column.addWidget(self.catchups_table)
        column.addStretch(1)
        self.scroll = scrolled(body, "The partner's figures, contacts and catch-ups")

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(period_label)
        top.addWidget(self.period)
        top.addWidget(self.refresh_button)
        top.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["xs"])
        layout.addLayout(top)
        layout.addWidget(self.contact)
        layout.addWidget(self.catchup_line)
        layout.addWidget(self.scroll, 1)
        for a, b in ((self.period, self.refresh_button), (self.refresh_button,
                     self.record_button), (self.record_button, self.scroll)):
            QWidget.setTabOrder(a, b)

    # -- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        self._stale = False
        pid, today = self.partner_id, self.today()
        all_time = self.period.currentData() == "all"
        # on the read lane: a busy partner's referrals over all time never hold up a save
        self.tasks.read(lambda s: partners.figures(s, pid, today, all_time=all_time),
                        self._show)

    def on_changed(self, changed: Changed) -> None:
        """Read again when what it shows changed (now if on show, else when next shown)."""
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

    def _show(self, f: PartnerFigures | None) -> None:
        if f is None:
            self.heading.setText("This partner is no longer in the directory")
            self.record_button.setEnabled(False)
            self.loaded.emit()
            return
        self.figures = f
        today = f.today
        self.heading.setText(f.name)
        self.heading.setAccessibleName(f"Partner: {f.name}")
        self._show_contact(f)
        self._show_catchup(f, today)
        self.summary_heading.setText("Figures for every referral made" if f.since is None
                                     else "Figures for referrals made "
                                          f"{partners.since_words(f.since, today)}")
        n = self.numbers
        n["made"].setText(str(f.made))
        n["accepted"].setText(f"{_percent(f.accepted, f.answered)}"
                              + (f" ({f.accepted} of {f.answered} answered)"
                                 if f.answered else ""))
        n["reply"].setText("no replies yet" if f.median_reply_days is None else
                           f"{f.median_reply_days:g} days (of {f.replies})")
        n["completed"].setText(str(f.completed))
        n["not_taken_up"].setText(str(f.not_taken_up))
        n["overrides"].setText(str(f.overrides))
        n["views"].setText("; ".join(f"{REFERRAL_VIEWS[k]}: {v}" for k, v in f.views.items()
                                     if v) or "none asked yet")
        n["awaiting"].setText(str(f.by_status.get("sent", 0)))
        self.status_model.set_counts(f.by_status, f.by_status_all,
                                     partners.since_words(f.since, today))
        self.status_table.setColumnHidden(1, f.since is None)  # (all time is the next one)
        self.contacts_model.set_rows(f.contacts)
        self.catchups_model.today = today
        self.catchups_model.set_rows(f.catchups)
        keep = self.service.currentData()
        self.service.blockSignals(True)
        self.service.clear()
        self.service.addItem("All services", ALL)
        for s in f.services:
            self.service.addItem(s.name, s.id)
        at = self.service.findData(keep)
        self.service.setCurrentIndex(max(0, at))
        self.service.blockSignals(False)
        self._show_load()
        for table in (self.status_table, self.contacts_table, self.catchups_table):
            table.fit()
        self.record_button.setEnabled(True)
        self.loaded.emit()

    def _show_contact(self, f: PartnerFigures) -> None:
        key = f.key_contact
        if key is None:
            self.contact.setText("No named key contact: name one with Edit partner in "
                                 "the directory, so referrals reach someone.")
            style.message(self.contact, "warning")
            return
        how = ", ".join(x for x in (key.role, key.phone, key.email) if x)
        self.contact.setText(f"Key contact: {key.name}" + (f" ({how})" if how else ""))
        style.message(self.contact, "")

    def _show_catchup(self, f: PartnerFigures, today: date) -> None:
        coming = f.next_catchup
        if f.catchup_every_months <= 0:
            text, kind = "No catch-ups are planned with this partner.", ""
        elif coming is None or coming.planned_on is None:
            text, kind = "No catch-up planned yet.", ""
        elif coming.overdue_days(today):
            days = coming.overdue_days(today)
            text = (f"Catch-up overdue, {days} day{'s' if days != 1 else ''} (planned for "
                    f"{dates.day(coming.planned_on, today)})")
            kind = "warning"
        else:
            text, kind = f"Next catch-up: {dates.day(coming.planned_on, today)}", ""
        self.catchup_line.setText(text)
        style.message(self.catchup_line, kind)
        every = f.catchup_every_months
        self.cadence.setText(f"Planned every {every} month{'s' if every != 1 else ''} from "
                             "the last one held." if every > 0 else
                             "Catch-ups are not planned for this partner.")

    def _show_load(self, *_args) -> None:
        f = self.figures
        if f is None:
            return
        chosen = self.service.currentData() or ALL
        months = [month_label(m, f.today) for m in f.months]
        if chosen == ALL:
            sent, capacity, what = f.sent_all, f.capacity_all, "all its services"
            said = [s for s in f.services if s.per_month is not None]
            note = (f"Together they can take about {amount(capacity)} a month"
                    f" ({len(said)} of {len(f.services)} services say)."
                    if said else "None of its services says how many it can take.")
        else:
            s = next(x for x in f.services if x.id == chosen)
            sent, capacity, what = s.sent, s.per_month, s.name
            status = CAPACITY.get(s.capacity, s.capacity)
            if s.takes is None:
                note = f"{status}; it has not said how many it can take."
            else:
                per = "a week" if s.takes_per == "week" else "a month"
                note = f"{status}; takes {s.takes} {per}" + (
                    f" (about {amount(capacity)} a month)." if s.takes_per == "week" else ".")
        self.capacity_note.setText(note)
        self.chart.show_load(months, sent, capacity, what)
        self.load_table.show_load(months, sent, capacity)

    # -- acting ------------------------------------------------------------------------
    def record_catchup(self, held: Catchup | None = None) -> CatchupDialog | None:
        """Record a catch-up held: the one planned, if there is one (or put right
        ``held``, one recorded before)."""
        f = self.figures
        if f is None:
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        coming = f.next_catchup
        self.dialog = CatchupDialog(
            self.tasks, f.partner_id, f.name, coming.id if coming else None,
            coming.planned_on if coming else None, self.desk.advisor_id,
            today=self.today(), autosave_seconds=self.desk.autosave_seconds, parent=self,
            held=held)
        self.dialog.destroyed.connect(self._dialog_gone)  # (it is deleted once closed)
        self.dialog.start()
        return self.dialog

    def _catchup_chosen(self, index) -> None:
        row = self.catchups_model.rows[index.row()]
        self.record_catchup(row if row.held_on is not None else None)

    def _dialog_gone(self, *_args) -> None:
        self.dialog = None

