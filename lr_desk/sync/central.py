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
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from psycopg.types.json import set_json_loads
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Sequence,
    String,
    Table,
    cast,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from lr_desk.sync import checks, checks_pg, redact

# The central schema's migrations (Alembic, in central_migrations/), oldest first; the
# revision a store is at is also kept in central_meta under "schema" (a test keeps this
# list equal to the scripts).
SCHEMAS = ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")
CENTRAL_SCHEMA = SCHEMAS[-1]
MIGRATIONS = Path(__file__).resolve().parent / "central_migrations"
VERSION_TABLE = "central_version"
# The advisory lock that ordered appends before lr_desk.sync.harden's table lock (any
# role may take an advisory lock: a device could hold it for ever). Still taken on a
# store no init of this lr_desk has hardened yet; migration c3 names it.
ORDER_LOCK = 7_204_116
MIGRATE_LOCK = 7_204_117  # the one that runs two inits one after the other
# How long an init waits for that lock, and for the locks a migration needs on the log:
# a device's login can take any advisory lock, or sit in a transaction on the log;
# init then stops and says the store is busy, instead of waiting for ever.
MIGRATE_WAIT = "60s"
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise (?connect_timeout=N)

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
device = Table(
    "device", metadata,
    Column("name", String(36), primary_key=True),  # what its changes carry as device_id
    Column("site", String(64), nullable=False),
    Column("role", String(63), unique=True),  # PostgreSQL: the device's own login
    # PostgreSQL: the device id its changes' clock stamps carry, bound by its first push
    # (migration c3; unique)
    Column("stamp_id", String(80)),
    Column("created_at", DateTime, nullable=False, server_default=func.now()),
)
# Only used when the ordering lock is switched off, to show why it is needed (tests).
unordered_seq = Sequence("change_log_unordered_seq", metadata=metadata)
# The desk schema versions the store knows (migration c5): a change must carry one.
desk_schema = Table("desk_schema", metadata,
                    Column("version", String(32), primary_key=True),
                    Column("added_at", DateTime, nullable=False, server_default=func.now()))


def record_versions(conn) -> None:
    """Add the desk schema versions this lr_desk knows to the store's (run by the
    migration that makes the table, and by every init after it: so a newer lr_desk's
    init adds its own)."""
    have = set(conn.scalars(select(desk_schema.c.version)))
    for version in checks.desk_versions():
        if version not in have:
            conn.execute(text("INSERT INTO desk_schema (version) VALUES (:v) "
                              "ON CONFLICT (version) DO NOTHING"), {"v": version})


def _record_versions(engine: Engine) -> None:
    with engine.connect() as conn:
        have = set(conn.scalars(select(desk_schema.c.version)))
    if not set(checks.desk_versions()) <= have:  # (else no write: the usual case)
        with engine.begin() as conn:
            record_versions(conn)


CHANGE_COLUMNS = ("change_id", "device_id", "entity", "entity_id", "op", "fields", "hlc",
                  "schema_version", "seen")


# The log's append and read as plain SQL for PostgreSQL (see CentralStore.push / pull).
_APPEND = ("seq", *CHANGE_COLUMNS)
_JSON = {"fields", "seen"}
# PostgreSQL: a batch is one statement, its rows one JSON parameter, in the batch's order
# (a statement costs the server far more than a row: one INSERT per change was half of a
# push's time; one JSON array is read faster than an array per column). Each JSON column
# goes as a string inside it, read as JSON once there: what it holds can only be a value.
_PG_APPEND = (f"INSERT INTO change_log ({', '.join(_APPEND)}) SELECT "
              + ", ".join(f"{k}::jsonb" if k in _JSON else k for k in _APPEND)
              + " FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS ("
              + ", ".join(f"{k} {'bigint' if k == 'seq' else 'text'}" for k in _APPEND)
              + f")) WITH ORDINALITY AS batch ({', '.join(_APPEND)}, n) ORDER BY n")
_SQLITE_APPEND = (f"INSERT INTO change_log ({', '.join(_APPEND)}) VALUES ("
                  + ", ".join("?" for _ in _APPEND) + ")")
