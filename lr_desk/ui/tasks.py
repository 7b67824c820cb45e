"""Work off the UI thread, results back on it (after Anki's operations and task manager).

``Tasks`` owns the one worker thread that talks to the database: every read and write
goes through ``run(fn, on_done, on_error)``, where ``fn(session)`` runs on the worker in
one transaction and the callbacks run on the UI thread. ``SearchService`` owns the
in-memory search index on a second worker, so typing never waits for a save.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from sqlalchemy import select

from lr_desk import faults
from lr_desk.services.search import Hit, SearchIndex
from lr_desk.services.validation import ValidationError
from lr_desk.store.db import Store
from lr_desk.store.models import Person

log = logging.getLogger(__name__)


def environment_problem(exc: BaseException, place: str | None = None,
                        folder=None) -> str | None:
    """A plain-words message for errors the environment causes (disk full, file locked or
    damaged, read-only, offline): ``lr_desk.faults`` decides, for the command line too.
    None for anything else, which is a bug. ``folder``: where the data is (a full disk
    there explains SQLite's "disk I/O error")."""
    message = faults.plain(exc, place, folder)
    if message is None and isinstance(exc, OSError) and exc.strerror:
        # (a printer or a file the system refused for a reason of its own)
        message = f"The computer refused: {exc.strerror}. Please try again."
    return message


def _alive(callback) -> bool:
    """False for a method of a widget that has been closed and deleted meanwhile (a person's
    tab closed while it loaded, say): its answer has nowhere to go."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class Tasks(QObject):
    """The database worker. Callbacks always run on the UI thread."""

    _finished = Signal(object)
    failed = Signal(str, bool)  # message, is_bug: for errors no caller handled
    busy_changed = Signal(bool)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lr-db")
        self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lr-aside")
        self._pending = 0
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        return self._pending

    def run(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], bool | None] | None = None) -> None:
        """Run ``fn(session)`` in one transaction on the worker. ``on_error`` may return
        True to say it handled the error; otherwise it is reported through ``failed``."""
        def in_a_transaction():
            with self.store.session() as session:
                return fn(session)

        self._submit(self._pool, in_a_transaction, fn, on_done, on_error)

    def run_aside(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], bool | None] | None = None) -> None:
        """Run ``fn()`` on a second worker, for slow work that needs no database (printing,
        copying files), so it never holds up a save. Callbacks as for ``run``."""
        self._submit(self._aside, fn, fn, on_done, on_error)

    def _submit(self, pool: ThreadPoolExecutor, work: Callable[[], Any], fn, on_done,
                on_error) -> None:
        if self._closed:
            log.info("the desk is closing: %s not started", getattr(fn, "__qualname__", fn))
            return
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def job():
            try:
                result = work()
            except BaseException as exc:  # reported on the UI thread, never swallowed
                if not isinstance(exc, ValidationError) and environment_problem(exc) is None:
                    log.exception("task %s failed", getattr(fn, "__qualname__", fn))
                self._finished.emit((on_done, on_error, None, exc))
            else:
                self._finished.emit((on_done, on_error, result, None))

        pool.submit(job)

    def _deliver(self, payload) -> None:
        on_done, on_error, result, exc = payload
        self._pending -= 1
        try:
            if exc is None:
                if on_done is not None and _alive(on_done):
                    on_done(result)
            elif not (on_error is not None and _alive(on_error) and on_error(exc)):
                self.report(exc)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    def report(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.failed.emit(" ".join(exc.errors.values()), False)
            return
        plain = environment_problem(exc, folder=self.store.path.parent)
        if plain:
            self.failed.emit(plain, False)
        else:
            # the type only: an error's text can carry what was typed (private)
            self.failed.emit(f"Something went wrong ({type(exc).__name__}) and has been "
                             "logged.", True)

    def shutdown(self) -> None:
        """Finish queued work (saves, drafts, a print) before the app exits."""
        self._closed = True
        self._aside.shutdown(wait=True)
        self._pool.shutdown(wait=True)


class SearchService(QObject):
    """The search index on its own worker. Only the newest query of a burst is answered."""

    ready = Signal(int, float)  # people indexed, seconds to build (again after a sync)
    results = Signal(int, object, int)  # generation, list[Hit], total

    def __init__(self, store: Store, limit: int = 50, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.limit = limit
        self.index: SearchIndex | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lr-search")
        self._generation = 0
        self._closed = False
        self._lock = threading.Lock()

    def start(self) -> None:
        def build():
            began = time.perf_counter()
            with self.store.Session() as session, self.store.scanning(session):
                self.index = SearchIndex.build(session)
            self.ready.emit(len(self.index), time.perf_counter() - began)

        self._pool.submit(build)

    def search(self, text: str) -> int:
        with self._lock:
            self._generation += 1
            generation = self._generation

        if self._closed:
            return generation

        def job():
            if generation != self._generation or self.index is None:
                return  # a newer keystroke has arrived; or the index is still building
            hits: list[Hit]
            hits, total = self.index.search(text, self.limit)
            self.results.emit(generation, hits, total)

        self._pool.submit(job)
        return generation

    def person_saved(self, person) -> None:
        """Keep the index in step with a saved person (a detached ORM object)."""
        if self._closed:
            return

        def job():
            try:
                self.index.upsert_person(person)
            except Exception:
                log.exception("could not update the search index for %s", person.id)
        self._pool.submit(job)

    REBUILD_AT = 2000  # more people changed than this by one sync: build the index afresh

    def people_changed(self, person_ids: set[str]) -> None:
        """Keep the index in step with people a sync brought in or changed (read here, in
        a session of this worker's own); then ``ready`` is emitted again, so a search
        on screen is run again and shows them."""
        if self._closed or not person_ids:
            return
        ids = sorted(person_ids)

        def job():
            if self.index is None:
                return  # still to be built: the build reads them
            began = time.perf_counter()
            try:
                with self.store.Session() as session:
                    if len(ids) > self.REBUILD_AT:
                        with self.store.scanning(session):
                            self.index = SearchIndex.build(session)
                    else:
                        found = {p.id: p for i in range(0, len(ids), 500) for p in
                                 session.scalars(select(Person).where(
                                     Person.id.in_(ids[i:i + 500])))}
                        for person_id in ids:
                            if person_id in found:
                                self.index.upsert_person(found[person_id])
                            else:
                                self.index.remove(person_id)
            except Exception:
                log.exception("could not update the search index after a sync")
                return
            self.ready.emit(len(self.index), time.perf_counter() - began)

        self._pool.submit(job)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
