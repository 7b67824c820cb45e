"""Erasure on the central store: the log keeps no personal values of an erased person.

The log is append-only, but the old changes of an erased person's records still hold
their name and notes, and a new desk pulling the log would get them back. So once an
erasure is proven (from central migration c7: its manager's signature checked by
sync.verify, as every desk checks it; before c7, as soon as it was appended, which let
one device's login erase anyone for good), the store blanks the personal values
(store.erase.ERASED) in every change it holds to the records the erasure names
(``Erasure.record_ids``), and to records added under those (by a desk that had not yet
heard; followed by the columns of store.erase.UNDER, in the changes that inserted
them); the records are kept in ``erased_row``, and a change to one of them, or a new
record under one, arriving later has its personal values blanked as it is appended.
Nothing else about a change is ever altered (its id, number, clock, what it writes):
every desk merges the log as before.

PostgreSQL (central migration c4): the same, by triggers owned by the store's owner
(SECURITY DEFINER: a device may not update the log, and gets no right to), so it holds
whoever appends. From c7 the trigger only records an erasure as pending
(``pending_sql``); sync.verify, with the owner's login, calls change_log_erase() for the
proven ones (``lr-desk central redact``, every init, and a push with the owner's login:
``owner_append``). From c12 the check of what is appended runs once per statement, on
all its rows (sync.redact_setwise). The log refuses every UPDATE but this one: a
statement trigger lets only the table's owner update at all, and a row trigger lets an
update through only if it blanks an erased record's personal values and changes
nothing else.

SQLite (no logins, one machine): ``before_append`` and ``after_append``, in the push's
own transaction (BEGIN IMMEDIATE: nobody reads the log half done; from c7 the batch's
erasures are checked there, by sync.verify, before any erases); a trigger refuses any
other update.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from sqlalchemy import Connection, text

from lr_desk.store.erase import (
    ERASED,
    UNDER,
    erased_ids,
    named_in,
    redacted,
    rows_in,
    under_erased,
)

REFUSE = ("the change log is append-only: it cannot be changed or emptied (only the "
          "information of a person erased can be blanked)")


# --- PostgreSQL: the SQL of central migration c4 ------------------------------------


def _literal(value: object) -> str:
    return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"


def _under_sql(row: str, ids: str) -> str:
    """SQL true for a change (``row``) inserting a record under one of ``ids`` (text[])."""
    return " OR ".join(
        f"({row}.entity = '{entity}' AND ("
        + " OR ".join(f"{row}.fields ->> '{c}' = ANY({ids})" for c in columns) + "))"
        for entity, columns in UNDER.items())


DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"


def _erased_append(schema: str, at_once: bool) -> str:
    """The trigger function run as each change is appended: a change to an erased record
    (or a record added under one) is blanked. ``at_once``: an erasure appended erases at
    once (migration c4); from c7 it waits, pending, for the owner's check (sync.verify)."""
    pointers = " ".join(
        f"WHEN '{entity}' THEN ARRAY[{', '.join(f'NEW.fields ->> {c!r}' for c in columns)}]"
        for entity, columns in UNDER.items())
    erase = f"""IF NEW.op = 'insert' THEN
                    PERFORM {schema}.change_log_erase(ARRAY(
                        SELECT jsonb_array_elements_text(r.ids)
                        FROM jsonb_each(COALESCE(NEW.fields -> 'record_ids', '{{}}'::jsonb))
                             AS r(entity, ids)
                        WHERE jsonb_typeof(r.ids) = 'array') || (NEW.fields ->> 'person_id'));
                END IF;""" if at_once else "-- pending: sync.verify erases it once proven"
    return f"""CREATE OR REPLACE FUNCTION {schema}.change_log_erased_append() RETURNS trigger
        LANGUAGE plpgsql {DEFINER} AS $$
        DECLARE
            ids text[];
        BEGIN
            IF NEW.entity = 'erasure' THEN
                {erase}
                RETURN NEW;
            END IF;
            -- one look-up (each change of these kinds goes through here): the record is
            -- erased, or the change adds a record under an erased one (erased with it;
            -- the records under it come after it: a desk writes them in that order)
            ids := ARRAY[NEW.entity_id];
            IF NEW.op = 'insert' THEN
                ids := ids || CASE NEW.entity {pointers} ELSE ARRAY[]::text[] END;
            END IF;
            IF EXISTS (SELECT 1 FROM {schema}.erased_row e WHERE e.entity_id = ANY(ids)) THEN
                NEW.fields := {schema}.change_log_redacted(NEW.entity, NEW.fields);
                INSERT INTO {schema}.erased_row (entity_id) VALUES (NEW.entity_id)
                ON CONFLICT DO NOTHING;
            END IF;
            RETURN NEW;
        END $$"""


