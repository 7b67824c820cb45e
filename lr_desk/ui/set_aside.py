"""Changes set aside from sync, for admins (``services.accounts.NEEDS["devices"]``).

A change another device put in the central store that this desk could not apply (not
in a shape any lr_desk makes, a schema version no lr_desk recorded, or an account change
or erasure without proof that an admin or manager made it) is set aside by the pull
instead of stopping it (``lr_desk.sync.checks``). Every desk sets aside the same ones.
Nothing here was typed on this desk: the list is for an admin to see which device sent
them, most likely lost, stolen or broken, and have its login stopped.

``install_set_aside(window)`` puts "Changes set aside from sync…" in the Desk menu.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from lr_desk.services import set_aside
from lr_desk.services.set_aside import SetAsideChange
from lr_desk.ui.models import RowsModel
from lr_desk.ui.tasks import Tasks
from lr_desk.ui.today import table

if TYPE_CHECKING:
    from lr_desk.ui.main_window import MainWindow

SHOWN = 200  # the newest this many; the count says how many there are in all
DETAIL_CHARS = 20_000  # of one change's values, as it came (it may be huge: it is hostile)

EXPLAIN = (
    "These changes came to this desk from another device through the central store, and "
    "were not applied: they are not in a shape lr_desk makes, or they change an account or "
    "erase someone's information without proof that an admin or manager did it. Every desk "
    "sets aside the same ones, and everything else carried on syncing. Nothing here was "
    "typed on this desk.\n"
    "The device named sent them: it may be lost, stolen or broken. Ask IT to stop its login "
    "to the central store (lr-desk central add-device --new-password gives a device that "
    "is still yours a new one).")


class SetAsideModel(RowsModel):
    def __init__(self, parent=None):
        super().__init__([
            ("Set aside", lambda r: f"{r.when:%d %b %Y %H:%M}"),
            ("From device", lambda r: r.device),
            ("Record", lambda r: r.record),
            ("Why", lambda r: r.reason),
        ], parent, key=lambda r: r.change_id)


def detail_text(row: SetAsideChange) -> str:
    """What the change held, as it came, for an admin to read (cut short if huge)."""
    try:
        shown = json.dumps(row.fields, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        shown = repr(row.fields)
    if len(shown) > DETAIL_CHARS:
        shown = shown[:DETAIL_CHARS] + f"\n… ({len(shown) - DETAIL_CHARS:,} more characters)"
    # a lone surrogate from a hostile device cannot be drawn: shown as a replacement mark
    shown = shown.encode("utf-8", "replace").decode("utf-8")
    return f"Change {row.change_id}\nWhy: {row.reason}\n\n{shown}"


class SetAsideDialog(QDialog):
    """The changes set aside, newest first; the chosen one's values below."""

    loaded = Signal()

    def __init__(self, tasks: Tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.rows: list[SetAsideChange] = []
        self.setWindowTitle("Changes set aside from sync")
        self.setAccessibleName("Changes set aside from sync")
        self.resize(900, 600)
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        explain.setAccessibleName("About this list")
        self.summary = QLabel("Listing…")
        self.summary.setAccessibleName("How many are listed")
        self.model = SetAsideModel(self)
        self.table = table("Changes set aside", self.model)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        list_label = QLabel("&Changes")
        list_label.setBuddy(self.table)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("What the chosen change held")
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Choose a change to see what it held.")
        detail_label = QLabel("&What it held")
        detail_label.setBuddy(self.detail)
        close = QPushButton("C&lose")
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.summary)
        layout.addWidget(list_label)
        layout.addWidget(self.table, 3)
        layout.addWidget(detail_label)
        layout.addWidget(self.detail, 2)
        layout.addLayout(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def reload(self) -> None:
        """List them again (on the worker)."""
        self.summary.setText("Listing…")
        self.tasks.run(lambda s: (set_aside.count(s), set_aside.listed(s, SHOWN)), self._show)

    def _show(self, result: tuple[int, list[SetAsideChange]]) -> None:
        total, rows = result
        self.rows = rows
        self.model.set_rows(rows)
        if not total:
            self.summary.setText("Nothing has been set aside: every change pulled was applied.")
        elif total > len(rows):
            self.summary.setText(f"{total:,} changes set aside; the newest {len(rows):,} "
                                 "are listed.")
        else:
            self.summary.setText(f"{total:,} change{'s' if total != 1 else ''} set aside.")
        if rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.loaded.emit()

    def _selected(self, current, _previous) -> None:
        row = self.rows[current.row()] if current.isValid() else None
        self.detail.setPlainText(detail_text(row) if row else "")


class SetAsideMenu:
    """What ``install_set_aside`` added to the window."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.dialog: SetAsideDialog | None = None
        self.action = QAction("Changes set &aside from sync…", window)
        self.action.triggered.connect(self.show)
        menu = window.menuBar().actions()[0].menu()  # Desk
        sync_settings = window.sync_settings_action
        menu.insertAction(sync_settings, self.action)  # beside the other sync actions
        menu.aboutToShow.connect(self._roles)  # who is at the desk may have changed
        self._roles()

    def _roles(self) -> None:
        allowed = self.window.desk.can("devices")
        self.action.setEnabled(allowed)
        self.action.setVisible(allowed)

    def show(self) -> SetAsideDialog | None:
        if not self.window.desk.can("devices") or self.window.store is None:
            return None
        dialog = self.dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = self.dialog = SetAsideDialog(self.window.tasks, self.window)
        dialog.show()
        dialog.reload()
        return dialog


def install_set_aside(window: MainWindow) -> SetAsideMenu:
    return SetAsideMenu(window)
