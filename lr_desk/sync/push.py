"""Pushing a device's outbox to the central store.

The outbox is sent in its local order, in batches. A batch is marked sent only after the
central store has committed it; if the device crashes or the connection drops in between,
the next push sends it again and the store, which knows every change by its id, ignores
what it already has. So every change reaches the store exactly once.

A desk moved to another central store (from the embedded default to the service's
PostgreSQL, say) sends its whole outbox again: what the first store has, the new one
has not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lr_desk.store.clock import utcnow
from lr_desk.store.db import Store
from lr_desk.store.models import Outbox, SyncState
from lr_desk.sync.central import CentralStore

BATCH = 5000
FIELDS = ("change_id", "entity", "entity_id", "op", "fields", "hlc", "schema_version", "seen")


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


def waiting(store: Store, staff_changes_only: bool = False) -> int:
    """How many changes are waiting to be sent. ``staff_changes_only``: the records staff
    changed, as the desk tells them (the audit log's own records go with those,
    uncounted: one save is one change waiting)."""
    from sqlalchemy import func

    query = select(func.count()).select_from(Outbox).where(Outbox.sent_at.is_(None))
    if staff_changes_only:
        query = query.where(Outbox.entity != "audit_event")
    with store.session() as s:
        return s.scalar(query)


def push_outbox(store: Store, central: CentralStore, batch: int = BATCH) -> Pushed:
    """Send everything waiting, oldest first; returns how much was sent."""
    done = Pushed()
    central_id = central.store_id()
    with store.engine.begin() as conn:
        if state(conn, "pushed_to") != central_id:  # a store that has none of it yet
            conn.execute(update(Outbox).where(Outbox.sent_at.is_not(None))
                         .values(sent_at=None))
            put_state(conn, "pushed_to", central_id)
    while True:
        # plain rows, JSON left as text (as stored); read once: no need to keep them
        with store.engine.connect() as conn, store.scanning(conn):
            rows = conn.exec_driver_sql(
                f"SELECT {', '.join(FIELDS)}, seq FROM outbox WHERE sent_at IS NULL "
                "ORDER BY seq LIMIT ?", (batch,)).all()
        if not rows:
            return done
        changes = [dict(zip(FIELDS, row[:-1], strict=True)) for row in rows]
        # committed there when this returns
        acknowledged = central.push(central.push_as or store.device_id, changes)
        with store.engine.begin() as conn:  # the batch, and anything before it
            conn.execute(update(Outbox).where(Outbox.seq <= rows[-1].seq,
                                              Outbox.sent_at.is_(None))
                         .values(sent_at=utcnow()))
        done.changes += len(acknowledged)
        done.batches += 1
