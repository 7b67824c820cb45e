"""One slow call at a time off the UI thread (a key derivation at sign-in, opening the
profile), with its answer back on it: a lane of the desk's one ``Worker`` mechanism, for
the windows that exist before the profile (and the database layer) is open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from lr_desk.ui.work import Worker


class Background(QObject):
    """Runs one callable at a time; ``done`` carries its result or exception (on the UI
    thread) as well as the callbacks."""

    done = Signal(object, object)  # result, exception

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.busy = False
        self.worker = Worker(self)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> bool:
        if self.busy:
            return False  # a second press while the first is on its way does nothing
        self.busy = True

        def finished(result, exc) -> None:
            self.busy = False
            self.done.emit(result, exc)
            if exc is None:
                on_done(result)
            else:
                on_error(exc)

        return self.worker.submit("background", fn, lambda r: finished(r, None),
                                  lambda e: finished(None, e))
