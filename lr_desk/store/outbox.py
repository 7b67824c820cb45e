"""Change capture: every insert or update of a synced row leaves one outbox entry,
and one record in the audit log (who, when, which desk, which record, which fields).

The capture runs in the flush itself, so the outbox rows and the audit records are
written and committed in the same transaction as the change itself: a crash or a failed
transaction loses all or none. The audit records are synced rows too: each is inserted
on the flush's connection and leaves its own outbox entry (it is not audited itself).
They name the fields changed, never their values. Rows of synced tables are never
deleted; ``session.delete`` on one is refused (set ``deleted_at`` instead: a tombstone
syncs like any other change, and is audited as a deletion).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from lr_desk.store import authority, merge
from lr_desk.store.clock import HybridClock, new_id, session_now, utcnow
from lr_desk.store.models import (
    AuditEvent,
    Conversation,
    Outbox,
    Prescription,
    Referral,
    Synced,
    to_json,
)
from lr_desk.store.schema import SCHEMA_VERSION

# session.info key: {entity: {ids}} of the synced rows the session's flushes wrote, for
# pages to hear what changed (services.changes)
TOUCHED = "touched"


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
    audited: list[tuple[Synced, str, dict[str, Any]]] = []  # (row, action, fields)
    extra = session.info.get("seen") or {}
    unseen = session.info.get("unseen") or {}
    by = session.info.get("advisor_id")
    for obj in session.new:
        if isinstance(obj, Synced):
            fields = _column_values(obj, only_changed=False)
            rows.append(_entry(obj.__tablename__, obj.id, "insert", fields, by, None))
            audited.append((obj, "create", fields))
    for obj in session.dirty:
        if isinstance(obj, Synced):
            fields = _column_values(obj, only_changed=True)
            if set(fields) - {"updated_at"}:
                row = _entry(obj.__tablename__, obj.id, "update", fields, by,
                             extra.pop(obj.id, None))
                # values changed on another desk while a form was open, that the form
                # has replaced: kept for review (see services.edits)
                row["replaced"] = {key: to_json(_old(obj, key))
                                   for key in unseen.pop(obj.id, ()) if key in fields}
                row["was"] = _was(obj, fields)  # (see merge.record_local)
                rows.append(row)
                deleted = fields.get("deleted_at") and not _old(obj, "deleted_at")
                audited.append((obj, "delete" if deleted else "change", fields))
    if rows:
        touched = session.info.setdefault(TOUCHED, {})
        for row in rows:
            touched.setdefault(row["entity"], set()).add(row["entity_id"])
        conn = session.connection()
        rows += _audit(session, conn, audited)
        signer = session.info.get("signer")  # accounts and erasures: see store.authority
        authority.reserve(rows, signer)
        # stamps each change with a clock past the values it replaces, keeps the clocks,
        # fills in what each write saw
        merge.record_local(conn, rows, clock)
        authority.sign(conn, rows, signer)  # their clocks are in what is signed
        conn.execute(insert(Outbox), rows)


def _was(obj: Synced, fields: dict[str, Any]) -> dict[str, Any]:
    """The values ``fields`` held before this write, as JSON, where the session knew
    them (an attribute changed without being loaded first has no old value here)."""
    attrs = inspect(obj).attrs
    return {key: to_json(deleted[0]) for key in fields
            if (deleted := attrs[key].history.deleted)}


def _old(obj: Synced, key: str) -> Any:
    deleted = inspect(obj).attrs[key].history.deleted
    return deleted[0] if deleted else None


def _entry(entity: str, entity_id: str, op: str, fields: dict[str, Any], by: str | None,
           seen: dict | None) -> dict[str, Any]:
    if by:
        seen = {**(seen or {}), merge.BY: by}
    return {
        "change_id": new_id(),
        "entity": entity,
        "entity_id": entity_id,
        "op": op,
        "fields": fields,
        "hlc": None,  # stamped by merge.record_local
        "schema_version": SCHEMA_VERSION,
        "created_at": utcnow(),
        "seen": seen,
    }


# --- the audit log -----------------------------------------------------------------

AUDIT = AuditEvent.__tablename__
# Written as merge writes rows (plain DB-API, values in their stored form): a save makes
# an audit record per row it changes, and must stay quick.
_NAMES, _DEFAULTS, _TO_DB, _ = merge.STORAGE[AUDIT]
AUDIT_INSERT = (f"INSERT INTO {AUDIT} ({', '.join(_NAMES)}) "
                f"VALUES ({', '.join('?' * len(_NAMES))})")
NOT_NAMED = frozenset({"updated_at", "created_at"})  # they change with every write
# The person a record is about: its own column (person_id, unless named here) ...
PERSON_COLUMN = {"person": "id", "person_merge": "survivor_id", "not_duplicate": "person_a"}
# ... or, for records with none, their parent's person_id (read once per flush).
PARENT = {"conversation_need": ("conversation_id", Conversation),
          "prescription_item": ("prescription_id", Prescription),
          "referral_event": ("referral_id", Referral),
          "service_gap": ("conversation_id", Conversation)}  # (a gap may have none)


def _audit(session: Session, conn, audited: list[tuple[Synced, str, dict]]) -> list[dict]:
    """One audit record per change of a synced row (audit records excepted), inserted on
    the flush's connection; returns their outbox entries (not yet stamped)."""
    audited = [a for a in audited if a[0].__tablename__ != AUDIT]
    if not audited:
        return []
    people = _people_of(session, conn, [obj for obj, _a, _f in audited])
    now = to_json(session_now(session))
    advisor_id, device_id = session.info.get("advisor_id"), session.info.get("device_id")
    records = {new_id(): {
        "at": now, "advisor_id": advisor_id, "device_id": device_id or "", "action": action,
        "entity": obj.__tablename__, "entity_id": obj.id, "person_id": people.get(obj.id),
        "detail": ", ".join(k for k in fields if k not in NOT_NAMED)[:500],
        "created_at": now, "updated_at": now, "deleted_at": None,
    } for obj, action, fields in audited}
    conn.exec_driver_sql(AUDIT_INSERT, [
        tuple(record_id if name == "id" else _TO_DB[name](r[name]) if name in _TO_DB
              else r[name] for name in _NAMES) for record_id, r in records.items()])
    # (who made it is in the record itself: no "~by" for Needs review, which never
    # lists an audit record: they are only ever inserted)
    return [_entry(AUDIT, record_id, "insert", r, None, None)
            for record_id, r in records.items()]


