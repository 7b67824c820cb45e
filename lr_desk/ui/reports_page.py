"""The Reports page: what the service achieves, for any period and sites, for managers
(``services.accounts.NEEDS["reports"]``; ``fit_to_role`` adds the section when a manager
signs in and takes it out otherwise, Go > Reports, Ctrl+6).

A manager chooses the report, the period and the sites (``report_form``) and Shows it
(Enter does too): it is counted by ``services.reports.make`` on the worker's "read" lane
(``Tasks.read``), so a long report never holds up a save, with a busy bar and a Stop
button (Esc). Stop sets the run's event; the report's ``check()`` then raises
``Stopped`` at its next step. A new Show stops the one before, and an answer to an older
Show is dropped, so what is on show is always the newest asked for. The screen shows the
real numbers (``report_view``); files saved from it (CSV, Excel, PDF: part of
``services.reports.files``, written off the UI thread) show small numbers as "<5".
A report on show is not counted again at every save: when records change it says so.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import reports
from lr_desk.services.reports import files
from lr_desk.services.reports.core import Period, Report, Stopped
from lr_desk.ui import style
from lr_desk.ui.gp_export import open_gp_export
from lr_desk.ui.report_form import ReportForm
from lr_desk.ui.report_view import ReportView, period_words

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lr_desk.services.changes import Changed
    from lr_desk.services.context import Desk
    from lr_desk.ui.tasks import Tasks

# (no Alt letter: each of its letters is taken on some page, and a clash makes both keys
# do nothing; Go > Reports is Ctrl+6)
TITLE = "Reports"
ICON = "chart-column"
NOT_ALLOWED = "Only managers can see the reports."
STALE = "New records since this was counted: Show again to count them."
SMALL_NUMBERS = ("On screen: the real numbers. Saved files show any count from 1 to 4 "
                 "as \u201c<5\u201d, to protect the people counted.")
# (format, the button's words, the file dialog's filter)
SAVES = (("csv", "&CSV…", "CSV files (*.csv)"),
         ("xlsx", "Exce&l (XLSX)…", "Excel workbooks (*.xlsx)"),
         ("pdf", "PD&F…", "PDF files (*.pdf)"))
FORMAT_WORDS = {"csv": "CSV", "xlsx": "an Excel workbook", "pdf": "a PDF"}
# what a report never counts: a change only to these leaves it as it was
NOT_COUNTED = frozenset({"audit_event", "draft", "setting", "device", "authority_account",
                         "authority_device", "conflict", "set_aside", "not_duplicate",
                         "partner_contact", "consent"})


class Run:
    """One Show: its number, what was asked, and the event Stop sets."""

    def __init__(self, number: int, name: str, period: Period):
        self.number, self.name, self.period = number, name, period
        self.stop = threading.Event()

    def check(self) -> None:
        """Called by the report between its steps (on the read lane)."""
        if self.stop.is_set():
            raise Stopped()


def title_of(name: str) -> str:
    return reports.REPORTS[name][1]


def missing(exc: BaseException) -> bool:
    """The report's module has not been written yet (not a bug of the page's)."""
    return isinstance(exc, ModuleNotFoundError) and \
        (exc.name or "").startswith("lr_desk.services.reports.")


class ReportsPage(QWidget):
    """The "Reports" section."""

    finished = Signal(str)  # "shown", "stopped", "missing", "failed", "refused"
    saved = Signal(str)  # the file's path

    def __init__(self, tasks: Tasks, desk: Desk, today: date | None = None, parent=None):
        super().__init__(parent)
        self.tasks, self.desk = tasks, desk
        self.setAccessibleName("Reports")
        self.today = today or date.today()
        self.run: Run | None = None  # the newest Show, while it is counted
        self.runs = 0
        self.stale = False  # records changed since the report on show was asked for

        self.form = ReportForm(desk.lists.sites, self.today)
        self.form.submitted.connect(self.show_report)
        self.show_button = style.primary(QPushButton("&Show"))
        self.show_button.setAccessibleName("Show the report")
        self.show_button.setToolTip("Count the report (Enter)")
        self.show_button.clicked.connect(self.show_report)
        self.stop_button = QPushButton("Stop counting")
        self.stop_button.setAccessibleName("Stop counting")
        self.stop_button.setToolTip("Stop counting (Esc)")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        stop_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        stop_key.activated.connect(self.stop)

        self.busy = QProgressBar()
        self.busy.setAccessibleName("Counting")
        self.busy.setRange(0, 0)  # busy: how long it takes is not known
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        self.status = QLabel()
        self.status.setAccessibleName("Report status")
        self.status.setWordWrap(True)
        self.stale_label = style.message(QLabel(STALE), "warning")
        self.stale_label.setAccessibleName("The report is out of date")
        self.stale_label.hide()
        self.view = ReportView()

        self.save_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        actions.addWidget(QLabel("Save as:"))
        for fmt, words, _filter in SAVES:
            button = QPushButton(words)
            button.setAccessibleName(f"Save the report as {FORMAT_WORDS[fmt]}")
            button.setEnabled(False)
            button.clicked.connect(lambda _c=False, f=fmt: self.save(f))
            self.save_buttons[fmt] = button
            actions.addWidget(button)
        small = style.note(QLabel(SMALL_NUMBERS))
        small.setAccessibleName("Small numbers in files")
        actions.addWidget(small, 1)
        self.gp_button = QPushButton("GP e&xport…")
        self.gp_button.setAccessibleName("Export referrals for GP systems")
        self.gp_button.clicked.connect(self.gp_export)
        actions.addWidget(self.gp_button)

        buttons = QVBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.form, 1)
        top.addLayout(buttons)
        progress = QHBoxLayout()
        progress.addWidget(self.busy)
        progress.addWidget(self.status, 1)
        progress.addWidget(self.stale_label, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(style.heading(QLabel("Reports")))
        layout.addLayout(top)
        layout.addLayout(progress)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        self.setTabOrder(self.form, self.show_button)

    @property
    def report(self) -> Report | None:
        return self.view.report

    @property
    def running(self) -> bool:
        return self.run is not None

    # -- counting -------------------------------------------------------------------------
    def show_report(self) -> None:
        """Count the report asked for (stopping one still being counted)."""
        if not self.desk.can("reports"):
            self._say(NOT_ALLOWED)
            self.finished.emit("refused")
            return
        try:
            name, period = self.form.asked()
        except ValueError as exc:
            self._say(str(exc))
            self.finished.emit("refused")
            return
        if self.run is not None:
            self.run.stop.set()  # (its answer, should one still come, is dropped)
        self.runs += 1
        run = self.run = Run(self.runs, name, period)
        self.stale = False

        def count(session: Session) -> Report:
            run.check()  # (stopped while it waited its turn)
            return reports.make(session, run.name, run.period, run.check)

        self._busy(True)
        self._say(f"Counting {title_of(name).lower()}, {period_words(period)}…")
        self.tasks.read(count, lambda report: self._counted(run, report),
                        lambda exc: self._failed(run, exc))

    def stop(self) -> None:
        """Stop the report being counted (Esc)."""
        run = self.run
        if run is None:
            return
        run.stop.set()
        self.run = None
        self._busy(False)
        self._say("Stopped.")
        self.finished.emit("stopped")

    def _current(self, run: Run) -> bool:
        return shiboken6.isValid(self) and run is self.run

    def _counted(self, run: Run, report: Report) -> None:
        if not self._current(run):
            return  # stopped, or a newer Show is being counted
        self.run = None
        self._busy(False)
        self.view.show_report(report)
        for button in self.save_buttons.values():
            button.setEnabled(True)
        self._say("")
        self.stale_label.setVisible(self.stale)
        self.finished.emit("shown")

    def _failed(self, run: Run, exc: BaseException) -> bool:
        if isinstance(exc, Stopped):
            return True  # (said when Stop was pressed)
        if not self._current(run):
            return missing(exc)
        self.run = None
        self._busy(False)
        if missing(exc):
            self._say(f"The {title_of(run.name).lower()} report is not available yet.")
            self.finished.emit("missing")
            return True
        self._say("The report could not be counted just now.")
        self.finished.emit("failed")
        return False  # the desk says why (status bar, or a bug report)

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.stop_button.setEnabled(busy)

    def _say(self, words: str) -> None:
        self.status.setText(words)
        self.status.setVisible(bool(words))

    # -- records changed ------------------------------------------------------------------
    def on_changed(self, changed: Changed) -> None:
        """A save or a sync may change what the report on show counted: say so (it is
        not counted again at every save)."""
        if not any(name not in NOT_COUNTED for name in changed.entities):
            return
        self.stale = True
        if self.report is not None and self.run is None:
            self.stale_label.show()

    # -- files ----------------------------------------------------------------------------
    def save(self, fmt: str) -> None:
        """Save the report on show as ``fmt`` (small numbers suppressed), where chosen."""
        report = self.report
        if report is None:
            return
        kind = next(f for f_, _w, f in SAVES if f_ == fmt)
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        chosen, _ = QFileDialog.getSaveFileName(
            self, f"Save the report as {FORMAT_WORDS[fmt]}",
            str(Path(folder) / files.default_name(report, fmt)), kind)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{files.EXTENSIONS[fmt]}":
            path = path.with_name(f"{path.name}.{files.EXTENSIONS[fmt]}")
        self._say(f"Saving {path.name}…")
        self.tasks.run_aside(lambda: files.write(report, path, fmt),
                             lambda written: self._saved(Path(written or path)),
                             lambda _exc: self._not_saved(path))

    def _saved(self, path: Path) -> None:
        if shiboken6.isValid(self):
            self._say(f"Saved {path.name} in {path.parent}.")
            self.saved.emit(str(path))

    def _not_saved(self, path: Path) -> bool:
        if shiboken6.isValid(self):
            self._say(f"{path.name} was not saved.")
        return False  # the desk says why (a full disk, a folder it may not write)

    def gp_export(self):
        """The referrals for GP systems, with their SNOMED CT codes (its own dialog)."""
        return open_gp_export(self.window(), self.tasks, self.desk)


# -- the main window ------------------------------------------------------------------------


def fit_to_role(window: QMainWindow) -> ReportsPage | None:
    """The Reports section and its Go menu item for a manager (or admin), none for anyone
    else: called when the desk opens and whenever someone else signs in at it."""
    page: ReportsPage | None = getattr(window, "reports", None)
    allowed = window.desk.can("reports")
    window.reports_action.setVisible(allowed)
    window.reports_action.setEnabled(allowed)
    if allowed and page is None:
        page = ReportsPage(window.tasks, window.desk)
        window.add_section(page, TITLE, ICON,
                           after=getattr(window, "audit", None) or getattr(window, "review",
                                                                            None))
        window.hear(page)
    elif not allowed and page is not None:
        if page.run is not None:
            page.run.stop.set()
        window.remove_section(page)
        page.deleteLater()
        page = None
    window.reports = page
    return page


def show_reports(window: QMainWindow) -> ReportsPage | None:
    """Go > Reports (Ctrl+6)."""
    page: ReportsPage | None = getattr(window, "reports", None)
    if page is not None:
        window.tabs.setCurrentWidget(page)
        page.form.report.setFocus()
    return page
