"""The drop-in's two pages: the drop-in itself (the conversation, their plan, the item
chosen and the follow-up), and the wellbeing questions (ui.wellbeing), a page of their
own reached with Alt+Q or Ctrl+Tab. Each page scrolls inside the form's frame, Save and
Cancel staying on screen below both. The questions' tab says what has been answered, so
nothing asked is forgotten when the advisor is back on the first page; their answers
are saved with the drop-in (services.dropin), and kept in its draft. The questions (some
eighty buttons) are made when first wanted, not each time a drop-in opens."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from lr_desk.ui.forms import scrolled
from lr_desk.ui.pages import Pages
from lr_desk.ui.wellbeing import WellbeingPanel, answered, has_errors, is_wellbeing

FIRST, QUESTIONS = "The drop-in", "Wellbeing &questions"


class DropInPages(Pages):
    def __init__(self, body: QWidget, on_change, parent: QWidget | None = None):
        # (its pages' buttons are no Tab stops: Alt+Q or Ctrl+Tab, and Tab goes on through
        # the drop-in's fields)
        super().__init__("Drop-in pages", tab_stops=False, parent=parent)
        self.addTab(scrolled(body, "Drop-in form"), FIRST)
        self.scroll = scrolled(QWidget(), "Wellbeing questions")
        self.addTab(self.scroll, QUESTIONS)
        self.setTabToolTip(1, "SWEMWBS and ONS4, if they are happy to answer (Alt+Q)")
        self._panel: WellbeingPanel | None = None
        self._on_change = on_change
        self.currentChanged.connect(self._opened)
        self._last: QWidget | None = None  # where the keyboard was on the first page
        QApplication.instance().focusChanged.connect(self._focus_moved)

    @property
    def panel(self) -> WellbeingPanel:
        """The questions, made the first time they are wanted."""
        if self._panel is None:
            self._panel = WellbeingPanel()
            self._panel.changed.connect(self._on_change)
            self._panel.changed.connect(self._say)
            self.scroll.setWidget(self._panel)
        return self._panel

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
        return self._panel.values() if self._panel is not None else {}

    def set_values(self, raw) -> None:
        if self._panel is None and not answered(raw):
            return  # (nothing to show: not made yet)
        self.panel.set_values(raw)
        self._say()

    def show_errors(self, errors: dict[str, str]) -> None:
        if self._panel is not None or has_errors(errors):
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
