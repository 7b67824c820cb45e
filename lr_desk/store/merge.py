"""Merging changes into the local store: per-field last writer wins, nothing lost.

Every change carries a hybrid-logical-clock stamp (``hlc``) and, per field it writes,
the clocks of the values its writer had on screen and replaced knowingly (``seen``).
Each device keeps the clock of every current value (``row_clock``: the insert's clock
for every field, unless a newer one is noted for that field).

Applying a write of field *f* with clock *h*:

- *h* newer than the current value's clock: the write wins. If its writer had not seen
  the current value, that value lost to a concurrent write: it is kept as a conflict.
- *h* older: the write loses, and is kept as a conflict.
- a conflict whose clock the write had seen is settled (its writer knowingly replaced
  it: a later edit, or a choice made under "Needs review" on any device).

Whatever order changes arrive in, every device ends with the same winners (the newest
clock), and the same open conflicts: the values that are not current and that nobody
has knowingly replaced. That holds because a write that saw a value always reaches a
device after that value (it was pulled before it could be seen).

A row deleted on one device while edited on another keeps the edit and is flagged
(kind "deleted"): its deletion's writer had seen the row only up to ``seen["~row"]``.

The same functions serve local writes (``record_local``, from the outbox's flush hook)
and remote ones (``apply_changes``, from a pull), so both keep the clocks the same way.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lr_desk.store import erase
from lr_desk.store.clock import utcnow
from lr_desk.store.merge_rows import (  # noqa: F401  (also named from here)
    BY,
    CHILD,
    COLUMNS,
    CONVERT,
    NOT_EDITS,
    QUIET,
    ROW,
    STORAGE,
    Clocks,
    as_json,
    ids_in,
    load_clocks,
    save_clocks,
    to_column,
)
from lr_desk.store.models import SYNCED_MODELS, Conflict, RowClock

log = logging.getLogger(__name__)

# Records that name a person without being added under them: the person themself, and
# the audit log (looking at a record, or a record of a change, is no news about them).
NOT_CHILDREN = frozenset({"person", "audit_event"})

clock_table = RowClock.__table__
conflict_table = Conflict.__table__


def owner_of(entity: str, fields: dict) -> str | None:
    """The person a new record is added under, if any (see CHILD)."""
    return None if entity in NOT_CHILDREN else fields.get("person_id")


def device_of(hlc: str) -> str:
    return hlc.split("-", 2)[2] if hlc else ""





# --- the merge ---------------------------------------------------------------------


@dataclass
class Applied:
    """What a batch of remote changes did here (for the status line and the screens)."""

    changes: int = 0
    conflicts: int = 0
    touched: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    erased: int = 0  # rows whose personal values an erasure took out here (see store.erase)


class _Batch:
    """Merges a list of writes (remote or local) against the store, then writes the
    winners, the clocks and the conflicts in a few statements."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.clocks: dict[str, Clocks] = {}
        self.rows: dict[str, dict[str, Any]] = {}  # entity_id -> current values (JSON form)
        self.entity_of: dict[str, str] = {}
        self.inserts: dict[str, dict[str, dict]] = defaultdict(dict)  # entity -> id -> row
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
            for row in ids_in(self.conn, f"SELECT {', '.join(names)} FROM {entity} "
                                          "WHERE id IN ({})", ids):
                values = dict(zip(names, row, strict=True))
                self.rows[values["id"]] = values
        for person_id, deleted_at in ids_in(
                self.conn, "SELECT id, deleted_at FROM person WHERE id IN ({})", owners):
            self.rows[person_id] = {"id": person_id, "deleted_at": deleted_at}
            self.entity_of[person_id] = "person"

    def remote(self, entity: str, entity_id: str, op: str, fields: dict, hlc: str,
               seen: dict | None) -> int:
        """Merge one change from another device; returns how many conflicts it made."""
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
            self.clocks[entity_id] = Clocks(hlc, {BY: seen[BY]} if seen.get(BY) else {}, True)
            self._note_delete(entity_id, fields, seen, hlc)
            owner = owner_of(entity, fields)
            if owner in self.rows:
                self.clocks.setdefault(owner, Clocks("")).note_child(hlc)
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

    def _note_delete(self, entity_id: str, fields: dict, seen: dict, hlc: str) -> None:
        if fields.get("deleted_at"):
            self.clocks[entity_id].set(ROW, seen.get(ROW, hlc))
            self.flag_rows.add(entity_id)

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
                names, defaults, to_db, _ = STORAGE[entity]
                convert = [(i, to_db[n]) for i, n in enumerate(names) if n in to_db]
                values = []
                for row in rows.values():
                    vals = list(map(row.get, names, defaults))  # default: missing
                    for i, c in convert:
                        vals[i] = c(vals[i])
                    values.append(tuple(vals))
                self.conn.exec_driver_sql(
                    f"INSERT INTO {entity} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' * len(names))})", values)
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


