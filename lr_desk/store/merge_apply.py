"""Merging a page of pulled changes into the local store (see store.merge for the rules:
per-field last writer wins, nothing lost): the clocks and rows read a batch at a time,
the changes merged in memory, then the winners, clocks and conflicts written in a few
statements."""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lr_desk.store import erase
from lr_desk.store.clock import utcnow
from lr_desk.store.merge_rows import (
    APPEND_ONLY,
    BY,
    COLUMNS,
    NOT_CHILDREN,
    NOT_EDITS,
    ROW,
    STORAGE,
    Clocks,
    as_json,
    conflict_table,
    device_of,
    flag_deleted_edit,
    ids_in,
    load_clocks,
    owner_of,
    rows_of,
    save_clocks,
    settle,
)
from lr_desk.store.models import SYNCED_MODELS

log = logging.getLogger(__name__)


@dataclass
class Applied:
    """What a batch of remote changes did here (for the status line and the screens)."""

    changes: int = 0
    conflicts: int = 0
    touched: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    erased: int = 0  # rows whose personal values an erasure took out here (see store.erase)


def _insert_rows(entity: str):
    """A function from rows (JSON form) to an INSERT's values for ``entity``: each
    column's value, its default when missing, as SQLite holds it (STORAGE's to_db),
    written out as one expression per row (a pull inserts rows by the thousand)."""
    names, defaults, to_db, _ = STORAGE[entity]
    scope: dict[str, Any] = {"isinstance": isinstance, "str": str}
    parts = []
    for i, name in enumerate(names):
        scope[f"d{i}"] = defaults[i]
        get = f"r.get({name!r}, d{i})"
        if name not in to_db:
            parts.append(get)
        elif to_db[name] is json.dumps:
            scope["dumps"] = json.dumps
            parts.append(f"dumps({get})")
        else:  # a time: ISO 8601 with a space for the "T" (see merge_rows._storage)
            assert to_db[name]("1T2") == "1 2", name
            parts.append(f"(v.replace('T', ' ') if isinstance(v := {get}, str) else v)")
    code = f"def rows(rs):\n    return [({', '.join(parts)},) for r in rs]\n"
    exec(compile(code, f"<insert rows of {entity}>", "exec"), scope)
    return scope["rows"]


INSERT_ROWS = {entity: _insert_rows(entity) for entity in SYNCED_MODELS}
INSERT_SQL = {entity: f"INSERT INTO {entity} ({', '.join(STORAGE[entity][0])}) "
                      f"VALUES ({', '.join('?' * len(STORAGE[entity][0]))})"
              for entity in SYNCED_MODELS}
APPEND_SQL = {entity: f"{INSERT_SQL[entity]} ON CONFLICT (id) DO NOTHING" for entity in APPEND_ONLY}


