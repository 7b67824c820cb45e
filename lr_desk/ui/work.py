"""The one way the desk runs work off the UI thread and hears the answer on it.

A ``Worker`` has named lanes; each lane is one thread that runs its jobs in the order
they came (the database lane is the one writer DESIGN.md describes; printing, the search
index and sync have lanes of their own, so a slow print or a long pull never holds up a
save). ``submit(lane, fn, on_done, on_error)`` runs ``fn()`` on the lane and then one of
the callbacks on the UI thread; ``post(fn, *args)`` lets a running job say something on
the UI thread (progress, for example). A callback that belongs to a widget deleted
meanwhile (a closed tab) is dropped. After Anki's ``aqt.operations`` and Picard's
``run_task``.

Qt only: the window's frame uses it before the database layer has been imported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None] | None
OnError = Callable[[BaseException], Any] | None


def alive(callback) -> bool:
    """False for a method of a widget that has been closed and deleted meanwhile (a
    person's tab closed while it loaded, say): its answer has nowhere to go."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class Worker(QObject):
    """Named lanes of work, each one thread; answers on the UI thread."""

    _call = Signal(object)  # a callable to run on the UI thread
    busy_changed = Signal(bool)  # jobs pending on any lane, or none

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self.disposable: set[str] = set()  # lanes whose queued jobs are dropped at closing
        self._pending = 0
        self._closed = False
        self._call.connect(self._on_ui_thread, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def closed(self) -> bool:
        return self._closed

    def _lane(self, name: str) -> ThreadPoolExecutor:
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix=f"lr-{name}")
        return lane

    def submit(self, lane: str, fn: Callable[[], Any], on_done: OnDone = None,
               on_error: OnError = None, name: str | None = None) -> bool:
        """Run ``fn()`` on ``lane``; then ``on_done(result)`` or ``on_error(exc)`` on the
        UI thread (an error with no ``on_error`` is logged). False once closing."""
        what = name or getattr(fn, "__qualname__", repr(fn))
        if self._closed:
            log.info("closing: %s not started", what)
            return False
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def job() -> None:
            try:
                result = fn()
            except BaseException as exc:  # answered on the UI thread, never swallowed
                self._call.emit(lambda e=exc: self._finish(on_error, e, what, failed=True))
            else:
                self._call.emit(lambda: self._finish(on_done, result, what, failed=False))

        self._lane(lane).submit(job)
        return True

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` on the UI thread (from a job, while it runs)."""
        if not self._closed:
            self._call.emit(lambda: fn(*args) if alive(fn) else None)

    def _finish(self, callback, value, what: str, failed: bool) -> None:
        self._pending -= 1
        try:
            if callback is not None and alive(callback):
                callback(value)
            elif failed and callback is None:
                log.error("%s failed", what, exc_info=value)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    @staticmethod
    def _on_ui_thread(fn: Callable[[], Any]) -> None:
        fn()

    def shutdown(self, cancel: tuple[str, ...] = ()) -> None:
        """Stop taking work; finish what is queued (saves, drafts, a print), except on
        the lanes in ``cancel`` or ``disposable`` (a search nobody waits for), and wait
        for the threads."""
        self._closed = True
        for name, lane in self._lanes.items():
            lane.shutdown(wait=True, cancel_futures=name in cancel or name in self.disposable)
