"""A PDF's words for a screen reader: the preview's page is a picture, so beside it (one
key away) the same document is shown as its text, read from the PDF itself, in a
read-only box a screen reader reads line by line and a keyboard user can move through.
A page picture or its words: ``PageOrWords`` switches between the two, and opens on the
words when a screen reader is running (Qt's accessibility is active)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QStackedWidget, QWidget


def document_words(document: QPdfDocument) -> str:
    """The text of every page of a loaded PDF, in the order the PDF holds it, a blank
    line between pages (each page says its own "Page N of M")."""
    parts = []
    for page in range(document.pageCount()):
        text = document.getAllText(page).text().replace("\r\n", "\n").replace("\r", "\n")
        parts.append(text.strip())
    return "\n\n".join(parts)


class PageOrWords(QStackedWidget):
    """The page as a picture (``view``), or its words (``words``); ``button`` (a toggle
    the preview places) switches, and the words take the keyboard when shown."""

    def __init__(self, view: QWidget, noun: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.words = QPlainTextEdit()
        self.words.setReadOnly(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard |
                                           Qt.TextInteractionFlag.TextSelectableByMouse)
        self.words.setTabChangesFocus(True)
        self.words.setAccessibleName(f"The {noun}'s words")
        self.words.setAccessibleDescription(f"The words of the {noun}, as it prints")
        self.words.setPlainText(f"Preparing the {noun}…")
        self.button = QPushButton("Show the &words")
        self.button.setCheckable(True)
        self.button.setAccessibleName(f"Show the {noun}'s words as text")
        self.button.setToolTip(f"The {noun} as text, for a screen reader or to read "
                               "closely (Alt+W); pressed again, the page")
        self.button.toggled.connect(self.show_words)
        self.addWidget(view)
        self.addWidget(self.words)
        view.setAccessibleDescription(f"A picture of the {noun}. Its words: Show the "
                                      "words (Alt+W)")
        self.setCurrentWidget(view)
        if QAccessible.isActive():  # a screen reader is listening: the words from the start
            self.button.setChecked(True)

    def show_words(self, on: bool) -> None:
        had_focus = self.currentWidget().hasFocus()
        self.setCurrentWidget(self.words if on else self.view)
        if on or had_focus:
            self.currentWidget().setFocus(Qt.FocusReason.OtherFocusReason)

    def read(self, document: QPdfDocument) -> None:
        """The words of the document now loaded (a few milliseconds for a sheet)."""
        self.words.setPlainText(document_words(document))
