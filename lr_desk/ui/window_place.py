"""The main window's size and place: a first size within the smallest hub screen, then
the size and place it was left at, kept in the profile's own folder."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

# The window's size before one is remembered: within the smallest hub screen (1280x720)
FIRST_SIZE = (1240, 640)


class PlaceMixin:
    """For MainWindow (its ``store`` is None until the profile is open)."""

    def _first_size(self) -> None:
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        width, height = FIRST_SIZE
        if room is not None:
            width, height = min(width, room.width()), min(height, room.height() - 40)
        self.resize(width, height)

    def _state(self) -> QSettings | None:
        """Where the window's size and place are kept: the profile's own folder."""
        if self.store is None:
            return None
        return QSettings(str(self.store.path.parent / "window.ini"), QSettings.Format.IniFormat)

    def restore_state(self) -> None:
        state = self._state()
        geometry = state.value("main/geometry") if state is not None else None
        if geometry is not None:
            self.restoreGeometry(geometry)

    def save_state(self) -> None:
        state = self._state()
        if state is not None:
            state.setValue("main/geometry", self.saveGeometry())
            state.sync()  # owner-only, as everything the desk writes (private.owner_only)