def postgres_sql(schema: str) -> list[str]:
    """The functions and triggers (``schema``: the store's, quoted)."""
    blanks = " ".join(f"WHEN '{entity}' THEN {_literal(blank)}"
                      for entity, blank in ERASED.items())
    scope = ", ".join(f"'{e}'" for e in (*UNDER, "erasure"))
    log, erased = f"{schema}.change_log", f"{schema}.erased_row"
    return [
        # a change's fields with the personal ones it writes blanked
        f"""CREATE FUNCTION {schema}.change_log_redacted(entity text, fields jsonb)
        RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
            SELECT fields || COALESCE((SELECT jsonb_object_agg(e.key, e.value)
                FROM jsonb_each(CASE entity {blanks} ELSE '{{}}'::jsonb END) AS e
                WHERE fields ? e.key), '{{}}'::jsonb)
        $$""",
        # erase these records and those added under them: note them, blank their changes
        f"""CREATE FUNCTION {schema}.change_log_erase(seeds text[]) RETURNS void
        LANGUAGE plpgsql {DEFINER} AS $$
        DECLARE
            fresh text[];
            found text[] := '{{}}';
        BEGIN
            fresh := ARRAY(SELECT DISTINCT s.id FROM unnest(seeds) AS s(id)
                           WHERE s.id IS NOT NULL AND NOT EXISTS (
                               SELECT 1 FROM {erased} e WHERE e.entity_id = s.id));
            WHILE cardinality(fresh) > 0 LOOP
                INSERT INTO {erased} (entity_id) SELECT unnest(fresh);
                found := found || fresh;
                fresh := ARRAY(SELECT DISTINCT l.entity_id FROM {log} l
                               WHERE l.op = 'insert' AND ({_under_sql('l', 'fresh')})
                               AND NOT EXISTS (SELECT 1 FROM {erased} e
                                               WHERE e.entity_id = l.entity_id));
            END LOOP;
            UPDATE {log} l SET fields = {schema}.change_log_redacted(l.entity, l.fields)
            WHERE l.entity_id = ANY(found)
              AND l.fields IS DISTINCT FROM {schema}.change_log_redacted(l.entity, l.fields);
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_erase(text[]) FROM PUBLIC",
        # as each change is appended
        _erased_append(schema, at_once=True),
        f"REVOKE ALL ON FUNCTION {schema}.change_log_erased_append() FROM PUBLIC",
        f"CREATE TRIGGER change_log_erased_append BEFORE INSERT ON {log} FOR EACH ROW "
        f"WHEN (NEW.entity IN ({scope})) EXECUTE FUNCTION {schema}.change_log_erased_append()",
        # the only update there may be
        f"""CREATE FUNCTION {schema}.change_log_redact_only() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            IF (NEW.seq, NEW.change_id, NEW.device_id, NEW.entity, NEW.entity_id, NEW.op,
                NEW.hlc, NEW.schema_version, NEW.received_at, NEW.seen)
                IS DISTINCT FROM (OLD.seq, OLD.change_id, OLD.device_id, OLD.entity,
                OLD.entity_id, OLD.op, OLD.hlc, OLD.schema_version, OLD.received_at, OLD.seen)
               OR NOT EXISTS (SELECT 1 FROM {erased} WHERE entity_id = OLD.entity_id)
               OR NEW.fields IS DISTINCT FROM {schema}.change_log_redacted(OLD.entity,
                                                                          OLD.fields) THEN
                RAISE EXCEPTION '{REFUSE} (UPDATE refused)'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER change_log_redact_only BEFORE UPDATE ON {log} FOR EACH ROW "
        f"EXECUTE FUNCTION {schema}.change_log_redact_only()",
        # and only the owner (in the functions above) updates at all: a device given the
        # right by mistake would see no row to update (row-level security), so is refused
        # outright, as before
        f"""CREATE OR REPLACE FUNCTION {schema}.change_log_append_only() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND pg_has_role(current_user, (
                    SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
                RETURN NULL;  -- each row is checked by change_log_redact_only
            END IF;
            RAISE EXCEPTION '{REFUSE} (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""",
    ]


