"""Erasing a person's information, from their page (or from any list that has their id:
``ask_erase``). The dialog says what goes and what stays, asks why, asks for their name
(or the word ERASE) to be typed so nothing is erased by accident, and, when the advisor
at the desk is not a manager, for a manager's username and password. The erasure runs on
the database worker; the old values are then cleared out of the file on the second one.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import erasure, proofs
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import local_time
from lr_desk.store.models import ERASURE_REASONS, Person
from lr_desk.ui import style
from lr_desk.ui.forms import Fields, combo, line_edit
from lr_desk.ui.tasks import Tasks

MENU_TEXT = "&Erase this person's information…"  # in the person page's More menu
ERASE_SIZE = QSize(600, 620)  # within 1280x720 (less a taskbar and a title bar)


class EraseDialog(QDialog):
    """Ask for, approve and carry out the erasure of one person's information.

    ``erased`` is emitted with the people erased (detached Person records, for search
    and open pages) once it is committed; ``wiped`` once the file has been cleared."""

    erased = Signal(object)  # list[Person]
    wiped = Signal(object)  # store.erase.Wiped

    def __init__(self, tasks: Tasks, person_id: str, advisor_id: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.person_id, self.advisor_id = tasks, person_id, advisor_id
        self.request: erasure.Request | None = None
        self.setWindowTitle("Erase this person's information")
        self.setAccessibleName("Erase this person's information")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.summary = QLabel("Looking up their records…")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What will be erased")
        goes, stays = QLabel(erasure.WHAT_GOES), QLabel(erasure.WHAT_STAYS)
        for label, name in ((goes, "What is erased"), (stays, "What is kept")):
            label.setWordWrap(True)
            label.setAccessibleName(name)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
        goes_box, stays_box = QGroupBox("What is erased"), QGroupBox("What is kept")
        QVBoxLayout(goes_box).addWidget(goes)
        QVBoxLayout(stays_box).addWidget(stays)

        self.f = Fields(lambda key: self._clear(key))
        form = QFormLayout()
        self.f.add(form, "reason", "&Why", combo("Why their information is erased",
                                                 ERASURE_REASONS, blank="Choose…"))
        self.f.add(form, "confirm", "&Confirm", line_edit(
            "Type their name or ERASE to confirm", f"their name, or {erasure.CONFIRM_WORD}"))
        self.approval = QGroupBox("A manager approves")
        self.approval.setAccessibleName("A manager approves")
        approval_form = QFormLayout(self.approval)
        note = QLabel("You are signed in as an advisor: a manager (or an admin) approves "
                      "an erasure here, with their own username and password.")
        note.setWordWrap(True)
        approval_form.addRow(note)
        self.f.add(approval_form, "username", "Manager's &username",
                   line_edit("Approving manager's username"))
        password = line_edit("Approving manager's password")
        password.setEchoMode(QLineEdit.EchoMode.Password)
        self.f.add(approval_form, "password", "Manager's &password", password)
        self.approval.setVisible(False)
        self.problem = QLabel()  # for what belongs to no field (already erased, say)
        style.message(self.problem, "error")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.erase_button = style.danger(QPushButton("&Erase"))
        self.erase_button.setAccessibleName("Erase their information")
        self.erase_button.setEnabled(False)
        self.erase_button.setAutoDefault(False)  # Enter in a field never erases
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.erase_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)

        # what it says and asks scrolls inside a fixed frame; Erase and Cancel stay below it,
        # on screen, whether or not a manager's approval is asked for
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(goes_box)
        column.addWidget(stays_box)
        column.addLayout(form)
        column.addWidget(self.approval)
        column.addWidget(self.problem)
        column.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setAccessibleName("What erasing them means")
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes through what is in it
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)  # the dialog's own background
        scroll.widget().setAutoFillBackground(False)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.resize(ERASE_SIZE)

    def start(self) -> None:
        """Look up the person and whether the advisor may approve (on the worker)."""
        pid, adv = self.person_id, self.advisor_id
        self.tasks.run(lambda s: erasure.request(s, pid, adv), self._loaded)

    def _loaded(self, request: erasure.Request | None) -> None:
        self.request = request
        if request is None or request.erased:
            self.summary.setText("This person's information has already been erased."
                                 if request else "This person's record is no longer here.")
            return
        records = f"{request.records} records"
        merged = (f", and {request.people - 1} record(s) merged into theirs"
                  if request.people > 1 else "")
        self.summary.setText(f"Erase the information of {request.name}{merged}: "
                             f"{records} in all, on every desk as they sync.")
        self.f.widgets["confirm"].setPlaceholderText(
            f"{request.name}, or {erasure.CONFIRM_WORD}")
        self.approval.setVisible(not request.self_approved)
        self._fit()
        self.erase_button.setEnabled(True)
        self.f.widgets["reason"].setFocus()

    def _fit(self) -> None:
        """As tall as what it says and asks needs, up to ERASE_SIZE (then it scrolls)."""
        body = self.scroll.widget()
        body.adjustSize()
        want = body.heightForWidth(self.scroll.viewport().width())
        want = want if want > 0 else body.sizeHint().height()
        around = self.height() - self.scroll.viewport().height()  # buttons and margins
        self.resize(self.width(), min(ERASE_SIZE.height(), want + around))

    def _clear(self, key: str) -> None:
        self.f.errors[key].setVisible(False)
        self.problem.setVisible(False)

    def show_errors(self, errors: dict[str, str]) -> None:
        at_fields = {k: v for k, v in errors.items() if k in self.f.widgets}
        self.f.show_errors(at_fields, only_touched=False)
        rest = [v for k, v in errors.items() if k not in self.f.widgets]
        self.problem.setText(" ".join(rest))
        self.problem.setVisible(bool(rest))
        self.f.focus_first_error(at_fields)

    def submit(self) -> None:
        if self.request is None or self.request.erased:
            return
        values = self.f.values()
        errors = erasure.check_request(values["reason"], values["confirm"], self.request.name)
        needs_approval = not self.request.self_approved
        if needs_approval and not values["username"].strip():
            errors["username"] = "Enter the approving manager's username."
        if needs_approval and not values["password"]:
            errors["password"] = "Enter the approving manager's password."
        if errors:
            self.show_errors(errors)
            return
        self.f.widgets["password"].clear()  # held no longer than it must be
        pid, adv, reason = self.request.person_id, self.advisor_id, values["reason"]
        username, password = values["username"], values["password"]
        own = proofs.signer_of(self.tasks.store)

        def work(session):
            approver, signer = adv, own  # signed with the approving manager's key
            if needs_approval:
                manager = erasure.approver(session, username, password)
                approver = manager.id
                signer = erasure.approval_signer(session, manager, password)
            done = erasure.erase(session, pid, adv, approver, reason, signer=signer)
            return [session.get(Person, i) for i in done.people]

        self.erase_button.setEnabled(False)
        self.tasks.run(work, self._done, self._failed)

    def _done(self, people: list[Person]) -> None:
        self.summary.setText("Erased. Clearing the old values out of this desk's file "
                             "(the first time on an older desk this can take a minute)…")
        for widget in self.f.widgets.values():
            widget.setEnabled(False)
        # on the database lane, queued with the saves: none fails as busy meanwhile
        self.tasks.run_store(lambda store: erasure.wipe(store.engine), self._wiped)
        self.erased.emit(people)

    def _wiped(self, wiped) -> None:
        self.wiped.emit(wiped)
        self.accept()

    def _failed(self, exc: BaseException) -> bool:
        self.erase_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
            return True
        return False  # the desk reports it (a bug, or the disk, say)


def ask_erase(parent: QWidget, tasks: Tasks, person_id: str, advisor_id: str) -> EraseDialog:
    """Open the erase dialog for a person (from their page, or a list such as the people
    kept past the retention period): connect to ``erased`` to refresh."""
    dialog = EraseDialog(tasks, person_id, advisor_id, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.start()
    dialog.show()
    return dialog


def install(page) -> QAction:
    """The erase action of a person page (``PersonPage``), for its More menu (it is rare,
    and cannot be undone: never beside the everyday buttons). Once done, the page shows
    them as erased, and search and other open pages hear of it (``people_changed``)."""
    action = QAction(MENU_TEXT, page)
    action.setToolTip("Remove their personal information everywhere, on a manager's "
                      "approval (counts for reports are kept)")
    action.setEnabled(False)

    def ask() -> EraseDialog | None:
        if page.view is None:
            return None
        dialog = ask_erase(page, page.tasks, page.person_id, page.advisor_id)
        dialog.erased.connect(lambda people: (page.people_changed.emit(people),
                                              page._changed()))
        page.erase_dialog = dialog
        return dialog

    action.triggered.connect(ask)
    page.erase_action = action
    return action


ERASED_NOTE = ("This person's information was erased on {day}. What reports count about "
               "them is kept; nothing else can be recorded for them.")


def show_erased(page) -> None:
    """After the page has shown its person (``PersonPage._show``): an erased person is
    shown as such, with nothing to act on; anyone else may be erased."""
    person = page.view.person if page.view is not None else None
    erased = person is not None and person.erased_at is not None
    page.erase_action.setEnabled(person is not None and not erased)
    if not erased:
        return
    page.heading.setText("Erased")
    page.details.setText(ERASED_NOTE.format(day=f"{local_time(person.erased_at):%d/%m/%Y}"))
    page.comms.setText("")
    page.timeline.set_entries([])
    for widget in (page.dropin_button, page.edit_button, page.referral_button,
                   page.follow_up_button, page.sheet_button, page.undo_merge_button,
                   getattr(page, "consent", None)):
        if widget is not None:
            widget.setEnabled(False)


def add_to_list(view, window) -> QPushButton:
    """An erase action on a list of people (``view``, as the retention list has it: an
    ``action_row``, ``chosen`` (a person id, or ""), ``selected_person_id()`` and
    ``reload()``), in the desk's ``window``: it erases the person chosen, then lists
    again; search and an open page of theirs hear of it."""
    button = QPushButton("&Erase their information…")
    button.setAccessibleName("Erase the chosen person's information")
    button.setEnabled(False)
    view.chosen.connect(lambda person_id: button.setEnabled(bool(person_id)))

    def erased(people: list[Person]) -> None:
        for person in people:
            window.search.person_saved(person)
            page = window.person_page(person.id)
            if page is not None:
                page.reload()
        view.reload()

    def ask() -> EraseDialog | None:
        person_id = view.selected_person_id()
        if not person_id:
            return None
        dialog = ask_erase(view, window.tasks, person_id, window.desk.advisor_id)
        dialog.erased.connect(erased)
        view.erase_dialog = dialog
        return dialog

    button.clicked.connect(ask)
    view.action_row.insertWidget(1, button)  # after Open person
    view.erase_button = button
    return button
