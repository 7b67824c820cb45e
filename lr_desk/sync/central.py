"""The central store: an append-only, commit-ordered log of changes (DESIGN.md).

One SQLAlchemy code path for PostgreSQL (production) and a SQLite file (the embedded
default), chosen by the URL. Every change keeps the id its device gave it, so pushing
the same batch again adds nothing. Each change gets a sequence number in commit order:
appends are serialised by a transaction-level advisory lock on PostgreSQL and by
``BEGIN IMMEDIATE`` on SQLite, so a reader that has seen sequence N has seen every
change that will ever get a number up to N. (A plain ``bigserial`` is not enough: a
reader can pass over a number whose transaction commits late.)
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    MetaData,
    Sequence,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from lr_desk.store.clock import new_id

CENTRAL_SCHEMA = "c1"
ORDER_LOCK = 7_204_116  # the advisory lock that orders appends (any fixed number)

metadata = MetaData()
meta = Table("central_meta", metadata,
             Column("key", String(64), primary_key=True),
             Column("value", String(200), nullable=False))
change_log = Table(
    "change_log", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("change_id", String(36), nullable=False, unique=True),
    Column("device_id", String(36), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("op", String(8), nullable=False),
    Column("fields", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("seen", JSON().with_variant(JSONB(), "postgresql")),
    Column("hlc", String(80), nullable=False),
    Column("schema_version", String(32), nullable=False),
    Column("received_at", DateTime, nullable=False, server_default=func.now()),
)
# Only used when the ordering lock is switched off, to show why it is needed (tests).
unordered_seq = Sequence("change_log_unordered_seq", metadata=metadata)

CHANGE_COLUMNS = ("change_id", "device_id", "entity", "entity_id", "op", "fields", "hlc",
                  "schema_version", "seen")


@dataclass(frozen=True)
class Change:
    seq: int
    change_id: str
    device_id: str
    entity: str
    entity_id: str
    op: str
    fields: dict
    hlc: str
    schema_version: str
    seen: dict | None = None


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE,
        # which takes the write lock at once, starts every transaction (SQLAlchemy's
        # documented recipe for SQLite transactions).
        engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def init_central(url: str) -> None:
    """Create the central store's tables (or leave them as they are)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            metadata.create_all(conn)
            if conn.scalar(select(meta.c.value).where(meta.c.key == "schema")) is None:
                conn.execute(insert(meta).values(key="schema", value=CENTRAL_SCHEMA))
            if conn.scalar(select(meta.c.value).where(meta.c.key == "store_id")) is None:
                conn.execute(insert(meta).values(key="store_id", value=new_id()))
    finally:
        engine.dispose()


class CentralStore:
    """A connection to the central log. ``ordering_lock=False`` exists only so a test
    can show what goes wrong without it."""

    def __init__(self, url: str, ordering_lock: bool = True):
        self.url = url
        self.engine = make_engine(url)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.ordering_lock = ordering_lock
        self._hold_before_commit = 0.0  # tests: keep a transaction open a little longer

    def close(self) -> None:
        self.engine.dispose()

    def push(self, device_id: str, changes: Iterable[dict]) -> list[str]:
        """Append a device's changes, in order, in one transaction; changes the log has
        already (by change id) are skipped. Returns the ids now safely in the log: the
        device may mark them sent once this returns."""
        batch = [dict(c, device_id=device_id) for c in changes]
        if not batch:
            return []
        ids = [c["change_id"] for c in batch]
        with self.engine.begin() as conn:
            if self.postgres and self.ordering_lock:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK})
            known = set(conn.scalars(select(change_log.c.change_id)
                                     .where(change_log.c.change_id.in_(ids))))
            new = [c for c in batch if c["change_id"] not in known]
            if new:
                if self.postgres and not self.ordering_lock:
                    seqs = [conn.scalar(unordered_seq.next_value()) for _ in new]
                else:
                    last = conn.scalar(select(func.coalesce(func.max(change_log.c.seq), 0)))
                    seqs = range(last + 1, last + 1 + len(new))
                conn.execute(insert(change_log), [
                    {"seq": seq, **{k: c.get(k) for k in CHANGE_COLUMNS}}
                    for seq, c in zip(seqs, new, strict=True)])
            if self._hold_before_commit:
                time.sleep(self._hold_before_commit)
        return ids

    def pull(self, after: int, limit: int = 1000) -> list[Change]:
        """The changes after sequence ``after``, oldest first, at most ``limit``."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(change_log.c.seq, *(change_log.c[k]
                                                            for k in CHANGE_COLUMNS))
                                .where(change_log.c.seq > after)
                                .order_by(change_log.c.seq).limit(limit)).all()
        return [Change(*row) for row in rows]

    def store_id(self) -> str:
        """This store's identity (made at init): a device's cursor belongs to one store."""
        with self.engine.connect() as conn:
            return conn.scalar(select(meta.c.value).where(meta.c.key == "store_id"))

    def head(self) -> int:
        """The newest sequence number (0 for an empty log)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(func.coalesce(func.max(change_log.c.seq), 0)))