# --- Both: the SQL of central migration c7 (erasures wait for their proof) ------------

CHECKED = "erasure_check"  # each erasure appended: pending, proven or refused (sync.verify)


def pending_sql(schema: str | None) -> list[str]:
    """From c7 an erasure appended erases nothing at once: a row in ``erasure_check``
    records it as pending, for the owner's check (sync.verify), which erases it once its
    proof is verified. PostgreSQL (``schema``: the store's, quoted): by a trigger owned
    by the store's owner, whoever appends; SQLite (``schema`` None): by a plain one."""
    when = "NEW.entity = 'erasure' AND NEW.op = 'insert'"
    if schema is None:
        return [f"CREATE TRIGGER change_log_erasure_pending AFTER INSERT ON change_log "
                f"WHEN {when} BEGIN INSERT OR IGNORE INTO {CHECKED} (seq, change_id) "
                f"VALUES (NEW.seq, NEW.change_id); END"]
    return [
        _erased_append(schema, at_once=False),
        f"""CREATE FUNCTION {schema}.change_log_erasure_pending() RETURNS trigger
        LANGUAGE plpgsql {DEFINER} AS $$
        BEGIN
            INSERT INTO {schema}.{CHECKED} (seq, change_id) VALUES (NEW.seq, NEW.change_id)
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_erasure_pending() FROM PUBLIC",
        # after: the numbering trigger has given the change its sequence number
        f"CREATE TRIGGER change_log_erasure_pending AFTER INSERT ON {schema}.change_log "
        f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {schema}.change_log_erasure_pending()",
    ]


def pending_undo_sql(schema: str | None) -> list[str]:
    """Back to c6: an erasure appended erases at once again."""
    if schema is None:
        return ["DROP TRIGGER change_log_erasure_pending"]
    return [f"DROP TRIGGER change_log_erasure_pending ON {schema}.change_log",
            f"DROP FUNCTION {schema}.change_log_erasure_pending()",
            _erased_append(schema, at_once=True)]


# --- SQLite: in the push ---------------------------------------------------------------


def _fields(change: dict) -> dict:
    fields = change["fields"]
    return json.loads(fields) if isinstance(fields, str) else fields


class Erasing(NamedTuple):
    """What a push to a SQLite store does after its append (see ``before_append``)."""

    seeds: list  # the records its erasures name (truthy: the push erases, or may)
    joined: set  # the records it adds under erased ones (blanked already)
    pending: bool  # its erasures wait for their proof (c7); else they erase at once


def before_append(conn: Connection, batch: list[dict]) -> Erasing | None:
    """Blank the personal values of the changes about to be appended to erased records (or
    to records added under them); returns what ``after_append`` needs once the batch is
    in the log, or None if there is nothing to do. From c7 the batch's own erasures erase
    nothing yet: they are checked first (after_append)."""
    tables = {name for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
        ("erased_row", CHECKED))}
    if "erased_row" not in tables:
        return None  # a store not yet at c4 (it is, once lr-desk central init has run)
    pending = CHECKED in tables
    seeds: list[str] = []
    for c in batch:
        if c["entity"] == "erasure" and c["op"] == "insert":
            fields = _fields(c)
            seeds += [i for ids in named_in(fields.get("record_ids")).values() for i in ids]
            seeds.append(fields.get("person_id"))
    if not seeds and conn.exec_driver_sql("SELECT 1 FROM erased_row LIMIT 1").first() is None:
        return None
    now = set() if pending else set(seeds)
    fields_of = {id(c): _fields(c) for c in batch if c["entity"] in UNDER}
    wanted = set(now)
    for c in batch:
        if id(c) in fields_of:
            wanted.add(c["entity_id"])
            if c["op"] == "insert":
                wanted.update(fields_of[id(c)].get(col) for col in UNDER[c["entity"]])
    erased = erased_ids(conn, wanted) | now
    joined = under_erased([(c["entity"], c["entity_id"], fields_of[id(c)]) for c in batch
                           if c["op"] == "insert" and id(c) in fields_of], erased)
    erased |= joined
    for c in batch:
        if id(c) in fields_of and c["entity_id"] in erased:
            c["fields"] = redacted(c["entity"], fields_of[id(c)])
    return Erasing(seeds, joined, pending)


def after_append(conn: Connection, erasing: Erasing) -> bool:
    """Note the records the batch added under erased ones (blanked already). Its erasures:
    from c7, each is checked (sync.verify replays the log's accounts and erasures, as
    every desk does) and only the proven ones erase; before c7, each erases at once.
    Returns whether there are erasures to check: the push then runs sync.verify.settle.

    Why check here rather than trust the pushing desk (it checked the erasures it pulled
    and signed its own): a desk applies its own erasure even unsigned (the recovery key's,
    or one from before its account had a key), which every other desk sets aside; and
    what the push is given says nothing of what the desk accepted. The replay depends on
    the log alone, so the store blanks exactly what every desk applies."""
    if erasing.joined:
        conn.exec_driver_sql("INSERT OR IGNORE INTO erased_row (entity_id) VALUES (?)",
                             [(i,) for i in erasing.joined])
    if not erasing.seeds:
        return False
    if erasing.pending:
        return True
    erase_records(conn, erasing.seeds)
    return False


def owner_append(conn: Connection, batch: list[dict]) -> bool:
    """PostgreSQL, after a push's append with the store owner's login (a job or a desk
    the administrator runs): whether its erasures, and any still pending, are to be
    checked at once in the push's transaction (it holds the ordering lock), as ``lr-desk
    central redact`` would (the push then runs sync.verify.settle). A device's login has
    no right to: its erasures wait for that job."""
    if not any(c["entity"] == "erasure" and c["op"] == "insert" for c in batch):
        return False
    return bool(conn.scalar(text(
        f"SELECT COALESCE(has_table_privilege(to_regclass('{CHECKED}'), 'UPDATE'), false)")))


def erase_records(conn: Connection, seeds: list) -> None:
    """Erase these records, and those the log shows were added under them: note them, and
    blank the personal values of every change to them the log holds."""
    fresh = set(seeds) - {None} - erased_ids(conn, seeds)
    found: set[str] = set()
    while fresh:
        conn.exec_driver_sql("INSERT OR IGNORE INTO erased_row (entity_id) VALUES (?)",
                             [(i,) for i in fresh])
        found |= fresh
        under: set[str] = set()
        for entity, columns in UNDER.items():
            for column in columns:
                under.update(r[0] for r in rows_in(
                    conn, "SELECT entity_id FROM change_log WHERE op = 'insert' AND entity = ?"
                          f" AND json_extract(fields, '$.{column}') IN ({{}})", fresh, entity))
        fresh = under - found - erased_ids(conn, under)
    changed = []
    for seq, entity, fields in rows_in(
            conn, "SELECT seq, entity, fields FROM change_log WHERE entity_id IN ({})", found):
        old = json.loads(fields)
        if (new := redacted(entity, old)) != old:
            changed.append((json.dumps(new), seq))
    if changed:
        conn.exec_driver_sql("UPDATE change_log SET fields = ? WHERE seq = ?", changed)


def checkpoint(engine) -> None:
    """After an erasure is committed to a SQLite store: every connection overwrites what
    it frees (secure_delete), but old page images stay in the write-ahead log until a
    checkpoint; copy them in and empty it. (The log was only ever appended to before it
    could be blanked, so its free space holds nothing older.)"""
    raw = engine.raw_connection()  # (no BEGIN IMMEDIATE around it: see central.make_engine)
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