def _lost_alike(conn: Connection, was: dict[str, dict[str, Any]]
                ) -> dict[tuple[str, str], list[str]]:
    """(row id, field) -> the clocks of open lost values equal to the value a local write
    replaces: the same thing written on two desks (two desks importing one feed, say).
    Whoever replaced the value on screen replaced those too: the write settles them, on
    every desk, as it settles the value it saw (they are no longer listed as equal to
    the current value once it changes). ``was``: row id -> field -> the old value."""
    was = {entity_id: old for entity_id, old in was.items() if old}
    t = conflict_table
    if not was or conn.execute(select(t.c.id).where(t.c.resolved_hlc.is_(None))
                               .limit(1)).first() is None:
        return {}  # nothing open (as nearly always): nothing to look up
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entity_id, name, hlc, value in ids_in(
            conn, "SELECT entity_id, field, hlc, value FROM conflict WHERE resolved_hlc IS "
                  "NULL AND kind = 'value' AND entity_id IN ({})", set(was)):
        old = was[entity_id]
        if name in old and (None if value is None else json.loads(value)) == old[name]:
            out[(entity_id, name)].append(hlc)
    return out


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
    theirs = []
    for c in changes:
        if c.entity not in SYNCED_MODELS or c.change_id in kept:
            continue  # (this device's own, applied when they were made)
        theirs.append(c)
    if not theirs:
        return done
    batch = _Batch(conn)
    batch.load([(c.entity, c.entity_id) for c in theirs],
               owners=[owner for c in theirs
                       if c.op == "insert" and (owner := owner_of(c.entity, c.fields))])
    erasures = erase.Watch.start(conn, theirs)  # None unless anything here is erased
    for c in theirs:
        seen = c.seen if isinstance(c.seen, dict) else (json.loads(c.seen) if c.seen else {})
        fields = erasures.fields(c) if erasures else c.fields
        done.conflicts += batch.remote(c.entity, c.entity_id, c.op, fields, c.hlc, seen)
        done.touched[c.entity].add(c.entity_id)
        done.changes += 1
    batch.write()
    if erasures:
        done.erased = erasures.finish()
    return done


def record_local(conn: Connection, writes: list[dict], clock) -> None:
    """For writes made on this device (from the outbox's flush hook): stamp each with a
    clock newer than every value it replaces (a pull, perhaps by another process on this
    profile, may have brought in values stamped ahead of this device's clock), keep the
    clocks, and fill in each one's ``seen``: the values it replaces were on this screen,
    except those a form had not seen (``replaced``: kept as conflicts)."""
    erase.blank_local(conn, writes)  # an erased person stays erased (see store.erase)
    inserts = [w for w in writes if w["op"] == "insert"]
    updates = [w for w in writes if w["op"] != "insert"]
    owner_ids = [owner for w in inserts if (owner := owner_of(w["entity"], w["fields"]))]
    wanted = [w["entity_id"] for w in updates] + owner_ids
    clocks = load_clocks(conn, wanted) if wanted else {}
    newest = max((h for c in clocks.values()
                  for h in (c.base, *(v for k, v in c.fields.items() if k != BY))), default="")
    if newest:
        clock.observe(newest)
    for w in writes:
        w["hlc"] = clock.now()
    owners = [(owner, w["hlc"]) for w in inserts
              if (owner := owner_of(w["entity"], w["fields"]))]
    for w in inserts:
        clocks[w["entity_id"]] = Clocks(w["hlc"], {}, True)
        if (w["seen"] or {}).get(BY):
            clocks[w["entity_id"]].set(BY, w["seen"][BY])
        if w["fields"].get("deleted_at"):
            w["seen"] = {**(w["seen"] or {}), ROW: w["hlc"]}
    for person_id, hlc in owners:  # a record added under a person is news about them
        clocks.setdefault(person_id, Clocks("")).note_child(hlc)
    alike = _lost_alike(conn, {w["entity_id"]: w.pop("was", None) or {} for w in updates})
    seen_before: list[tuple[str, str, str, str]] = []
    lost: list[dict] = []
    flagged: list[tuple[str, str, Any]] = []
    for w in updates:
        entity_id, hlc = w["entity_id"], w["hlc"]
        c = clocks.get(entity_id)
        if c is None:
            c = clocks[entity_id] = Clocks("")
        extra = w["seen"] or {}
        replaced = w.pop("replaced", None) or {}
        seen: dict[str, Any] = {k: v for k, v in extra.items() if k.startswith("~")}
        for name in w["fields"]:
            if name in replaced and c.of(name):  # changed elsewhere, unseen by this form
                lost.append({"kind": "value", "entity": w["entity"], "entity_id": entity_id,
                             "field": name, "value": replaced[name], "hlc": c.of(name),
                             "winner_hlc": hlc, "by": c.fields.get(BY),
                             "winner_by": extra.get(BY), "recorded_at": utcnow()})
                saw = sorted(set(extra.get(name, [])) - {""})
            else:  # what it replaces, and the same value kept from another desk
                saw = sorted({c.of(name), *extra.get(name, []),
                              *alike.get((entity_id, name), ())} - {""})
            if saw and name not in QUIET:
                seen[name] = saw
                seen_before.extend((entity_id, name, old, hlc) for old in saw)
            c.set(name, hlc)
        if extra.get(BY):
            c.set(BY, extra[BY])
        if "deleted_at" in w["fields"]:
            if w["fields"]["deleted_at"]:
                seen[ROW] = c.newest_edit()
                c.set(ROW, seen[ROW])
            flagged.append((w["entity"], entity_id, w["fields"]["deleted_at"]))
        w["seen"] = seen or None
    save_clocks(conn, clocks)
    if lost:
        conn.execute(sqlite_insert(conflict_table).on_conflict_do_nothing(), lost)
    settle(conn, seen_before)
    for entity, entity_id, deleted_at in flagged:  # a restore, or a deletion that saw all
        flag_deleted_edit(conn, entity, entity_id, deleted_at, clocks[entity_id])
