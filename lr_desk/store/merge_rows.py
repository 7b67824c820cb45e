"""The merge's reading and writing of rows (see store.merge): the clocks of each row's
values (``row_clock``), read and written a batch at a time, and values between their JSON
form (in changes and conflicts) and what the columns hold."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lr_desk.store.clock import utcnow
from lr_desk.store.models import SYNCED_MODELS, Conflict, RowClock

ROW = "~row"  # in ``seen``: the newest clock of the row its deleter had seen
BY = "~by"  # in ``seen``: the advisor who wrote the change (for "who" in Needs review)
# In a person's clocks: the newest record added under them (a visit, a follow-up...), so
# that a visit recorded on one desk while the person was deleted on another is flagged.
CHILD = "~child"
# Records that name a person without being added under them: the person themself, and
# the audit log (looking at a record, or a record of a change, is no news about them).
NOT_CHILDREN = frozenset({"person", "audit_event"})
# Records never changed once written (the database refuses: the audit log). No clocks are
# kept for them, as there is nothing to merge: a pull inserts them, and one already here
# (the same record again) is left as it is. Half of what a pull brings is audit records.
APPEND_ONLY = frozenset({"audit_event"})
# Bookkeeping fields: they change with every edit and are never a conflict.
QUIET = frozenset({"updated_at", "created_at"})
# Nor is a deletion or a restore that loses to a later one: whether a record stays
# deleted is settled by the newest, and an edit it clashes with is flagged instead.
NOT_EDITS = QUIET | {"deleted_at"}

clock_table = RowClock.__table__
conflict_table = Conflict.__table__


def owner_of(entity: str, fields: dict) -> str | None:
    """The person a new record is added under, if any (see CHILD)."""
    return None if entity in NOT_CHILDREN else fields.get("person_id")


def device_of(hlc: str) -> str:
    return hlc.split("-", 2)[2] if hlc else ""


@dataclass
class Clocks:
    """A row's clocks while a batch is merged."""

    base: str
    fields: dict[str, str] = field(default_factory=dict)
    changed: bool = False

    def of(self, name: str) -> str:
        return self.fields.get(name, self.base)

    def newest_edit(self) -> str:
        """The newest change to the row's own values, or a record added under it."""
        edits = [h for k, h in self.fields.items() if k not in NOT_EDITS and not k.startswith("~")]
        return max([self.base, self.fields.get(CHILD, ""), *edits])

    def note_child(self, hlc: str) -> None:
        if hlc > self.fields.get(CHILD, ""):
            self.set(CHILD, hlc)

    def set(self, name: str, hlc: str) -> None:
        self.fields[name] = hlc
        self.changed = True


CHUNK = 900  # ids per IN (...): well under SQLite's limit on bound values


def ids_in(conn: Connection, sql: str, ids: Iterable[str]) -> Iterable[tuple]:
    """Rows of ``sql`` (ending ``IN ({})``) for the ids, a chunk at a time: plain DB-API
    for speed (the merge reads and writes rows by the thousand)."""
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        yield from conn.exec_driver_sql(sql.format(",".join("?" * len(chunk))), tuple(chunk))


def rows_of(conn: Connection, table: str, columns: str, ids: Iterable[str],
            key: str = "id") -> Iterable[tuple]:
    """``columns`` of the rows of ``table`` whose ``key`` is one of ``ids``: one statement,
    the ids as one JSON array, each looked up through the key's index (no list of
    values to bind, sort and search: a pull looks up ten thousand at a time)."""
    ids = list(set(ids))
    if not ids:
        return ()
    return conn.exec_driver_sql(
        f"SELECT {columns} FROM json_each(?) AS wanted CROSS JOIN {table} "
        f"ON {table}.{key} = wanted.value", (json.dumps(ids),))


def load_clocks(conn: Connection, ids: Iterable[str]) -> dict[str, Clocks]:
    return {entity_id: Clocks(base, json.loads(fields) if fields else {})
            for entity_id, base, fields in rows_of(
                conn, "row_clock", "entity_id, base, fields", ids, key="entity_id")}


def save_clocks(conn: Connection, clocks: dict[str, Clocks]) -> None:
    rows = [(k, c.base, json.dumps(c.fields) if c.fields else None)
            for k, c in clocks.items() if c.changed]
    if rows:
        conn.exec_driver_sql(
            "INSERT INTO row_clock (entity_id, base, fields) VALUES (?, ?, ?) "
            "ON CONFLICT (entity_id) DO UPDATE SET base = excluded.base, "
            "fields = excluded.fields", rows)


# --- values between JSON and columns -----------------------------------------------


