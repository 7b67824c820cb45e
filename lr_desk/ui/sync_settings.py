"""Sync settings: which central store this desk syncs with, as which device.

An empty address means the embedded default (a SQLite file in the profile folder). "Pull
from", optional, is a streaming replica of a PostgreSQL store to read changes from. The
password is never shown and never kept as a draft: it goes straight to ``connect.save``,
which keeps it out of plain text. "Test connection" tries the typed settings on a worker
and says plainly, next to the button, whether they work and if not, why.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from lr_desk.services.validation import ValidationError
from lr_desk.ui import style
from lr_desk.ui.forms import EditorDialog, Fields, line_edit
from lr_desk.ui.tasks import Tasks

SCHEMES = ("sqlite", "postgresql")
NAME_MAX = 36  # as lr_desk.sync.central.DEVICE_NAME allows (a test keeps them equal)


class SyncSettingsDialog(EditorDialog):
    """URL, device name and password, a Test connection button, Save and Cancel."""

    def __init__(self, tasks: Tasks, folder: Path, parent=None):
        super().__init__(tasks, "sync-settings", "Sync settings", parent=parent)
        self.folder = Path(folder)
        self._tests = 0  # only the newest test's answer is shown
        self.f = Fields(self.mark_dirty)
        form = QFormLayout()
        self.f.add(form, "url", "Central store &address",
                   line_edit("Central store address",
                             "Empty: this computer's own store, in the profile folder"))
        self.f.add(form, "pull_url", "Pu&ll from (optional)",
                   line_edit("Pull from address",
                             "A replica of the store to read changes from, e.g. "
                             "postgresql://replica-host:5432"))
        self.f.add(form, "device_name", "&Device name",
                   line_edit("Device name", "e.g. Walton laptop 2"))
        password = line_edit("Password", "Leave empty to keep the saved password")
        password.setEchoMode(QLineEdit.EchoMode.Password)
        self.f.add(form, "password", "Pass&word", password)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("About the address")

        self.test_button = QPushButton("&Test connection")
        self.test_button.setAccessibleName("Test connection")
        self.test_button.setToolTip("Try these settings without saving them")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Connection test result")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addLayout(test_row)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.ready()
        self.f.widgets["url"].setFocus()

    # -- loading: the settings as they are (never a draft: it could hold a password) ---
    def start(self) -> None:
        from lr_desk.sync import connect

        self.show()
        folder = self.folder

        def load(s):
            return connect.configured(s, folder), connect.embedded_url(folder)

        self.tasks.run(load, self._loaded)

    def _loaded(self, found) -> None:
        connection, embedded = found
        if not self.dirty:  # typing started meanwhile wins
            self.load_payload({"url": connection.url, "pull_url": connection.pull_url,
                               "device_name": connection.device_name})
        self.hint.setText(f"With no address, this desk keeps its central store in "
                          f"{embedded.removeprefix('sqlite:///')} (for one computer, or to try "
                          "lr_desk out). For a shared store, enter the address IT gave you, "
                          "e.g. postgresql://host/lr_desk?sslmode=require.")
        self.adjustSize()  # room for the wrapped lines

    def save_draft(self) -> None:
        """No drafts here: a draft is plain text, and this form holds a password."""

    def save_failed(self, exc: BaseException) -> bool:
        from lr_desk.sync.engine import SyncError
        from lr_desk.ui.tasks import environment_problem

        if isinstance(exc, ValidationError):
            return super().save_failed(exc)
        self._saving = False
        self.save_button.setEnabled(True)
        why = (str(exc) if isinstance(exc, SyncError) else environment_problem(exc) or
               f"Something went wrong ({type(exc).__name__}) and has been logged.")
        self.show_notice(f"Not saved. {why}")
        return True  # said here, where the settings are (the worker logged a bug)

    # -- checking, testing, saving ----------------------------------------------------
    def validate(self, payload: dict) -> None:
        errors = {}
        url = payload["url"].strip()
        if url and url.split(":", 1)[0].split("+", 1)[0] not in SCHEMES:
            errors["url"] = ("The address starts with postgresql:// (a shared store) or "
                             "sqlite:/// (a file); or leave it empty.")
        elif "sslpassword=" in url.lower():
            from lr_desk.sync.connect import KEY_PASSWORD

            errors["url"] = KEY_PASSWORD
        pull_url = payload["pull_url"].strip()
        if pull_url and "url" not in errors:
            from lr_desk.sync.connect import NO_PULL_FROM, pull_from

            try:
                if not url:
                    raise ValueError(NO_PULL_FROM)
                pull_from(url, pull_url)
            except ValueError as exc:
                errors["pull_url"] = str(exc)
        name = payload["device_name"].strip()
        if not name:
            errors["device_name"] = ("Give this computer a name, so the store can tell "
                                     "devices apart.")
        elif len(name) > NAME_MAX:
            errors["device_name"] = (f"At most {NAME_MAX} characters, please: the central "
                                     "store knows devices by names that long.")
        if errors:
            raise ValidationError(errors)

    def _typed(self) -> tuple[str, str, str | None, str]:
        payload = self.collect()
        return (payload["url"].strip(), payload["device_name"].strip(),
                payload["password"] or None, payload["pull_url"].strip())

    def test_connection(self) -> None:
        from lr_desk.sync import connect

        errors = self.check(self.collect())
        self.show_errors(errors, only_touched=False)
        if errors:
            self._show_result("Please check the highlighted fields first.", ok=False)
            return
        url, device_name, password, pull_url = self._typed()  # no address: embedded
        folder = self.folder  # none typed: the saved password, as Save would keep it
        self._tests += 1
        test = self._tests
        self.test_button.setEnabled(False)
        self._show_result("Trying to connect…", ok=None)
        key = self.tasks.store.key
        self.tasks.run_aside(lambda: connect.test_connection(url, device_name, password,
                                                             folder, key, pull_url),
                             lambda problem: self._tested(test, problem),
                             lambda exc: self._test_failed(test, exc))

    def _tested(self, test: int, problem: str | None) -> None:
        if test != self._tests:
            return
        self.test_button.setEnabled(True)
        if problem:
            self._show_result(problem, ok=False)
        else:
            self._show_result("Connected: these settings work. Save to use them.", ok=True)

    def _test_failed(self, test: int, exc: BaseException) -> bool:
        from lr_desk.ui.sync import explain

        if test == self._tests:
            self.test_button.setEnabled(True)
            self._show_result(explain(exc), ok=False)
        return True

    def _show_result(self, text: str, ok: bool | None) -> None:
        self.result.setText(text)
        self.result.setAccessibleDescription(text)
        if ok is None:  # trying: plain words; then the answer in the style's colour and weight
            style.note(self.result)
        else:
            style.message(self.result, "success" if ok else "error")
        self.adjustSize()

    def submit(self, payload: dict) -> None:
        from lr_desk.sync import connect

        url, device_name, password, pull_url = self._typed()
        folder = self.folder

        def save(s):
            connect.save(s, folder, url, device_name, password, pull_url)

        self.tasks.run(save, self.saved_ok, self.save_failed)
