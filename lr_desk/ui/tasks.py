"""Work off the UI thread, results back on it (after Anki's operations and task manager).

``Tasks`` is the database lane of the desk's one ``Worker`` (ui/work.py): every read and
write goes through ``run(fn, on_done, on_error)``, where ``fn(session)`` runs on the lane
in one transaction and the callbacks run on the UI thread; what it wrote is announced to
every page through ``changed``; ``read`` runs a long read (a report) on a lane of its
own, so saves never wait behind it. ``SearchService`` answers searches on the worker's
"search" lane (from the stored keys at first, then from the in-memory index built on a
lane of its own), so typing never waits for a save.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from lr_desk import faults
from lr_desk.services.changes import Changed, touched
from lr_desk.services.reports.core import Stopped
from lr_desk.services.search import Hit, SearchIndex
from lr_desk.services.search_keys import FIX_UP_BATCH, fix_up
from lr_desk.services.search_stored import StoredSearch
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
    waits for a save. Only the newest query of a burst is answered. From the first
    keystroke after sign-in: the keys stored in the database answer (``StoredSearch``)
    while the in-memory index is built on a lane of its own ("search-build"), which then
    answers as fast as before. It keeps itself in step with what the desk's saves and
    syncs change (``on_changed``), and keeps the stored keys in step too (on the build
    lane, a batch at a time)."""

    ready = Signal(int, float)  # people findable, seconds since start (again after a change)
    built = Signal(int, float)  # the in-memory index is answering: people, seconds to build
    results = Signal(int, object, int)  # generation, list[Hit], total

    LANE = "search"
    BUILD_LANE = "search-build"
    REBUILD_AT = 2000  # more people changed than this at once: build the index afresh
    KEY_BREATH_MS = 100  # between batches of stored keys made again

    def __init__(self, store: Store, limit: int = 50, worker: Worker | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.limit = limit
        self.index: SearchIndex | None = None
        self.stored: StoredSearch | None = None  # answers until the index is built
        self.worker = worker if worker is not None else Worker(self)
        self.worker.disposable.update((self.LANE, self.BUILD_LANE))
        self._generation = 0
        self._lock = threading.Lock()
        self._waiting: set[str] | None = None  # changed while the index is built
        self._keying = False  # a fix-up of the stored keys is queued

    def _submit(self, job: Callable[[], Any], lane: str = LANE) -> None:
        self.worker.submit(lane, job, None, self._failed, job.__qualname__)

    @staticmethod
    def _failed(exc: BaseException) -> None:
        log.error("the search index could not be read or updated", exc_info=exc)

    def start(self) -> None:
        """Answer from the stored keys at once (unless too many people changed since they
        were stored: then from the index, once built); build the index meanwhile."""
        began = time.perf_counter()

        def answer_from_the_stored_keys():
            stored = StoredSearch(self.store.Session, self.store.scanning)
            count = stored.count()
            if count is not None and self.index is None:
                self.stored = stored
                self.worker.post(self.ready.emit, count, time.perf_counter() - began)

        self._submit(answer_from_the_stored_keys)
        self._build(began)

    def _build(self, began: float) -> None:
        with self._lock:
            self._waiting = set()

        def build():
            with self.store.Session() as session, self.store.scanning(session):
                index = SearchIndex.build(session)
            self.worker.post(self._built, index, time.perf_counter() - began)

        self._submit(build, self.BUILD_LANE)

    def _built(self, index: SearchIndex, seconds: float) -> None:
        def install():
            with self._lock:
                waiting, self._waiting = self._waiting, None
            if waiting:  # changed while it was built: read again, as they are now
                with self.store.Session() as session:
                    index.refresh(session, waiting)
            self.index, self.stored = index, None
            self.worker.post(self.built.emit, len(index), seconds)
            self.worker.post(self.ready.emit, len(index), seconds)
            self.worker.post(self._key_changed)

        self._submit(install)

    def _key_changed(self) -> None:
        """Make the stored keys of people changed since again: a batch at a time on the
        build lane, each in a short transaction of its own (a save waits no longer), a
        breath between them (the desk is idle between, and a save or search goes first)."""
        if self._keying or self.worker.closed:
            return
        self._keying = True

        def key() -> int:
            with self.store.session() as session, self.store.scanning(session):
                return fix_up(session)

        def keyed(done: int) -> None:
            self._keying = False
            if done >= FIX_UP_BATCH:  # more to do
                QTimer.singleShot(self.KEY_BREATH_MS, self, self._key_changed)

        def failed(exc: BaseException) -> None:
            self._keying = False
            self._failed(exc)

        self.worker.submit(self.BUILD_LANE, key, keyed, failed, "search keys")

    def search(self, text: str) -> int:
        with self._lock:
            self._generation += 1
            generation = self._generation

        def job():
            if generation != self._generation:
                return  # a newer keystroke has arrived
            if self.index is not None:
                hits, total = self.index.search(text, self.limit)
            elif self.stored is not None and (answer := self.stored.search(
                    text, self.limit)) is not None:
                hits, total = answer
            else:
                return  # the index is still building: ``ready`` says when to ask again
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
        screen is run again and shows them. (The stored keys were marked by the database
        itself: they are made again afterwards.)"""
        if not person_ids:
            return
        ids = sorted(person_ids)
        with self._lock:
            if self._waiting is not None:  # being built: read again once it is
                self._waiting.update(ids)
                building = True
            else:
                building = False
        if building:
            self._submit(self._stored_changed)
            return
        if len(ids) > self.REBUILD_AT:  # answered meanwhile by the index as it was
            self._build(time.perf_counter())
            return

        def job():
            if self.index is None:
                return
            began = time.perf_counter()
            with self.store.Session() as session:
                self.index.refresh(session, ids)
            self.worker.post(self.ready.emit, len(self.index), time.perf_counter() - began)
            self.worker.post(self._key_changed)

        self._submit(job)

    def _stored_changed(self) -> None:
        """While the index is built, the stored keys answer for changed people too
        (reading them afresh): the search on screen is run again."""
        if self.index is None and self.stored is not None:
            began = time.perf_counter()
            count = self.stored.count()
            if count is not None:
                self.worker.post(self.ready.emit, count, time.perf_counter() - began)

    def shutdown(self) -> None:
        self.worker.shutdown()