def _converters(model) -> dict[str, Any]:
    out = {}
    for col in model.__table__.columns:
        if isinstance(col.type, DateTime):
            out[col.name] = lambda v: None if v is None else datetime.fromisoformat(v)
        elif isinstance(col.type, Date):
            out[col.name] = lambda v: None if v is None else date.fromisoformat(v)
    return out


CONVERT = {name: _converters(model) for name, model in SYNCED_MODELS.items()}
COLUMNS = {name: {c.name for c in model.__table__.columns} for name, model in SYNCED_MODELS.items()}


def to_column(entity: str, name: str, value: Any) -> Any:
    """A JSON value (from a change or a conflict) as the column's Python value."""
    conv = CONVERT[entity].get(name)
    return conv(value) if conv else value


# Between JSON values and what SQLite holds, without SQLAlchemy's per-value processing:
# a time is ISO 8601 with a space for the "T" (SQLAlchemy's SQLite format, microseconds
# and all: exactly what to_json writes), a date is ISO 8601, a JSON column is its text.
def _storage(model) -> tuple[list[str], list, dict[str, Any], dict[str, Any]]:
    names, defaults, to_db, from_db = [], [], {}, {}
    for col in model.__table__.columns:
        names.append(col.name)
        default = col.default.arg if col.default is not None and col.default.is_scalar else None
        if isinstance(col.type, DateTime):
            to_db[col.name] = lambda v: v.replace("T", " ") if isinstance(v, str) else v
            from_db[col.name] = lambda v: v.replace(" ", "T", 1) if isinstance(v, str) else v
        elif isinstance(col.type, Boolean):
            from_db[col.name] = lambda v: v if v is None else bool(v)
        elif isinstance(col.type, JSON):
            to_db[col.name] = json.dumps
            from_db[col.name] = lambda v: json.loads(v) if isinstance(v, str) else v
            if default is None and col.default is not None:
                default = {}  # default=dict (dumped on writing, like any value)
        defaults.append(default)
    return names, defaults, to_db, from_db


STORAGE = {name: _storage(model) for name, model in SYNCED_MODELS.items()}


def as_json(entity: str, name: str, value: Any) -> Any:
    """A value read from SQLite (or already JSON) as JSON: for a conflict record."""
    conv = STORAGE[entity][3].get(name)
    return conv(value) if conv else value


# --- settling conflicts ------------------------------------------------------------


def settle(conn: Connection, seen: list[tuple[str, str, str, str]]) -> None:
    """Settle the open conflicts whose values these writes had seen: ``seen`` holds
    (row id, field, the clock seen, the clock of the write that saw it)."""
    if not seen:
        return
    t = conflict_table
    if conn.execute(select(t.c.id).where(t.c.resolved_hlc.is_(None)).limit(1)).first() is None:
        return  # nothing open (as nearly always): nothing to look up
    by = {(entity_id, name, old): hlc for entity_id, name, old, hlc in seen}
    found = [(cid, by[(entity_id, name, old)]) for cid, entity_id, name, old in ids_in(
        conn, "SELECT id, entity_id, field, hlc FROM conflict "
              "WHERE resolved_hlc IS NULL AND entity_id IN ({})", {k[0] for k in by})
        if (entity_id, name, old) in by]
    if found:
        conn.exec_driver_sql("UPDATE conflict SET resolved_hlc = ? WHERE id = ?",
                             [(hlc, cid) for cid, hlc in found])


def flag_deleted_edit(conn: Connection, entity: str, entity_id: str, deleted_at: Any,
                      clocks: Clocks) -> None:
    t = conflict_table
    deleted_clock, newest = clocks.of("deleted_at"), clocks.newest_edit()
    flagged = bool(deleted_at) and newest > clocks.of(ROW)
    open_flags = conn.execute(select(t.c.id, t.c.hlc).where(
        t.c.entity_id == entity_id, t.c.kind == "deleted", t.c.resolved_hlc.is_(None))).all()
    stale = [fid for fid, hlc in open_flags if not (flagged and hlc == deleted_clock)]
    if stale:
        conn.execute(update(t).where(t.c.id.in_(stale))
                     .values(resolved_hlc=max(deleted_clock, newest)))
    if flagged and not any(hlc == deleted_clock for _, hlc in open_flags):
        conn.execute(sqlite_insert(t).on_conflict_do_nothing(), [{
            "kind": "deleted", "entity": entity, "entity_id": entity_id, "field": ROW,
            "value": as_json(entity, "deleted_at", deleted_at), "hlc": deleted_clock,
            "winner_hlc": newest,
            "by": clocks.fields.get(BY), "recorded_at": utcnow()}])
