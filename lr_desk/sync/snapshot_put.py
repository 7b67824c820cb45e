"""First sync from a snapshot: putting the downloaded file into the device's database
(sync.snapshot_load downloads it and calls ``load``).

The file BECOMES the device's database, page by page, through SQLite's online backup
(sqlite3_backup) from the file into the device's open database: each page is decrypted
with the snapshot's key and written encrypted with the device's own. No table or index is
built again. Measured on the ten-year dataset (a 3.1 GB snapshot, 2-core machine,
benchmarks/snapshot_device_bench.py): copying its tables row by row into the device took
55-61 s (2026-12-06); the page copy, its checkpoint included, 35-36 s (2026-12-07).

The backup is ONE write transaction on the device's database, in its write-ahead log: a
kill at any moment leaves the device as it was (and the file, to load next time) or
loaded, and other connections (the desk's, another lr_desk's on this profile) see the one
or the other. While it runs, the device's write lock is the backup's (from its first
step to its commit), so nothing the desk saves can fall between what is read from the
device below and the copy: a save waits (or, past the desk's busy timeout, says the desk
is busy and keeps what was typed).

What stays this device's own (KEPT) is written INTO THE FILE once the backup holds that
lock (after its first step), read from the device then: SQLite restarts a backup whose
source another connection changed, so what is copied is the file with them. Then this
device's own changes (its outbox) are merged into the file as any device merges them
(merging does not depend on order, and a change the snapshot holds changes nothing), and
the cursor, the store's id and the newest clock seen come from the snapshot's sync_state.
The file is changed only by this, which does the same again when run again: a load
killed after it is done again from the same file, not downloaded again.

Which tables, and why (a test checks every table of the schema is one or the other):
COPIED: what merging pulled changes writes -
  every synced table (store.models.SYNCED_MODELS: the records);
  row_clock and conflict (store.merge, merge_rows: each value's clock; the values that
    lost, open or settled);
  erased_row (store.erase: rows erased, so a late change to one is blanked as merged);
  set_aside (sync.screen: changes no desk applies, with why);
  authority_account, authority_device (store.authority: the accounts as the log made
    them, and devices that sent account changes: later proofs are checked with them);
  search_key, search_dirty (services.search_keys: the Find box's words, made from the
    people copied here, and the people whose words are still to be made: they fit the
    person rows as they are, and triggers mark the people merged on top).
KEPT: this device's own -
  device (its identity), setting (its settings), draft (forms being typed), outbox (its
  changes: merged again on top, and kept to send to another store), sync_state (but for
  TAKEN, from the snapshot), alembic_version (the snapshot's must be the same), site and
  category (shipped reference data every device seeds, never synced).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import URL, create_engine
from sqlalchemy.pool import NullPool

from lr_desk.store import cipher, erase, merge
from lr_desk.store.db import Store
from lr_desk.store.models import SYNCED_MODELS
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.progress import LOAD, Progress
from lr_desk.sync.push import put_state, state

log = logging.getLogger(__name__)

COPIED = (*SYNCED_MODELS, "row_clock", "conflict", "erased_row", "set_aside",
          "authority_account", "authority_device", "search_key", "search_dirty")
KEPT = ("device", "setting", "draft", "outbox", "sync_state", "alembic_version", "site",
        "category")
TAKEN = ("cursor", "central_id", "hlc_high")  # of sync_state, from the snapshot
STEP_PAGES = 4096  # pages copied per backup step (16 MB): the progress shown between them
TOUCHED_KEPT = 1000  # ids said touched per kind of record (every person's: search)
MERGE_PAGE = 5000


class SnapshotError(RuntimeError):
    """A snapshot could not be loaded; the message says why in plain words."""


@dataclass
class Loaded:
    """What a snapshot brought (for engine.pull's Synced)."""

    at_seq: int
    conflicts: int  # open ones
    touched: dict[str, set[str]] = field(default_factory=dict)


Report = Callable[[Progress], None] | None


def load(store: Store, path: Path, key: bytes, central_id: str, at_seq: int,
         progress: Report = None) -> Loaded:
    """Make the snapshot file at ``path`` (SQLCipher, ``key``) this device's database,
    with what is this device's own in it (see the module's docstring). Raises
    SnapshotError if the file is not a snapshot of this store at ``at_seq`` in this
    desk's schema, or this desk has pulled meanwhile (nothing changed then).
    ``progress``: pages copied of all."""
    source = cipher.connect(path, key)
    try:
        _check(source, central_id, at_seq)
        (pages,) = source.execute("PRAGMA page_count").fetchone()
        # the first step must leave pages to copy: the device's own go in after it
        step = max(1, min(STEP_PAGES, pages // 2))
        erased: list[int] = []

        def after_step(_status: int, remaining: int, total: int) -> None:
            if not erased:  # the first: the device's write lock is the backup's now
                erased.append(_own_into(store, path, key, central_id, at_seq))
            if progress:
                progress(Progress(total - remaining, total, LOAD))

        if progress:
            progress(Progress(0, pages, LOAD))
        with store.engine.connect() as conn:
            target = conn.connection.driver_connection
            try:
                source.backup(target, pages=step, progress=after_step)
            except sqlcipher3.Error as exc:
                if "disk is full" in str(exc):
                    raise  # (the computer's to sort out: a replay would fill it too)
                raise SnapshotError(f"The snapshot could not be copied in ({exc}).") from exc
    finally:
        source.close()
    _checkpoint(store)
    if erased and erased[0]:  # an erasure of this device's own, merged again
        erase.wipe(store.engine)
    with store.engine.connect() as conn:
        high = state(conn, "hlc_high", "")
        touched: dict[str, set[str]] = {}
        for table in SYNCED_MODELS:
            limit = "" if table == "person" else f" LIMIT {TOUCHED_KEPT}"
            ids = set(conn.exec_driver_sql(f"SELECT id FROM {table}{limit}").scalars())
            if ids:
                touched[table] = ids
        conflicts = conn.exec_driver_sql(
            "SELECT count(*) FROM conflict WHERE resolved_hlc IS NULL").scalar_one()
    if high:
        store.clock.observe(high)
    return Loaded(at_seq, conflicts, touched)


def _value(stored):
    """A sync_state value as read without SQLAlchemy (its JSON column's text; a number as
    SQLite stores one)."""
    return json.loads(stored) if isinstance(stored, str) else stored


def _check(source, central_id: str, at_seq: int) -> None:
    try:
        (revision,) = source.execute("SELECT version_num FROM alembic_version").fetchone()
        theirs = dict(source.execute(
            "SELECT key, value FROM sync_state WHERE key IN (?, ?)", TAKEN[:2]).fetchall())
    except sqlcipher3.Error as exc:
        raise SnapshotError(f"The snapshot file cannot be read ({exc}).") from exc
    if revision != SCHEMA_VERSION:
        raise SnapshotError(f"The snapshot was made by another version of lr_desk "
                            f"({revision}, not {SCHEMA_VERSION}).")
    theirs = {k: _value(v) for k, v in theirs.items()}
    if theirs.get("central_id") != central_id or theirs.get("cursor") != at_seq:
        raise SnapshotError("The snapshot is not the one the central store describes "
                            "(another store's, or at another place in its log).")


def _own_into(store: Store, path: Path, key: bytes, central_id: str, at_seq: int) -> int:
    """Write this device's own tables into the snapshot file, merge its own changes in,
    and give it the snapshot's place in the log (one transaction on the file); returns
    how many rows an erasure among its changes erased."""
    engine = create_engine(
        URL.create("sqlite+pysqlcipher", password=cipher.pragma_key(key), database=str(path)),
        poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            db = conn.connection.driver_connection
            db.isolation_level = None  # BEGIN and COMMIT as said here
            db.execute("PRAGMA foreign_keys=OFF")  # (as the store was left)
            db.execute("PRAGMA secure_delete=ON")
            db.execute(f'ATTACH DATABASE ? AS dev KEY "{cipher.pragma_key(store.key)}"',
                       (str(store.path),))
            # (not IMMEDIATE: that would ask for the device's write lock too, the backup's)
            db.execute("BEGIN")
            try:
                erased = _own(conn, db, central_id, at_seq)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("DETACH DATABASE dev")
    finally:
        engine.dispose()
    return erased


def _own(conn, db, central_id: str, at_seq: int) -> int:
    def sync_state(schema: str) -> dict:
        return {k: _value(v) for k, v in db.execute(
            f"SELECT key, value FROM {schema}.sync_state").fetchall()}

    mine, theirs = sync_state("dev"), sync_state("main")
    if mine.get("central_id") not in (None, central_id) or mine.get("cursor"):
        raise SnapshotError("This desk has pulled meanwhile (another lr_desk on this "
                            "profile): it goes on from there.")
    for table in KEPT:
        if table != "alembic_version":
            _copy(db, table)
    erased = _merge_own(conn)
    put_state(conn, "cursor", at_seq)
    put_state(conn, "central_id", central_id)
    put_state(conn, "hlc_high", max(theirs.get("hlc_high") or "", mine.get("hlc_high") or ""))
    return erased


def _copy(db, table: str) -> None:
    """Replace the file's rows of ``table`` by the device's (its triggers off meanwhile:
    the outbox's refuse some deletes, and a trigger would stop SQLite's fast copy)."""
    mine = [r[1] for r in db.execute(f"PRAGMA dev.table_info({table})").fetchall()]
    theirs = [r[1] for r in db.execute(f"PRAGMA main.table_info({table})").fetchall()]
    if sorted(mine) != sorted(theirs):
        raise SnapshotError(f"The snapshot's {table} is not this desk's.")
    triggers = db.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = ?", (table,)).fetchall()
    for name, _sql in triggers:
        db.execute(f'DROP TRIGGER main."{name}"')
    db.execute(f"DELETE FROM main.{table}")
    names = ", ".join(f'"{n}"' for n in theirs)
    db.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM dev.{table}")
    for _name, sql in triggers:
        db.execute(sql)


@dataclass(frozen=True)
class _Own:
    """One of this device's own changes, from its outbox, as merge.apply_changes takes
    a pulled one."""

    change_id: str
    entity: str
    entity_id: str
    op: str
    fields: dict
    hlc: str
    seen: Any


def _merge_own(conn) -> int:
    """Merge this device's own changes into what was loaded, in the order they were
    made, as another device merges them; returns how many rows an erasure among them
    erased."""
    erased, after = 0, 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT seq, change_id, entity, entity_id, op, fields, hlc, seen FROM "
            "main.outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after, MERGE_PAGE)).all()
        if not rows:
            return erased
        after = rows[-1][0]
        own = [_Own(change_id, entity, entity_id, op, json.loads(fields), hlc,
                    json.loads(seen) if seen else None)
               for _seq, change_id, entity, entity_id, op, fields, hlc, seen in rows]
        erased += merge.apply_changes(conn, own, own_device="").erased


def _checkpoint(store: Store) -> None:
    """The copy is in the write-ahead log (and, by the commit's checkpoint, in the
    file): give the log's room back (best effort: a reader may hold it a while)."""
    try:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # (the next checkpoint does it)
        log.info("the write-ahead log is emptied later", exc_info=True)
