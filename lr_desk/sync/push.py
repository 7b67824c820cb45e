"""Pushing a device's outbox to the central store.

The outbox is sent in its local order, in batches. What the central store has is one
number in the device's sync state, ``pushed_upto``: the highest outbox ``seq`` the store
has committed (a watermark). It moves only after the store has committed a batch; if the
device crashes or the connection drops in between, the next push sends that batch again
and the store, which knows every change by its id, ignores what it already has. So every
change reaches the store exactly once. (A watermark is enough: ``seq`` is given in commit
order - one writer at a time on SQLite - and no outbox row is ever deleted. Moving it is
one small write per batch where marking each row sent rewrote 5,000 rows and their index
entries in an encrypted store.)

A desk moved to another central store (from the embedded default to the service's
PostgreSQL, say) sends its whole outbox again: what the first store has, the new one
has not. A desk upgraded from an lr_desk that marked each change sent
(``outbox.sent_at``) takes its watermark from those marks, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lr_desk.store.db import Store
from lr_desk.store.models import SyncState
from lr_desk.sync.central import CentralStore
from lr_desk.sync.gc_pause import no_cyclic_gc

BATCH = 5000
FIELDS = ("change_id", "entity", "entity_id", "op", "fields", "hlc", "schema_version", "seen")
PUSHED = "pushed_upto"  # sync_state: the highest outbox seq the store (pushed_to) has


@dataclass
class Pushed:
    changes: int = 0
    batches: int = 0


def state(conn, key: str, default=None):
    """A value of this device's sync state (``sync_state``), on connection ``conn``."""
    value = conn.execute(select(SyncState.value).where(SyncState.key == key)).scalar()
    return default if value is None else value


def put_state(conn, key: str, value) -> None:
    stmt = sqlite_insert(SyncState.__table__).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def pushed_upto(conn) -> int:
    """The highest outbox seq the central store has (every change up to it is there)."""
    upto = state(conn, PUSHED)
    return _marked_upto(conn) if upto is None else int(upto)


def _marked_upto(conn) -> int:
    """The watermark of a desk whose older lr_desk marked each change sent: those before
    the first unmarked one (marks were only ever made oldest first), else all of them."""
    first, last = conn.exec_driver_sql(
        "SELECT (SELECT min(seq) FROM outbox WHERE sent_at IS NULL), "
        "(SELECT max(seq) FROM outbox)").one()
    return first - 1 if first is not None else last or 0


def _sent_upto(conn, seq: int) -> None:
    """The store has every change up to ``seq``: the watermark goes there, never back (a
    second process pushing the same profile may have moved it further meanwhile)."""
    conn.exec_driver_sql(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
        "SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
        (PUSHED, seq))


def send_again(store: Store) -> None:
    """Send the whole outbox again at the next push (as to a store that has none of it)."""
    with store.engine.begin() as conn:
        put_state(conn, PUSHED, 0)


def waiting(store: Store, staff_changes_only: bool = False) -> int:
    """How many changes are waiting to be sent. ``staff_changes_only``: the records staff
    changed, as the desk tells them (the audit log's own records go with those,
    uncounted: one save is one change waiting)."""
    query = "SELECT count(*) FROM outbox WHERE seq > ?"
    if staff_changes_only:
        query += " AND entity != 'audit_event'"
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(query, (pushed_upto(conn),)).scalar()


def push_outbox(store: Store, central: CentralStore, batch: int = BATCH) -> Pushed:
    """Send everything waiting, oldest first; returns how much was sent."""
    # (the collector scanned the heap for a batch's rows, ~100 ms, in 3 of 20 pushes of
    # 10,000: benchmarks/push_ab.py)
    with no_cyclic_gc():
        return _push_outbox(store, central, batch)


def _push_outbox(store: Store, central: CentralStore, batch: int) -> Pushed:
    done = Pushed()
    central_id = central.store_id()
    with store.engine.begin() as conn:
        if state(conn, "pushed_to") != central_id:  # a store that has none of it yet
            put_state(conn, PUSHED, 0)
            put_state(conn, "pushed_to", central_id)
        elif state(conn, PUSHED) is None:  # upgraded: the old marks, taken once
            put_state(conn, PUSHED, _marked_upto(conn))
        upto = pushed_upto(conn)
    while True:
        # plain rows, JSON left as text (as stored); read once: no need to keep them
        with store.engine.connect() as conn, store.scanning(conn):
            rows = conn.exec_driver_sql(
                f"SELECT {', '.join(FIELDS)}, seq FROM outbox WHERE seq > ? "
                "ORDER BY seq LIMIT ?", (upto, batch)).all()
        if not rows:
            return done
        changes = [dict(zip(FIELDS, row[:-1], strict=True)) for row in rows]
        # committed there when this returns
        acknowledged = central.push(central.push_as or store.device_id, changes)
        upto = rows[-1].seq
        with store.engine.begin() as conn:  # the batch, and anything before it
            _sent_upto(conn, upto)
        done.changes += len(acknowledged)
        done.batches += 1
