"""The first-sync snapshot, as the central store keeps it (tables of central migration c11).

A snapshot is the whole database of a device that has pulled the log up to ``at_seq``
(lr_desk.sync.snapshot_build makes it), encrypted by SQLCipher with a key of its own and
kept in ``snapshot_part`` in parts of PART_BYTES; its row in ``snapshot`` says where it
is in the log, the desk schema it was made at, its key, size and SHA-256. A new device
loads it in bulk and pulls on from ``at_seq`` (lr_desk.sync.snapshot_load).

A snapshot is ready once its last part is in (in the same transaction); the older ones
are deleted then. It holds people's information as it was at ``at_seq``: when an erasure
is appended to the log, every snapshot made before it is deleted in that same transaction
(``erasure_sql``: a trigger, so it holds whoever appends, on PostgreSQL and SQLite), so
nothing erased lives on in the store.

Device logins may read both tables, nothing else (PostgreSQL: ``device_grants``, applied
by lr_desk.sync.harden; reading only while their password is the one add-device set, as
for the log); the store's owner builds. Reads go through CentralStore._read, so a replica
can serve them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

if TYPE_CHECKING:
    from lr_desk.sync.central import CentralStore

PART_BYTES = 8 * 1024 * 1024
TABLES = ("snapshot", "snapshot_part")
TRIGGER = "change_log_erasure_drops_snapshots"


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    at_seq: int  # the last change of the log it holds
    store_revision: str  # the desk schema (alembic head) of the device that made it
    key: bytes  # SQLCipher's raw 256-bit key of the file
    size: int  # bytes, all parts
    sha256: str  # of the whole file, hex
    parts: int
    made_at: datetime | None = None


_COLUMNS = "id, at_seq, store_revision, key, size, sha256, parts, made_at"


def _info(row) -> SnapshotInfo:
    return SnapshotInfo(row[0], int(row[1]), row[2], bytes.fromhex(row[3]), int(row[4]),
                        row[5], int(row[6]), row[7])


def _has_tables(conn) -> bool:
    return inspect(conn).has_table("snapshot")


def latest_snapshot(central: CentralStore) -> SnapshotInfo | None:
    """The newest ready snapshot (None: there is none, or the store is from before them)."""
    def read(conn):
        if not _has_tables(conn):
            return None
        row = conn.execute(text(f"SELECT {_COLUMNS} FROM snapshot WHERE ready "
                                "ORDER BY at_seq DESC, made_at DESC LIMIT 1")).first()
        return None if row is None else _info(row)
    return central._read(read)


def snapshot_part(central: CentralStore, snapshot_id: str, n: int) -> bytes | None:
    """Part ``n`` (from 0) of a snapshot's file; None: that snapshot is gone (a newer
    one replaced it, or an erasure dropped it)."""
    def read(conn):
        if not _has_tables(conn):
            return None
        data = conn.scalar(text("SELECT p.data FROM snapshot_part p JOIN snapshot s "
                                "ON s.id = p.snapshot_id WHERE p.snapshot_id = :id "
                                "AND p.n = :n AND s.ready"), {"id": snapshot_id, "n": n})
        return None if data is None else bytes(data)
    return central._read(read)


def snapshots(central: CentralStore) -> list[tuple[SnapshotInfo, bool]]:
    """Every snapshot the store holds, ready or not (being made, or left by a build that
    stopped), oldest first, with whether it is ready: for the owner and tests."""
    with central.engine.connect() as conn:
        if not _has_tables(conn):
            return []
        return [(_info(r), bool(r[8])) for r in conn.execute(text(
            f"SELECT {_COLUMNS}, ready FROM snapshot ORDER BY at_seq, made_at"))]


# --- Writing (the store's owner: lr_desk.sync.snapshot_build) ---------------------------


def why_not_build(central: CentralStore) -> str | None:
    """Why this login cannot make a snapshot here, in plain words (None: it can)."""
    with central.engine.connect() as conn:
        if not _has_tables(conn):
            return ("The central store has no place for a snapshot yet (a store set up by "
                    "an older lr_desk): run lr-desk central init on it first.")
        if central.postgres and not conn.scalar(text(
                "SELECT has_table_privilege('snapshot', 'INSERT')")):
            return (f"The login {conn.scalar(text('SELECT current_user'))} may not make "
                    "the snapshot: it is made with the administrator's login (the one "
                    "central init uses); a device's login may only read it.")
    return None



def _drop(conn, where: str, params: dict) -> int:
    """Delete the snapshots ``where`` says, and their parts (SQLite does not cascade:
    its foreign keys are not enforced on the central store's connections)."""
    conn.execute(text(f"DELETE FROM snapshot_part WHERE snapshot_id IN "
                      f"(SELECT id FROM snapshot WHERE {where})"), params)
    return conn.execute(text(f"DELETE FROM snapshot WHERE {where}"), params).rowcount


def begin(central: CentralStore, info: SnapshotInfo) -> None:
    """Note a snapshot being stored (not ready: nobody is offered it yet)."""
    with central.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO snapshot (id, at_seq, store_revision, key, size, sha256, parts, "
            "made_at, ready) VALUES (:id, :at, :rev, :key, :size, :sha, :parts, "
            "CURRENT_TIMESTAMP, false)"),
            {"id": info.id, "at": info.at_seq, "rev": info.store_revision,
             "key": info.key.hex(), "size": info.size, "sha": info.sha256,
             "parts": info.parts})


