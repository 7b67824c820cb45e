"""Erasing a person's information: what is personal, what is kept, and how the old values
are taken out of everything this desk holds (used by services.erasure, which writes the
erasure, and by the merge, which applies one pulled from another desk).

Every row stays, so that reports still count people, visits, needs, referrals and
follow-ups. What says who someone is, or what they told us, is emptied (``ERASED``):

- the person: names (the first name becomes "Erased"), date of birth, postcode, phone,
  email, the referrer's details, the interpreter's language and any other communication
  need in their words. Kept: where, when and by whom they were registered, how they came
  to us (the code), the service-user and carer flags, the kinds of communication need;
- conversations: what matters to them, private notes, what was done on escalation. Kept:
  when, where, how, by whom, whether escalated and why (the category), the needs raised;
- prescription items: title, why, first step. Kept: the kind, the service or course (by
  id), the target date;
- referrals: what the checks said of them (it can say where they live) and why an
  advisor went ahead, the person's view in their words.
  Kept: the view (counted), status, when;
- referral steps: reason and note. Kept: status, when, by whom;
- follow-ups: outcome. Kept: when, how, by whom, whether done;
- consent records: note. Kept: what was given or withdrawn, and when.
- service gaps noted at their conversations: the words. Kept: the need, where, when.
- wellbeing measures: nothing emptied (the answers are counted, and name no one).

Which rows: the person, everyone merged into them, and every record under them, at any
depth (``UNDER``: the columns that put a record under another). The erasure names them
all (``Erasure.record_ids``), so the central store can blank what its log holds of them.

On this desk (``scrub``) the old values go from the rows themselves, from the outbox
(what is waiting to be sent and what was sent), from values kept for review (conflicts)
and from drafts of forms about them; ``erased_row`` remembers the rows, so that a change
to one from a desk that had not yet heard of the erasure is blanked as it is merged
(``Watch``), and a record such a desk added under an erased person is erased too. Every
connection has ``secure_delete`` on (store.db), so what SQLite frees is overwritten;
``wipe`` then empties the write-ahead log, where old page images stay until a checkpoint.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

ERASED_NAME = "Erased"

# entity -> field -> its value once erased (as JSON, as changes carry it)
ERASED: dict[str, dict[str, Any]] = {
    "person": {
        "given_name": ERASED_NAME, "family_name": "", "preferred_name": "",
        "date_of_birth": None, "postcode": "", "phone": "", "email": "",
        "referral_source_detail": "", "interpreter_language": "", "communication_other": "",
        "on_benefits": "", "nhs_number": "",
    },
    "conversation": {"what_matters": "", "private_notes": "", "escalation_action": ""},
    "prescription_item": {"title": "", "why": "", "first_step": ""},
    "referral": {"override_warnings": "", "override_reason": "", "view_words": ""},
    "referral_event": {"reason": "", "note": ""},
    "service_gap": {"words": ""},
    "follow_up": {"outcome": ""},
    "consent": {"note": ""},
}
# entity -> the columns that put its rows under another row: erasing that row erases
# them (prescriptions and referrals hold nothing personal, but their items and steps do)
UNDER: dict[str, tuple[str, ...]] = {
    "person": ("merged_into",),
    "conversation": ("person_id",),
    "prescription": ("person_id",),
    "prescription_item": ("prescription_id",),
    "referral": ("person_id",),
    "referral_event": ("referral_id",),
    "follow_up": ("person_id",),
    "consent": ("person_id",),
    "service_gap": ("conversation_id",),
    "wellbeing_measure": ("person_id",),
}
# A draft holding these values is a form about the person (a new-person form, say).
NAMED_BY = ("given_name", "family_name")

CHUNK = 900  # ids per IN (...): well under SQLite's limit on bound values


def redacted(entity: str, fields: dict) -> dict:
    """A change's fields with the personal ones it writes at their erased values."""
    blank = ERASED.get(entity)
    if not blank or blank.keys().isdisjoint(fields):
        return fields
    return {**fields, **{k: v for k, v in blank.items() if k in fields}}


def chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def rows_in(conn: Connection, sql: str, ids: Iterable[str], *before) -> Iterable[tuple]:
    """Rows of ``sql`` (ending ``IN ({})``) for the ids, a chunk at a time."""
    for chunk in chunks(ids):
        yield from conn.exec_driver_sql(sql.format(",".join("?" * len(chunk))),
                                        (*before, *chunk))


def rows_under(conn: Connection, rows: dict[str, set[str]]) -> dict[str, set[str]]:
    """``rows`` (entity -> ids) and every row under them as this desk holds them now."""
    out: dict[str, set[str]] = defaultdict(set)
    for entity, ids in rows.items():
        out[entity].update(ids)
    fresh = set().union(*out.values())
    while fresh:
        found: set[str] = set()
        for entity, columns in UNDER.items():
            for column in columns:
                for (row_id,) in rows_in(conn, f"SELECT id FROM {entity} WHERE {column} IN ({{}})",
                                       fresh):
                    if row_id not in out[entity]:
                        out[entity].add(row_id)
                        found.add(row_id)
        fresh = found
    return {entity: ids for entity, ids in out.items() if ids}


