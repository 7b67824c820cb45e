"""What is waiting in Needs review, kept up to date on the database worker.

``refresh()`` reads everything: the changes to check, and the whole desk for pairs of
people who may be one, in steps (``services.twice.scan_steps``: phone numbers, postcodes,
ranges of birth years), each its own job on the worker, so a save queued meanwhile waits
for one step at most. ``recheck(ids)`` reads the changes to check and the pairs of these
people only (and whether the pairs listed still stand): what a write or a pull changed.
One load at a time; what is asked for meanwhile is done once after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from lr_desk.services import review, twice

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lr_desk.services.changes import Changed
    from lr_desk.ui.tasks import Tasks

Pair = tuple[str, str]


class ReviewLoader(QObject):
    """Loads the two lists; ``loaded`` carries (load number, items, pairs)."""

    loaded = Signal(int, object, object)
    failed = Signal(object)  # the exception, once reported

    def __init__(self, tasks: Tasks, parent: QObject | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.found: dict[Pair, str] = {}  # the pairs listed, and why
        self.loads = 0  # loads started
        self.own: Changed | None = None  # what the page's last action wrote (handled)
        self._busy = False  # a load is under way ...
        self._full_wanted = False  # ... and a full one is wanted after it
        self._ids_wanted: set[str] | None = None  # ... or one about these people
        self._steps: list[tuple] = []  # of a full read, still to run
        self._scanned: dict[Pair, str] = {}  # what the steps found so far
        self._items: list = []

    @Slot()
    def refresh(self) -> None:
        """Read both lists afresh, the whole desk for pairs (in steps)."""
        if self._busy:
            self._full_wanted = True
            return
        number = self._start()
        device_id = self.tasks.store.device_id
        self.tasks.run(lambda s: (review.open_items(s, device_id), twice.scan_steps(s)),
                       lambda plan: self._planned(number, plan), self._failed)

    def on_changed(self, changed: Changed) -> None:
        """A write or a pull changed records: bring the lists up to date from it."""
        if self.own is not None and changed == self.own:
            self.own = None  # the page's own action's: already read
            return
        people = set(changed.ids("person"))
        if changed.pulled and len(people) > twice.MOST_AROUND:
            self.refresh()  # many people brought in: read everyone
        elif changed and set(changed.entities) != {"audit_event"}:
            self.recheck(people)

    def recheck(self, person_ids: set[str]) -> None:
        """Read the changes to check again, and the pairs of these people (checking the
        pairs listed still stand)."""
        if self._busy:
            self._ids_wanted = (self._ids_wanted or set()) | set(person_ids)
            return
        number = self._start()
        device_id, found, ids = self.tasks.store.device_id, dict(self.found), set(person_ids)

        def read(s: Session):
            kept = {pair: why for pair, why in found.items() if not set(pair) & ids}
            if ids:
                for pair, why in twice.around(s, ids).items():
                    kept.setdefault(pair, why)
            return review.open_items(s, device_id), twice.listed(s, kept)
        self.tasks.run(read, lambda r: self._loaded(number, *r), self._failed)

    def _start(self) -> int:
        self._busy = True
        self.loads += 1
        return self.loads

    def _planned(self, number: int, plan) -> None:
        if not shiboken6.isValid(self):
            return  # the page went (the desk closed) while it was read
        self._items, self._steps = plan
        self._scanned = {}
        self._next_step(number)

    def _next_step(self, number: int) -> None:
        if self._steps:
            step = self._steps.pop(0)
            self.tasks.run(lambda s: twice.run_step(s, step),
                           lambda found: self._stepped(number, found), self._failed)
        else:
            found, items = self._scanned, self._items
            self.tasks.run(lambda s: twice.listed(s, found),
                           lambda pairs: self._loaded(number, items, pairs), self._failed)

    def _stepped(self, number: int, found: dict[Pair, str]) -> None:
        if not shiboken6.isValid(self):
            return  # the page went (the desk closed) while it was read
        for pair, why in found.items():
            self._scanned.setdefault(pair, why)
        self._next_step(number)

    def _loaded(self, number: int, items: list, pairs: list) -> None:
        if not shiboken6.isValid(self):
            return  # the page went (the desk closed) while it was read
        self._busy = False
        self.found = {(p.a.id, p.b.id): p.why for p in pairs}
        self.loaded.emit(number, items, pairs)
        self._next()

    def _failed(self, exc: BaseException) -> bool:
        if not shiboken6.isValid(self):
            return True
        self._busy = False
        self._steps = []
        self.tasks.report(exc)  # in the status bar (or, for a bug, a box to tell us)
        self.failed.emit(exc)
        self._next()
        return True

    def _next(self) -> None:
        if self._full_wanted:
            self._full_wanted, self._ids_wanted = False, None
            self.refresh()
        elif self._ids_wanted is not None:
            ids, self._ids_wanted = self._ids_wanted, None
            self.recheck(ids)
