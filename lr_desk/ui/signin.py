"""Signing in, setting a desk up, the recovery key, and the lock screen.

Deriving a key from a password is slow on purpose (a fraction of a second to a second),
and opening the store can take longer, so every check runs on a thread of its own
(``Background``): the window keeps painting, and typing is never lost.

This module loads no database layer: the sign-in box is shown before SQLAlchemy and the
models are imported, and is handed the ``Gate`` that checks passwords when it has loaded
behind it (``SignInDialog.ready``). Sign in pressed before then waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services.signin_start import SignInError
from lr_desk.ui import style
from lr_desk.ui.background import Background
from lr_desk.ui.enter import enter_does
from lr_desk.ui.fields import Fields, combo, line_edit

if TYPE_CHECKING:
    from lr_desk.services.signin import Gate, Unlocked

SMALL_FORM_WIDTH = 440


def password_edit(name: str) -> QLineEdit:
    w = line_edit(name)
    w.setEchoMode(QLineEdit.EchoMode.Password)
    return w


def unexpected_problem(exc: BaseException) -> str:
    from lr_desk.ui.tasks import environment_problem

    return environment_problem(exc) or (
        "The desk could not open its data: a problem lr_desk did not expect "
        f"({type(exc).__name__}). The details are in the log; please tell the lr_desk team.")


class SmallForm(QDialog):
    """A small form of fields with messages under them, a main button, and a line that
    says what is happening."""

    def __init__(self, title: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.background = Background(self)
        self.f = Fields()
        self.form = QFormLayout()
        self.status = QLabel()
        self.status.setAccessibleName("What is happening")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.layout_ = QVBoxLayout(self)
        self.setMinimumWidth(SMALL_FORM_WIDTH)  # its notes read as lines, not a column

    def main_button(self, text: str, slot) -> QPushButton:
        button = style.primary(QPushButton(text))  # its look given before it is polished
        self.buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setAccessibleName(text.replace("&", ""))
        button.setDefault(True)
        button.clicked.connect(slot)
        return button

    def busy(self, text: str) -> None:
        self.status.setText(text)
        self.f.show_errors({}, only_touched=False)
        for w in self.buttons.buttons():
            w.setEnabled(False)

    def idle(self, errors: dict[str, str] | None = None, status: str = "") -> None:
        self.status.setText(status)
        for w in self.buttons.buttons():
            w.setEnabled(True)
        if errors:
            self.f.show_errors(errors, only_touched=False)
            self.f.focus_first_error(errors)
            self.grow_to_fit()

    def grow_to_fit(self) -> None:
        """Taller if a message needs the room: a form of wrapped lines does not grow by
        itself (the message under the password was cut off after a line)."""
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def failed(self, exc: BaseException, default_field: str) -> None:
        # (loaded with the gate, by now: not before the box)
        from lr_desk.services.validation import ValidationError

        if isinstance(exc, SignInError):
            field = exc.field if exc.field in self.f.widgets else default_field
            self.idle({field: str(exc)})
        elif isinstance(exc, ValidationError):
            known = {k: v for k, v in exc.errors.items() if k in self.f.widgets}
            self.idle(known or {default_field: " ".join(exc.errors.values())})
        else:
            self.idle({default_field: unexpected_problem(exc)})

    def reject(self) -> None:
        if not self.background.busy:  # never closed under a key derivation in flight
            super().reject()


class SignInDialog(SmallForm):
    """Username and password, to open the desk. ``unlocked`` holds the open desk after
    it is accepted. Made with no ``gate`` it is shown at once, and ``ready(gate)``
    hands it the gate when that has loaded; Sign in pressed before then waits for it."""

    def __init__(self, gate: Gate | None, parent: QWidget | None = None,
                 demo: bool = False):
        super().__init__(f"Sign in to {style.TITLE}", parent)
        self.gate = gate
        self.unlocked: Unlocked | None = None
        self.waiting: dict | None = None  # what Sign in sent before the gate was ready
        self.f.add(self.form, "username", "&Username", line_edit("Username"))
        self.f.add(self.form, "password", "&Password", password_edit("Password"))
        self.f.add(self.form, "new_password", "&New password",
                   password_edit("Your new password"))
        self.f.show_row("new_password", False)
        self.sign_in_button = self.main_button("&Sign in", self.sign_in)
        recover = self.buttons.addButton("Use the &recovery key…",
                                         QDialogButtonBox.ButtonRole.ActionRole)
        recover.setAccessibleName("Use the recovery key")
        recover.clicked.connect(self.recover)
        recover.setEnabled(gate is not None)  # (for a moment at start: it needs the gate)
        self.recover_button = recover
        enter_does(self, self.sign_in_button)
        note = QLabel("Only staff may see this desk's records. Sign in with your lr_desk "
                      "username and password (it works offline).")
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        if demo:
            hint = QLabel("Demo desk (synthetic data): sign in as <b>advisor</b>, "
                          "<b>manager</b> or <b>admin</b>, password <b>life-rooms-demo</b>.")
            hint.setAccessibleName("Demo sign-in")
            hint.setWordWrap(True)
            self.layout_.addWidget(hint)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.buttons)
        self.f.widgets["username"].setFocus()

    def sign_in(self) -> None:
        if self.unlocked is not None:  # the password changed elsewhere: the new one
            new = self.f.values()["new_password"]
            self.busy("Checking…")
            self.background.run(lambda: self.gate.confirm_new_password(self.unlocked, new),
                                lambda _r: self.accept(),
                                lambda exc: self.failed(exc, "new_password"))
            return
        v = self.f.values()
        if self.gate is None:  # still loading behind the box: signs in when it is ready
            self.waiting = v
            self.busy("Getting ready to sign in…")
            self.sign_in_button.setText("Getting ready…")
            self.setCursor(Qt.CursorShape.BusyCursor)
            return
        self.busy("Signing in…")
        self.background.run(lambda: self.gate.sign_in(v["username"], v["password"]),
                            self._signed_in, self._failed)

    def ready(self, gate: Gate) -> None:
        """The gate that checks passwords, loaded behind the box; a Sign in that was
        waiting for it goes on, with what was sent."""
        self.gate = gate
        if self.waiting is None:
            self.recover_button.setEnabled(True)
            return
        v, self.waiting = self.waiting, None
        self.sign_in_button.setText("&Sign in")
        self.unsetCursor()
        self.status.setText("Signing in…")
        self.background.run(lambda: gate.sign_in(v["username"], v["password"]),
                            self._signed_in, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.f.widgets["password"].clear()
        self.failed(exc, "password")

    def _signed_in(self, unlocked: Unlocked) -> None:
        self.unlocked = unlocked
        if not unlocked.password_changed_elsewhere:
            self.accept()
            return
        for key in ("username", "password"):
            self.f.widgets[key].setEnabled(False)
        new = self.f.widgets["new_password"]
        self.f.show_row("new_password", True)
        self.idle(status="Your password was changed on another desk. Type the new one "
                  "to open this desk with it from now on.")
        new.setFocus()

    def reject(self) -> None:
        if self.unlocked is not None and not self.background.busy:
            self.unlocked.store.close()  # opened with the old password, never confirmed
            self.unlocked = None
        self.waiting = None  # closed while getting ready: nobody signs in after all
        super().reject()

    def recover(self) -> None:
        dialog = RecoveryDialog(self.gate, self)
        if dialog.exec():
            self.status.setText("The password was reset: sign in with the new one.")
            self.f.load({"username": dialog.username})
            self.f.widgets["password"].setFocus()


class SetUpDialog(SmallForm):
    """The first admin account of a new desk (or of a desk whose data was saved before
    encryption came in: it is encrypted on the way). Then the recovery key, once."""

    def __init__(self, gate: Gate, sites: dict[str, str], parent: QWidget | None = None):
        super().__init__("Set up this desk", parent)
        self.gate, self.sites = gate, sites
        self.unlocked: Unlocked | None = None
        converting = gate.state() == "convert"
        note = QLabel(
            "lr_desk now keeps this desk's records encrypted, and only signed-in staff "
             "can open them. Set up the first account (an admin): the records already "
             "here are encrypted, after an encrypted backup, and nothing is lost."
             if converting else
             "Set up the first account on this desk: an admin, who can then add the "
             "other staff. The records kept here are encrypted.")
        note.setWordWrap(True)
        self.f.add(self.form, "name", "Your &name", line_edit("Your name"))
        self.f.add(self.form, "home_site", "&Home hub", combo("Home hub", sites))
        self.f.add(self.form, "username", "&Username", line_edit("Username"))
        self.f.add(self.form, "password", "&Password", password_edit("Password"))
        self.f.add(self.form, "password_again", "Password a&gain",
                   password_edit("Password again"))
        self.main_button("&Set up", self.set_up)
        self.layout_.addWidget(note)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.buttons)
        self.f.widgets["name"].setFocus()

    def set_up(self) -> None:
        v = self.f.values()
        self.busy("Setting up (encrypting the records already here can take a minute)…")
        self.background.run(
            lambda: self.gate.set_up(v["name"], v["home_site"], v["username"], v["password"],
                                     v["password_again"], self.sites),
            self._done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        recovery = getattr(exc, "recovery_key", None)
        if not recovery:
            self.failed(exc, "password")
            return
        RecoveryKeyDialog(recovery, self).exec()  # the keys were kept: so must this be
        self.idle({"password": f"{unexpected_problem(exc)} The desk's keys are set up: close "
                              "lr_desk, start it again and sign in to finish."})
        for w in self.buttons.buttons():
            w.setEnabled(False)

    def _done(self, unlocked: Unlocked) -> None:
        self.unlocked = unlocked
        RecoveryKeyDialog(unlocked.recovery_key, self).exec()
        self.accept()


class RecoveryKeyDialog(QDialog):
    """The recovery key, shown once: to print or write down and keep somewhere safe."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("This desk's recovery key")
        self.setAccessibleName("This desk's recovery key")
        self.key = recovery_key
        text = QLabel("If every admin's password is forgotten, this key is the only way "
                      "into this desk's records. It is shown this once: print it or write "
                      "it down, and keep it locked away, apart from the computer.")
        text.setWordWrap(True)
        shown = QPlainTextEdit(recovery_key)
        shown.setReadOnly(True)
        shown.setAccessibleName("Recovery key")
        shown.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        shown.setMaximumHeight(60)
        self.kept = QCheckBox("I have &printed it or written it down")
        self.kept.setAccessibleName("I have printed it or written it down")
        buttons = QDialogButtonBox()
        print_button = buttons.addButton("P&rint…", QDialogButtonBox.ButtonRole.ActionRole)
        print_button.setAccessibleName("Print the recovery key")
        print_button.clicked.connect(self.print_key)
        self.done_button = style.primary(
            buttons.addButton("&Continue", QDialogButtonBox.ButtonRole.AcceptRole))
        self.done_button.setAccessibleName("Continue")
        self.done_button.setEnabled(False)
        self.done_button.setToolTip("Tick \"I have printed it or written it down\" first: "
                                    "the key is not shown again")
        self.done_button.clicked.connect(self.accept)
        self.kept.toggled.connect(self.done_button.setEnabled)
        layout = QVBoxLayout(self)
        for w in (text, shown, self.kept, buttons):
            layout.addWidget(w)
        self.setMinimumWidth(SMALL_FORM_WIDTH + 80)  # the key on one line
        self.kept.setFocus()

    def print_key(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            doc = QTextDocument()
            doc.setPlainText(f"lr_desk recovery key\n\n{self.key}\n\nKeep this locked away.")
            doc.print_(printer)

    def reject(self) -> None:
        if self.kept.isChecked():
            super().reject()


class RecoveryDialog(SmallForm):
    """Every password forgotten: the recovery key opens the desk, and an account gets a
    new password."""

    def __init__(self, gate: Gate, parent: QWidget | None = None):
        super().__init__("Use the recovery key", parent)
        self.gate = gate
        self.username = ""
        self.f.add(self.form, "recovery_key", "Recovery &key",
                   line_edit("Recovery key", "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"))
        self.f.add(self.form, "username", "Account's &username", line_edit("Username"))
        self.f.add(self.form, "password", "New &password", password_edit("New password"))
        self.f.add(self.form, "password_again", "New password a&gain",
                   password_edit("New password again"))
        self.main_button("&Reset the password", self.reset)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.buttons)

    def reset(self) -> None:
        v = self.f.values()
        self.busy("Checking the recovery key…")
        self.background.run(lambda: self._reset(v), self._done,
                            lambda exc: self.failed(exc, "recovery_key"))

    def _reset(self, v: dict) -> str:
        from lr_desk.services import accounts

        store = self.gate.recover(v["recovery_key"])
        try:
            with store.session() as s:
                found = accounts.find(s, v["username"])
            if not found:
                raise SignInError("There is no such account on this desk.", "username")
            self.gate.reset_password(store, found[0].id, v["password"], v["password_again"])
            return found[0].username
        finally:
            store.close()

    def _done(self, username: str) -> None:
        self.username = username
        self.accept()