def _people_of(session: Session, conn, objs: list[Synced]) -> dict[str, str]:
    """Row id -> the id of the person the row is about, for the rows about one."""
    out: dict[str, str] = {}
    wanted: dict[str, list[tuple[str, str]]] = {}  # parent table -> [(row id, parent id)]
    for obj in objs:
        name = obj.__tablename__
        if name in PARENT:
            column, model = PARENT[name]
            parent_id = getattr(obj, column)
            if parent_id is None:
                continue
            parent = session.identity_map.get(session.identity_key(model, parent_id))
            known = inspect(parent).dict.get("person_id") if parent is not None else None
            if known:  # (as held: no load in the middle of a flush)
                out[obj.id] = known
            else:
                wanted.setdefault(name, []).append((obj.id, parent_id))
        else:
            person_id = getattr(obj, PERSON_COLUMN.get(name, "person_id"), None)
            if person_id:
                out[obj.id] = person_id
    for name, pairs in wanted.items():
        parents = sorted({parent_id for _row, parent_id in pairs})
        owners = dict(conn.exec_driver_sql(
            f"SELECT id, person_id FROM {PARENT[name][1].__tablename__} "
            f"WHERE id IN ({', '.join('?' * len(parents))})", tuple(parents)).all())
        out.update((row_id, owners[parent_id]) for row_id, parent_id in pairs
                   if parent_id in owners)
    return out


def install(session_factory) -> None:
    """Attach change capture to every session the factory makes."""
    event.listen(session_factory, "before_flush", _stamp)
    event.listen(session_factory, "after_flush", _capture)