# A page: the changes after a sequence number, at most so many, and no more bytes than
# PULL_BYTES once the first is in (a page of big changes would not fit in a desk's memory).
PULL_BYTES = 64_000_000
_READ = ("seq", *CHANGE_COLUMNS, "received_at")
_PG_SIZE = "pg_column_size(fields) + COALESCE(pg_column_size(seen), 0)"
_PG_READ = (f"SELECT {', '.join(_READ)} FROM (SELECT {', '.join(_READ)}, {_PG_SIZE} AS size, "
            f"sum({_PG_SIZE}) OVER (ORDER BY seq) AS upto FROM change_log WHERE seq > %s "
            "ORDER BY seq LIMIT %s) AS page WHERE upto - size < %s ORDER BY seq")


def _json_text(value):
    """A JSON column's value as JSON text (None stays NULL; text is taken as JSON)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


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
    received_at: datetime | None = None  # the store's time when it was appended


def engine_url(url: str | URL) -> URL:
    """The URL as SQLAlchemy should open it: ``postgresql://`` (as people write it) is
    driven by psycopg 3, and a connection attempt gives up after CONNECT_TIMEOUT seconds
    unless the URL sets its own. Query parameters (sslmode=... and the like) are kept."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "postgresql" and "connect_timeout" not in u.query:
        u = u.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT)})
    return u


# Query parameters libpq takes a secret from: the login's password, and a client key's.
SECRET_PARAMETERS = ("password", "sslpassword")


def public_url(url: str | URL) -> str:
    """The URL with any password taken out (before the @, and ?password= or
    ?sslpassword=): fit to print, log or keep in settings."""
    # (URL.set(password=None) would leave the password as it is: None there means "keep")
    u = make_url(url)._replace(password=None)
    return u.difference_update_query(SECRET_PARAMETERS).render_as_string(hide_password=False)


def make_engine(url: str | URL, key: bytes | None = None) -> Engine:
    """An engine on the store at ``url``. ``key``: a SQLite store's encryption key (the
    embedded store of an encrypted desk is encrypted with the desk's data key)."""
    url = engine_url(url)
    if url.get_backend_name() == "sqlite" and key is not None:
        from lr_desk.store.cipher import pragma_key

        url = url.set(drivername="sqlite+pysqlcipher", password=pragma_key(key))
    if url.get_backend_name() == "sqlite":
        from lr_desk.store.private import private_sqlite

        # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE,
        # which takes the write lock at once, starts every transaction (SQLAlchemy's
        # documented recipe for SQLite transactions).
        engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")
            dbapi_conn.execute("PRAGMA secure_delete=ON")  # what erasure blanks is overwritten
            private_sqlite(url.database)  # a store file shared on this computer: owner-only

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # READ COMMITTED whatever the server's default: under REPEATABLE READ a transaction's
    # snapshot comes from its first statement, taken before the ordering lock is granted,
    # so the max(seq) + 1 read after it could be a number another push has just taken.
    engine = create_engine(url, hide_parameters=True, pool_pre_ping=True,
                           isolation_level="READ COMMITTED")
    event.listen(engine, "connect", _json_as_text)
    return engine


def _json_loads(data: bytes):
    """JSON from PostgreSQL (always UTF-8 text) as Python values: json.loads of the text,
    not of the bytes (which first looks for the encoding: a fifth of the time of a page's
    JSON, and a pull reads two JSON values a change)."""
    return json.loads(data.decode())


def _json_as_text(dbapi_conn, _record) -> None:
    set_json_loads(_json_loads, dbapi_conn)


class CentralSchemaError(RuntimeError):
    """The central store is not at a schema this code can work with; the message says
    what to do."""


def read_schema(conn) -> str | None:
    """The central schema revision the store is at (None: not a central store yet)."""
    if not inspect(conn).has_table("central_meta"):
        return None
    return conn.scalar(select(meta.c.value).where(meta.c.key == "schema"))


