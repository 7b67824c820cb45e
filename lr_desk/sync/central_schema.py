"""The central store's schema, its engine and its set-up (``init_central``).

The tables of the central store (the log, its meta, the devices, the desk schema versions
it knows), the revisions of its schema (Alembic, in central_migrations/), how an engine is
made for a URL (PostgreSQL through psycopg 3, or a SQLite file), and ``init_central``,
which makes or upgrades a store and, on PostgreSQL, tightens it and its device logins
(lr_desk.sync.harden). Reading and appending the log is lr_desk.sync.central's;
registering a device is lr_desk.sync.devices'.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from json.scanner import make_scanner
from pathlib import Path

from psycopg.adapt import Loader
from psycopg.types.json import set_json_loads
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    String,
    Table,
    create_engine,
    event,
    false,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, make_url

from lr_desk.store.cipher import pragma_key
from lr_desk.store.private import private_sqlite
from lr_desk.sync import checks, harden

# The central schema's migrations (Alembic, in central_migrations/), oldest first; the
# revision a store is at is also kept in central_meta under "schema" (a test keeps this
# list equal to the scripts).
SCHEMAS = ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12",
           "c13")
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
# The first-sync snapshot (migration c11; lr_desk.sync.snapshot_store): a device's whole
# database at a log position, SQLCipher-encrypted with ``key``, in parts.
snapshot = Table("snapshot", metadata,
                 Column("id", String(36), primary_key=True),
                 Column("at_seq", BigInteger, nullable=False),
                 Column("store_revision", String(32), nullable=False),
                 Column("key", String(64), nullable=False),
                 Column("size", BigInteger),
                 Column("sha256", String(64)),
                 Column("parts", Integer),
                 Column("made_at", DateTime(timezone=True)),
                 Column("ready", Boolean, nullable=False, server_default=false()))
snapshot_part = Table("snapshot_part", metadata,
                      Column("snapshot_id", String(36),
                             ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True),
                      Column("n", Integer, primary_key=True, autoincrement=False),
                      Column("data", LargeBinary, nullable=False))


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


CHANGE_FIELDS = tuple(f.name for f in dataclasses.fields(Change))


def changes_of(rows: Iterable) -> list[Change]:
    """Changes from rows holding every one of CHANGE_FIELDS, in that order: each made
    with its values put in at once (a frozen dataclass's own __init__ sets each one
    through object.__setattr__: a tenth of reading a page).  Equal to Change(*row)."""
    new, names, out = object.__new__, CHANGE_FIELDS, []
    for row in rows:
        change = new(Change)
        change.__dict__.update(zip(names, row, strict=True))
        out.append(change)
    return out


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
        url = url.set(drivername="sqlite+pysqlcipher", password=pragma_key(key))
    if url.get_backend_name() == "sqlite":
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


_scan = make_scanner(json.JSONDecoder())  # json.loads' own parser, without its layers


def _json_loads(data: bytes):
    """JSON from PostgreSQL (always UTF-8 text) as Python values: the text parsed by
    json's scanner itself, not through json.loads (which first looks for the encoding of
    bytes and skips whitespace, three calls deep: a pull reads two JSON values a change,
    and a change's seen is mostly plain null). Anything the scanner does not take whole
    (whitespace around a json value, or not JSON) goes through json.loads, which says."""
    if data == b"null":
        return None
    text = data.decode()
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)


class _JsonText(Loader):
    """json and jsonb read as text, through _json_loads (psycopg's own loader adds a
    call a value)."""

    def load(self, data):
        return _json_loads(data if type(data) is bytes else bytes(data))


def _json_as_text(dbapi_conn, _record) -> None:
    set_json_loads(_json_loads, dbapi_conn)  # (the binary forms, should one be asked for)
    for name in ("json", "jsonb"):
        dbapi_conn.adapters.register_loader(name, _JsonText)


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
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{MIGRATE_WAIT}'")
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        return harden.harden_store(conn)
