"""The drop-in's two pages: the drop-in itself (the conversation, their plan, the item
chosen and the follow-up), and the wellbeing questions (ui.wellbeing), a page of their
own reached with Alt+Q or Ctrl+Tab. Each page scrolls inside the form's frame, Save and
Cancel staying on screen below both. The questions' tab says what has been answered, so
nothing asked is forgotten when the advisor is back on the first page; their answers
are saved with the drop-in (services.dropin), and kept in its draft."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from lr_desk.ui.forms import scrolled
from lr_desk.ui.wellbeing import WellbeingPanel, is_wellbeing

FIRST, QUESTIONS = "The drop-in", "Wellbeing &questions"


class DropInPages(QTabWidget):
    def __init__(self, body: QWidget, on_change, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Drop-in pages")
        self.setDocumentMode(True)
        self.addTab(scrolled(body, "Drop-in form"), FIRST)
        self.panel = WellbeingPanel()
        self.addTab(scrolled(self.panel, "Wellbeing questions"), QUESTIONS)
        self.setTabToolTip(1, "SWEMWBS and ONS4, if they are happy to answer (Alt+Q)")
        self.panel.changed.connect(on_change)
        self.panel.changed.connect(self._say)
        self.currentChanged.connect(self._opened)
        self.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (Alt+Q or Ctrl+Tab)
        self._last: QWidget | None = None  # where the keyboard was on the first page
        QApplication.instance().focusChanged.connect(self._focus_moved)

    def _focus_moved(self, _old, new) -> None:
        if new is not None and self.widget(0).isAncestorOf(new):
            self._last = new

    def _opened(self, index: int) -> None:
        """The questions from the top; back on the drop-in, where the keyboard was."""
        if index == 1:
            self.panel.first().setFocus(Qt.FocusReason.OtherFocusReason)
        elif self._last is not None and shiboken6.isValid(self._last):
            self._last.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self) -> None:
        words = self.panel.summary_words()
        self.setTabText(1, f"{QUESTIONS} ({words})" if words else QUESTIONS)
        self.setTabToolTip(1, f"Answered: {words}" if words else
                           "SWEMWBS and ONS4, if they are happy to answer (Alt+Q)")

    def values(self) -> dict:
        return self.panel.values()

    def set_values(self, raw) -> None:
        self.panel.set_values(raw)
        self._say()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.panel.show_errors(errors)

    def focus_error(self, errors: dict[str, str]) -> bool:
        """With only the questions in error, their page, at the first of them (True);
        otherwise the drop-in's page, for the dialog to find its own field (False)."""
        if errors and all(is_wellbeing(k) for k in errors):
            self.setCurrentIndex(1)
            if not self.panel.focus_error(errors):
                self.panel.first().setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        self.setCurrentIndex(0)
        return False
