"""One sync with the central store: push the outbox, then pull and merge what is new.

Pull reads the log after this device's cursor, in pages; each page is merged and the
cursor moved in one local transaction, so a crash or a dropped connection between
pages loses nothing and repeats nothing. A change written by a newer lr_desk (a schema
version the store knows, later than this desk's) stops the pull before it is applied; the
cursor stays just before it until this device is updated. A change this desk cannot
apply (lr_desk.sync.checks: a bad shape, a schema version that is no real one, no proof)
is set aside (sync.screen), the same on every desk, and the pull carries on with the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from lr_desk.store import erase, merge
from lr_desk.store.db import Store
from lr_desk.sync import checks, screen, snapshot_load
from lr_desk.sync.central import CentralStore
from lr_desk.sync.gc_pause import no_cyclic_gc
from lr_desk.sync.progress import Progress
from lr_desk.sync.push import push_outbox, put_state, state, waiting

log = logging.getLogger(__name__)

PAGE = 5000


class SyncError(RuntimeError):
    """A sync could not finish; the message says why in plain words, and what to do."""


class NewerVersion(SyncError):
    """The central store holds changes from a newer lr_desk."""


@dataclass
class Synced:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    set_aside: int = 0  # changes pulled that this desk could not apply (checks)
    interrupted: bool = False
    touched: dict[str, set[str]] = field(default_factory=dict)
    waiting: int = 0

    def summary(self) -> str:
        words = f"sent {self.pushed}, received {self.pulled}"
        if self.conflicts:
            words += f", {self.conflicts} to review"
        if self.set_aside:
            words += f", {self.set_aside} set aside (not valid)"
        if self.interrupted:
            words += " (stopped: the rest comes next time)"
        return words


TOUCHED_KEPT = 1000  # ids kept per kind of record (but every person's, for search)


def _note_touched(kept: dict[str, set[str]], page: dict[str, set[str]]) -> None:
    """What a pull touched, for the screens: every person (search must find them), and
    for other records only a sample (which screens to reload), so that a first sync of
    millions of records does not hold millions of ids."""
    for entity, ids in page.items():
        have = kept.setdefault(entity, set())
        if entity == "person":
            have.update(ids)
        elif len(have) < TOUCHED_KEPT:
            have.update(list(ids)[:TOUCHED_KEPT - len(have)])


def cursor(store: Store, central_id: str) -> int:
    """Where this device is in the log of the central store ``central_id`` (0 if it has
    never pulled from that store: a device moved to another store starts again)."""
    with store.engine.connect() as conn:
        if state(conn, "central_id") != central_id:
            return 0
        return state(conn, "cursor", 0)


def pull(store: Store, central: CentralStore, page: int = PAGE,
         progress: Callable[[Progress], None] | None = None,
         stop: Callable[[], bool] | None = None) -> Synced:
    """Merge everything after this device's cursor, a page per local transaction. A new
    device first loads the store's snapshot, if it has one (sync.snapshot_load)."""
    done = Synced()
    central_id = central.store_id()
    versions = central.desk_versions()  # a genuine newer version is one of these
    proofs_from = central.proofs_from()  # accounts and erasures before it need no proof
    at = cursor(store, central_id)
    if at == 0:
        loaded = snapshot_load.first_sync_from_snapshot(store, central, progress, stop)
        if loaded:
            done.pulled, done.conflicts = loaded.at_seq, loaded.conflicts
            _note_touched(done.touched, loaded.touched)
        elif stop and stop():  # (while the snapshot came: the rest of it next time)
            done.interrupted = True
            return done
        at = cursor(store, central_id)  # (another process may have pulled meanwhile)
    total = max(central.head() - at, 0)
    consumed = 0
    while True:
        with no_cyclic_gc():
            changes = central.pull(at, page)
        if not changes:
            return done
        # (asked once per version the page holds: a page has one or two)
        newer = {v for v in {c.schema_version for c in changes} if checks.newer(v, versions)}
        cut = next((i for i, c in enumerate(changes) if c.schema_version in newer),
                   None) if newer else None
        usable = changes if cut is None else changes[:cut]
        if usable:
            page_end = usable[-1].seq
            with store.engine.begin() as conn:
                put_state(conn, "pulling", page)  # a write first: the write lock is ours
                # Another process on this profile (lr-desk sync beside the desk) may have
                # merged this page meanwhile: what it has done is not done twice.
                done_to = state(conn, "cursor", 0) \
                    if state(conn, "central_id") == central_id else 0
                usable = [c for c in usable if c.seq > done_to]
                # A page holds rows and the rows they point to in any order (a person
                # merged into someone registered later): keys are checked at the commit.
                # (Only inside a transaction: outside one the pragma is reset at once.)
                conn.execute(text("PRAGMA defer_foreign_keys=ON"))
                with no_cyclic_gc():
                    # what this desk cannot apply is set aside here, with why
                    page_screen = screen.Screen(conn, versions, proofs_from)
                    accepted = page_screen.run(usable)
                    applied = merge.apply_changes(conn, accepted, store.device_id)
                at = max(page_end, done_to)
                put_state(conn, "cursor", at)
                put_state(conn, "central_id", central_id)
                if accepted:  # (a stamp set aside is no clock to follow)
                    newest = max(c.hlc for c in accepted)
                    put_state(conn, "hlc_high", max(newest, state(conn, "hlc_high", "")))
                    # later local edits sort after what was seen (before others can write)
                    store.clock.observe(newest)
            if applied.erased:  # old values overwritten: out of the write-ahead log too
                erase.wipe(store.engine)
            consumed += len(usable)
            done.pulled += applied.changes
            done.conflicts += applied.conflicts
            done.set_aside += len(page_screen.aside)
            _note_touched(done.touched, applied.touched)
        if cut is not None:
            raise NewerVersion(
                "The central store has changes from a newer version of lr_desk. Please "
                "update lr_desk on this computer; nothing has been lost, and sync carries "
                "on from here once it is updated.")
        if progress:
            progress(Progress(min(consumed, total), total))
        if stop and stop():
            done.interrupted = at < central.head()  # (asked during the last page: done)
            return done


def sync_once(store: Store, central: CentralStore,
              progress: Callable[[Progress], None] | None = None,
              stop: Callable[[], bool] | None = None) -> Synced:
    """Push what is waiting, then pull what is new."""
    try:
        pushed = push_outbox(store, central)
    except checks.Refused as exc:  # one of this desk's own changes: as the store said
        raise SyncError(str(exc)) from exc
    done = pull(store, central, progress=progress, stop=stop)
    done.pushed = pushed.changes
    done.waiting = waiting(store)
    return done
