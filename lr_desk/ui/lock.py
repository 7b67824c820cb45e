"""The locked desk: after a while without input, or on Ctrl+L, the records are hidden
behind a page that asks for the password of whoever is signed in, or lets a colleague
sign in instead. Open forms are hidden, not closed: what was typed waits for its owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services.accounts import SignedIn
from lr_desk.services.signin import Gate, SignInError
from lr_desk.ui import style
from lr_desk.ui.background import Background
from lr_desk.ui.forms import Fields, line_edit
from lr_desk.ui.signin import password_edit, unexpected_problem

if TYPE_CHECKING:
    from lr_desk.store.db import Store  # the open store, handed through to the gate

COLUMN_WIDTH = 440  # the lock page's column of boxes, centred

# What counts as someone at the desk.
ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                      QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin})


class IdleLock(QObject):
    """Calls ``lock`` after ``minutes`` without a key, click or mouse move anywhere in
    the application."""

    def __init__(self, minutes: int, lock, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lock)
        self.set_minutes(minutes)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.start()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()  # from now
        return False

    def stop(self) -> None:
        self.timer.stop()
        QApplication.instance().removeEventFilter(self)


class LockPage(QWidget):
    """Shown instead of the desk while it is locked. ``unlocked`` carries who signed in:
    the same person, or a colleague."""

    unlocked = Signal(object)  # SignedIn

    def __init__(self, gate: Gate, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.gate, self.store = gate, store
        self.who: SignedIn | None = None
        self.setAccessibleName("The desk is locked")
        self.background = Background(self)
        self.title = style.heading(QLabel(), "subheading")
        self.title.setAccessibleName("Who is signed in")
        self.title.setWordWrap(True)
        self.f = Fields()

        mine = QGroupBox("Unlock")
        form = QFormLayout(mine)
        self.f.add(form, "password", "&Password", password_edit("Password"))
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.clicked.connect(self.unlock)
        form.addRow("", self.unlock_button)

        other = QGroupBox("Someone else at the desk")
        form = QFormLayout(other)
        self.f.add(form, "username", "User&name", line_edit("Someone else's username"))
        self.f.add(form, "other_password", "Pass&word",
                   password_edit("Someone else's password"))
        self.switch_button = QPushButton("Sign in as someone &else")
        self.switch_button.setAccessibleName("Sign in as someone else")
        self.switch_button.clicked.connect(self.switch)
        form.addRow("", self.switch_button)
        note = QLabel("Forms left open are kept for whoever opened them, until they are "
                      "back.")
        note = style.note(note)

        self.status = QLabel()
        self.status.setAccessibleName("What is happening")
        self.status.setWordWrap(True)
        # one column of a readable width in the middle: its words wrap inside it, whole
        middle = QWidget()
        middle.setFixedWidth(COLUMN_WIDTH)
        inner = QVBoxLayout(middle)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(style.SPACE["m"])
        for w in (self.title, mine, other, note, self.status):
            inner.addWidget(w)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(middle, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.f.widgets["password"].returnPressed.connect(self.unlock)
        self.f.widgets["other_password"].returnPressed.connect(self.switch)

    def show_for(self, who: SignedIn) -> None:
        self.who = who
        self.title.setText(f"This desk is locked. {who.name} is signed in.")
        for key in ("password", "username", "other_password"):
            self.f.widgets[key].clear()
        self.f.show_errors({}, only_touched=False)
        self.status.clear()
        self.f.widgets["password"].setFocus()

    def _busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.switch_button.setEnabled(not busy)
        self.status.setText("Checking…" if busy else "")

    def unlock(self) -> None:
        password, who = self.f.values()["password"], self.who
        if self.background.run(lambda: self.gate.check_password(self.store, who, password),
                               lambda _r: self._done(who),
                               lambda exc: self._failed(exc, "password")):
            self._busy(True)

    def switch(self) -> None:
        v = self.f.values()
        if self.background.run(
                lambda: self.gate.switch(self.store, v["username"], v["other_password"]),
                self._done, lambda exc: self._failed(exc, "other_password")):
            self._busy(True)

    def _failed(self, exc: BaseException, field: str) -> None:
        self._busy(False)
        if isinstance(exc, SignInError) and exc.field == "username" and field != "password":
            field = "username"
        message = str(exc) if isinstance(exc, SignInError) else unexpected_problem(exc)
        self.f.widgets["other_password" if field != "password" else "password"].clear()
        self.f.show_errors({field: message}, only_touched=False)
        self.f.widgets[field].setFocus()

    def _done(self, who: SignedIn) -> None:
        self._busy(False)
        self.unlocked.emit(who)