def record_schema(conn, revision: str | None) -> None:
    """Keep the revision reached in central_meta (run by the migrations' env.py)."""
    if revision is None:
        conn.execute(meta.delete().where(meta.c.key == "schema"))
    elif read_schema(conn) is None:
        conn.execute(insert(meta).values(key="schema", value=revision))
    else:
        conn.execute(update(meta).where(meta.c.key == "schema").values(value=revision))


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def init_central(url: str, target: str = "head", key: bytes | None = None,
                 notes: list[str] | None = None) -> str:
    """Create the central store's schema, or upgrade it to this code's (a store made
    before migrations existed is taken as it is and upgraded). Safe to run again, and
    from two places at once. Returns the revision the store is at.

    On PostgreSQL, every run also (re)applies what stops a device's login from holding
    up the other desks (lr_desk.sync.harden), to the store and every device's login;
    what the init user had no right to do is added to ``notes``, in plain words.

    Raises CentralSchemaError if a newer lr_desk has already upgraded it further."""
    engine = make_engine(url, key)
    try:
        with engine.connect() as conn:
            current = read_schema(conn)
        if current is not None and current not in SCHEMAS:
            raise CentralSchemaError(
                f"The central store is at schema {current}, from a newer lr_desk than this "
                "one: update lr_desk here before setting it up from this computer.")
        if not (target == "head" and current == CENTRAL_SCHEMA):
            from alembic import command  # (the usual case needs none: not even imported)

            command.upgrade(alembic_config(engine), target)
            with engine.connect() as conn:
                current = read_schema(conn)
        if current == CENTRAL_SCHEMA:
            _record_versions(engine)  # this lr_desk's schema versions: changes may carry them
        if engine.dialect.name == "postgresql" and current == CENTRAL_SCHEMA:
            found = _harden(engine)
            if notes is not None:
                notes.extend(found)
        return current
    finally:
        engine.dispose()


def _harden(engine: Engine) -> list[str]:
    """Tighten the store and its device logins (lr_desk.sync.harden), on every init: a
    store made before is brought up to what this code expects. Two inits at once take
    turns (for up to a minute). A lock this needs on the log is waited for 10 s at most:
    meanwhile every desk's push and pull queue behind it, and a device sitting in a
    transaction could otherwise keep them all waiting."""
    from lr_desk.sync import harden

    with engine.begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{MIGRATE_WAIT}'")
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        return harden.harden_store(conn)


@dataclass(frozen=True)
class NewDevice:
    """What to enter on a device just registered (shown once: the password is kept
    nowhere but in the server's hash of it)."""

    name: str
    site: str
    url: str  # without the password; on PostgreSQL with the device's own login
    password: str | None  # None on SQLite: a file has no logins
    role: str | None
    # PostgreSQL: what the administrator's login had no right to tighten, in plain words
    notes: tuple[str, ...] = ()


DEVICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,35}")


def role_name(device_name: str) -> str:
    """The PostgreSQL login of a device: ``lr_device_`` and its name in lower case, any
    run of other characters as one ``_``."""
    return "lr_device_" + re.sub(r"[^a-z0-9]+", "_", device_name.lower()).strip("_")


def add_device(url: str, name: str, site: str, new_password: bool = False) -> NewDevice:
    """Register a device. On PostgreSQL also create its login with a new random password
    and the least rights it needs: connect; read the log, central_meta and device; append
    to the log (as itself only: the row-level security in migration c2). ``new_password``
    gives an already registered device a new password instead (the old one stops
    working). Raises ValueError, in plain words, for a name or site that will not do, a
    device already registered, or a store not set up by ``init_central``."""
    name, site = name.strip(), site.strip()
    if not DEVICE_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} will not do as a device name: use 1 to 36 letters, digits, spaces, "
            "dots, dashes or underscores, starting with a letter or digit.")
    if not 0 < len(site) <= 64:
        raise ValueError("Give the device's site (up to 64 characters), e.g. --site walton.")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            at = read_schema(conn)
            if at != CENTRAL_SCHEMA:
                raise ValueError(
                    "That is not a central store at this lr_desk's schema (it is at "
                    f"{at or 'nothing'}): run lr-desk central init URL first.")
            row = conn.execute(select(device.c.name, device.c.role)
                               .where(device.c.name == name)).first()
            if row is not None and not new_password:
                raise ValueError(f"A device called {name!r} is registered already "
                                 "(--new-password gives it a new password).")
            if row is None and new_password:
                raise ValueError(f"No device called {name!r} is registered here.")
            if engine.dialect.name != "postgresql":
                if row is None:
                    conn.execute(insert(device).values(name=name, site=site, role=None))
                return NewDevice(name, site, public_url(url), None, None)
            role = row.role if row is not None else role_name(name)
            password = secrets.token_urlsafe(24)
            _create_login(conn, role, password, name, exists=row is not None)
            if row is None:
                conn.execute(insert(device).values(name=name, site=site, role=role))
            notes = _harden_login(conn, role)
        return NewDevice(name, site, public_url(make_url(url).set(username=role)),
                         password, role, tuple(notes))
    finally:
        engine.dispose()


