"""A form's pages, chosen by a row of buttons above them: what a tab widget does, said the
way a screen reader can use it. Qt's tab widget is a frame that takes the keyboard
itself, and its tab list has no name of its own (it takes the current tab's); here each
page's button is a toggle named by its words, pressed while its page is on show, and the
row is a named group that takes no focus.

``Pages`` keeps the part of ``QTabWidget``'s interface the forms use (``addTab``,
``currentIndex``, ``setTabText``, ``currentChanged``...). A title's ``&`` marks its
Alt+letter, which shows its page at once; Ctrl+Tab and Ctrl+Shift+Tab (Ctrl+Page Down,
Ctrl+Page Up) go to the next and the previous page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lr_desk.ui import style

NEXT = ("Ctrl+Tab", "Ctrl+PgDown")
PREVIOUS = ("Ctrl+Shift+Tab", "Ctrl+Shift+Backtab", "Ctrl+PgUp")


class Pages(QWidget):
    """Pages under a row of their buttons. ``tab_stops``: the buttons are Tab stops (else
    only their Alt+letters and Ctrl+Tab reach them, and Tab goes through the fields)."""

    currentChanged = Signal(int)

    def __init__(self, name: str, tab_stops: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(name)
        self.tab_stops = tab_stops
        self.row = QWidget()
        self.row.setObjectName("pages")
        self.row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.row.setAccessibleName(f"Pages: {name}")
        self._buttons_row = QHBoxLayout(self.row)
        self._buttons_row.setContentsMargins(0, 0, 0, 0)
        self._buttons_row.setSpacing(0)
        self._buttons_row.addStretch(1)
        self.stack = QStackedWidget()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        self._letters: list[QShortcut] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.row)
        column.addWidget(self.stack, 1)
        for keys, step in ((NEXT, 1), (PREVIOUS, -1)):
            for key in keys:
                QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.
                          WidgetWithChildrenShortcut, activated=lambda s=step: self._step(s))

    # -- the QTabWidget interface the forms use -------------------------------------------
    def addTab(self, page: QWidget, title: str) -> int:
        index = self.stack.addWidget(page)
        button = QPushButton()
        button.setCheckable(True)
        button.setAutoDefault(False)
        style.page_button(button)
        if not self.tab_stops:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _on=False, b=button: self.setCurrentIndex(
            self.buttons.index(b)))
        self.group.addButton(button)
        self.buttons.append(button)
        self._buttons_row.insertWidget(index, button)
        self.setTabText(index, title)
        if index == 0:
            button.setChecked(True)
        return index

    def count(self) -> int:
        return self.stack.count()

    def widget(self, index: int) -> QWidget | None:
        return self.stack.widget(index)

    def indexOf(self, page: QWidget) -> int:
        return self.stack.indexOf(page)

    def currentIndex(self) -> int:
        return self.stack.currentIndex()

    def currentWidget(self) -> QWidget | None:
        return self.stack.currentWidget()

    def setCurrentIndex(self, index: int) -> None:
        if not 0 <= index < self.count():
            return
        self.buttons[index].setChecked(True)
        if index != self.stack.currentIndex():
            self.stack.setCurrentIndex(index)
            self.currentChanged.emit(index)

    def setCurrentWidget(self, page: QWidget) -> None:
        self.setCurrentIndex(self.indexOf(page))

    def tabText(self, index: int) -> str:
        return self.buttons[index].text() if 0 <= index < self.count() else ""

    def setTabText(self, index: int, title: str) -> None:
        button = self.buttons[index]
        button.setText(title)
        button.setAccessibleName(title.replace("&&", "\0").replace("&", "").replace("\0", "&"))
        # The button's own Alt+letter would only click it a moment later (an animated
        # click): the page's shortcut shows it at once instead.
        button.setShortcut(QKeySequence())
        self._bind_letters()

    def setTabToolTip(self, index: int, tip: str) -> None:
        self.buttons[index].setToolTip(tip)

    def tabToolTip(self, index: int) -> str:
        return self.buttons[index].toolTip()

    # -- keys ------------------------------------------------------------------------------
    def _bind_letters(self) -> None:
        for shortcut in self._letters:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._letters = []
        for index, button in enumerate(self.buttons):
            keys = QKeySequence.mnemonic(button.text())
            if not keys.isEmpty():
                self._letters.append(QShortcut(keys, self, activated=lambda i=index:
                                               self._chosen_by_key(i)))

    def _chosen_by_key(self, index: int) -> None:
        self.setCurrentIndex(index)
        if self.tab_stops:
            self.buttons[index].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _step(self, step: int) -> None:
        if self.count():
            self._chosen_by_key((self.currentIndex() + step) % self.count())
