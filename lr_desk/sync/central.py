"""The central store: an append-only, commit-ordered log of changes (DESIGN.md).

One SQLAlchemy code path for PostgreSQL (production) and a SQLite file (the embedded
default), chosen by the URL. Every change keeps the id its device gave it, so pushing
the same batch again adds nothing. Each change gets a sequence number in commit order:
appends are serialised on PostgreSQL by a lock on a table devices have no rights on
(taken for them by the trigger before each statement they append with; see
lr_desk.sync.harden) and by ``BEGIN IMMEDIATE`` on SQLite, so a reader that has seen
sequence N has seen every change that will ever get a number up to N. (A plain
``bigserial`` is not enough: a reader can pass over a number whose transaction commits
late.)

Pulls may be served by a streaming replica of the PostgreSQL primary (``read_url``):
pushes, and anything else that writes, go to the primary. A replica can only lag: it
never shows a number whose predecessors it does not show (see CentralStore.__init__), so
a device that pulls from it gets a prefix of the log, and its cursor never passes what
the replica has applied. If the replica cannot be reached, reads go to the primary for a
while (REPLICA_RETRY), and the log says so.

The store's tables, engine and set-up are lr_desk.sync.central_schema's, registering a
device lr_desk.sync.devices'; both are named from here too, as before.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable

from sqlalchemy import LargeBinary, cast, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from lr_desk.sync import checks, checks_pg, redact, verify
from lr_desk.sync.central_schema import (  # noqa: F401  (also named from here, as before)
    CENTRAL_SCHEMA,
    CHANGE_COLUMNS,
    CHANGE_FIELDS,
    MIGRATIONS,
    ORDER_LOCK,
    SCHEMAS,
    CentralSchemaError,
    Change,
    alembic_config,
    change_log,
    changes_of,
    desk_schema,
    device,
    engine_url,
    init_central,
    make_engine,
    meta,
    public_url,
    read_schema,
    unordered_seq,
)
from lr_desk.sync.devices import (  # noqa: F401  (also named from here, as before)
    DEVICE_NAME,
    NewDevice,
    _create_login,
    add_device,
    role_name,
)

log = logging.getLogger(__name__)

# Seconds the primary serves the reads after the replica could not be reached.
REPLICA_RETRY = 60.0

# The log's append and read as plain SQL for PostgreSQL (see CentralStore.push / pull).
_APPEND = ("seq", *CHANGE_COLUMNS)
PUSH_WORK_MEM = "16MB"  # a push's batch of 5,000, JSON and triggers' tables, fits
_JSON = {"fields", "seen"}
# PostgreSQL: a batch is one statement, its rows one JSON parameter, in the batch's order
# (a statement costs the server far more than a row: one INSERT per change was half of a
# push's time; one JSON array is read faster than an array per column). Each JSON column
# goes as a string inside it, read as JSON once there: what it holds can only be a value.
# The statement leaves out the changes the log has (a batch sent again) by itself, and
# numbers the rest in the batch's order, after the log's last (%s: read under the ordering
# lock; a device's login has them numbered by its trigger) or, without the lock (a test's
# store), from a plain sequence.
def _pg_append(numbered: str) -> str:
    return (f"INSERT INTO change_log ({', '.join(_APPEND)}) SELECT {numbered}, "
            + ", ".join(f"{k}::jsonb" if k in _JSON else k for k in CHANGE_COLUMNS)
            + " FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS ("
            + ", ".join(f"{k} text" for k in CHANGE_COLUMNS)
            + f")) WITH ORDINALITY AS batch ({', '.join(CHANGE_COLUMNS)}, n) WHERE NOT EXISTS "
            "(SELECT 1 FROM change_log had WHERE had.change_id = batch.change_id) ORDER BY n")


_PG_APPEND = _pg_append("%s + row_number() OVER (ORDER BY n)")
_PG_APPEND_UNORDERED = _pg_append(f"nextval('{unordered_seq.name}')")
_SQLITE_APPEND = (f"INSERT INTO change_log ({', '.join(_APPEND)}) VALUES ("
                  + ", ".join("?" for _ in _APPEND) + ")")
# A page: the changes after a sequence number, at most so many, and no more bytes than
# PULL_BYTES once the first is in (a page of big changes would not fit in a desk's memory).
PULL_BYTES = 64_000_000
_READ = ("seq", *CHANGE_COLUMNS, "received_at")
assert _READ == CHANGE_FIELDS  # (a page's rows are made Changes in this order)
_PG_SIZE = "pg_column_size(fields) + COALESCE(pg_column_size(seen), 0)"
_PG_READ = (f"SELECT {', '.join(_READ)} FROM (SELECT {', '.join(_READ)}, {_PG_SIZE} AS size, "
            f"sum({_PG_SIZE}) OVER (ORDER BY seq) AS upto FROM change_log WHERE seq > %s "
            "ORDER BY seq LIMIT %s) AS page WHERE upto - size < %s ORDER BY seq")


def _json_text(value):
    """A JSON column's value as JSON text (None stays NULL; text is taken as JSON)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)



