"""A person's rights over their information, at the desk: the subject access export
(everything held about one person, as a PDF and a JSON file) and the retention review
(people with no contact for a chosen number of years). Both are managers' work
(``services.accounts.NEEDS``: "subject_access", "retention").

``install_rights(window)`` puts "Export everything held…" in the More menu of each person
page a manager opens, and "People due for review under retention…" in the Desk menu.

The retention view leaves what to do with a person to others: it opens them
(``open_person``), and says who is chosen (``selected_person_id()``, ``chosen``); an
erasure action can go in its ``action_row``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from lr_desk import settings
from lr_desk.services import retention, subject_access
from lr_desk.services.retention import DueRow
from lr_desk.ui import erase as erase_ui
from lr_desk.ui import style
from lr_desk.ui.forms import Fields, check, line_edit
from lr_desk.ui.models import RowsModel
from lr_desk.ui.tasks import Tasks, environment_problem
from lr_desk.ui.today import table

if TYPE_CHECKING:
    from lr_desk.ui.main_window import MainWindow
    from lr_desk.ui.person import PersonPage

WARNING = (
    "These files leave the desk's protected (encrypted) store. Anyone who opens them can "
    "read everything held about this person, advisors' private notes included.\n"
    "Save them only somewhere safe, hand them to the person securely (in person, or by "
    "secure email), and delete them as soon as they have been handed over.")
EXPORT_BUTTON = "E&xport everything held…"
EXPORT_WIDTH = 600


class ExportDialog(QDialog):
    """Where to save the subject access export, the warning, and Export (on the worker)."""

    exported = Signal(object)  # subject_access.ExportResult

    def __init__(self, tasks: Tasks, person_id: str, person_name: str, parent=None,
                 folder: str | Path | None = None):
        super().__init__(parent)
        self.tasks, self.person_id = tasks, person_id
        self.result: subject_access.ExportResult | None = None
        self.setWindowTitle(f"Everything held about {person_name}")
        self.setAccessibleName("Export everything held about a person")
        intro = QLabel(f"Everything this desk holds about {person_name}, for them to have "
                       "(a subject access request): a PDF to read and a JSON file for a "
                       "computer, both saved in the folder you choose.")
        intro.setWordWrap(True)
        intro.setAccessibleName("What this exports")
        self.warning = style.message(QLabel(WARNING), "warning")
        self.warning.setAccessibleName("Warning")
        self.f = Fields(lambda key: self._changed())
        form = QFormLayout()
        self.folder = self.f.add(form, "folder", "&Folder to save in:",
                                 line_edit("Folder to save in"))
        self.folder.setText(str(folder) if folder else str(Path.home()))
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Choose the folder")
        self.browse.clicked.connect(self.choose_folder)
        field = self.f.rows["folder"][1]  # the folder, Browse beside it, then
        field.removeWidget(self.folder)  # its message
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(self.browse)
        field.insertLayout(0, where)
        self.agreed = self.f.add(form, "agreed", "Agreement", check(
            "I will hand these files over &securely and delete them after",
            "I will hand the files over securely and delete them after"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Export status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
        self.export_button = style.primary(QPushButton("E&xport"))
        self.export_button.setAccessibleName("Export the files")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        for w in (intro, self.warning):
            layout.addWidget(w)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # tall enough for its wrapped words at its width (a dialog is not sized for them)
        width = max(EXPORT_WIDTH, layout.totalMinimumSize().width())
        self.resize(width, layout.totalHeightForWidth(width))
        self.agreed.setFocus()

    def _changed(self) -> None:
        self.f.show_errors({}, only_touched=False)  # a message goes once they change it

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the files in", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def errors(self) -> dict[str, str]:
        errors = {}
        problem = subject_access.check_folder(self.folder.text())
        if problem:
            errors["folder"] = problem
        if not self.agreed.isChecked():
            errors["agreed"] = ("Please agree to hand the files over securely and delete "
                                "them after: they hold everything about this person.")
        return errors

    def export(self) -> None:
        errors = self.errors()
        self.f.show_errors(errors, only_touched=False)
        if errors:
            self.f.focus_first_error(errors)
            return
        self._busy(True, "Exporting…")
        tasks, pid, folder, dialog = self.tasks, self.person_id, self.folder.text().strip(), self

        # Read on the read lane (a ten-year history: saves never wait behind it); the
        # PDF (a few hundred pages) made and written beside it; then the audit record on
        # the save lane, made even if this dialog has been closed meanwhile: files exist.
        def written(result: subject_access.ExportResult) -> None:
            tasks.run(lambda s: subject_access.record_export(s, result.person_id),
                      lambda _none: shiboken6.isValid(dialog) and dialog._done(result))

        def gathered(document: dict) -> None:
            tasks.run_aside(lambda: subject_access.write_files(document, folder), written,
                            self._failed)

        by = tasks.store.advisor_id  # (a read lane's session is told no one)
        tasks.read(lambda s: subject_access.gather(s, pid, by), gathered, self._failed)

    def _busy(self, busy: bool, text: str) -> None:
        self.status.setText(text)
        for w in (self.export_button, self.browse, self.folder, self.agreed):
            w.setEnabled(not busy)

    def _done(self, result: subject_access.ExportResult) -> None:
        self.result = result
        self._busy(False, f"Saved in {result.pdf.parent}:\n{result.pdf.name}\n"
                          f"{result.json.name}\nHand them over securely, then delete them.")
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValueError):  # the folder went, say, since it was checked
            self._busy(False, "")
            self.f.show_errors({"folder": str(exc)}, only_touched=False)
            return True
        problem = environment_problem(exc)
        self._busy(False, f"The files could not be saved: {problem or exc}")
        return problem is not None  # a bug is reported by the desk as well


def export_action(page: PersonPage) -> QAction:
    """The person page's "Export everything held…" (for managers), in its More menu."""
    action = QAction(EXPORT_BUTTON, page)
    action.setToolTip("A PDF and a JSON file of everything held about them "
                      "(a subject access request)")

    def open_dialog() -> ExportDialog:
        name = page.view.person.display_name if page.view else "this person"
        dialog = ExportDialog(page.tasks, page.person_id, name, page)
        dialog.open()
        page.export_dialog = dialog
        return dialog

    action.triggered.connect(open_dialog)
    page.export_action = action
    return action


