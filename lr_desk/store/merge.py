"""Merging changes into the local store: per-field last writer wins, nothing lost.

Every change carries a hybrid-logical-clock stamp (``hlc``) and, per field it writes,
the clocks of the values its writer had on screen and replaced knowingly (``seen``).
Each device keeps the clock of every current value (``row_clock``: the insert's clock
for every field, unless a newer one is noted for that field), but for records that are
never changed once written (merge_rows.APPEND_ONLY: the audit log), which have nothing to
merge: one is inserted unless it is here already, and a change to one is set aside.

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
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lr_desk.store import erase
from lr_desk.store.clock import utcnow
from lr_desk.store.merge_apply import Applied, apply_changes  # noqa: F401  (named from here)
from lr_desk.store.merge_rows import (  # noqa: F401  (also named from here)
    APPEND_ONLY,
    BY,
    CHILD,
    COLUMNS,
    CONVERT,
    NOT_CHILDREN,
    NOT_EDITS,
    QUIET,
    ROW,
    STORAGE,
    Clocks,
    as_json,
    clock_table,
    conflict_table,
    device_of,
    flag_deleted_edit,
    ids_in,
    load_clocks,
    owner_of,
    save_clocks,
    settle,
    to_column,
)


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
        if w["entity"] in APPEND_ONLY:  # (never changed: no clocks to keep)
            continue
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
