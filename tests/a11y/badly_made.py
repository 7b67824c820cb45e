"""A small dialog made badly on purpose, each fault one the AT-SPI walk must catch
(tests/a11y/test_atspi_walk.py shows it under Xvfb and walks it; no desk, no profile).

    .venv/bin/python tests/a11y/badly_made.py

Writes {"event": "open", "name": "badly-made", "title": ...} once it has the keyboard,
then waits for a line on stdin and closes."""

from __future__ import annotations

import json
import select
import sys

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

TITLE = "A badly made form"


def build() -> QDialog:
    dialog = QDialog()
    dialog.setWindowTitle(TITLE)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLineEdit())  # unnamed: no name, no label
    stop = QWidget()  # no-role, focus-unnamed: a plain widget that takes the focus
    stop.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    stop.setMinimumSize(40, 20)
    layout.addWidget(stop)
    row = QHBoxLayout()  # label-not-tied: "Postcode" beside its box, no buddy
    row.addWidget(QLabel("Postcode"))
    postcode = QLineEdit()
    postcode.setAccessibleName("Postcode box")
    row.addWidget(postcode)
    layout.addLayout(row)
    where = QComboBox()  # named-by-value: no label tied, so only its value is said
    where.addItems(["The Life Rooms Walton", "The Life Rooms Bootle"])
    layout.addWidget(where)
    status = QLabel("Saved a minute ago")  # focusable-label: selectable words
    status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard |
                                   Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(status)
    save = QPushButton("Save")
    layout.addWidget(save)
    notes = QPlainTextEdit()  # tab-stuck: Tab types a tab into it, the focus stays
    notes.setAccessibleName("Notes")
    layout.addWidget(notes)
    return dialog


def main() -> int:
    app = QApplication(sys.argv[:1])
    dialog = build()
    dialog.show()
    dialog.activateWindow()
    while not dialog.isActiveWindow():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    print(json.dumps({"event": "catalogue", "names": ["badly-made"]}), flush=True)
    print(json.dumps({"event": "open", "name": "badly-made", "title": TITLE}), flush=True)
    while not select.select([sys.stdin], [], [], 0)[0]:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    dialog.close()
    print(json.dumps({"event": "done"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
