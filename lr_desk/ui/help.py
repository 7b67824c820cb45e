"""Help: the keyboard shortcuts (F1), where the data lives, and About (the version and
the licences of what the desk bundles)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lr_desk import __version__, licences
from lr_desk.ui import style


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """Every menu action with a shortcut, as (what it does, keys), in menu order."""
    found = []
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and action.isVisible() and action.text():
            found.append((action.text().replace("&", "").rstrip("…"), keys))
    found += [("Choose a section or an open record", "Alt + its underlined letter"),
              ("Close the open record in the list", "Delete (in the list) or Ctrl+W"),
              ("Save a form, sign in, search", "Enter"), ("Cancel a form", "Escape")]
    return list(dict.fromkeys(found))


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        rows = shortcuts(window)
        self.table = QTableWidget(len(rows), 2)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons; arrows move in it
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["To", "Press"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        column = QVBoxLayout(self)
        column.addWidget(style.heading(QLabel("Keyboard shortcuts"), "subheading"))
        column.addWidget(self.table, 1)
        column.addWidget(buttons)
        self.resize(560, min(620, 140 + 30 * len(rows)))


KINDS = {"software": "Software", "inside": "Inside the software", "data": "Data"}
ABOUT_WIDTH, ABOUT_HEIGHT = 880, 620  # within 1280x720 less a taskbar and a title bar


class AboutDialog(QDialog):
    """The version, then every part the desk carries (software, what is inside it, data)
    with its licence; the chosen part's licence text below. The list has the focus:
    arrows choose, Tab goes to the text, Escape closes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"About {style.TITLE}")
        self.setAccessibleName(f"About {style.TITLE}")
        self.parts = licences.parts()
        intro = QLabel(
            f"<b>{style.TITLE}</b> (lr_desk) version {__version__}. For the pathways "
            "advisors of The Life Rooms, Mersey Care NHS Foundation Trust. It includes the "
            "parts below, each under its own licence: choose one to read its licence.")
        intro.setWordWrap(True)
        intro.setAccessibleName("About this desk")
        self.table = QTableWidget(len(self.parts), 4)
        self.table.setAccessibleName("Parts and their licences")
        self.table.setHorizontalHeaderLabels(["Part", "Version", "Licence", "Kind"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the licence text
        self.table.setWordWrap(False)
        for row, part in enumerate(self.parts):
            for column, words in enumerate((part.name, part.version, part.licence,
                                            KINDS.get(part.kind, part.kind))):
                item = QTableWidgetItem(words)
                item.setToolTip(part.note if column == 0 else words)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 300)
        parts_label = QLabel("&Parts and their licences")
        parts_label.setBuddy(self.table)
        self.note = style.note(QLabel())
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Where this part comes from")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                          Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text_label = QLabel("Licence &text")
        self.text_label.setBuddy(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName("Close")
        column = QVBoxLayout(self)
        column.addWidget(style.heading(QLabel(f"About {style.TITLE}"), "subheading"))
        column.addWidget(intro)
        column.addWidget(parts_label)
        column.addWidget(self.table, 5)
        column.addWidget(self.note)
        column.addWidget(self.text_label)
        column.addWidget(self.text, 4)
        column.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda row, *_: self.show_part(row))
        self.table.selectRow(0)
        self.show_part(0)
        self.table.setFocus()
        self.resize(ABOUT_WIDTH, ABOUT_HEIGHT)

    def show_part(self, row: int) -> None:
        """The licence text of the part in ``row`` below the list."""
        if not 0 <= row < len(self.parts):
            return
        part = self.parts[row]
        self.note.setText(f"{part.name}: {part.note}" if part.note else part.name)
        self.text_label.setText(f"Licence &text: {part.name}")
        self.text.setAccessibleName(f"Licence text of {part.name}")
        self.text.setPlainText(part.text())