class CentralStore:
    """A connection to the central log. ``ordering_lock=False`` exists only so a test
    can show what goes wrong without it."""

    def __init__(self, url: str | URL, ordering_lock: bool = True, key: bytes | None = None,
                 read_url: str | URL | None = None):
        self.url = url
        self.engine = make_engine(url, key)
        # Pulls and the lookups a pull needs (store_id, desk_versions, proofs_from, head)
        # are read at ``read_url``, a streaming replica of the primary, when given. Why a
        # device reading a lagging replica can miss nothing: on the primary, numbers are
        # given under the ordering lock, held until the transaction's commit record is in
        # the write-ahead log (_order), so the commit of seq N+1 comes after that of N in
        # the WAL. A replica replays the WAL in order, one record after another, and a
        # transaction becomes visible there when its commit record is replayed; so
        # whenever N+1 is visible on the replica, N (and every number before it) is too.
        # The replica shows a prefix of the log, a device's cursor is the last seq it
        # read, and so it never passes what the replica has applied: a later pull goes on
        # from there, whether from the replica or (when it cannot be reached) the primary,
        # whose log holds the replica's prefix and more. (Without the ordering lock, as
        # with a plain sequence, numbers could commit out of order, on either server.)
        if read_url is not None and "connect_timeout" not in make_url(read_url).query:
            # a replica that does not answer is given up on soon (the primary reads instead)
            read_url = make_url(read_url).update_query_dict({"connect_timeout": "5"})
        self.read_url = read_url
        self.reader = make_engine(read_url) if read_url is not None else self.engine
        self._reader_back_at = 0.0  # (monotonic) when to try the replica again
        self.postgres = self.engine.dialect.name == "postgresql"
        self.ordering_lock = ordering_lock
        self._hold_before_commit = 0.0  # tests: keep a transaction open a little longer
        # Who a device pushes as: its registered name on PostgreSQL (row-level security
        # ties it to the login; set by connect.open_central), else the local device id.
        self.push_as: str | None = None
        self._store_id: str | None = None
        self._proofs_from: int | None = None
        self._has_versions: bool | None = None
        self._owner: bool | None = None  # PostgreSQL: may take the ordering lock itself

    def close(self) -> None:
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()

    def _read(self, work):
        """``work(connection)`` on the replica if there is one and it can be reached,
        else on the primary (saying so in the log, and for REPLICA_RETRY seconds)."""
        if self.reader is not self.engine and time.monotonic() >= self._reader_back_at:
            try:
                with self.reader.connect() as conn:
                    return work(conn)
            except (OperationalError, InterfaceError) as exc:  # down, or a recovery conflict
                self.pass_over_replica(str(exc.orig or exc).strip().splitlines()[0])
        with self.engine.connect() as conn:
            return work(conn)

    def pass_over_replica(self, why: str) -> None:
        """Read from the primary for REPLICA_RETRY seconds (the replica cannot be used:
        ``why``), and say so in the log."""
        self._reader_back_at = time.monotonic() + REPLICA_RETRY
        log.warning("The replica %s cannot be used (%s): pulling from the primary %s "
                    "instead for %d s.", public_url(self.read_url), why,
                    public_url(self.url), REPLICA_RETRY)

    def push(self, device_id: str, changes: Iterable[dict]) -> list[str]:
        """Append a device's changes, in order, in one transaction; changes the log has
        already (by change id) are skipped. Returns the ids now safely in the log: the
        device may mark them sent once this returns.

        Raises checks.Refused, naming the change and what is wrong with it, if any change
        is not a valid one (lr_desk.sync.checks): then nothing of the batch is stored."""
        batch = [dict(c, device_id=device_id) for c in changes]
        if not batch:
            return []
        try:
            return self._push(batch)
        except DBAPIError as exc:  # PostgreSQL's own check (migration c5)
            if getattr(exc.orig, "sqlstate", None) == checks_pg.SQLSTATE:
                raise checks.Refused(exc.orig.diag.message_primary) from exc
            raise

    def _push(self, batch: list[dict]) -> list[str]:
        ids = [c["change_id"] for c in batch]
        erasing = None
        with self.engine.begin() as conn:
            if self.postgres:
                # the batch's rows, and the triggers' tables of them, held in memory: at
                # the default 4 MB a batch of 5,000 spilled to temporary files (~10 ms)
                conn.exec_driver_sql(f"SET LOCAL work_mem = '{PUSH_WORK_MEM}'")
            if self.postgres and self.ordering_lock:
                self._order(conn)
            # every change checked (PostgreSQL: by the database itself, migration c5)
            checks.check_push(batch, None if self.postgres else self.desk_versions(conn),
                              int(time.time() * 1000), each=not self.postgres)
            if self.postgres:
                self._append_pg(conn, batch)
            else:
                erasing = self._append_sqlite(conn, batch, ids)
            if self._hold_before_commit:
                time.sleep(self._hold_before_commit)
        if erasing and erasing[0]:  # (SQLite) what was blanked: out of the write-ahead log
            redact.checkpoint(self.engine)
        return ids

    def _append_pg(self, conn, batch: list[dict]) -> None:
        """PostgreSQL: the batch's changes the log has not got, in one statement (an
        erased person's information is blanked by triggers)."""
        for c in batch:  # push's own copies: the batch's JSON made at once from them
            for k in _JSON:
                if k in c:  # (JSON may come as text already: from the outbox)
                    c[k] = _json_text(c[k])
        rows = json.dumps(batch, ensure_ascii=False)
        if self.ordering_lock:
            last = conn.scalar(select(func.coalesce(func.max(change_log.c.seq), 0)))
            added = conn.exec_driver_sql(_PG_APPEND, (last, rows)).rowcount
        else:
            added = conn.exec_driver_sql(_PG_APPEND_UNORDERED, (rows,)).rowcount
        # erasures to check (c7): the owner's login's at once
        if added and redact.owner_append(conn, batch):
            verify.settle(conn)

    def _append_sqlite(self, conn, batch: list[dict], ids: list[str]):
        """SQLite: the batch's changes the log has not got, numbered after its last (an
        erased person's information blanked first); what redact.before_append found."""
        known = set(conn.scalars(select(change_log.c.change_id)
                                 .where(change_log.c.change_id.in_(ids))))
        new = [c for c in batch if c["change_id"] not in known]
        if not new:
            return None
        last = conn.scalar(select(func.coalesce(func.max(change_log.c.seq), 0)))
        erasing = redact.before_append(conn, new)
        # The driver's own: SQLAlchemy's per-value processing costs more than the insert.
        conn.exec_driver_sql(_SQLITE_APPEND, [
            (seq, *(_json_text(c.get(k)) if k in _JSON else c.get(k) for k in CHANGE_COLUMNS))
            for seq, c in enumerate(new, last + 1)])
        if erasing and redact.after_append(conn, erasing):  # erasures to check (c7)
            verify.settle(conn)
        return erasing

    def _order(self, conn) -> None:
        """PostgreSQL: take the lock that numbers appends in commit order, for this
        transaction. The owner takes it through change_log_order() (lr_desk.sync.harden),
        which waits a few seconds at most and ends a device's session that holds it
        without pushing; a device may not call that: the trigger on its appends takes
        it. A store no init of this lr_desk has hardened yet is ordered, as before, by
        the advisory lock."""
        if self._owner is None:
            exists, owner = conn.execute(text(
                "SELECT p IS NOT NULL, p IS NOT NULL AND has_function_privilege(p, "
                "'EXECUTE') FROM to_regprocedure('change_log_order()') AS p")).one()
            if not exists:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK})
                return
            self._owner = owner
        if self._owner:
            conn.execute(text("SELECT change_log_order()"))

    def pull(self, after: int, limit: int = 1000,
             max_bytes: int | None = None) -> list[Change]:
        """The changes after sequence ``after``, oldest first, at most ``limit`` of them
        and (after the first) at most ``max_bytes`` (PULL_BYTES) of fields and seen."""
        max_bytes = PULL_BYTES if max_bytes is None else max_bytes
        return self._read(lambda conn: self._page(conn, after, limit, max_bytes))

    def _page(self, conn, after: int, limit: int, max_bytes: int) -> list[Change]:
        """One page of the log, read on ``conn`` (whichever server _read chose)."""
        if self.postgres:  # psycopg reads jsonb as Python values (central_schema)
            # The page from the driver's cursor at once (psycopg has it all once the
            # query returns): SQLAlchemy's result read it a row at a time, a tenth of a
            # pull's fetching time.
            result = conn.exec_driver_sql(_PG_READ, (after, limit, max_bytes))
            return changes_of(result.cursor.fetchall())
        t = change_log.c
        size = (func.length(cast(t.fields, LargeBinary))
                + func.coalesce(func.length(cast(t.seen, LargeBinary)), 0))
        page = (select(*(t[k] for k in _READ), size.label("size"),
                       func.sum(size).over(order_by=t.seq).label("upto"))
                .where(t.seq > after).order_by(t.seq).limit(limit).subquery())
        rows = conn.execute(select(*(page.c[k] for k in _READ))
                            .where(page.c.upto - page.c.size < max_bytes)
                            .order_by(page.c.seq)).all()
        return changes_of(rows)

    def desk_versions(self, conn=None) -> frozenset[str] | None:
        """The desk schema versions the store knows now (None: a store from before it
        kept them). Read afresh each time: a newer lr_desk's init may add to them."""
        if conn is None:  # (for a pull: the replica's, if there is one)
            return self._read(self.desk_versions)
        if self._has_versions is None:  # (PostgreSQL: one look-up, not the inspector's)
            self._has_versions = (
                conn.scalar(text("SELECT to_regclass('desk_schema') IS NOT NULL"))
                if self.postgres else inspect(conn).has_table("desk_schema"))
        if not self._has_versions:
            return None
        return frozenset(conn.scalars(select(desk_schema.c.version)))

    def proofs_from(self) -> int:
        """The log's head when the store was upgraded to proofs of authority (migration
        c6): accounts and erasures up to it are taken as they are (store.authority).
        Read once: it never changes."""
        if self._proofs_from is None:
            value = self._read(lambda conn: conn.scalar(
                select(meta.c.value).where(meta.c.key == "proofs_from")))
            self._proofs_from = int(value) if value is not None else 0
        return self._proofs_from

    def store_id(self) -> str:
        """This store's identity (made at init): a device's cursor belongs to one store.
        Read once: a push and a pull both ask, and it never changes."""
        if self._store_id is None:
            self._store_id = self._read(lambda conn: conn.scalar(
                select(meta.c.value).where(meta.c.key == "store_id")))
        return self._store_id

    def schema(self) -> str | None:
        """The central schema revision the store is at (None: not a central store)."""
        with self.engine.connect() as conn:
            return read_schema(conn)

    def head(self) -> int:
        """The newest sequence number (0 for an empty log) where pulls read: the replica's
        if there is one (a pull's progress counts what it can get)."""
        return self._read(lambda conn: conn.scalar(
            select(func.coalesce(func.max(change_log.c.seq), 0))))
