"""Opening the local store: the SQLite engine, sessions, migrations and backups."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, create_engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from lr_desk.store import cipher, outbox, schema
from lr_desk.store.clock import HybridClock
from lr_desk.store.models import Device, Outbox, SyncState
from lr_desk.store.private import create_private, private_dir, private_file

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
KEEP_BACKUPS = 10
ENCRYPTED_CACHE_KIB = 32 * 1024  # per connection, at most (see make_engine)
# All of SQLite's memory in this process, every connection's cache together: past it, a
# connection reuses its own oldest pages rather than take more. Each connection used to
# keep up to 64 MB, and several are open at once (one per worker lane that reads): with
# the ten-year dataset, SQLite held 85 MB at start and could hold 200 MB by the day's end.
SQLITE_HEAP_LIMIT = 32 * 2**20


def make_engine(path: Path, key: bytes | None = None) -> Engine:
    """An engine on the database file; with ``key``, through SQLCipher (the file is
    encrypted with that raw 256-bit key: no passphrase derivation on each connection)."""
    if key is None:
        url = URL.create("sqlite", database=str(path))
    else:
        url = URL.create("sqlite+pysqlcipher", password=cipher.pragma_key(key),
                         database=str(path))
    # hide_parameters: an error's message never carries the values bound to its statement
    # (private notes, names, contact details); it reaches the log file and message boxes.
    engine = create_engine(url, connect_args={"check_same_thread": False},
                           hide_parameters=True, poolclass=QueuePool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA secure_delete=ON")  # what is deleted is overwritten: erasure
        cur.execute(f"PRAGMA soft_heap_limit={SQLITE_HEAP_LIMIT}")  # (the whole process's)
        if key is not None:
            # Every page read from an encrypted file is decrypted (and its HMAC checked)
            # as it comes into SQLite's cache: a cache of up to 32 MB, not 2 MB, keeps a
            # long history decrypted (the busiest person's ten years read some 18 MB of
            # pages: opened again, none is read from the file).
            cur.execute(f"PRAGMA cache_size=-{ENCRYPTED_CACHE_KIB}")
        cur.close()

    return engine


# Alembic is imported only when a migration is due: it costs a tenth of a second at start.


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for a new, empty database)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:  # no such table: nothing has been migrated yet
            return None


def backup(db_path: Path, dest_dir: Path, label: str, key: bytes | None = None) -> Path:
    """Copy a live database with SQLite's online backup (consistent even in WAL mode).
    An encrypted database's backup is encrypted with the same key."""
    from lr_desk.store.clock import utcnow

    private_dir(dest_dir)
    dest = dest_dir / f"{db_path.stem}-{label}-{utcnow():%Y%m%dT%H%M%S%f}.sqlite"
    create_private(dest)  # owner-only from the start (SQLite keeps a file's mode)
    cipher.copy(db_path, dest, key)
    private_file(dest)
    old = sorted(dest_dir.glob(f"{db_path.stem}-*.sqlite"))
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)
    return dest


class MigrationError(RuntimeError):
    """The database could not be brought to the code's schema. The migration was rolled
    back (and an existing database's backup put back); the message says if that failed."""


class NewerDataError(MigrationError):
    """The database was written by a newer lr_desk: this one must not touch it."""