def names_of(conn: Connection, person_ids: Iterable[str]) -> list[tuple[str, str]]:
    """The people's names as held now (to find drafts of forms about them)."""
    return [(g, f) for g, f in rows_in(
        conn, "SELECT given_name, family_name FROM person WHERE id IN ({})", person_ids)
        if (g, f) != (ERASED_NAME, "")]


def scrub(conn: Connection, rows: dict[str, set[str]],
          names: Sequence[tuple[str, str]] = ()) -> None:
    """Take the personal values of ``rows`` out of this desk's file, on ``conn`` (the
    caller's transaction): the rows' own values (written here without a change: every
    desk does the same), their changes in the outbox, their values kept for review, the
    drafts of forms on them (or, by ``names``, about the person); and note them erased."""
    every = {row_id: entity for entity, ids in rows.items() for row_id in ids}
    for entity, ids in rows.items():
        blank = ERASED.get(entity)
        if blank:
            sets = ", ".join(f"{name} = ?" for name in blank)
            for chunk in chunks(ids):
                conn.exec_driver_sql(
                    f"UPDATE {entity} SET {sets} WHERE id IN ({','.join('?' * len(chunk))})",
                    (*blank.values(), *chunk))
    # (the outbox has no index on entity_id: one scan for them all, not one per chunk)
    outbox = [(json.dumps(new), seq) for seq, entity, fields in conn.exec_driver_sql(
        "SELECT seq, entity, fields FROM outbox "
        "WHERE entity_id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(every)),))
        if (new := redacted(entity, old := json.loads(fields))) != old]
    if outbox:
        conn.exec_driver_sql("UPDATE outbox SET fields = ? WHERE seq = ?", outbox)
    kept = [(json.dumps(ERASED[entity][name]), cid) for cid, entity, name in rows_in(
        conn, "SELECT id, entity, field FROM conflict WHERE entity_id IN ({})", every)
        if name in ERASED.get(entity, ())]
    if kept:
        conn.exec_driver_sql("UPDATE conflict SET value = ? WHERE id = ?", kept)
    # changes to them set aside (lr_desk.sync.checks) hold their values as they came
    conn.exec_driver_sql("UPDATE set_aside SET fields = NULL, seen = NULL WHERE entity_id IN "
                         "(SELECT value FROM json_each(?))", (json.dumps(sorted(every)),))
    wanted = {(g.casefold(), f.casefold()) for g, f in names}
    drafts = [(key,) for key, payload in conn.exec_driver_sql("SELECT key, payload FROM draft")
              if key.rsplit(":", 1)[-1] in every or _about(payload, wanted)]
    if drafts:
        conn.exec_driver_sql("DELETE FROM draft WHERE key = ?", drafts)
    conn.exec_driver_sql("INSERT OR IGNORE INTO erased_row (entity_id, entity) VALUES (?, ?)",
                         list(every.items()))


def _about(payload: str | None, names: set[tuple[str, str]]) -> bool:
    if not names or not payload:
        return False
    try:
        values = json.loads(payload)
    except ValueError:
        return False
    if not isinstance(values, dict):
        return False
    given, family = (str(values.get(k) or "").strip().casefold() for k in NAMED_BY)
    return (given, family) in names


def erased_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of these rows are erased on this desk."""
    return {row_id for (row_id,) in rows_in(
        conn, "SELECT entity_id FROM erased_row WHERE entity_id IN ({})", set(ids))}


def named_in(record_ids: Any) -> dict[str, set[str]]:
    """An erasure's ``record_ids`` (entity -> ids) as sets."""
    if isinstance(record_ids, str):
        record_ids = json.loads(record_ids)
    return {entity: set(ids) for entity, ids in (record_ids or {}).items()}


def under_erased(inserts: Iterable[tuple[str, str, dict]], erased: set[str]) -> set[str]:
    """The records these inserts (entity, id, fields) add under an erased one, at any
    depth, in any order (a page may hold a record before the one it goes under)."""
    rows = [(row_id, [fields.get(col) for col in UNDER[entity]])
            for entity, row_id, fields in inserts if entity in UNDER and row_id not in erased]
    found: set[str] = set()
    while True:
        more = {row_id for row_id, parents in rows if row_id not in found
                and any(p in erased or p in found for p in parents)}
        if not more:
            return found
        found |= more


class Watch:
    """Erasures while a page of changes is merged (see merge.apply_changes).

    ``start`` works out which rows the page touches are erased: rows erased here already,
    rows an erasure in the page names (with whatever this desk holds under them: records
    it added before it heard, say), and records the page adds under any of those.
    ``fields(change)`` is what to merge of a change: for an erased row, its personal
    values blanked. ``finish`` scrubs the rows newly erased (see ``scrub``), after the
    page is written."""

    def __init__(self, conn: Connection, erased: set[str], fresh: dict[str, set[str]],
                 names: list[tuple[str, str]]):
        self.conn = conn
        self.erased = erased
        self.fresh = fresh
        self.names = names

    @classmethod
    def start(cls, conn: Connection, changes: Sequence) -> Watch | None:
        erasures = [c for c in changes if c.entity == "erasure" and c.op == "insert"]
        if not erasures and conn.exec_driver_sql(
                "SELECT 1 FROM erased_row LIMIT 1").first() is None:
            return None  # (as nearly always)
        named: dict[str, set[str]] = defaultdict(set)
        for c in erasures:
            for entity, ids in named_in(c.fields.get("record_ids")).items():
                named[entity] |= ids
            named["person"].add(c.fields["person_id"])
        wanted = {c.entity_id for c in changes}
        wanted.update(v for c in changes if c.op == "insert"
                      for column in UNDER.get(c.entity, ()) if (v := c.fields.get(column)))
        erased = erased_ids(conn, wanted)
        fresh: dict[str, set[str]] = defaultdict(set)
        if named:
            under = rows_under(conn, named)
            before = erased_ids(conn, {i for ids in under.values() for i in ids})
            for entity, ids in under.items():
                fresh[entity] = ids - before
                erased |= ids
        entity_of = {c.entity_id: c.entity for c in changes}
        for row_id in under_erased([(c.entity, c.entity_id, c.fields) for c in changes
                                    if c.op == "insert"], erased):
            fresh[entity_of[row_id]].add(row_id)
            erased.add(row_id)
        return cls(conn, erased, fresh, names_of(conn, fresh.get("person", ())))

    def fields(self, c) -> dict:
        return redacted(c.entity, c.fields) if c.entity_id in self.erased else c.fields

    def finish(self) -> int:
        """Scrub the rows newly erased; returns how many there were."""
        fresh = {entity: ids for entity, ids in self.fresh.items() if ids}
        if fresh:
            scrub(self.conn, fresh, self.names)
        return sum(len(ids) for ids in fresh.values())


def blank_local(conn: Connection, writes: list[dict]) -> None:
    """Writes made on this desk (from the outbox's flush hook, before they are stamped)
    to erased rows, or adding records under them: their personal values are blanked, in
    the change and in the row, so that an erased person stays erased here too."""
    if conn.exec_driver_sql("SELECT 1 FROM erased_row LIMIT 1").first() is None:
        return  # (as nearly always)
    inserts = [(w["entity"], w["entity_id"], w["fields"]) for w in writes
               if w["op"] == "insert"]
    wanted = {w["entity_id"] for w in writes}
    wanted.update(fields.get(c) for entity, _i, fields in inserts for c in UNDER.get(entity, ()))
    erased = erased_ids(conn, wanted)
    erased |= under_erased(inserts, erased)
    hit: dict[str, set[str]] = defaultdict(set)
    for w in writes:
        if w["entity_id"] in erased and w["entity"] in UNDER:
            w["fields"] = redacted(w["entity"], w["fields"])
            hit[w["entity"]].add(w["entity_id"])
    if hit:
        scrub(conn, hit)


# --- clearing the file ------------------------------------------------------------

CLEAN = "free_space_clean"  # in sync_state: nothing was freed here before secure_delete


@dataclass
class Wiped:
    vacuumed: bool  # the whole file rewritten
    checkpointed: bool  # the write-ahead log copied in and emptied (False: a reader held it)


def wipe(engine: Engine) -> Wiped:
    """After an erasure is committed: make sure the old values are gone from the file.

    Every connection overwrites what it frees (secure_delete), but that is not enough:
    when a b-tree page is rebuilt (a page split or merge as rows grow: an outbox row once
    sent, an edit), pieces of its cells' old images stay in the page's unallocated space,
    which secure_delete never writes over, and blanking a row later changes its live cell
    only (measured 2026-12-06 on SQLite 3.40.1 and SQLCipher's 3.53.4: a test desk of 150
    people had such pieces on 29 of its 1,129 pages, up to ~150 bytes of outbox changes,
    where a person's insert starts with their names). So every erasure rewrites the whole
    file (VACUUM: fresh pages hold only live cells), then copies the write-ahead log, where
    old page images stay until a checkpoint, into it and empties it (TRUNCATE).

    The cost: the whole file rewritten, about 45 s for the 2.3 GB benchmark desk of
    100,000 people (twenty times the records a hub makes in ten years), a few seconds at
    the service's real size; erasures are rare and approved one by one by a manager."""
    with engine.connect() as plain:
        conn = plain.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("INSERT OR REPLACE INTO sync_state (key, value) "
                             "VALUES (?, 'true')", (CLEAN,))
        busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
    return Wiped(True, not busy)
