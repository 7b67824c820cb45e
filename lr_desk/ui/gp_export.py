"""The GP referrals file, made by a manager: the period (From and To), the sites, and
where to save it; then Make the file. What goes in it, and why only managers may make
it, is services.gp_export's.

``open_gp_export(owner, tasks, desk)`` opens the dialog (the Reports page's button calls
it) and returns it. The referrals are read on the "read" lane (a year at every hub
takes a few seconds), the file written aside, and the audit record made on the
database lane once the file exists, even if the dialog was closed meanwhile.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import gp_export
from lr_desk.services.context import Desk
from lr_desk.services.reports.core import Period
from lr_desk.services.validation import ValidationError
from lr_desk.ui import style
from lr_desk.ui.tasks import Tasks, environment_problem

DATE_FORMAT = "d MMM yyyy"  # with its year, always
WIDTH = 620
INTRO = ("A file for GP practices: each social prescribing referral made in the period at "
         "the sites chosen, with the person's NHS number where it is recorded and the "
         "national SNOMED CT code (referred, or declined), to enter in their GP records.")
WARNING = ("This file names people. Send it only to their GP practices, securely, and "
           "delete it once it has been entered. Making it is recorded in the audit log.")


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def last_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


def _message(label: QLabel) -> QLabel:
    style.message(label, "error")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


class GpExportDialog(QDialog):
    """The period, the sites, the file; Make the file."""

    def __init__(self, tasks: Tasks, desk: Desk, parent: QWidget | None = None,
                 today: date | None = None, folder: str | Path | None = None):
        super().__init__(parent)
        self.tasks, self.desk = tasks, desk
        self.made: gp_export.Export | None = None
        self.saved_to: Path | None = None
        self.setWindowTitle("GP referrals file")
        self.setAccessibleName("Make the GP referrals file")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setAccessibleName("What this file is")
        warning = style.message(QLabel(WARNING), "warning")
        warning.setWordWrap(True)
        warning.setAccessibleName("Warning")

        start, end = last_month(today or date.today())
        self.start = self._date_edit("From", start)
        self.end = self._date_edit("To", end)
        days = QHBoxLayout()
        from_label, to_label = QLabel("&From"), QLabel("&To")
        from_label.setBuddy(self.start)
        to_label.setBuddy(self.end)
        days.setSpacing(style.SPACE["s"])
        days.addWidget(from_label)
        days.addWidget(self.start)
        days.addSpacing(style.SPACE["m"])
        days.addWidget(to_label)
        days.addWidget(self.end)
        days.addStretch(1)
        self.period_message = _message(QLabel())
        self.period_message.setAccessibleName("Message for the period")

        self.sites_box = QGroupBox("Sites")
        grid = QGridLayout(self.sites_box)
        self.sites: dict[str, QCheckBox] = {}
        for i, site in enumerate(desk.lists.sites):
            box = QCheckBox(site.name)
            box.setAccessibleName(site.name)
            box.setChecked(True)
            self.sites[site.code] = box
            grid.addWidget(box, i // 2, i % 2)
        self.sites_message = _message(QLabel())
        self.sites_message.setAccessibleName("Message for the sites")

        self.path = QLineEdit()
        self.path.setAccessibleName("File to save")
        self._folder = Path(folder) if folder else Path.home()
        self._auto_name = True  # the file's name follows the dates until typed over
        self.path.textEdited.connect(self._path_typed)
        self.choose = QPushButton("&Choose…")
        self.choose.setAccessibleName("Choose where to save the file")
        self.choose.clicked.connect(self.choose_file)
        path_label = QLabel("File to &save")
        path_label.setBuddy(self.path)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.choose)
        self.path_message = _message(QLabel())
        self.path_message.setAccessibleName("Message for the file")

        form = QFormLayout()
        form.addRow(QLabel("Period"), days)
        form.addRow("", self.period_message)
        form.addRow(self.sites_box)
        form.addRow("", self.sites_message)
        form.addRow(path_label, where)
        form.addRow("", self.path_message)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What happened")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
        self.make_button = style.primary(QPushButton("&Make the file"))
        self.make_button.setAccessibleName("Make the GP referrals file")
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self.make)
        close = QPushButton("Close")
        close.setAccessibleName("Close")
        close.setAutoDefault(False)
        self.choose.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.make_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not desk.can("reports"):
            self.make_button.setEnabled(False)
            self.make_button.setToolTip(gp_export.NOT_ALLOWED)
            self.status.setText(gp_export.NOT_ALLOWED)
        self._follow_dates()
        self.start.dateChanged.connect(self._follow_dates)
        self.end.dateChanged.connect(self._follow_dates)
        width = max(WIDTH, layout.totalMinimumSize().width())
        self.resize(width, layout.totalHeightForWidth(width))
        self.start.setFocus()

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setAccessibleName(name)
        return edit

    # -- the file's name ---------------------------------------------------------------
    def period(self) -> Period | None:
        """The period asked for (None, with a message at the dates, if it cannot be)."""
        codes = tuple(code for code, box in self.sites.items() if box.isChecked())
        try:
            every = len(codes) == len(self.sites)
            return Period(_date(self.start.date()), _date(self.end.date()),
                          () if every else codes)
        except ValueError as exc:
            self.period_message.setText(str(exc))
            self.period_message.setVisible(True)
            return None

    def _follow_dates(self, *_args) -> None:
        self.period_message.setVisible(False)
        if self._auto_name:
            period = self.period()
            if period is not None:
                self.path.setText(str(self._folder / gp_export.default_name(period)))

    def _path_typed(self, _text: str) -> None:
        self._auto_name = False
        self.path_message.setVisible(False)

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the GP referrals file as", self.path.text(), "CSV files (*.csv)")
        if chosen:
            self._auto_name = False
            self.path.setText(chosen)
            self.path_message.setVisible(False)

    # -- making it ----------------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        problems = {}
        if self.period() is None:
            problems["period"] = self.period_message.text()
        if not any(box.isChecked() for box in self.sites.values()):
            problems["sites"] = "Choose at least one site."
        text = self.path.text().strip()
        if not text:
            problems["path"] = "Say where to save the file."
        elif Path(text).is_dir():
            problems["path"] = "This is a folder: add the file's name, ending in .csv."
        elif not Path(text).expanduser().parent.is_dir():
            problems["path"] = "There is no such folder: choose where to save the file."
        return problems

    def make(self) -> None:
        problems = self.problems()
        for key, label in (("period", self.period_message), ("sites", self.sites_message),
                           ("path", self.path_message)):
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        if problems:
            first = {"period": self.start, "sites": next(iter(self.sites.values()), None),
                     "path": self.path}[next(iter(problems))]
            if first is not None:
                first.setFocus()
            return
        period = self.period()
        path = Path(self.path.text().strip()).expanduser()
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        advisor = self.desk.signed_in.advisor_id if self.desk.signed_in else self.desk.advisor_id
        tasks, dialog = self.tasks, self
        self._busy(True, "Gathering the referrals…")

        # closures, not the dialog's methods: the audit record is made once the file is
        # written, even if the dialog has been closed meanwhile
        def recorded(made: gp_export.Export) -> None:
            if shiboken6.isValid(dialog):
                dialog.done_making(made, path)

        def written(made: gp_export.Export) -> None:
            tasks.run(lambda s: gp_export.record(s, made, advisor), lambda _n: recorded(made),
                      failed)

        def gathered(made: gp_export.Export) -> None:
            if shiboken6.isValid(dialog):
                dialog.status.setText(f"Saving {len(made.rows):,} referrals…")
            tasks.run_aside(lambda: (gp_export.write(made, path), made)[1], written, failed)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                message = " ".join(exc.errors.values())
            else:
                message = environment_problem(exc, "the file")
                if message is None:
                    if shiboken6.isValid(dialog):
                        dialog._busy(False, "The file could not be made.")
                    return False  # a bug: the desk's crash report
            if shiboken6.isValid(dialog):
                dialog._busy(False, message)
                style.message(dialog.status, "error")
            return True

        tasks.read(lambda s: gp_export.gather(s, period, advisor), gathered, failed)

    def _busy(self, busy: bool, text: str) -> None:
        self.status.setText(text)
        self.status.setProperty("role", None)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        for w in (self.make_button, self.choose, self.path, self.start, self.end,
                  self.sites_box):
            w.setEnabled(not busy)

    def done_making(self, made: gp_export.Export, path: Path) -> None:
        self.made, self.saved_to = made, path
        count = len(made.rows)
        if count:
            text = (f"Saved {count:,} referral{'s' if count != 1 else ''} in {path}. "
                    "Send it to the GP practices securely, then delete it.")
        else:
            text = (f"No referrals were made in that period at those sites. The file, "
                    f"with its headings only, is saved in {path}.")
        self._busy(False, text)
        style.message(self.status, "success")


def open_gp_export(owner: QWidget, tasks: Tasks, desk: Desk) -> GpExportDialog:
    """Open the GP referrals file's dialog over ``owner`` (not modal: the desk goes on)
    and return it."""
    dialog = GpExportDialog(tasks, desk, owner)
    dialog.setWindowFlag(Qt.WindowType.Window, True)
    dialog.show()
    return dialog