def _harden_login(conn, role: str) -> list[str]:
    """The limits of lr_desk.sync.harden for a login add-device has just made or given a
    new password; the whole store's too if no init has applied them yet (a store set up
    by an older lr_desk). None on a store at an older schema: the init that upgrades it
    applies them all."""
    from lr_desk.sync import harden

    if read_schema(conn) != SCHEMAS[-1]:
        return []
    if conn.scalar(text("SELECT to_regclass('central_order') IS NULL")):
        harden.harden_store(conn)
    return harden.harden_device(conn, role, new_password=True)


def _create_login(conn, role: str, password: str, name: str, exists: bool) -> None:
    """CREATE (or, for a new password, ALTER) the device's role, and its grants. The
    password reaches the server only as its SCRAM hash, made here by libpq: it is in no
    statement the server could log."""
    taken = conn.scalar(select(device.c.name).where(device.c.role == role))
    if not exists and taken is not None:
        raise ValueError(f"The device {taken!r} already has the login {role}; choose a "
                         "name that differs in more than case and punctuation.")
    if not exists and conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                  {"r": role}):
        raise ValueError(f"There is a login called {role} on this server already (perhaps "
                         "for another central store): choose another device name.")
    pgconn = conn.connection.driver_connection.pgconn
    hashed = pgconn.encrypt_password(password.encode(), role.encode(),
                                     b"scram-sha-256").decode()
    q = conn.dialect.identifier_preparer.quote
    secret = "'" + hashed.replace("'", "''") + "'"
    if exists:
        conn.exec_driver_sql(f"ALTER ROLE {q(role)} WITH LOGIN PASSWORD {secret}")
        return
    conn.exec_driver_sql(f"CREATE ROLE {q(role)} WITH LOGIN NOSUPERUSER NOCREATEDB "
                         f"NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD {secret}")
    database = conn.scalar(text("SELECT current_database()"))
    schema = conn.scalar(text("SELECT current_schema()"))
    for grant in (f"CONNECT ON DATABASE {q(database)}", f"USAGE ON SCHEMA {q(schema)}",
                  "SELECT, INSERT ON change_log", "SELECT ON central_meta, device"):
        conn.exec_driver_sql(f"GRANT {grant} TO {q(role)}")