def _known_revision(revision: str) -> bool:
    """Whether this code has the migration ``revision`` (else a newer lr_desk wrote it)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except CommandError:  # "Can't locate revision": not one of ours
        return False


def restore(saved: Path, db_path: Path, key: bytes | None = None) -> None:
    """Put a backup back in place of the database (through SQLite, so the WAL is reset
    too). Every connection to ``db_path`` must be closed first."""
    cipher.copy(saved, db_path, key)


def migrate(engine: Engine, db_path: Path, backup_dir: Path, target: str = "head",
            key: bytes | None = None) -> Path | None:
    """Bring the schema to ``target``; back the file up first if it already holds a schema.

    The migration runs in one transaction (see migrations/env.py): if it fails, nothing of
    it stays. Should anything of a failed migration of an existing database have reached
    the file all the same, the backup just made is put back. Either way MigrationError is
    raised, and the database is as it was before."""
    current = current_revision(engine)
    # SCHEMA_VERSION is the head (a test keeps them equal): no need to read the scripts
    head = schema.SCHEMA_VERSION if target == "head" else target
    if current == head:
        return None
    if current is not None and target == "head" and not _known_revision(current):
        raise NewerDataError(
            "This desk's data was saved by a newer version of lr_desk. Please update "
            "lr_desk on this computer (nothing has been changed).")
    saved = None
    if current is not None:
        saved = backup(db_path, backup_dir, f"before-{head}", key)
        log.info("backed up %s to %s before migrating %s -> %s", db_path, saved, current, head)
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), target)
    except Exception as exc:
        log.exception("migrating %s from %s to %s failed", db_path, current or "nothing", head)
        engine.dispose()  # no connection may hold the file while it is put back
        if saved is None:
            raise MigrationError(
                f"Could not set up the database {db_path} (schema {head}): "
                f"{type(exc).__name__}; it was rolled back.") from exc
        try:
            restore(saved, db_path, key)
        except Exception as again:
            log.exception("could not restore %s from %s", db_path, saved)
            raise MigrationError(
                f"Could not upgrade the database {db_path} from schema {current} to {head} "
                f"({type(exc).__name__}), and could not put the backup back "
                f"({type(again).__name__}): copy {saved} over it by hand.") from exc
        raise MigrationError(
            f"Could not upgrade the database {db_path} from schema {current} to {head} "
            f"({type(exc).__name__}); it is as it was before (restored from {saved}).") from exc
    return saved


class Store:
    """The local database of one profile: engine, session factory, device id and clock."""

    def __init__(self, db_path: Path, backup_dir: Path | None = None, migrate_to: str = "head",
                 key: bytes | None = None):
        self.path = Path(db_path)
        private_dir(self.path.parent)
        create_private(self.path)  # owner-only: SQLite gives its -wal and -shm the same mode
        self.key = key  # the data key of an encrypted database (None: a plain one)
        self.engine = make_engine(self.path, key)
        self.backup_dir = backup_dir or self.path.parent / "backups"
        try:
            self.last_backup = migrate(self.engine, self.path, self.backup_dir, migrate_to,
                                       key)
        except BaseException:
            self.engine.dispose()
            raise
        self.device_id = self._device_id()
        self.advisor_id: str | None = None  # the advisor at this desk (set by the app)
        self.clock = HybridClock(self.device_id)
        self._restore_clock()
        self.Session = sessionmaker(self.engine, expire_on_commit=False,
                                    info={"clock": self.clock, "device_id": self.device_id,
                                          "data_key": key})
        outbox.install(self.Session)

    def _device_id(self) -> str:
        with Session(self.engine) as s, s.begin():
            device = s.scalar(select(Device))
            if device is None:
                device = Device()
                s.add(device)
                s.flush()
            return device.id

    def _restore_clock(self) -> None:
        with Session(self.engine) as s:
            last = s.scalar(select(Outbox.hlc).order_by(Outbox.seq.desc()).limit(1))
            seen = s.scalar(select(SyncState.value).where(SyncState.key == "hlc_high"))
        for stamp in (last, seen):
            if not stamp:
                continue
            try:
                self.clock.observe(stamp)
            except ValueError:  # not wall-counter-device (an old profile's): the desk opens
                log.warning("A clock stamp on this desk is not one lr_desk makes (%r); the "
                            "desk's clock goes on from the others and the time of day.",
                            stamp[:60])

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.Session() as s, s.begin():
            if self.advisor_id:
                s.info["advisor_id"] = self.advisor_id  # who, for "Needs review"
            yield s

    @contextmanager
    def scanning(self, session: Session | Connection) -> Iterator[None]:
        """Around a read of a whole table (the search index's, a review's): this
        connection keeps the default small cache meanwhile, and gives back what it held
        after; an encrypted store's cache may otherwise grow to 32 MB with pages that
        are read once (at start, while the index is built: the desk's peak memory)."""
        small = self.key is not None
        if small:
            session.execute(text("PRAGMA cache_size=-2000"))
        try:
            yield
        finally:
            if small:
                session.execute(text("PRAGMA shrink_memory"))
                session.execute(text(f"PRAGMA cache_size=-{ENCRYPTED_CACHE_KIB}"))

    def close(self) -> None:
        self.engine.dispose()
