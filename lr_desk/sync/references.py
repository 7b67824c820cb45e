"""A pulled change that points at a record that does not exist is set aside.

A desk applies a page with its foreign keys checked at the commit (engine.pull: a page
may hold a record after one that points at it). So one change, valid in shape, whose
person_id (or advisor, partner, merged_into...) names a record no change ever made would
fail the commit of its page, on every desk, for good: nothing after it could be pulled.

The rule, the same on every desk so that they still converge: each reference a pulled
change sets (a foreign-key column of its model, store.models.SYNCED_MODELS) must name a
record that is on this desk already, or that a change accepted earlier in the same page
makes; else the change is set aside, saying which. A NULL reference is fine, and a change
that deletes (tombstones) is checked only for the references it sets. In a real log the
record pointed at always comes first: the desk that made the reference had the record,
made earlier in its own outbox or pulled from the log.

The same goes for an update's own record: one to a record that does not exist would be
kept as a new record (store.merge), without the fields a new one must have, and the page
would fail on them. So it is set aside too.

A pull screens thousands of changes a page: every id a page refers to is looked up at
once, one query per kind of record pointed at (``_Page``), before the page is screened;
each change is then checked against those sets and the page's changes accepted so far.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from lr_desk.store.models import SYNCED_MODELS
from lr_desk.sync.checks import MAX_ID, Refused

# kind of record -> its references: (column, the kind of record it names)
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    name: refs for name, model in SYNCED_MODELS.items()
    if (refs := tuple((col.name, fk.column.table.name)
                      for col in model.__table__.columns for fk in col.foreign_keys))}


def _a(table: str) -> str:
    words = table.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


class _Page:
    """What one page's references may name: the records on the desk before it (looked up
    once, per kind of record), and those the page's changes accepted so far make."""

    def __init__(self, conn, changes: list):
        wanted: dict[str, set[str]] = defaultdict(set)
        for c in changes:  # (not screened yet: any shape at all; an id is short)
            if type(c.entity) is not str or c.entity not in SYNCED_MODELS:
                continue
            if c.op == "update" and type(c.entity_id) is str and len(c.entity_id) <= MAX_ID:
                wanted[c.entity].add(c.entity_id)
            refs = REFERENCES.get(c.entity)
            if refs and type(c.fields) is dict:
                for column, table in refs:
                    value = c.fields.get(column)
                    if type(value) is str and len(value) <= MAX_ID:
                        wanted[table].add(value)
        self.known: dict[str, set[str]] = {
            table: set(conn.exec_driver_sql(
                f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(ids)),)).scalars())
            for table, ids in wanted.items()}
        self.made: dict[str, set[str]] = defaultdict(set)
        self.seen = 0  # of the screen's accepted changes, those counted in ``made``

    def exists(self, table: str, record_id: str) -> bool:
        return record_id in self.made[table] or record_id in self.known.get(table, ())

    def problem(self, change, accepted: list) -> str | None:
        """What ``change`` points at that does not exist, in plain words, or None."""
        for c in accepted[self.seen:]:  # (any accepted change leaves its record there)
            self.made[c.entity].add(c.entity_id)
        self.seen = len(accepted)
        entity = change.entity
        if change.op == "update" and not self.exists(entity, change.entity_id):
            return f"it changes {_a(entity)} that does not exist: {change.entity_id}"
        fields = change.fields
        for column, table in REFERENCES.get(entity, ()):
            value = fields.get(column)
            if value is not None and not self.exists(table, value):
                return f"its {column} points at {_a(table)} that does not exist: {value}"
        return None


def look_up(page: Any, changes: list) -> None:
    """Before a page (a sync.screen.Screen) is screened: every record its changes point
    at, looked up at once (sync.screen registers this as a page hook)."""
    page.looked_up = _Page(page.conn, changes) if page.references else None


def check(page: Any, change: Any) -> None:
    """A reference to a record that is neither on this desk nor made earlier in the page
    would fail the page's commit on every desk: the change is set aside instead (sync.screen
    registers this as a stateful check, for every change)."""
    if page.looked_up is None:  # (sync.verify's replay keeps no records to look at)
        return
    why = page.looked_up.problem(change, page.accepted)
    if why is not None:
        raise Refused(why)
