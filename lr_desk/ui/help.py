"""Help: the keyboard shortcuts (F1), where the data lives, and About (the version and
the licences of what the desk bundles)."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lr_desk import __version__
from lr_desk.ui import style

# What is bundled, and under which licence (the files themselves are shipped beside it)
BUNDLED = (
    ("Qt for Python (PySide6)", "PySide6-Essentials", "LGPL-3.0"),
    ("SQLCipher (sqlcipher3)", "sqlcipher3", "zlib (SQLCipher itself: BSD-3-Clause)"),
    ("SQLAlchemy", "SQLAlchemy", "MIT"),
    ("Alembic", "alembic", "MIT"),
    ("reportlab", "reportlab", "BSD-3-Clause"),
    ("psycopg", "psycopg", "LGPL-3.0"),
    ("cryptography", "cryptography", "Apache-2.0 or BSD-3-Clause"),
    ("argon2-cffi", "argon2-cffi", "MIT"),
    ("RapidFuzz", "rapidfuzz", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("keyring", "keyring", "MIT"),
    ("uuid6", "uuid6", "MIT"),
    ("arabic-reshaper", "arabic-reshaper", "MIT"),
    ("python-bidi", "python-bidi", "LGPL-3.0"),
    ("Lucide icons", None, "ISC (lr_desk/data/icons/LICENSE)"),
    ("DejaVu fonts", None, "Bitstream Vera and DejaVu changes, free (lr_desk/data/fonts/LICENSE)"),
)


ABOUT_WIDTH, ABOUT_HEIGHT = 600, 600  # at most: within 1280x720 with room to spare


def _version(distribution: str | None) -> str:
    if distribution is None:
        return ""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


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


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"About {style.TITLE}")
        self.setAccessibleName(f"About {style.TITLE}")
        lines = "".join(
            f"<tr><td>{name}</td><td>{_version(dist)}</td><td>{licence}</td></tr>"
            for name, dist, licence in BUNDLED)
        text = QLabel(
            f"<p><b>{style.TITLE}</b> (lr_desk) version {__version__}</p>"
            "<p>For the pathways advisors of The Life Rooms, Mersey Care NHS Foundation "
            "Trust: find or register a visitor, record the conversation, agree a plan, "
            "refer on and follow up, at the desk or offline.</p>"
            "<p><b>What it includes</b></p>"
            f"<table cellspacing='6'><tr><th align='left'>Part</th><th align='left'>"
            f"Version</th><th align='left'>Licence</th></tr>{lines}</table>")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setAccessibleName("About this desk")
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                     Qt.TextInteractionFlag.TextSelectableByKeyboard)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        # the words scroll inside the dialog, Close below them (on any screen, any font size)
        scroll = QScrollArea()
        scroll.setWidget(text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)  # the dialog's own background
        scroll.widget().setAutoFillBackground(False)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setAccessibleName("About this desk")
        column = QVBoxLayout(self)
        column.addWidget(scroll, 1)
        column.addWidget(buttons)
        width = ABOUT_WIDTH
        self.resize(width, min(text.heightForWidth(width - 40) + 80, ABOUT_HEIGHT))
