"""Work off the UI thread, results back on it (after Anki's operations and task manager).

``Tasks`` is the database lane of the desk's one ``Worker`` (ui/work.py): every read and
write goes through ``run(fn, on_done, on_error)``, where ``fn(session)`` runs on the lane
in one transaction and the callbacks run on the UI thread; what it wrote is announced to
every page through ``changed``; ``read`` runs a long read (a report) on a lane of its
own, so saves never wait behind it. ``SearchService`` keeps the in-memory search index on
the worker's "search" lane, so typing never waits for a save.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from lr_desk import faults
from lr_desk.services.changes import Changed, touched
from lr_desk.services.reports.core import Stopped
from lr_desk.services.search import Hit, SearchIndex
from lr_desk.services.validation import ValidationError
from lr_desk.ui.work import Worker, alive

if TYPE_CHECKING:
    from lr_desk.store.db import Store

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


class Tasks(QObject):
    """The database lane of the desk's ``Worker``: the one writer. Callbacks run on the
    UI thread; ``changed`` tells every page what a write (or a sync) changed."""

    failed = Signal(str, bool)  # message, is_bug: for errors no caller handled
    busy_changed = Signal(bool)
    changed = Signal(object)  # services.changes.Changed

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.worker = Worker(self)
        self.worker.busy_changed.connect(self.busy_changed)
        self.worker.disposable.add("read")  # a report queued at closing is not wanted

    @property
    def pending(self) -> int:
        return self.worker.pending

    def run(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], bool | None] | None = None) -> None:
        """Run ``fn(session)`` in one transaction on the database lane. ``on_error`` may
        return True to say it handled the error; otherwise it is reported through
        ``failed``. What the transaction wrote is announced through ``changed``, after
        ``on_done``."""
        def in_a_transaction():
            with self.store.session() as session:
                result = fn(session)
            return result, touched(session)

        def done(answer) -> None:
            result, what = answer
            try:
                if on_done is not None and alive(on_done):
                    on_done(result)
            finally:
                self.announce(what)

        self._submit("db", in_a_transaction, fn, done, on_error)

    def read(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], bool | None] | None = None) -> None:
        """Run ``fn(session)`` on the "read" lane, for a long read that writes nothing
        (a report over ten years): its own connection, so saves never wait behind it
        (SQLite's write-ahead log lets them run together). Whatever ``fn`` might write
        is rolled back. Callbacks as for ``run``; nothing is announced."""
        def reading():
            with self.store.Session() as session:
                try:
                    return fn(session)
                finally:
                    session.rollback()

        self._submit("read", reading, fn, on_done, on_error)

    def run_store(self, fn: Callable[[Store], Any], on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], bool | None] | None = None) -> None:
        """Run ``fn(store)`` on the database lane outside a session: work on the whole
        file (the VACUUM after an erasure), queued with the saves so none fails as
        busy meanwhile."""
        self._submit("db", lambda: fn(self.store), fn, on_done, on_error)

    def run_aside(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], bool | None] | None = None) -> None:
        """Run ``fn()`` on a lane of its own, for slow work that needs no database
        (printing, copying files), so it never holds up a save. Callbacks as for
        ``run``."""
        self._submit("aside", fn, fn, on_done, on_error)

    def announce(self, what: Changed) -> None:
        """Tell the pages what changed (a save's, or a sync's from other desks)."""
        if what:
            self.changed.emit(what)

    def _submit(self, lane: str, work: Callable[[], Any], fn, on_done, on_error) -> None:
        name = getattr(fn, "__qualname__", repr(fn))

        def failed(exc: BaseException) -> None:
            # (a report stopped by the person asking is no fault)
            if not isinstance(exc, ValidationError | Stopped) and \
                    environment_problem(exc) is None:
                log.error("task %s failed", name, exc_info=exc)
            if not (on_error is not None and alive(on_error) and on_error(exc)):
                self.report(exc)

        self.worker.submit(lane, work, on_done, failed, name)

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
        self.worker.shutdown()


class SearchService(QObject):
    """The search index on the "search" lane of the desk's worker, so typing never
    waits for a save. Only the newest query of a burst is answered. It keeps itself in
    step with what the desk's saves and syncs change (``on_changed``)."""

    ready = Signal(int, float)  # people indexed, seconds to build (again after a change)
    results = Signal(int, object, int)  # generation, list[Hit], total

    LANE = "search"
    REBUILD_AT = 2000  # more people changed than this at once: build the index afresh

    def __init__(self, store: Store, limit: int = 50, worker: Worker | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.limit = limit
        self.index: SearchIndex | None = None
        self.worker = worker if worker is not None else Worker(self)
        self.worker.disposable.add(self.LANE)
        self._generation = 0
        self._lock = threading.Lock()

    def _submit(self, job: Callable[[], Any]) -> None:
        self.worker.submit(self.LANE, job, None, self._failed, job.__qualname__)

    @staticmethod
    def _failed(exc: BaseException) -> None:
        log.error("the search index could not be read or updated", exc_info=exc)

    def start(self) -> None:
        def build():
            began = time.perf_counter()
            with self.store.Session() as session, self.store.scanning(session):
                self.index = SearchIndex.build(session)
            self.worker.post(self.ready.emit, len(self.index), time.perf_counter() - began)

        self._submit(build)

    def search(self, text: str) -> int:
        with self._lock:
            self._generation += 1
            generation = self._generation

        def job():
            if generation != self._generation or self.index is None:
                return  # a newer keystroke has arrived; or the index is still building
            hits: list[Hit]
            hits, total = self.index.search(text, self.limit)
            self.worker.post(self._answer, generation, hits, total)

        self._submit(job)
        return generation

    def _answer(self, generation: int, hits: list[Hit], total: int) -> None:
        self.results.emit(generation, hits, total)

    def person_saved(self, person) -> None:
        """Keep the index in step with a saved person (a detached ORM object)."""
        self._submit(lambda: self.index is not None and self.index.upsert_person(person))

    def on_changed(self, changed: Changed) -> None:
        """People a save or a sync added or changed are found as they now are."""
        if changed.touches("person"):
            self.people_changed(set(changed.ids("person")))

    def people_changed(self, person_ids: set[str]) -> None:
        """Keep the index in step with people a save or a sync changed (read here, in a
        session of this lane's own); then ``ready`` is emitted again, so a search on
        screen is run again and shows them."""
        if not person_ids:
            return
        ids = sorted(person_ids)

        def job():
            if self.index is None:
                return  # still to be built: the build reads them
            began = time.perf_counter()
            with self.store.Session() as session:
                if len(ids) > self.REBUILD_AT:
                    with self.store.scanning(session):
                        self.index = SearchIndex.build(session)
                else:
                    self.index.refresh(session, ids)
            self.worker.post(self.ready.emit, len(self.index), time.perf_counter() - began)

        self._submit(job)

    def shutdown(self) -> None:
        self.worker.shutdown()