def _put(conn, snapshot_id: str, n: int, data: bytes) -> bool:
    """Add a part, if its snapshot is still there (whether it was)."""
    return conn.execute(text(
        "INSERT INTO snapshot_part (snapshot_id, n, data) "
        "SELECT CAST(:id AS varchar(36)), CAST(:n AS integer), :data "
        "WHERE EXISTS (SELECT 1 FROM snapshot WHERE id = :id)"),
        {"id": snapshot_id, "n": n, "data": data}).rowcount == 1


def put_part(central: CentralStore, snapshot_id: str, n: int, data: bytes) -> bool:
    """Store one part (not the last), in a transaction of its own. False: the snapshot
    has gone meanwhile (an erasure was appended, or another build replaced it)."""
    with central.engine.begin() as conn:
        return _put(conn, snapshot_id, n, data)


def finish(central: CentralStore, info: SnapshotInfo, n: int, data: bytes) -> str:
    """Store the last part and mark the snapshot ready, in one transaction, and delete
    the older snapshots then. Returns "ready"; "gone" (it was dropped meanwhile);
    "erased" (an erasure was appended after ``at_seq``: it is dropped here, since what
    it holds may be erased); "older" (another build made a newer one first: dropped)."""
    with central.engine.begin() as conn:
        if central.postgres:  # an erasure's append waits for this (or this for it)
            conn.execute(text("LOCK TABLE snapshot IN SHARE ROW EXCLUSIVE MODE"))
        mine = {"id": info.id, "at": info.at_seq}
        if conn.execute(text("UPDATE snapshot SET ready = true, made_at = CURRENT_TIMESTAMP"
                             " WHERE id = :id"), mine).rowcount != 1:
            return "gone"
        if conn.execute(text("SELECT 1 FROM change_log WHERE seq > :at AND entity = "
                             "'erasure' AND op = 'insert' LIMIT 1"), mine).first():
            _drop(conn, "id = :id", mine)
            return "erased"
        if conn.execute(text("SELECT 1 FROM snapshot WHERE ready AND id <> :id "
                             "AND at_seq > :at LIMIT 1"), mine).first():
            _drop(conn, "id = :id", mine)
            return "older"
        if not _put(conn, info.id, n, data):  # (cannot be: the row was just updated)
            raise RuntimeError(f"snapshot {info.id} vanished while it was finished")
        _drop(conn, "id <> :id AND at_seq <= :at", mine)
        return "ready"


def drop(central: CentralStore, snapshot_id: str) -> None:
    """Delete a snapshot and its parts (a build that could not finish)."""
    with central.engine.begin() as conn:
        _drop(conn, "id = :id", {"id": snapshot_id})


# --- The SQL of central migration c11, and of lr_desk.sync.harden ---------------------


def erasure_sql(schema: str | None) -> list[str]:
    """An erasure appended deletes every snapshot made before it, in its own transaction
    (whoever appends). PostgreSQL (``schema``: the store's, quoted): a trigger function
    owned by the store's owner (a device has no right on the tables); the parts go by
    the foreign key's cascade. SQLite (``schema`` None): a plain trigger."""
    when = "NEW.entity = 'erasure' AND NEW.op = 'insert'"
    if schema is None:
        return [f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON change_log WHEN {when} BEGIN "
                "DELETE FROM snapshot_part WHERE snapshot_id IN "
                "(SELECT id FROM snapshot WHERE at_seq < NEW.seq); "
                "DELETE FROM snapshot WHERE at_seq < NEW.seq; END"]
    return [
        f"""CREATE OR REPLACE FUNCTION {schema}.{TRIGGER}() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            DELETE FROM {schema}.snapshot WHERE at_seq < NEW.seq;
            RETURN NULL;
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.{TRIGGER}() FROM PUBLIC",
        # after: the numbering trigger has given the change its sequence number
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON {schema}.change_log FOR EACH ROW "
        f"WHEN ({when}) EXECUTE FUNCTION {schema}.{TRIGGER}()",
    ]


def erasure_undo_sql(schema: str | None) -> list[str]:
    if schema is None:
        return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {schema}.change_log",
            f"DROP FUNCTION IF EXISTS {schema}.{TRIGGER}()"]


def read_policies(conn, schema: str) -> None:
    """PostgreSQL: devices read the snapshot tables only while their password is the
    one add-device set, as the log (lr_desk.sync.harden: every init)."""
    for table in TABLES:
        qual = conn.scalar(text(
            "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy "
            "WHERE polname = 'devices_read' AND polrelid = CAST(:t AS regclass)"),
            {"t": f"{schema}.{table}"})
        if qual is not None and "change_log_login_ok" not in qual:
            conn.exec_driver_sql(f"ALTER POLICY devices_read ON {schema}.{table} "
                                 f"USING ((SELECT {schema}.change_log_login_ok()))")


def device_grants(role: str) -> str:
    """PostgreSQL: the one right a device's login (quoted) has on the snapshot tables."""
    return f"GRANT SELECT ON {', '.join(TABLES)} TO {role}"