class _Batch:
    """Merges a list of writes (remote or local) against the store, then writes the
    winners, the clocks and the conflicts in a few statements."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.clocks: dict[str, Clocks] = {}
        self.rows: dict[str, dict[str, Any]] = {}  # entity_id -> current values (JSON form)
        self.entity_of: dict[str, str] = {}
        self.inserts: dict[str, dict[str, dict]] = defaultdict(dict)  # entity -> id -> row
        self.appended: dict[str, dict[str, dict]] = defaultdict(dict)  # (APPEND_ONLY's)
        self.updates: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
        self.new_conflicts: list[dict] = []
        self.settle: list[tuple[str, str, str, str]] = []  # entity_id, field, hlc, by_hlc
        self.flag_rows: set[str] = set()

    def load(self, writes: Sequence[tuple[str, str]], owners: Iterable[str] = ()) -> None:
        """Read the clocks and current values of the rows about to be written, and the
        clocks and deletion of the people records are about to be added under."""
        by_entity: dict[str, set[str]] = defaultdict(set)
        for entity, entity_id in writes:
            by_entity[entity].add(entity_id)
            self.entity_of[entity_id] = entity
        owners = set(owners) - by_entity.get("person", set())
        self.clocks = load_clocks(self.conn, [*self.entity_of, *owners])
        for entity, ids in by_entity.items():
            names = STORAGE[entity][0]
            columns = ", ".join(f"{entity}.{name}" for name in names)
            for row in rows_of(self.conn, entity, columns, ids):
                values = dict(zip(names, row, strict=True))
                self.rows[values["id"]] = values
        for person_id, deleted_at in ids_in(
                self.conn, "SELECT id, deleted_at FROM person WHERE id IN ({})", owners):
            self.rows[person_id] = {"id": person_id, "deleted_at": deleted_at}
            self.entity_of[person_id] = "person"

    def remote(self, entity: str, entity_id: str, op: str, fields: dict, hlc: str,
               seen: dict | None) -> int:
        """Merge one change from another device; returns how many conflicts it made."""
        if entity in APPEND_ONLY:  # inserted unless here already; never changed (screen)
            if op == "insert":
                self.appended[entity].setdefault(entity_id, {**fields, "id": entity_id})
            return 0
        seen = seen or {}
        current = self.rows.get(entity_id)
        clocks = self.clocks.get(entity_id)
        if current is None:
            if op != "insert":
                # Never expected (a row's insert precedes its updates in the log); keep
                # the values rather than lose them if it ever happens.
                log.warning("update before insert for %s %s: kept as an insert", entity,
                            entity_id)
            row = dict(fields)  # (a key this version has no column for is never written)
            row["id"] = entity_id
            self.rows[entity_id] = row
            self.inserts[entity][entity_id] = row
            by = seen.get(BY)
            clocks = self.clocks[entity_id] = Clocks(hlc, {BY: by} if by else {}, True)
            if fields.get("deleted_at"):
                clocks.set(ROW, seen.get(ROW, hlc))
                self.flag_rows.add(entity_id)
            owner = None if entity in NOT_CHILDREN else fields.get("person_id")  # owner_of
            if owner in self.rows:
                owner_clocks = self.clocks.get(owner)
                if owner_clocks is None:  # (not made for every child: thousands a page)
                    owner_clocks = self.clocks[owner] = Clocks("")
                owner_clocks.note_child(hlc)
                if self.rows[owner].get("deleted_at"):
                    self.flag_rows.add(owner)
            return 0
        if clocks is None:  # shipped rows, seeded on every device without a clock
            clocks = self.clocks[entity_id] = Clocks("")
        made = 0
        for name, value in fields.items():
            if name not in COLUMNS[entity]:
                continue  # a column this version does not have (never: versions are checked)
            cur = clocks.of(name)
            saw = seen.get(name) or []
            for old in saw:
                self.settle.append((entity_id, name, old, hlc))
            if hlc > cur:
                if cur and cur not in saw and name not in NOT_EDITS:
                    made += self._conflict(entity, entity_id, name,
                                           as_json(entity, name, current.get(name)), cur, hlc,
                                           clocks.fields.get(BY), seen.get(BY))
                current[name] = value
                clocks.set(name, hlc)
                self._stage(entity, entity_id, name, value)
                if name == "deleted_at":  # the row as its deleter had seen it
                    clocks.set(ROW, seen.get(ROW, "") if value else "")
            elif hlc < cur and name not in NOT_EDITS:
                made += self._conflict(entity, entity_id, name, value, hlc, cur, seen.get(BY),
                                       clocks.fields.get(BY))
        if seen.get(BY) and hlc >= clocks.newest_edit():
            clocks.set(BY, seen[BY])
        if current.get("deleted_at") or "deleted_at" in fields:
            self.flag_rows.add(entity_id)
        return made

    def _stage(self, entity: str, entity_id: str, name: str, value: Any) -> None:
        if entity_id in self.inserts[entity]:
            self.inserts[entity][entity_id][name] = value
        else:
            self.updates[entity][entity_id][name] = value

    def _conflict(self, entity, entity_id, name, value, hlc, winner_hlc, by, winner_by) -> int:
        self.new_conflicts.append({
            "kind": "value", "entity": entity, "entity_id": entity_id, "field": name,
            "value": value, "hlc": hlc, "winner_hlc": winner_hlc, "by": by,
            "winner_by": winner_by, "recorded_at": utcnow()})
        return 1

    def write(self) -> None:
        """Write the staged rows, clocks and conflicts (parents before children)."""
        for entity in SYNCED_MODELS:
            rows = self.inserts.get(entity)
            if rows:
                self.conn.exec_driver_sql(INSERT_SQL[entity],
                                          INSERT_ROWS[entity](rows.values()))
            rows = self.appended.get(entity)
            if rows:
                self.conn.exec_driver_sql(APPEND_SQL[entity],
                                          INSERT_ROWS[entity](rows.values()))
        for entity in SYNCED_MODELS:
            changed = self.updates.get(entity)
            if not changed:
                continue
            to_db = STORAGE[entity][2]
            by_keys: dict[tuple, list[tuple]] = defaultdict(list)
            for entity_id, values in changed.items():
                keys = tuple(values)
                by_keys[keys].append((*(to_db[k](values[k]) if k in to_db else values[k]
                                        for k in keys), entity_id))
            for keys, batch in by_keys.items():
                self.conn.exec_driver_sql(
                    f"UPDATE {entity} SET {', '.join(f'{k} = ?' for k in keys)} WHERE id = ?",
                    batch)
        save_clocks(self.conn, self.clocks)
        if self.new_conflicts:
            stmt = sqlite_insert(conflict_table).on_conflict_do_nothing()
            self.conn.execute(stmt, self.new_conflicts)
        settle(self.conn, self.settle)
        self._flag_deleted_edits()

    def _flag_deleted_edits(self) -> None:
        """A deleted row with an edit its deleter had not seen is flagged (one open flag
        per row, for its current deletion); otherwise any flag on it is settled."""
        for entity_id in self.flag_rows:
            row, clocks = self.rows.get(entity_id), self.clocks.get(entity_id)
            if row is not None and clocks is not None:
                flag_deleted_edit(self.conn, self.entity_of[entity_id], entity_id,
                                  row.get("deleted_at"), clocks)


def apply_changes(conn: Connection, changes: Sequence, own_device: str) -> Applied:
    """Merge a page of pulled changes (``.change_id, .entity, .entity_id, .op, .fields,
    .hlc, .seen``), in log order, on ``conn`` (the caller's transaction).

    This device's own changes were applied when they were made, and are skipped while
    its outbox holds them; one its file has lost (a restored backup, say) is applied
    again, so the desk ends like everyone else. Everything else is merged: the caller
    hands each page over once (see engine.pull), and merging is idempotent for values
    (a value already current stays; a lost one is kept once)."""
    done = Applied()
    own = [c.change_id for c in changes if device_of(c.hlc) == own_device]
    kept = set(row[0] for row in ids_in(
        conn, "SELECT change_id FROM outbox WHERE change_id IN ({})", own)) if own else set()
    theirs = [c for c in changes  # (not this device's own, applied when they were made)
              if c.entity in SYNCED_MODELS and c.change_id not in kept]
    if not theirs:
        return done
    with _cache_for_merge(conn):
        return _apply(conn, theirs, done)


# KiB of page cache a page's merge may use at least: SQLite's default 2 MB is less than a
# page of thousands of changes writes (rows, four indexes on the audit log, the clocks),
# so it spilled and read pages back mid-merge (an encrypted store keeps 32 MB already).
MERGE_CACHE_KIB = 16 * 1024


@contextmanager
def _cache_for_merge(conn: Connection) -> Iterator[None]:
    """The connection's page cache at least MERGE_CACHE_KIB while a page merges, and as
    it was after (what it held over that is let go as the commit writes it out)."""
    was = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    page = conn.exec_driver_sql("PRAGMA page_size").scalar() if was > 0 else 0
    small = (-was if was < 0 else was * page // 1024) < MERGE_CACHE_KIB
    if small:
        conn.exec_driver_sql(f"PRAGMA cache_size=-{MERGE_CACHE_KIB}")
    try:
        yield
    finally:
        if small:
            conn.exec_driver_sql(f"PRAGMA cache_size={int(was)}")


def _apply(conn: Connection, theirs: list, done: Applied) -> Applied:
    batch = _Batch(conn)
    batch.load([(c.entity, c.entity_id) for c in theirs if c.entity not in APPEND_ONLY],
               owners=[owner for c in theirs
                       if c.op == "insert" and (owner := owner_of(c.entity, c.fields))])
    erasures = erase.Watch.start(conn, theirs)  # None unless anything here is erased
    remote, touched, conflicts = batch.remote, done.touched, 0
    for c in theirs:
        seen = c.seen
        if not isinstance(seen, dict):
            seen = json.loads(seen) if seen else {}
        conflicts += remote(c.entity, c.entity_id, c.op,
                            erasures.fields(c) if erasures else c.fields, c.hlc, seen)
        touched[c.entity].add(c.entity_id)
    done.conflicts, done.changes = conflicts, len(theirs)
    batch.write()
    if erasures:
        done.erased = erasures.finish()
    return done
