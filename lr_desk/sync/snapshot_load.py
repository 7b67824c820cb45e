"""First sync from a snapshot: the device's side.

A new device's first sync would replay the whole central log (millions of changes at ten
years). The central store keeps a SNAPSHOT instead (sync.snapshot_build, snapshot_store):
the database of a device that pulled the log up to ``at_seq``, encrypted by SQLCipher
with a key of its own, in parts. A new device downloads it, loads it in bulk, then pulls
on from ``at_seq`` as any device does (engine.pull calls ``first_sync_from_snapshot``
when its cursor is 0).

Only a device that has nothing but what it could send (``eligible``): it has never
merged anything pulled, every change it made is sent (sync_once pushes first), and its
records are those changes and the shipped examples every device seeds. Its database must
be encrypted (SQLCipher attaches the snapshot; a plain file, from before encryption or a
test's, replays the log as before).

Download: the parts in order, appended to ``snapshot-<id>.part`` in the profile folder
(the bytes as stored: encrypted with the snapshot's key, nothing readable on disk);
beside it ``snapshot-<id>.json`` says how many whole parts it holds, written after they
are on disk, so a download stopped (Stop, a dropped connection, a kill) goes on from
there. Size and SHA-256 are checked at the end. A snapshot that has gone meanwhile (a
newer one replaced it, an erasure dropped it) is deleted here too, and the newest is
fetched instead, or, if there is none, the log is replayed.

Load: in ONE transaction on the device's database, the file is attached with its key and
the tables a replay writes (COPIED) are replaced by its own; this device's own changes
(its outbox, all sent) are then merged on top, as any device merges them (merging does
not depend on order, and a change the snapshot holds already changes nothing); the
cursor, the store's id and the newest clock seen come from the snapshot's sync_state. A
kill anywhere leaves either the device as it was (and the file, to load next time) or
loaded. Tables are copied whole with ``INSERT INTO t SELECT * FROM snap.t`` into an empty
table with foreign keys off and no trigger on it, which SQLite does by copying records
and index entries as they are (its "transfer optimisation": no index is built again).

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

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3

from lr_desk.store import erase, merge
from lr_desk.store.cipher import pragma_key
from lr_desk.store.db import Store
from lr_desk.store.models import SYNCED_MODELS
from lr_desk.store.private import create_private
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.central import CentralStore
from lr_desk.sync.progress import DOWNLOAD, LOAD, Progress
from lr_desk.sync.push import put_state, state
from lr_desk.sync.snapshot_store import SnapshotInfo, latest_snapshot, snapshot_part

log = logging.getLogger(__name__)

COPIED = (*SYNCED_MODELS, "row_clock", "conflict", "erased_row", "set_aside",
          "authority_account", "authority_device", "search_key", "search_dirty")
KEPT = ("device", "setting", "draft", "outbox", "sync_state", "alembic_version", "site",
        "category")
TAKEN = ("cursor", "central_id", "hlc_high")  # of sync_state, from the snapshot
SEEDED = ("partner", "partner_service", "course")  # the shipped examples (no clock)
WORTH = 5000  # a snapshot of no more changes than a page of pulling (engine.PAGE): replay
ATTEMPTS = 3  # snapshots gone while downloaded, before the log is replayed instead
TOUCHED_KEPT = 1000  # ids said touched per kind of record (every person's: search)
MERGE_PAGE = 5000


class SnapshotError(RuntimeError):
    """A snapshot could not be loaded; the message says why in plain words."""


class _Gone(Exception):
    """The snapshot being downloaded is no longer in the store (or came corrupted)."""


@dataclass
class Loaded:
    """What a snapshot brought (for engine.pull's Synced)."""

    at_seq: int
    conflicts: int  # open ones
    touched: dict[str, set[str]] = field(default_factory=dict)


Report = Callable[[Progress], None] | None


def first_sync_from_snapshot(store: Store, central: CentralStore, progress: Report = None,
                             stop: Callable[[], bool] | None = None) -> Loaded | None:
    """Load the store's newest snapshot into this new device, if it is one, and there
    is a snapshot worth it (see the module's docstring). None: the log is to be replayed
    as before (or the download was stopped: ``stop()`` says so; it goes on next time)."""
    folder = store.path.parent
    central_id = central.store_id()
    for _ in range(ATTEMPTS):
        info = latest_snapshot(central) if eligible(store, central_id) else None
        if info is None or info.store_revision != SCHEMA_VERSION or info.at_seq <= WORTH:
            clear(folder)
            return None
        try:
            path = download(folder, central, info, progress, stop)
        except _Gone:
            log.info("snapshot %s gone while it was downloaded: starting again", info.id)
            continue
        if path is None:
            return None  # stopped: the parts here are kept for next time
        try:
            loaded = load(store, path, info.key, central_id, info.at_seq, progress)
        except SnapshotError:
            log.warning("snapshot %s not loaded: replaying the log", info.id, exc_info=True)
            loaded = None
        clear(folder)
        return loaded
    clear(folder)
    return None


def eligible(store: Store, central_id: str) -> bool:
    """Whether this device has nothing but what it could send (a new device)."""
    if store.key is None:
        return False
    with store.engine.connect() as conn:
        pulled_from = state(conn, "central_id")
        if pulled_from is not None and (pulled_from != central_id or state(conn, "cursor", 0)):
            return False
        if conn.exec_driver_sql("SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1").first():
            return False
        for table in SYNCED_MODELS:
            examples = " AND id IN (SELECT entity_id FROM row_clock)" if table in SEEDED else ""
            if conn.exec_driver_sql(
                    f"SELECT 1 FROM {table} WHERE id NOT IN (SELECT entity_id FROM outbox)"
                    f"{examples} LIMIT 1").first():
                return False
    return True


# --- the download -------------------------------------------------------------------


def part_file(folder: Path, snapshot_id: str) -> Path:
    return folder / f"snapshot-{snapshot_id}.part"


def _mark_file(folder: Path, snapshot_id: str) -> Path:
    return folder / f"snapshot-{snapshot_id}.json"


def clear(folder: Path, keep: str | None = None) -> None:
    """Delete the snapshot files here (but those of snapshot ``keep``)."""
    for path in folder.glob("snapshot-*.*"):
        if path.suffix in (".part", ".json", ".tmp") and path.name.split(".")[0] != (
                f"snapshot-{keep}"):
            path.unlink(missing_ok=True)


def _had(folder: Path, info: SnapshotInfo) -> tuple[int, int]:
    """(whole parts, bytes) of this snapshot already here."""
    path, mark = part_file(folder, info.id), _mark_file(folder, info.id)
    try:
        had = json.loads(mark.read_text())
        parts, size = int(had["parts"]), int(had["bytes"])
        if 0 <= parts <= info.parts and 0 <= size <= min(path.stat().st_size, info.size):
            return parts, size
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return 0, 0


def _note(folder: Path, snapshot_id: str, parts: int, size: int) -> None:
    mark = _mark_file(folder, snapshot_id)
    fresh = mark.with_suffix(".tmp")
    create_private(fresh)
    fresh.write_text(json.dumps({"parts": parts, "bytes": size}))
    os.replace(fresh, mark)


_PG_PART = ("SELECT p.data FROM snapshot_part p JOIN snapshot s ON s.id = p.snapshot_id "
            "WHERE p.snapshot_id = %s AND p.n = %s AND s.ready")


def _part(central: CentralStore, snapshot_id: str, n: int) -> bytes | None:
    """snapshot_store.snapshot_part; from PostgreSQL in the binary protocol: bytea's text
    form is hex, twice the bytes, and was read at 20 MB/s against 150 MB/s so (8 MiB
    parts, loopback, 2026-12-06): minutes at ten years."""
    if not central.postgres:
        return snapshot_part(central, snapshot_id, n)

    def read(conn):
        cur = conn.connection.driver_connection.cursor(binary=True)
        try:
            cur.execute(_PG_PART, (snapshot_id, n))
            row = cur.fetchone()
        finally:
            cur.close()
        return None if row is None else bytes(row[0])
    return central._read(read)


def download(folder: Path, central: CentralStore, info: SnapshotInfo, progress: Report = None,
             stop: Callable[[], bool] | None = None) -> Path | None:
    """The snapshot's whole file, checked (None: stopped between two parts). Goes on
    from the whole parts already here. Raises _Gone if the snapshot has gone, or the
    file is not the one it should be (both files are deleted then)."""
    clear(folder, keep=info.id)
    path = part_file(folder, info.id)
    parts, size = _had(folder, info)
    create_private(path)
    digest = hashlib.sha256()
    with open(path, "r+b") as f:
        f.truncate(size)
        while f.tell() < size:  # what was fetched before: into the digest
            digest.update(f.read(min(1 << 20, size - f.tell())))
        while parts < info.parts:
            if progress:
                progress(Progress(size, info.size, DOWNLOAD))
            if stop and stop():
                return None
            data = _part(central, info.id, parts)
            if data is None:
                f.close()
                clear(folder)
                raise _Gone
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            digest.update(data)
            parts, size = parts + 1, size + len(data)
            _note(folder, info.id, parts, size)
    if progress:
        progress(Progress(size, info.size, DOWNLOAD))
    if size != info.size or digest.hexdigest() != info.sha256:
        log.warning("snapshot %s downloaded is not the file it should be (%d bytes of %d)",
                    info.id, size, info.size)
        clear(folder)
        raise _Gone
    return path


# --- the load -----------------------------------------------------------------------


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


def load(store: Store, path: Path, key: bytes, central_id: str, at_seq: int,
         progress: Report = None) -> Loaded:
    """Replace what a replay writes by the snapshot file at ``path`` (SQLCipher, ``key``),
    merge this device's own changes on top, and take the snapshot's place in the log:
    one transaction. Raises SnapshotError if the file is not a snapshot of this store at
    ``at_seq`` in this desk's schema (nothing changed then). ``progress``: tables copied
    of all (and one more step: this device's own changes and the commit)."""
    if progress:
        progress(Progress(0, len(COPIED) + 1, LOAD))
    with store.engine.connect() as conn:
        db = conn.connection.driver_connection  # this connection's, until it is closed
        level = db.isolation_level
        db.isolation_level = None  # BEGIN and COMMIT as said here
        try:
            db.execute("PRAGMA foreign_keys=OFF")  # (so the copy is the fast one)
            db.execute(f'ATTACH DATABASE ? AS snap KEY "{pragma_key(key)}"', (str(path),))
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    loaded, erased = _load(conn, db, central_id, at_seq, progress)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            finally:
                try:
                    db.execute("DETACH DATABASE snap")
                except sqlcipher3.Error:  # (the connection is dropped below all the same)
                    log.exception("could not detach the snapshot")
        finally:
            db.isolation_level = level
            conn.invalidate()  # its pragmas were changed: the next one is made afresh
    if progress:
        progress(Progress(len(COPIED) + 1, len(COPIED) + 1, LOAD))
    if erased:  # an erasure of this device's own, merged again: out of the WAL too
        erase.wipe(store.engine)
    with store.engine.connect() as conn:
        high = state(conn, "hlc_high", "")
    if high:
        store.clock.observe(high)
    return loaded


def _load(conn, db, central_id: str, at_seq: int, progress: Report) -> tuple[Loaded, int]:
    (revision,) = db.execute("SELECT version_num FROM snap.alembic_version").fetchone()
    if revision != SCHEMA_VERSION:
        raise SnapshotError(f"The snapshot was made by another version of lr_desk "
                            f"({revision}, not {SCHEMA_VERSION}).")
    theirs = {k: json.loads(v) if isinstance(v, str) else v for k, v in db.execute(
        "SELECT key, value FROM snap.sync_state WHERE key IN (?, ?, ?)", TAKEN).fetchall()}
    if theirs.get("central_id") != central_id or theirs.get("cursor") != at_seq:
        raise SnapshotError("The snapshot is not the one the central store describes "
                            "(another store's, or at another place in its log).")
    if state(conn, "central_id") not in (None, central_id) or state(conn, "cursor", 0):
        raise SnapshotError("This desk has pulled meanwhile (another lr_desk on this "
                            "profile): it goes on from there.")
    mine_high = state(conn, "hlc_high", "")
    for n, table in enumerate(COPIED, 1):
        _copy(db, table)
        if progress:
            progress(Progress(n, len(COPIED) + 1, LOAD))
    erased = _merge_own(conn)
    put_state(conn, "cursor", at_seq)
    put_state(conn, "central_id", central_id)
    put_state(conn, "hlc_high", max(theirs.get("hlc_high") or "", mine_high or ""))
    touched: dict[str, set[str]] = {}
    for table in SYNCED_MODELS:
        limit = "" if table == "person" else f" LIMIT {TOUCHED_KEPT}"
        ids = {row[0] for row in db.execute(f"SELECT id FROM main.{table}{limit}").fetchall()}
        if ids:
            touched[table] = ids
    (conflicts,) = db.execute(
        "SELECT count(*) FROM main.conflict WHERE resolved_hlc IS NULL").fetchone()
    return Loaded(at_seq, conflicts, touched), erased


def _copy(db, table: str) -> None:
    """Replace the rows of ``table`` by the snapshot's (its triggers off meanwhile: the
    audit log's refuse a delete, and any trigger stops SQLite's fast copy)."""
    mine = [r[1] for r in db.execute(f"PRAGMA main.table_info({table})").fetchall()]
    theirs = [r[1] for r in db.execute(f"PRAGMA snap.table_info({table})").fetchall()]
    if not mine and not theirs:
        return  # (a table of a later schema: both are of this one)
    if sorted(mine) != sorted(theirs):
        raise SnapshotError(f"The snapshot's {table} is not this desk's.")
    triggers = db.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = ?", (table,)).fetchall()
    for name, _sql in triggers:
        db.execute(f'DROP TRIGGER main."{name}"')
    db.execute(f"DELETE FROM main.{table}")
    if mine == theirs:
        db.execute(f"INSERT INTO main.{table} SELECT * FROM snap.{table}")
    else:  # (columns in another order: a row at a time)
        names = ", ".join(f'"{n}"' for n in mine)
        db.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM snap.{table}")
    for _name, sql in triggers:
        db.execute(sql)


def _merge_own(conn) -> int:
    """Merge this device's own changes (all sent) into what was loaded, in the order
    they were made, as another device merges them; returns how many rows an erasure
    among them erased."""
    erased, after = 0, 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT seq, change_id, entity, entity_id, op, fields, hlc, seen FROM outbox "
            "WHERE seq > ? ORDER BY seq LIMIT ?", (after, MERGE_PAGE)).all()
        if not rows:
            return erased
        after = rows[-1][0]
        own = [_Own(change_id, entity, entity_id, op, json.loads(fields), hlc,
                    json.loads(seen) if seen else None)
               for _seq, change_id, entity, entity_id, op, fields, hlc, seen in rows]
        erased += merge.apply_changes(conn, own, own_device="").erased
