"""Enter does what a form is for (sign in, save, search), whatever button Tab passed
over last. Qt makes a focused button the default, and a button that was once focused can
stay the default after focus moves on (the sign-in box then opened "Use the recovery
key..." on Enter in the Password field). ``enter_does(form, button)`` settles it: the
form's other buttons never become the default, and Enter or Return in any field other
than a button (which Enter presses, as expected) clicks ``button``; multi-line text keeps
Enter for a new line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterDoes(QObject):
    def __init__(self, form: QWidget, button: QPushButton):
        super().__init__(form)
        self.form, self.button = form, button

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.KeyPress:  # (what the field left for its form)
            return False
        if event.key() not in ENTER or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        focus = QApplication.focusWidget()
        if focus is None or not self.form.isAncestorOf(focus) or isinstance(
                focus, QAbstractButton | QPlainTextEdit | QTextEdit):
            return False  # a button presses itself; text areas take a new line
        if getattr(focus, "wants_enter", False):  # a picker's list: Enter chooses there
            return False
        if self.button.isEnabled() and self.button.isVisible():
            self.button.click()
        return True


def enter_does(form: QWidget, button: QPushButton) -> None:
    """Enter in ``form`` clicks ``button`` (see the module's note)."""
    for other in form.findChildren(QPushButton):
        if other is not button:
            other.setAutoDefault(False)
            other.setDefault(False)
    button.setAutoDefault(True)
    button.setDefault(True)
    form.installEventFilter(_EnterDoes(form, button))