# -- retention --------------------------------------------------------------------------


class DueModel(RowsModel):
    def __init__(self, parent=None):
        super().__init__([
            ("Name", lambda r: r.name),
            ("Born", lambda r: f"{r.date_of_birth:%d/%m/%Y}" if r.date_of_birth else ""),
            ("Last contact", lambda r: f"{r.last_contact:%d %b %Y}"),
            ("Years since", lambda r: str(r.years)),
        ], parent, key=lambda r: r.person_id)


class RetentionDialog(QDialog):
    """The people with no contact for the chosen number of years (this desk's setting,
    changed here), oldest first; Open person (or Enter) opens the one chosen."""

    open_person = Signal(str)
    loaded = Signal()
    chosen = Signal(str)  # the person id now selected ("" for none)

    def __init__(self, tasks: Tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.rows: list[DueRow] = []
        self._ready = False  # the setting has been read: changes to the box are the user's
        self.setWindowTitle("People due for review under retention")
        self.setAccessibleName("People due for review under retention")
        self.resize(760, 560)
        explain = QLabel("People with no contact (registration, conversation, follow-up "
                         "done or referral step) for at least this many years, oldest "
                         "first. Nothing is changed or removed here: open a person to "
                         "review their record.")
        explain.setWordWrap(True)
        explain.setAccessibleName("About this list")
        self.years = QSpinBox()
        self.years.setRange(retention.MIN_YEARS, retention.MAX_YEARS)
        self.years.setValue(retention.DEFAULT_YEARS)
        self.years.setSuffix(" years" if self.years.value() != 1 else " year")
        self.years.valueChanged.connect(  # "1 year", "2 years"
            lambda n: self.years.setSuffix(" year" if n == 1 else " years"))
        self.years.setAccessibleName("Years without contact")
        self.years.setToolTip("This desk's retention setting; changing it lists again")
        years_label = QLabel("&Years without contact:")
        years_label.setBuddy(self.years)
        self.years_message = QLabel()
        style.message(self.years_message, "error")
        self.years_message.setAccessibleName("Message for years without contact")
        self.years_message.setVisible(False)
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self.save_years)
        self.years.valueChanged.connect(lambda _v: self._ready and self._debounce.start())
        self.summary = QLabel("Listing…")
        self.summary.setAccessibleName("How many are listed")
        self.model = DueModel(self)
        self.table = table("People due for review", self.model)
        self.table.activated.connect(lambda index: self._open(index.row()))
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        list_label = QLabel("&People")
        list_label.setBuddy(self.table)
        self.open_button = QPushButton("&Open person")
        self.open_button.setAccessibleName("Open the chosen person")
        self.open_button.setToolTip("Open the record of the person chosen in the list "
                                    "(choose one first; Enter in the list does the same)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open(self.table.currentIndex().row()))
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(years_label)
        top.addWidget(self.years)
        top.addWidget(self.years_message, 1)
        top.addStretch(1)  # (the box stays its size while no message is shown)
        self.action_row = QHBoxLayout()  # actions on the chosen person (others add theirs)
        self.action_row.addWidget(self.open_button)
        self.action_row.addStretch(1)
        self.action_row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(list_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.action_row)

    def reload(self) -> None:
        """Read the setting and list the people it catches, on the read lane: a long
        list (a 1-year one on a ten-year desk) never holds up a save."""
        def job(session):
            years = settings.get(session, "retention_years")
            return years, retention.due_for_review(session, years)

        self._busy()
        self.tasks.read(job, self._show)

    def save_years(self) -> None:
        years = self.years.value()
        problem = retention.check_years(years)
        self.years_message.setText(problem)
        self.years_message.setVisible(bool(problem))
        if problem:
            return

        self._busy()  # the setting saved (save lane), then the list read (read lane)
        self.tasks.run(lambda s: settings.put(s, "retention_years", years), self._saved)

    def _saved(self, _none) -> None:
        self.reload()

    def _busy(self) -> None:
        self.summary.setText("Listing…")
        self.open_button.setEnabled(False)

    def _show(self, result: tuple[int, list[DueRow]]) -> None:
        years, rows = result
        if self.years.value() != years:
            self.years.blockSignals(True)
            self.years.setValue(years)
            self.years.blockSignals(False)
        self._ready = True
        if self._debounce.isActive():
            return  # changed again meanwhile: that list is on its way
        self.rows = rows
        self.model.set_rows(rows)
        n = len(rows)
        self.summary.setText(
            f"{n:,} {'person' if n == 1 else 'people'} with no contact for {years} "
            f"year{'s' if years != 1 else ''} or more." if n else
            f"Nobody has gone {years} year{'s' if years != 1 else ''} without contact.")
        self._selected(self.table.currentIndex(), None)
        self.loaded.emit()

    def _selected(self, current, _previous) -> None:
        self.open_button.setEnabled(current.isValid())
        self.chosen.emit(self.selected_person_id() or "")

    def selected_person_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.rows[index.row()].person_id if index.isValid() else None

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_person.emit(self.rows[row].person_id)


# -- into the window ---------------------------------------------------------------------


class Rights:
    """What ``install_rights`` added to the window."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.retention_dialog: RetentionDialog | None = None
        self.retention_action = QAction("People d&ue for review under retention…", window)
        self.retention_action.triggered.connect(self.show_retention)
        menu = window.menuBar().actions()[0].menu()  # Desk
        first_separator = next((a for a in menu.actions() if a.isSeparator()), None)
        menu.insertAction(first_separator, self.retention_action)
        menu.aboutToShow.connect(self._roles)  # who is at the desk may have changed
        window.person_opened.connect(self._person_opened)
        self._roles()

    def _roles(self) -> None:
        allowed = self.window.desk.can("retention")
        self.retention_action.setEnabled(allowed)
        self.retention_action.setVisible(allowed)

    def _person_opened(self, page: PersonPage) -> None:
        if getattr(page, "export_action", None) is not None:
            return
        if self.window.desk.can("subject_access"):
            menu = page.more_menu  # before its separator (what cannot be undone is after)
            first_separator = next((a for a in menu.actions() if a.isSeparator()), None)
            menu.insertAction(first_separator, export_action(page))

    def show_retention(self) -> RetentionDialog | None:
        if not self.window.desk.can("retention"):
            return None
        dialog = self.retention_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = self.retention_dialog = RetentionDialog(self.window.tasks, self.window)
        dialog.open_person.connect(self.window.open_person)
        erase_ui.add_to_list(dialog, self.window)  # Erase their information…
        dialog.show()
        dialog.reload()
        return dialog


def install_rights(window: MainWindow) -> Rights:
    return Rights(window)
