"""The erasure check on each change appended, once per statement (central migration
c12, PostgreSQL).

From c4 a change appended to an erased record (or adding a record under one) had its
personal values blanked by a trigger before each row: a PL/pgSQL call and a look-up in
``erased_row`` for every change to a person's records, some 4,000 of a push of 10,000.
Now one trigger after each statement that appends does it for all its rows at once (a
transition table, ``added``): their ids, and those of the records each insert is added
under, are looked up in ``erased_row`` in one go, through its index (a join hashed the
whole table: 80 ms of server time for a statement of 5,000 changes at 200,000 erased
records, against 10), to find those to blank; the records added under those in the same
statement follow, at any depth and in any order, as a desk works them out
(store.erase.under_erased); they are noted in ``erased_row`` and their changes blanked
in the log, in the statement's transaction, before anyone can read them. In a push with
nothing erased in it (nearly every push) that is the one look-up, and nothing is written.

The blanking is an UPDATE of rows just appended, by the function's owner (SECURITY
DEFINER, as before: a device may not update the log): the log's own triggers let it
through (change_log_redact_only: the record is in erased_row, and only its personal
values are blanked). As with an erasure of the log itself (change_log_erase), the row
as it came is left to VACUUM, never to a reader. The function keeps its name (and its
rights: nobody may call it other than as the trigger).
"""

from __future__ import annotations

from lr_desk.store.erase import UNDER
from lr_desk.sync.redact import DEFINER, _erased_append, _under_sql


def _setwise(schema: str) -> str:
    """The trigger function, run once after each statement that appends."""
    log, erased = f"{schema}.change_log", f"{schema}.erased_row"
    scope = ", ".join(f"'{e}'" for e in UNDER)
    pointers = " ".join(
        f"WHEN '{entity}' THEN ARRAY[{', '.join(f'a.fields ->> {c!r}' for c in columns)}]"
        for entity, columns in UNDER.items())
    return f"""CREATE OR REPLACE FUNCTION {schema}.change_log_erased_append() RETURNS trigger
        LANGUAGE plpgsql {DEFINER} AS $$
        DECLARE
            keys text[];
            hit text[];
            found text[];
            fresh text[];
        BEGIN
            -- the records the statement changes, and those its inserts are added under:
            -- which are erased (one look-up of the lot in erased_row's index: a join
            -- would hash the whole table, which only grows)
            keys := ARRAY(
                SELECT a.entity_id FROM added a WHERE a.entity IN ({scope})
                UNION ALL
                SELECT p.key FROM added a, unnest(CASE a.entity {pointers} END) AS p(key)
                WHERE a.op = 'insert' AND a.entity IN ({scope}));
            hit := ARRAY(SELECT e.entity_id FROM {erased} e WHERE e.entity_id = ANY(keys));
            IF cardinality(hit) = 0 THEN
                RETURN NULL;  -- (nearly every push)
            END IF;
            found := ARRAY(
                SELECT DISTINCT a.entity_id FROM added a
                WHERE a.entity IN ({scope}) AND (a.entity_id = ANY(hit)
                      OR (a.op = 'insert' AND (CASE a.entity {pointers} END) && hit)));
            -- records added under those in the same statement, at any depth, any order
            fresh := found;
            WHILE cardinality(fresh) > 0 LOOP
                fresh := ARRAY(SELECT DISTINCT a.entity_id FROM added a
                               WHERE a.op = 'insert' AND ({_under_sql('a', 'fresh')})
                                 AND NOT a.entity_id = ANY(found));
                found := found || fresh;
            END LOOP;
            INSERT INTO {erased} (entity_id) SELECT unnest(found) ON CONFLICT DO NOTHING;
            UPDATE {log} l SET fields = {schema}.change_log_redacted(l.entity, l.fields)
            FROM added a
            WHERE l.seq = a.seq AND a.entity IN ({scope}) AND a.entity_id = ANY(found)
              AND l.fields IS DISTINCT FROM {schema}.change_log_redacted(l.entity, l.fields);
            RETURN NULL;
        END $$"""


def setwise_sql(schema: str) -> list[str]:
    """c12: the check after each statement, in place of c4's before each row."""
    log = f"{schema}.change_log"
    return [f"DROP TRIGGER change_log_erased_append ON {log}",
            _setwise(schema),
            f"CREATE TRIGGER change_log_erased_append AFTER INSERT ON {log} "
            f"REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {schema}.change_log_erased_append()"]


def rowwise_sql(schema: str) -> list[str]:
    """Back to c11: before each row (the function as c7 made it)."""
    log = f"{schema}.change_log"
    scope = ", ".join(f"'{e}'" for e in (*UNDER, "erasure"))
    return [f"DROP TRIGGER change_log_erased_append ON {log}",
            _erased_append(schema, at_once=False),
            f"CREATE TRIGGER change_log_erased_append BEFORE INSERT ON {log} FOR EACH ROW "
            f"WHEN (NEW.entity IN ({scope})) "
            f"EXECUTE FUNCTION {schema}.change_log_erased_append()"]
