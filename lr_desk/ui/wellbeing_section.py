"""The wellbeing questions folded into a small form (Follow-up done): a button, "Wellbeing
questions" (Alt+Q), opens them below the form's own fields, in a frame of their own
that scrolls, so the form's buttons stay on screen; beside it, what has been answered.
A draft with answers opens them again. Errors at a question open them too. The questions
are made when first opened, not each time the form is."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lr_desk.ui import style
from lr_desk.ui.forms import scrolled
from lr_desk.ui.wellbeing import ERROR_KEY, WellbeingPanel, answered, has_errors

SHUT, OPEN = "Wellbeing &questions…", "Hide the wellbeing &questions"


class WellbeingSection(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Wellbeing questions")
        self.button = QPushButton(SHUT)
        self.button.setCheckable(True)
        self.button.setAccessibleName("Wellbeing questions")
        self.button.setToolTip("SWEMWBS and ONS4, asked if they are happy to answer (Alt+Q)")
        self.button.toggled.connect(self.show_questions)
        self.said = style.note(QLabel("Not asked"))
        self.said.setAccessibleName("Wellbeing answers so far")
        self.error = style.message(QLabel(), "error")
        self.error.setAccessibleName("Message for the wellbeing questions")
        self.error.setVisible(False)
        self._panel: WellbeingPanel | None = None
        self.scroll = scrolled(QWidget(), "Wellbeing questions to answer")
        self.scroll.setVisible(False)
        row = QHBoxLayout()  # a message beside the button: it moves no question about
        row.addWidget(self.button)
        row.addWidget(self.said)
        row.addWidget(self.error, 1)
        row.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.scroll, 1)

    @property
    def panel(self) -> WellbeingPanel:
        """The questions, made the first time they are wanted."""
        if self._panel is None:
            self._panel = WellbeingPanel()
            self._panel.changed.connect(self._changed)
            self.scroll.setWidget(self._panel)
            self.scroll.setMinimumWidth(self._panel.sizeHint().width() + 24)  # not sideways
        return self._panel

    def show_questions(self, on: bool = True) -> None:
        """Open (or fold away) the questions; opened, the form grows to hold them, within
        the screen, and the first question has the keyboard."""
        if self.button.isChecked() != on:
            self.button.setChecked(on)  # comes back here through ``toggled``
            return
        self.button.setText(OPEN if on else SHUT)
        panel = self.panel if on else None  # (made now, the first time)
        self.scroll.setVisible(on)
        window = self.window()
        if panel is not None and window is not self:
            room = window.screen().availableGeometry().size() - QSize(0, 100)
            want = QSize(max(window.width(), self.scroll.minimumWidth() + 40), room.height())
            window.resize(want.boundedTo(room))
            panel.first().setFocus(Qt.FocusReason.OtherFocusReason)

    def _changed(self) -> None:
        self.said.setText(self.panel.summary_words() or "Not asked")
        self.changed.emit()

    # -- the form's part --------------------------------------------------------------
    def values(self) -> dict:
        return self._panel.values() if self._panel is not None else {}

    def set_values(self, raw) -> None:
        if self._panel is None and not answered(raw):
            return  # (nothing to show: not made yet)
        self.panel.set_values(raw)
        self.said.setText(self.panel.summary_words() or "Not asked")
        if self.panel.answered():
            self.show_questions(True)

    def show_errors(self, errors: dict[str, str]) -> None:
        if self._panel is not None or any(k.startswith(ERROR_KEY + ".") for k in errors):
            self.panel.show_errors(errors)
        general = errors.get(ERROR_KEY, "")
        self.error.setText(general)
        self.error.setVisible(bool(general))

    def focus_error(self, errors: dict[str, str]) -> bool:
        """Open the questions and put the keyboard on the first in error (False: none)."""
        if not has_errors(errors):
            return False
        self.show_questions(True)
        if not self.panel.focus_error(errors):
            self.panel.first().setFocus(Qt.FocusReason.OtherFocusReason)
        return True