class CentralStore:
    """A connection to the central log. ``ordering_lock=False`` exists only so a test
    can show what goes wrong without it."""

    def __init__(self, url: str | URL, ordering_lock: bool = True, key: bytes | None = None):
        self.url = url
        self.engine = make_engine(url, key)
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
            if self.postgres and self.ordering_lock:
                self._order(conn)
            # every change checked (PostgreSQL: by the database itself, migration c5)
            checks.check_push(batch, None if self.postgres else self.desk_versions(conn),
                              int(time.time() * 1000), each=not self.postgres)
            if self.postgres:  # one array parameter: parsed once, not 500 of them
                known = set(conn.scalars(text(
                    "SELECT change_id FROM change_log WHERE change_id = ANY(:ids)"),
                    {"ids": ids}))
            else:
                known = set(conn.scalars(select(change_log.c.change_id)
                                         .where(change_log.c.change_id.in_(ids))))
            new = [c for c in batch if c["change_id"] not in known]
            if new:
                if self.postgres and not self.ordering_lock:
                    seqs = [conn.scalar(unordered_seq.next_value()) for _ in new]
                else:
                    last = conn.scalar(select(func.coalesce(func.max(change_log.c.seq), 0)))
                    seqs = range(last + 1, last + 1 + len(new))
                # An erased person's information is blanked (on PostgreSQL by triggers)
                erasing = None if self.postgres else redact.before_append(conn, new)
                # The driver's own: SQLAlchemy's per-value processing costs more than the
                # insert. JSON may come as text already (from the outbox).
                rows = [(seq, *(_json_text(c.get(k)) if k in _JSON else c.get(k)
                                for k in CHANGE_COLUMNS))
                        for seq, c in zip(seqs, new, strict=True)]
                if self.postgres:
                    conn.exec_driver_sql(_PG_APPEND, (json.dumps(
                        [dict(zip(_APPEND, row, strict=True)) for row in rows],
                        ensure_ascii=False),))
                else:
                    conn.exec_driver_sql(_SQLITE_APPEND, rows)
                if erasing:
                    redact.after_append(conn, erasing)
                elif self.postgres:  # the owner's login checks erasures (c7) at once
                    redact.owner_append(conn, new)
            if self._hold_before_commit:
                time.sleep(self._hold_before_commit)
        if erasing and erasing[0]:  # (SQLite) what was blanked: out of the write-ahead log
            redact.checkpoint(self.engine)
        return ids

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
        with self.engine.connect() as conn:
            if self.postgres:  # psycopg reads jsonb as Python values (_json_loads)
                # The page from the driver's cursor at once (psycopg has it all once the
                # query returns): SQLAlchemy's result read it a row at a time, a tenth
                # of a pull's fetching time.
                result = conn.exec_driver_sql(_PG_READ, (after, limit, max_bytes))
                return [Change(*row) for row in result.cursor.fetchall()]
            t = change_log.c
            size = (func.length(cast(t.fields, LargeBinary))
                    + func.coalesce(func.length(cast(t.seen, LargeBinary)), 0))
            page = (select(*(t[k] for k in _READ), size.label("size"),
                           func.sum(size).over(order_by=t.seq).label("upto"))
                    .where(t.seq > after).order_by(t.seq).limit(limit).subquery())
            rows = conn.execute(select(*(page.c[k] for k in _READ))
                                .where(page.c.upto - page.c.size < max_bytes)
                                .order_by(page.c.seq)).all()
        return [Change(*row) for row in rows]

    def desk_versions(self, conn=None) -> frozenset[str] | None:
        """The desk schema versions the store knows now (None: a store from before it
        kept them). Read afresh each time: a newer lr_desk's init may add to them."""
        if conn is None:
            with self.engine.connect() as c:
                return self.desk_versions(c)
        if self._has_versions is None:
            self._has_versions = inspect(conn).has_table("desk_schema")
        if not self._has_versions:
            return None
        return frozenset(conn.scalars(select(desk_schema.c.version)))

    def proofs_from(self) -> int:
        """The log's head when the store was upgraded to proofs of authority (migration
        c6): accounts and erasures up to it are taken as they are (store.authority).
        Read once: it never changes."""
        if self._proofs_from is None:
            with self.engine.connect() as conn:
                value = conn.scalar(select(meta.c.value).where(meta.c.key == "proofs_from"))
            self._proofs_from = int(value) if value is not None else 0
        return self._proofs_from

    def store_id(self) -> str:
        """This store's identity (made at init): a device's cursor belongs to one store.
        Read once: a push and a pull both ask, and it never changes."""
        if self._store_id is None:
            with self.engine.connect() as conn:
                self._store_id = conn.scalar(
                    select(meta.c.value).where(meta.c.key == "store_id"))
        return self._store_id

    def schema(self) -> str | None:
        """The central schema revision the store is at (None: not a central store)."""
        with self.engine.connect() as conn:
            return read_schema(conn)

    def head(self) -> int:
        """The newest sequence number (0 for an empty log)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(func.coalesce(func.max(change_log.c.seq), 0)))
