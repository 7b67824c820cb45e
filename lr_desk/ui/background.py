"""Running one slow call at a time off the UI thread, with its answer back on it. Qt
only: the start-up frame uses it before the database layer is imported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal


class Background(QObject):
    """Runs one callable at a time on a thread; ``done`` carries its result or exception
    (on the UI thread)."""

    done = Signal(object, object)  # result, exception

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.busy = False
        self._then: tuple[Callable, Callable] | None = None
        self.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> bool:
        if self.busy:
            return False  # a second press while the first is on its way does nothing
        self.busy = True
        self._then = (on_done, on_error)

        def work() -> None:
            try:
                result = fn()
            except BaseException as exc:  # shown to the user on the UI thread
                self.done.emit(None, exc)
            else:
                self.done.emit(result, None)

        threading.Thread(target=work, name="lr-background", daemon=True).start()
        return True

    def _deliver(self, result, exc) -> None:
        self.busy = False
        on_done, on_error = self._then
        if exc is None:
            on_done(result)
        else:
            on_error(exc)
