"""Change capture: every insert or update of a synced row leaves one outbox entry.

The capture runs in the flush itself, so the outbox rows are written and committed in
the same transaction as the change itself: a crash or a failed transaction loses both or
neither. Rows of synced tables are never deleted; ``session.delete`` on one is refused
(set ``deleted_at`` instead: a tombstone syncs like any other change).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from lr_desk.store import merge
from lr_desk.store.clock import HybridClock, new_id, session_now, utcnow
from lr_desk.store.models import Outbox, Synced, to_json
from lr_desk.store.schema import SCHEMA_VERSION


class TombstoneRequired(RuntimeError):
    """Raised when code tries to delete a synced row instead of tombstoning it."""


def _column_values(obj: Synced, only_changed: bool) -> dict[str, Any]:
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key == "id":
            continue
        if only_changed:
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
        out[key] = to_json(getattr(obj, key))
    return out


def _stamp(session: Session, flush_context, instances) -> None:
    """before_flush: give new rows their key and times; touch updated rows; refuse deletes."""
    if session.info.get("clock") is None:
        return  # a session without a clock (migrations, seeding) records nothing
    if any(isinstance(o, Synced) for o in session.deleted):
        raise TombstoneRequired("synced rows are never deleted: set deleted_at instead")
    now = session_now(session)
    for obj in session.new:
        if isinstance(obj, Synced):
            obj.id = obj.id or new_id()
            obj.created_at = obj.created_at or now
            obj.updated_at = now
    for obj in session.dirty:
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now


def _capture(session: Session, flush_context) -> None:
    """after_flush: the flushed values (defaults included) and their history are known here;
    write one outbox row per changed synced row on the flush's own connection."""
    clock: HybridClock | None = session.info.get("clock")
    if clock is None:
        return
    rows: list[dict[str, Any]] = []
    extra = session.info.get("seen") or {}
    unseen = session.info.get("unseen") or {}
    by = session.info.get("advisor_id")
    for obj in session.new:
        if isinstance(obj, Synced):
            rows.append(_entry(obj, "insert", _column_values(obj, only_changed=False), by, None))
    for obj in session.dirty:
        if isinstance(obj, Synced):
            fields = _column_values(obj, only_changed=True)
            if set(fields) - {"updated_at"}:
                row = _entry(obj, "update", fields, by, extra.pop(obj.id, None))
                # values changed on another desk while a form was open, that the form
                # has replaced: kept for review (see services.edits)
                row["replaced"] = {key: to_json(_old(obj, key))
                                   for key in unseen.pop(obj.id, ()) if key in fields}
                rows.append(row)
    if rows:
        conn = session.connection()
        # stamps each change with a clock past the values it replaces, keeps the clocks,
        # fills in what each write saw
        merge.record_local(conn, rows, clock)
        conn.execute(insert(Outbox), rows)


def _old(obj: Synced, key: str) -> Any:
    deleted = inspect(obj).attrs[key].history.deleted
    return deleted[0] if deleted else None


def _entry(obj: Synced, op: str, fields: dict[str, Any], by: str | None,
           seen: dict | None) -> dict[str, Any]:
    if by:
        seen = {**(seen or {}), merge.BY: by}
    return {
        "change_id": new_id(),
        "entity": obj.__tablename__,
        "entity_id": obj.id,
        "op": op,
        "fields": fields,
        "hlc": None,  # stamped by merge.record_local
        "schema_version": SCHEMA_VERSION,
        "created_at": utcnow(),
        "seen": seen,
    }


def install(session_factory) -> None:
    """Attach change capture to every session the factory makes."""
    event.listen(session_factory, "before_flush", _stamp)
    event.listen(session_factory, "after_flush", _capture)
