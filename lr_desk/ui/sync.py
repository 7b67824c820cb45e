"""Sync in the background, and what the status bar says about it.

``SyncService`` runs ``sync_once`` on a lane of its own of the desk's worker mechanism
(never on the UI thread, never on the database lane that saves): every ``sync_minutes``
while the central store is reachable, a few seconds after the last local save, and on
demand. One sync at a time; a
request during a sync queues one more. When the store can't be reached it tries again
sooner, backing off. What a pull brings in from other devices is announced by ``pulled``
so the desk can announce it to the pages. ``Status`` is what the status bar says
(``ui/sync_status.py`` shows it).

Nothing here imports the database layer at module level: the window's frame loads this
module before SQLAlchemy has been imported.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from lr_desk import faults
from lr_desk.sync.progress import CHANGES, DOWNLOAD, LOAD
from lr_desk.ui.work import Worker

if TYPE_CHECKING:
    from lr_desk.store.db import Store
    from lr_desk.sync.central import CentralStore
    from lr_desk.sync.engine import Synced

log = logging.getLogger(__name__)

OFFLINE, SYNCING, SYNCED, WAITING, PROBLEM = "offline", "syncing", "synced", "waiting", "problem"
SETTINGS_HINT = faults.SETTINGS_HINT


def changes(n: int) -> str:
    return f"{n:,} change{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Status:
    """What the status area says. ``total`` is set for a long pull: it gets a progress
    bar (``done`` of ``total`` changes) and a Stop button."""

    kind: str
    text: str
    done: int = 0
    total: int = 0
    stoppable: bool = True  # (not while a new desk's records go into its database)

    @classmethod
    def offline(cls, waiting: int) -> Status:
        return cls(OFFLINE, f"Offline – {changes(waiting)} waiting" if waiting else "Offline")

    @classmethod
    def waiting(cls, waiting: int) -> Status:
        return cls(WAITING, f"{changes(waiting)} waiting")

    @classmethod
    def synced(cls, at: datetime, embedded: bool = False) -> Status:
        if embedded:  # the default store is a file on this computer: say so
            return cls(SYNCED, f"Synced at {at:%H:%M} (this computer only)")
        return cls(SYNCED, f"Synced at {at:%H:%M}")

    @classmethod
    def syncing(cls, done: int = 0, total: int = 0) -> Status:
        if total:
            return cls(SYNCING, f"Syncing… {done:,} of {total:,} received", done, total)
        return cls(SYNCING, "Syncing…")

    @classmethod
    def getting(cls, done: int, total: int) -> Status:
        """A new desk downloading the store's snapshot of the records (bytes); the bar
        counts kilobytes (a progress bar holds no more than 2 GB in bytes)."""
        scale, unit = next((s, u) for s, u in ((10**9, "GB"), (10**6, "MB"), (10**3, "kB"),
                                                (1, "bytes")) if total >= s)
        words = f"{done / scale:,.1f} {unit} of {total / scale:,.1f} {unit}" if scale > 1 \
            else f"{done:,} of {total:,} bytes"
        return cls(SYNCING, f"Getting the records: {words}", max(done // 1024, 0),
                   max(total // 1024, 1))

    @classmethod
    def loading(cls, done: int, total: int) -> Status:
        """Then putting them into this desk's database (``done`` of ``total`` steps):
        one transaction, which cannot stop half way."""
        return cls(SYNCING, "Loading the records…", done, max(total, 1), stoppable=False)


class Stopped(Exception):
    """Raised between two batches of a push when the sync is asked to stop."""


class _Stoppable:
    """The central store with a push that stops between batches when asked: the engine's
    pull looks at ``stop`` between pages, but its push sends the whole outbox."""

    def __init__(self, central: CentralStore, stop: threading.Event):
        self._central, self._stop = central, stop

    def push(self, device_id: str, batch):
        if self._stop.is_set():
            raise Stopped
        return self._central.push(device_id, batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._central, name)


@dataclass
class _Outcome:
    result: Synced | None = None
    error: BaseException | None = None
    waiting: int = 0
    minutes: int | None = None


def explain(exc: BaseException) -> str:
    """A sync failure other than being offline, in plain words with what to do."""
    return faults.sync_message(exc)


def _log_failure(exc: BaseException) -> None:
    """What the environment causes (offline, refused, a newer lr_desk) goes in the log
    quietly; anything else is a bug, logged with its traceback."""
    if isinstance(exc, Stopped):
        return
    if faults.sync_problem(exc) is not None:
        log.info("sync did not finish: %s", type(exc).__name__, exc_info=exc)
    else:
        log.error("sync failed", exc_info=exc)


class SyncService(QObject):
    """Background sync for one open profile. Signals arrive on the UI thread."""

    status_changed = Signal(object)  # Status
    pulled = Signal(object)  # {entity: {ids}}: rows a sync brought in from other devices
    synced = Signal(object)  # the engine's Synced, after every sync that got through

    AFTER_SAVE_MS = 2500  # a sync this long after the last save (one per burst of saves)
    FIRST_RETRY_MS = 15_000  # offline: try again after this, doubling up to sync_minutes
    LONG_PULL = 500  # a pull of at least this many changes shows a progress bar and Stop

    def __init__(self, store: Store, folder: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.folder = Path(folder) if folder is not None else store.path.parent
        self.status = Status.syncing()
        self.running = False
        self._started = False
        self._closed = False
        self._again = False
        self._stop = threading.Event()
        self._epoch = 0  # bumped at every sync's start and end: older counts are stale
        self._minutes = 5
        self._retry_ms = self.FIRST_RETRY_MS
        self._settings_generation = 0
        # worker-only: the open connection and the settings it was made from
        self._central: CentralStore | None = None
        self._central_for: tuple | None = None

        # the sync runs on a lane of its own (never the database lane that saves), and
        # counting what waits on another, so the count never waits for a long pull
        self.worker = Worker(self)

        self._after_save = QTimer(self)
        self._after_save.setSingleShot(True)
        self._after_save.setInterval(self.AFTER_SAVE_MS)
        self._after_save.timeout.connect(lambda: self._begin(quiet=True))
        self._next = QTimer(self)  # the next automatic sync (periodic, or a retry)
        self._next.setSingleShot(True)
        self._next.timeout.connect(lambda: self._begin(quiet=True))

    # -- hearing about local saves -------------------------------------------------
    def on_changed(self, changed) -> None:
        """The desk's announcement (``Tasks.changed``): a save of records here asks for a
        sync soon; what a sync itself brought in does not."""
        if changed and not changed.pulled:
            self._local_write()

    def _local_write(self) -> None:
        if self._closed or not self._started:
            return
        self._after_save.start()  # restarted by every save: one sync after a burst
        if not self.running and self.status.kind in (SYNCED, WAITING, OFFLINE):
            epoch = self._epoch
            self.worker.submit("sync-count", self._waiting,
                               lambda waiting: self._show_count(epoch, waiting),
                               lambda exc: log.error("could not count the changes waiting "
                                                     "to be sent", exc_info=exc))

    def _show_count(self, epoch: int, waiting: int) -> None:
        if epoch != self._epoch or self.running or self._closed:
            return  # a sync has started or finished since: its word is newer
        if self.status.kind == OFFLINE:
            self._set(Status.offline(waiting))
        elif self.status.kind in (SYNCED, WAITING) and waiting:
            self._set(Status.waiting(waiting))

    def _waiting(self) -> int:
        from lr_desk.sync.push import waiting

        return waiting(self.store, staff_changes_only=True)

    # -- scheduling ----------------------------------------------------------------
    def start(self, *_ready) -> None:
        """The first sync, then on schedule. (Called once the search index is built, so
        that people a first sync brings in are indexed; later calls do nothing.)"""
        if self._started or self._closed:
            return
        self._started = True
        self.sync_now()

    def sync_now(self) -> None:
        """Sync as soon as possible: now, or right after the sync under way."""
        if self._closed:
            return
        self._started = True
        self._begin(quiet=False)

    def stop(self) -> None:
        """Stop the sync under way between two pages (or batches); the rest comes next
        time, from where it stopped."""
        self._again = False
        if self.running:
            self._stop.set()

    @property
    def stopping(self) -> bool:
        """Asked to stop (by Stop, or because the desk is closing) and not yet stopped."""
        return self.running and self._stop.is_set()

    def settings_changed(self) -> None:
        """The connection settings were saved: connect afresh and sync."""
        self._settings_generation += 1
        self._retry_ms = self.FIRST_RETRY_MS
        self.sync_now()

    def _begin(self, quiet: bool) -> None:
        """``quiet``: an automatic sync while offline keeps saying Offline until the store
        answers (a retry every few seconds would make the status flicker)."""
        if self._closed:
            return
        self._after_save.stop()
        if self.running:
            self._again = True
            return
        self._next.stop()
        self.running = True
        self._epoch += 1
        self._stop.clear()
        if not (quiet and self.status.kind == OFFLINE):
            self._set(Status.syncing())
        generation = self._settings_generation
        self.worker.submit("sync", lambda: self._work(generation), self._done,
                           lambda exc: self._done(_Outcome(error=exc)))

    def _schedule(self, ms: int) -> None:
        if not self._closed:
            self._next.start(ms)

    # -- the worker ----------------------------------------------------------------
    def _connect(self, generation: int) -> CentralStore:
        from lr_desk.sync import connect

        with self.store.session() as s:
            wanted = (connect.configured(s, self.folder), generation)
        if self._central is not None and wanted != self._central_for:
            self._disconnect()
        if self._central is None:
            self._central = connect.open_central(self.store, self.folder)
            self._central_for = wanted
        return self._central

    def _disconnect(self) -> None:
        central, self._central, self._central_for = self._central, None, None
        if central is not None:
            try:
                central.close()
            except Exception:
                log.exception("could not close the connection to the central store")

    def _work(self, generation: int) -> _Outcome:
        from lr_desk import settings
        from lr_desk.sync.engine import cursor, sync_once

        outcome = _Outcome()
        try:
            central = self._connect(generation)
            self.worker.post(self._show_reached)
            # how much there is to pull, so a long pull shows its bar from the start
            total = central.head() - cursor(self.store, central.store_id())
            if total >= self.LONG_PULL:
                self.worker.post(self._show_progress, 0, total)
            outcome.result = sync_once(self.store, _Stoppable(central, self._stop),
                                       progress=lambda p: self.worker.post(
                                           self._show_progress, p.done, p.total, p.stage),
                                       stop=self._stop.is_set)
        except Exception as exc:
            outcome.error = exc
            self._disconnect()  # connect afresh next time
            _log_failure(exc)
            try:
                outcome.waiting = self._waiting()
            except Exception:
                log.exception("could not count the changes waiting to be sent")
        try:
            with self.store.session() as s:
                outcome.minutes = settings.get(s, "sync_minutes")
        except Exception:
            log.exception("could not read the sync interval")
        return outcome

    # -- results, on the UI thread ---------------------------------------------------
    def _show_reached(self) -> None:
        if self.running and not self._closed and self.status.kind == OFFLINE:
            self._set(Status.syncing())  # a quiet retry got through

    def _show_progress(self, done: int, total: int, stage: str = CHANGES) -> None:
        """(``stage``: sync.progress's: a new desk first gets the store's snapshot of
        the records, then loads it, then pulls the changes since, as any desk.)"""
        if not self.running or self._closed:
            return
        if stage == DOWNLOAD:
            self._set(Status.getting(done, total))
        elif stage == LOAD:
            self._set(Status.loading(done, total))
        elif total >= self.LONG_PULL:
            self._set(Status.syncing(done, total))
        elif self.status.kind == SYNCING and self.status.total:
            self._set(Status.syncing())  # (a snapshot loaded: the few changes since)

    def _done(self, outcome: _Outcome) -> None:
        if self._closed:
            return
        from lr_desk.sync import connect

        self.running = False
        self._epoch += 1
        if outcome.minutes:
            self._minutes = max(1, outcome.minutes)
        interval = self._minutes * 60_000
        result, exc = outcome.result, outcome.error
        if result is not None:
            self._retry_ms = self.FIRST_RETRY_MS
            if result.interrupted:
                self._set(Status(PROBLEM, "Sync stopped before the end; nothing is lost. "
                                          "Sync now (F5) carries on from where it stopped."))
            elif result.waiting:
                self._set(Status.waiting(result.waiting))
            else:
                embedded = self._central_for is not None and self._central_for[0].embedded
                self._set(Status.synced(datetime.now(), embedded))
            self._schedule(interval)
            self.synced.emit(result)
            touched = {entity: set(ids) for entity, ids in result.touched.items() if ids}
            if touched:
                self.pulled.emit(touched)
        elif isinstance(exc, Stopped):
            self._set(Status(PROBLEM, "Sync stopped before the end; nothing is lost. "
                                      "Sync now (F5) carries on from where it stopped."))
            self._schedule(interval)
        elif exc is not None and connect.is_offline(exc):
            self._set(Status.offline(outcome.waiting))
            self._schedule(min(self._retry_ms, interval))
            self._retry_ms = min(self._retry_ms * 2, interval)
        else:
            self._set(Status(PROBLEM, explain(exc) if exc else "Sync failed."))
            self._schedule(interval)
        if self._again:
            self._again = False
            self._begin(quiet=True)

    def _set(self, status: Status) -> None:
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)

    # -- closing -------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the sync under way (between pages) and wait for its thread."""
        self._closed = True
        self._after_save.stop()
        self._next.stop()
        self._stop.set()
        self.worker.shutdown(cancel=("sync", "sync-count"))
        self._disconnect()
