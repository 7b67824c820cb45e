"""The status bar's sync part: always exactly one of Offline, Syncing (with a progress bar
and a Stop button for a long pull such as a new device's first sync: "Getting the
records: 1.2 GB of 2.0 GB", then "Loading the records…" without Stop, then the changes
since), Synced at HH:MM, N changes waiting, or a problem in plain words with what to
do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from lr_desk.ui.sync import SYNCING, Status, SyncService


class SyncStatus(QWidget):
    """The status bar's sync part: what the sync is doing, a progress bar and Stop for a
    long pull, and Sync now (also F5 and the Desk menu)."""

    def __init__(self, service: SyncService, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.label = QLabel()
        self.label.setAccessibleName("Sync status")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Sync progress")
        self.bar.setMaximumWidth(160)
        self.bar.setVisible(False)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop sync")
        self.stop_button.setToolTip("Stop syncing for now; the rest comes with the next sync")
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(service.stop)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setAccessibleName("Sync now")
        self.sync_button.setToolTip("Send and receive changes now (F5)")
        self.sync_button.clicked.connect(service.sync_now)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.bar, self.stop_button, self.sync_button):
            row.addWidget(w)
        service.status_changed.connect(self.show_status)
        self.show_status(service.status)

    def show_status(self, status: Status) -> None:
        self.label.setText(status.text)
        self.label.setAccessibleDescription(status.text)
        self.label.setToolTip(status.text)
        self.label.setMinimumWidth(self.label.sizeHint().width())  # never cut short
        long_pull = status.kind == SYNCING and status.total > 0
        if long_pull:
            self.bar.setRange(0, status.total)
            self.bar.setValue(min(status.done, status.total))
        self.bar.setVisible(long_pull)
        # (a new desk's records going into its database: one transaction, no stopping)
        self.stop_button.setVisible(long_pull and status.stoppable)
